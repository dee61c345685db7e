-- The keys of a submission's rows, placed in their reporting quarter by their period's end date
-- (a period the file would create is in staged_periods; the others are in periods).
insert into submission_rows (submission_id, indicator_id, region_id, quarter_index)
select distinct
    $submission_id,
    s.indicator_id,
    s.region_id,
    year(coalesce(p.end_date, n.end_date)) * 4 + quarter(coalesce(p.end_date, n.end_date)) - 1
from staged_rows as s
left join periods as p using (period_id)
left join staged_periods as n using (period_id);
