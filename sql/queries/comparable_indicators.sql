-- Indicators that have a value for at least one district or functional zone.
select
    i.indicator_id,
    i.name,
    i.unit,
    count(distinct f.region_id) filter (where f.region_level in ('区', '功能区')) as count_districts
from indicators as i
join observation_facts as f using (indicator_id)
group by i.indicator_id, i.name, i.unit
having count_districts > 0
order by count_districts desc, i.indicator_id;
