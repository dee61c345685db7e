-- Every assessment item with its scheme. The scored value is the item's value indicator, or
-- its rank indicator when the item scores a rank.
select
    item.scheme_id,
    -- a scheme's name without the year of its rules: a later year's scores are reported under it, and each
    -- score carries its own period; rules_name is the scheme whose rules score them
    regexp_replace(scheme.name, '^[0-9]{4}年', '') as scheme_name,
    scheme.name as rules_name,
    item.item_id,
    item.name as item_name,
    coalesce(item.value_indicator_id, item.rank_indicator_id) as value_indicator_id,
    value_indicator.unit as value_unit,
    item.points_indicator_id,
    item.max_points,
    item.region_levels,
    item.note as item_note,
    item.rule_id
from assessment_items as item
join assessment_schemes as scheme using (scheme_id)
left join indicators as value_indicator
    on value_indicator.indicator_id = coalesce(item.value_indicator_id, item.rank_indicator_id)
order by item.scheme_id, item.item_id;
