-- Indicators that have a value for at least one district or functional zone, in any quarter.
select
    i.indicator_id,
    i.name,
    i.unit,
    count(distinct o.region_id) as count_districts
from indicators as i
join all_observations as o using (indicator_id)
join regions as r using (region_id)
where r.level in ('区', '功能区')
group by i.indicator_id, i.name, i.unit
order by count_districts desc, i.indicator_id;
