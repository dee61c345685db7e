-- Per indicator: the number of reporting quarters up to $quarter_index that hold a value of it (in
-- one region, if chosen). A trend needs two.
select o.indicator_id, count(distinct rp.quarter_index) as count_quarters
from all_observations as o
join reporting_periods as rp using (period_id)
where rp.quarter_index <= $quarter_index
  and ($region_id is null or o.region_id = $region_id)
group by o.indicator_id;
