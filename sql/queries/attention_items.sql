-- What needs a leader's attention in one quarter, one row per finding:
--   below_target     a value of the quarter that misses its target;
--   below_reference  a district whose rate is at least $reference_gap points under 市本级's
--                    rate of the same quarter;
--   worse            a value that moved the wrong way since the previous quarter;
--   not_reported     a district without a value of the quarter for an indicator that other
--                    districts did report for it.
-- Optionally of one unit ($region_id); of each finding, the first $shown_per_finding rows (all when
-- null), each with how many there are.
-- The quarter's rows as facts_as_of finds them (sql/views.sql): from newest_quarter_facts, and from the
-- history only for keys with a later quarter. A filter on the quarter alone read every row of the history,
-- which is clustered by indicator and region (6 s at 10^8).
with current as (
    select * exclude (is_current) from facts_as_of($quarter_index) where is_current
),

city as (
    select indicator_id, value as city_value, region_name as city_name
    from current
    where region_level = '市本级' and qualifier = 'exact'
),

below_target as (
    select
        'below_target' as finding,
        c.*,
        c.target_value as reference_value,
        null::varchar as reference_name,
        abs(c.value - c.target_value) as gap
    from current as c
    where c.status = 'missed'
),

below_reference as (
    select
        'below_reference' as finding,
        c.*,
        city.city_value as reference_value,
        city.city_name as reference_name,
        city.city_value - c.value as gap
    from current as c
    join city using (indicator_id)
    where is_district(c.region_level)
      and c.kind = 'rate'
      and c.better = 'higher'
      and c.qualifier = 'exact'
      and city.city_value - c.value >= $reference_gap
),

worse as (
    select
        'worse' as finding,
        c.*,
        c.previous_value as reference_value,
        c.previous_qualifier as reference_qualifier,
        c.previous_quarter_label as reference_name,
        abs(c.change_vs_previous) as gap
    from current as c
    where (c.better = 'higher' and c.change_vs_previous < 0)
       or (c.better = 'lower' and c.change_vs_previous > 0)
),

reported as (
    select distinct indicator_id
    from current
    where is_district(region_level)
),

not_reported as (
    select
        'not_reported' as finding,
        i.indicator_id,
        i.name as indicator_name,
        i.unit,
        i.kind,
        i.better,
        r.region_id,
        r.name as region_name,
        r.level as region_level,
        r.sort_order as region_order
    from reported
    join indicators as i using (indicator_id)
    cross join regions as r
    where is_district(r.level)
      and not exists (
          select 1 from current as c where c.indicator_id = i.indicator_id and c.region_id = r.region_id
      )
),

final as (
    select * from below_target
    union all by name select * from below_reference
    union all by name select * from worse
    union all by name select * from not_reported
)

select
    finding,
    indicator_id,
    indicator_name,
    unit,
    kind,
    better,
    region_id,
    region_name,
    region_order,
    value,
    qualifier,
    period_label,
    quarter_label,
    target_value,
    target_comparator,
    reference_value,
    coalesce(reference_qualifier, 'exact') as reference_qualifier,
    reference_name,
    change_vs_previous,
    gap,
    count(*) over (partition by finding) as finding_count
from final
where $region_id is null or region_id = $region_id
qualify $shown_per_finding is null or row_number() over (
    partition by finding order by gap desc nulls last, indicator_id, region_order
) <= $shown_per_finding
order by
    case finding when 'below_target' then 1 when 'below_reference' then 2 when 'worse' then 3 else 4 end,
    gap desc nulls last,
    indicator_id,
    region_order;
