-- The calendar periods that undone loads added, which load_rollback_remove_additions.sql removes once
-- nothing uses them, and the first load that added one of them (null when there are none).
select
    coalesce(list(a.key_id order by a.key_id), []) as period_ids,
    min(a.load_id) as first_period_load
from load_additions as a
join loads as l using (load_id)
where a.table_name = 'periods' and l.status = 'rolled_back';
