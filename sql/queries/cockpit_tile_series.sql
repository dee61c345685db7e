-- The last $quarters_shown quarters (up to $quarter_index) of each (indicator, region) pair given, for
-- the cockpit's tiles: one row per pair and quarter with a value, in time order.
with pairs as (
    select unnest($indicator_ids::varchar[]) as indicator_id, unnest($region_ids::varchar[]) as region_id
)

select f.indicator_id, f.region_id, f.quarter_index, f.quarter_label, f.value, f.qualifier
from stored_quarter_facts as f
join pairs using (indicator_id, region_id)
where f.quarter_index <= $quarter_index
  and f.quarter_index > $quarter_index - $quarters_shown
order by f.indicator_id, f.quarter_index;
