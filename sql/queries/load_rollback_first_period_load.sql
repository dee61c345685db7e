-- The first load that added a calendar period now held by an undone load (load_rollback_remove_additions.sql
-- may remove such periods); null when there is none.
select min(a.load_id) as load_id
from load_additions as a
join loads as l using (load_id)
where a.table_name = 'periods' and l.status = 'rolled_back';
