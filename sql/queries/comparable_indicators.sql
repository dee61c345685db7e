-- Indicators that have a value for at least one district or functional zone, in any quarter (one
-- row per indicator and region in newest_quarter_facts).
select
    i.indicator_id,
    i.name,
    i.unit,
    count(distinct f.region_id) as count_districts
from indicators as i
join newest_quarter_facts as f using (indicator_id)
where is_district(f.region_level)
group by i.indicator_id, i.name, i.unit
order by count_districts desc, i.indicator_id;
