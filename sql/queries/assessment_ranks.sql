-- Reported provincial ranks per scheme and period (1 is the top).
select
    s.scheme_id,
    s.name as scheme_name,
    item.item_id,
    item.name as item_name,
    f.region_name,
    f.period_id,
    f.period_label,
    f.end_date,
    rp.quarter_index,
    f.value as rank,
    f.source,
    f.load_id,
    f.evidence
from assessment_items as item
join assessment_schemes as s using (scheme_id)
join stored_observation_facts as f on f.indicator_id = item.rank_indicator_id
join reporting_periods as rp on rp.period_id = f.period_id
order by s.scheme_id, f.end_date;
