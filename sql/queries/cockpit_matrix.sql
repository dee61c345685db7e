-- The cockpit's matrix for one quarter: the districts and 市本级 down the side, the headline indicators
-- that any of them has a value of (up to the quarter) across; per cell the value facts_as_of finds (the
-- quarter's own, else the latest before it: is_current false), and 市本级's own value of the quarter,
-- which a cell of an indicator without a target is compared with.
with units as (
    select region_id, name as region_name, level as region_level, sort_order as region_order
    from regions
    where is_district(level) or level = '市本级'
),

found as (
    select f.*
    from facts_as_of($quarter_index) as f
    join units using (region_id)
),

columns as (
    select indicator_id, name as indicator_name, unit, kind, better, headline_order
    from indicators
    where headline_order is not null
      and indicator_id in (select indicator_id from found)
),

city as (
    select indicator_id, value as city_value, qualifier as city_qualifier, region_name as city_name
    from found
    where region_level = '市本级' and is_current
),

final as (
    select
        columns.indicator_id,
        columns.indicator_name,
        columns.unit,
        columns.kind,
        columns.better,
        columns.headline_order,
        units.region_id,
        units.region_name,
        units.region_level,
        units.region_order,
        found.value,
        found.qualifier,
        found.period_label,
        found.quarter_label,
        found.is_current,
        found.status,
        found.target_value,
        found.target_comparator,
        found.change_vs_previous,
        found.previous_quarter_label,
        found.source,
        found.evidence,
        found.is_derived,
        found.load_id,
        city.city_value,
        city.city_qualifier,
        city.city_name
    from columns
    cross join units
    left join found using (indicator_id, region_id)
    left join city using (indicator_id)
)

select * from final
order by region_order, headline_order;
