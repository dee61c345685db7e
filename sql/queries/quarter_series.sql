-- One indicator's value per region and reporting quarter, with 环比 and 同比, in time order; only
-- of $region_ids and up to $quarter_index when given.
select *
from stored_quarter_facts
where indicator_id = $indicator_id
  and ($region_ids::varchar[] is null or list_contains($region_ids::varchar[], region_id))
  and ($quarter_index is null or quarter_index <= $quarter_index)
order by region_order, quarter_index;
