-- Per indicator: the number of reporting quarters up to $quarter_index that hold a value of it (in
-- one region, if chosen). A trend needs two.
-- (stored_quarter_facts has a row for each indicator, region and quarter that holds a value.)
select indicator_id, count(distinct quarter_index) as count_quarters
from stored_quarter_facts
where quarter_index <= $quarter_index
  and ($region_id is null or region_id = $region_id)
group by indicator_id;
