-- What the footer says: how many figures there are, how many of them are the notice's, and what the last
-- change was.
with latest_load as (
    select load_id, kind, file_name, user_name, loaded_at, status
    from loads
    order by load_id desc
    limit 1
)

select
    (select count(*) from observations) as count_observations,
    (select count(*) from observations where load_id = $notice_load_id) as count_notice_observations,
    latest_load.*
from latest_load;
