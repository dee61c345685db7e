-- Every stored observation in the long form that the loader accepts back.
select
    o.indicator_id,
    i.name as indicator_name,
    r.name as region,
    o.period_id as period,
    o.value,
    i.unit,
    o.qualifier,
    o.source,
    o.evidence,
    p.label as period_label,
    o.load_id
from observations as o
join indicators as i using (indicator_id)
join regions as r using (region_id)
join periods as p using (period_id)
-- A total order (the key ends in the primary key), so that an unchanged warehouse exports the same bytes.
order by o.indicator_id, r.sort_order, o.region_id, p.end_date, o.period_id;
