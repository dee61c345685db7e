-- Undo one load inside the caller's transaction: its rows go, and the rows it replaced come back
-- with their own load ids. load_rollback_remove_additions.sql then removes what it added to the
-- reference tables.
insert into refresh_keys (indicator_id, region_id, from_year)
with touched as (
    select indicator_id, region_id, period_id from observations where load_id = $load_id
    union
    select indicator_id, region_id, period_id from load_changes where load_id = $load_id
)
select t.indicator_id, t.region_id, min(year(p.end_date))
from touched as t
join periods as p using (period_id)
group by t.indicator_id, t.region_id;

insert into loads
    (load_id, kind, file_name, sha256, rows_total, rows_inserted, rows_updated,
     user_name, loaded_at, status, note)
values
    ($rollback_id, 'rollback', $file_name, $sha256, $rows_total, 0, $rows_updated,
     $user_name, $loaded_at, 'applied', $note);

delete from observations where load_id = $load_id;

insert into observations
    (indicator_id, region_id, period_id, value, qualifier, source, evidence, load_id)
select indicator_id, region_id, period_id, old_value, old_qualifier, old_source, old_evidence, old_load_id
from load_changes
where load_id = $load_id
order by indicator_id, region_id, period_id;

update loads set status = 'rolled_back' where load_id = $load_id;
