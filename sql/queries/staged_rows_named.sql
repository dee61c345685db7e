-- A file's rows with the names a reader knows: indicator, unit, region and period label (a period
-- the file would create has no label yet and keeps its id, such as 2024Q4).
select
    s.row_number,
    i.name as indicator_name,
    i.unit,
    i.kind,
    r.name as region_name,
    coalesce(p.label, s.period_id) as period_label,
    s.value,
    s.qualifier,
    s.source
from staged_rows as s
join indicators as i using (indicator_id)
join regions as r using (region_id)
left join periods as p using (period_id)
order by s.row_number;
