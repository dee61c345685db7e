-- Indicators with their number of observed periods, the most-observed first.
select
    i.indicator_id,
    i.name,
    i.unit,
    i.category,
    count(distinct o.period_id) as count_periods
from indicators as i
join all_observations as o using (indicator_id)
where ($category is null or i.category = $category)
group by i.indicator_id, i.name, i.unit, i.category
order by count_periods desc, i.indicator_id;
