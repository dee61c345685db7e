-- One indicator in one quarter for every district and every reference region that holds it. Only
-- the quarter's own values are ranked (metrics.facts.region_comparison, by metrics.claims.places); a district
-- without one is 未报送 (value null), never in the ranking, and carries its latest earlier value (earlier_*).
with districts as (
    select region_id, name as region_name, level as region_level, sort_order as region_order
    from regions
    where is_district(level)
),

indicator as (
    select indicator_id, name as indicator_name, unit, kind, better
    from indicators
    where indicator_id = $indicator_id
),

-- The quarter's rows of every region and the districts' earlier ones, in one read of the indicator's
-- rows: the districts' history is a few rows per quarter, where a second query would read the table again.
facts as (
    select
        region_id, region_name, region_level, region_order, value, qualifier, period_id, period_label, end_date,
        source, evidence, load_id, target_value, target_comparator, status, quarter_index, quarter_label,
        previous_value, previous_quarter_label, change_vs_previous, year_ago_value, year_ago_quarter_label, change_vs_year_ago
    from stored_quarter_facts
    where indicator_id = $indicator_id
      and (quarter_index = $quarter_index or (quarter_index < $quarter_index and is_district(region_level)))
),

current as (
    select * exclude (quarter_index) from facts where quarter_index = $quarter_index
),

earlier as (
    select
        region_id,
        value as earlier_value,
        qualifier as earlier_qualifier,
        quarter_label as earlier_quarter_label,
        period_label as earlier_period_label
    from facts
    where quarter_index < $quarter_index
      and region_id not in (select region_id from current)
    qualify row_number() over (partition by region_id order by quarter_index desc) = 1
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
        is_district(units.region_level) as is_district,
        current.value,
        current.qualifier,
        current.period_id,
        current.period_label,
        current.end_date,
        current.source,
        current.evidence,
        current.load_id,
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
        earlier.earlier_value,
        earlier.earlier_qualifier,
        earlier.earlier_quarter_label,
        earlier.earlier_period_label
    from units
    cross join indicator
    left join current using (region_id)
    left join earlier using (region_id)
)

select *
from final
order by region_order;
