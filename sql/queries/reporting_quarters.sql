-- The reporting quarters that hold data, newest first, with how many of the districts and zones
-- reported anything in each and how many there are.
select
    rp.quarter_index,
    rp.quarter_id,
    rp.quarter_label,
    count(distinct o.region_id) filter (where r.level in ('区', '功能区')) as count_reported,
    (select count(*) from regions where level in ('区', '功能区')) as count_units
from all_observations as o
join reporting_periods as rp using (period_id)
join regions as r using (region_id)
group by rp.quarter_index, rp.quarter_id, rp.quarter_label
order by rp.quarter_index desc;
