-- The range of indicators and regions the touched keys span, with their computed indicators' operands
-- (nulls when no key is touched): what sql/queries/facts_scope_observations.sql copies.
with touched as (
    select indicator_id, region_id from refresh_keys
    union all
    select d.operand_id, k.region_id
    from refresh_keys as k
    join derivations as d using (indicator_id)
)
select
    min(indicator_id) as first_indicator,
    max(indicator_id) as last_indicator,
    min(region_id) as first_region,
    max(region_id) as last_region
from touched;
