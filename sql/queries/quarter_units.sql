-- Each district and zone with the number of indicators it holds a value of in one reporting
-- quarter; 0 is a unit that has not reported in that quarter.
with reported as (
    select o.region_id, count(distinct o.indicator_id) as count_indicators
    from all_observations as o
    join reporting_periods as rp using (period_id)
    where rp.quarter_index = $quarter_index
    group by o.region_id
)

select
    r.region_id,
    r.name as region_name,
    r.sort_order as region_order,
    coalesce(reported.count_indicators, 0) as count_indicators
from regions as r
left join reported using (region_id)
where r.level in ('区', '功能区')
order by r.sort_order;
