-- Set the bureau's own annual target for one indicator and region (null: every region),
-- replacing the one it had, and record the change as a load of kind 'target'. Every fact of the
-- indicator may change status.
insert into refresh_keys (indicator_id, region_id, from_year)
select distinct indicator_id, region_id, 0 from all_observations where indicator_id = $indicator_id;

insert into loads
    (load_id, kind, file_name, sha256, rows_total, rows_inserted, rows_updated,
     user_name, loaded_at, status, note)
with replaced as (
    select count(*) as count_rows
    from targets
    where basis = 'bureau'
      and indicator_id = $indicator_id
      and region_id is not distinct from $region_id
      and year = $year
)
select
    $load_id, 'target', $file_name, $sha256, 1,
    case when count_rows = 0 then 1 else 0 end,
    case when count_rows = 0 then 0 else 1 end,
    $user_name, $loaded_at, 'applied', $note
from replaced;

delete from targets
where basis = 'bureau'
  and indicator_id = $indicator_id
  and region_id is not distinct from $region_id
  and year = $year;

insert into targets
    (indicator_id, region_id, period_id, year, value, comparator, basis, source, note, load_id)
values
    ($indicator_id, $region_id, null, $year, $value, $comparator, 'bureau', $source, $note, $load_id);
