-- Reported points against maximum per scheme item and period.
select
    s.scheme_id,
    s.name as scheme_name,
    item.item_id,
    item.name as item_name,
    item.max_points,
    f.region_id,
    f.region_name,
    f.period_id,
    f.period_label,
    f.end_date,
    rp.quarter_index,
    f.value as points,
    f.source,
    f.load_id,
    f.evidence,
    rule.description as rule_description,
    rule.comparator as rule_comparator,
    rule.is_partial as rule_is_partial,
    rule.partial_note as rule_partial_note,
    rule.source as rule_source
from assessment_items as item
join assessment_schemes as s using (scheme_id)
join stored_observation_facts as f on f.indicator_id = item.points_indicator_id
join reporting_periods as rp on rp.period_id = f.period_id
left join assessment_rules as rule using (rule_id)
order by s.scheme_id, item.item_id, f.region_order, f.end_date;
