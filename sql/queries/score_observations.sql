-- The observed values and reported points that assessment items score or report.
with scored_indicators as (
    select coalesce(value_indicator_id, rank_indicator_id) as indicator_id from assessment_items
    union
    select points_indicator_id from assessment_items
)

select o.indicator_id, o.region_id, o.period_id, o.value, o.qualifier
from all_observations as o
where o.indicator_id in (select indicator_id from scored_indicators)
order by o.indicator_id, o.region_id, o.period_id;
