-- What the footer says: how many figures there are and what the last change was.
with latest_load as (
    select load_id, kind, file_name, user_name, loaded_at, status
    from loads
    order by load_id desc
    limit 1
)

select
    (select count(*) from observations) as count_observations,
    latest_load.*
from latest_load;
