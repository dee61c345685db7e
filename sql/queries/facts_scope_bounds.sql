-- The range of indicators and regions the touched keys span, with their computed indicators' operands,
-- and the periods from one year before the first touched year on (the rules read one year back at
-- most; null for every period): what sql/queries/facts_scope_observations.sql copies. Nulls and no
-- periods when no key is touched. touched_keys counts the keys with their operands' (metrics/store/stored_facts.py).
with touched as (
    select indicator_id, region_id from refresh_keys
    union all
    select d.operand_id, k.region_id
    from refresh_keys as k
    join derivations as d using (indicator_id)
)
select
    count(*) as touched_keys,
    min(indicator_id) as first_indicator,
    max(indicator_id) as last_indicator,
    min(region_id) as first_region,
    max(region_id) as last_region,
    case
        when (select min(from_year) from refresh_keys) - 1 > (select min(year(end_date)) from periods) then (
            select list(period_id order by period_id)
            from periods
            where year(end_date) >= (select min(from_year) from refresh_keys) - 1
        )
        when count(*) = 0 then []
    end as period_ids
from touched;
