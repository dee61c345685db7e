-- What the footer says: how recent the data are and what the last change was.
with latest_load as (
    select load_id, kind, file_name, user_name, loaded_at, status
    from loads
    order by load_id desc
    limit 1
)

select
    (select max(p.end_date) from observations as o join periods as p using (period_id)) as data_as_of,
    (select count(*) from observations) as count_observations,
    latest_load.*
from latest_load;
