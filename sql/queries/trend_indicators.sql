-- Indicators with their number of observed periods (in one region, if chosen), most-observed first.
select
    i.indicator_id,
    i.name,
    i.unit,
    i.category,
    count(distinct o.period_id) as count_periods
from indicators as i
join all_observations as o using (indicator_id)
where ($category is null or i.category = $category)
  and ($region_id is null or o.region_id = $region_id)
group by i.indicator_id, i.name, i.unit, i.category
order by count_periods desc, i.indicator_id;
