-- One indicator in one quarter for every district and every reference region that holds it. Only
-- the quarter's own values are ranked; a district without one is 未报送 (value null), never in the
-- ranking (its latest earlier value is looked up apart, region_earlier_values.sql).
with districts as (
    select region_id, name as region_name, level as region_level, sort_order as region_order
    from regions
    where level in ('区', '功能区')
),

indicator as (
    select indicator_id, name as indicator_name, unit, kind, better
    from indicators
    where indicator_id = $indicator_id
),

current as (
    select
        region_id, region_name, region_level, region_order, value, qualifier, period_id, period_label, end_date,
        source, evidence, target_value, target_comparator, status, quarter_label, previous_value,
        previous_quarter_label, change_vs_previous, year_ago_value, year_ago_quarter_label, change_vs_year_ago
    from stored_quarter_facts
    where indicator_id = $indicator_id and quarter_index = $quarter_index
),

units as (
    select region_id, region_name, region_level, region_order from districts
    union
    select region_id, region_name, region_level, region_order from current
),

final as (
    select
        indicator.*,
        units.region_id,
        units.region_name,
        units.region_level,
        units.region_order,
        units.region_level in ('区', '功能区') as is_district,
        current.value,
        current.qualifier,
        current.period_id,
        current.period_label,
        current.end_date,
        current.source,
        current.evidence,
        current.target_value,
        current.target_comparator,
        current.status,
        current.quarter_label,
        current.previous_value,
        current.previous_quarter_label,
        current.change_vs_previous,
        current.year_ago_value,
        current.year_ago_quarter_label,
        current.change_vs_year_ago,
        case
            when units.region_level in ('区', '功能区') and current.value is not null then
                rank() over (
                    partition by units.region_level in ('区', '功能区') and current.value is not null
                    order by case when indicator.better = 'lower' then current.value else -current.value end
                )
        end as district_rank
    from units
    cross join indicator
    left join current using (region_id)
)

select *
from final
order by district_rank nulls last, region_order;
