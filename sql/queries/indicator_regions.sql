-- The regions that hold a value of one indicator up to $quarter_index (all quarters when null;
-- only $region_id, if chosen), in region order: what the 趋势 page offers to draw.
select region_id, region_name
from stored_quarter_facts
where indicator_id = $indicator_id
  and ($quarter_index is null or quarter_index <= $quarter_index)
  and ($region_id is null or region_id = $region_id)
group by region_id, region_name, region_order
order by region_order, region_id;
