-- The districts (区 and 功能区): the units compared, ranked and counted against one another. The one place
-- that names these levels in SQL (metrics.facts.DISTRICT_LEVELS in Python).
create or replace macro is_district(level) as level in ('区', '功能区');

-- Each computed indicator's formula by the names of its operands, as a reader reads it:
-- 圈内通办全程网办事项数 ÷ 圈内通办上线事项数 × 100, or a sum of terms.
create or replace view indicator_formulas as
with operands as (
    select d.indicator_id, d.role, d.operand_id, i.name
    from derivations as d
    join indicators as i on i.indicator_id = d.operand_id
),

final as (
    select
        indicator_id,
        coalesce(
            string_agg(name, ' + ' order by operand_id) filter (where role = 'term'),
            string_agg(name, ' + ' order by operand_id) filter (where role = 'numerator')
            || ' ÷ '
            || string_agg(name, ' + ' order by operand_id) filter (where role = 'denominator')
            || ' × 100'
        ) as formula_text
    from operands
    group by indicator_id
)

select * from final;

-- Derived observations are computed here, never typed: a ratio needs its numerator and
-- denominator, a sum all its terms, each exact and for the same region and period.
--
-- The rules that follow are table macros of `scoped`: false for every key, true for only the
-- (indicator, region) keys listed in refresh_keys, which a change fills with the keys it touched and
-- the first year whose facts it may change (sql/queries/facts_refresh.sql). Each rule works within
-- one key and reads one year back at most (环比, 同比, year-to-date sums), so that the filter is
-- applied to the observations first; the views of the same names are the rules over every key.
-- (A set to match with IN: a correlated EXISTS here made DuckDB scan every observation.)
--
-- Scoped, the rules read scoped_observations: the change copies into a temporary table of that name the
-- observations within the range of its keys' indicators and regions (sql/queries/facts_scope_observations.sql),
-- one scan with constant filters, before any join. Inside a DuckLake transaction that has written rows, the
-- planner estimates a table by those rows alone (10 for 10^7 observations), so a join with observations
-- built its hash table on every observation (1.3 s at 10^7) — the copy leaves it nothing to misjudge. The
-- lake's own table of that name is always empty; it is there so that the rules bind where no change runs.
create table if not exists scoped_observations as
select * from observations with no data;

create or replace macro observations_of(scoped) as table
select * from observations where not scoped
union all
select * from scoped_observations where scoped;

create or replace macro refresh_scope() as table
select k.indicator_id, k.region_id, p.period_id
from refresh_keys as k
join periods as p on year(p.end_date) >= k.from_year - 1;

create or replace macro derived_observations_of(scoped) as table
with operands as (
    select
        d.indicator_id,
        d.role,
        o.region_id,
        o.period_id,
        o.value,
        o.source
    from derivations as d
    join observations_of(scoped) as o on o.indicator_id = d.operand_id and o.qualifier = 'exact'
    where not scoped
       or (d.indicator_id, o.region_id, o.period_id) in (select indicator_id, region_id, period_id from refresh_scope())
),

expected as (
    select indicator_id, count(*) as count_operands
    from derivations
    group by indicator_id
),

grouped as (
    select
        operands.indicator_id,
        operands.region_id,
        operands.period_id,
        count(*) as count_operands,
        sum(value) filter (where role = 'numerator') as numerator,
        sum(value) filter (where role = 'denominator') as denominator,
        sum(value) filter (where role = 'term') as terms,
        string_agg(distinct source, '；' order by source) as source
    from operands
    group by operands.indicator_id, operands.region_id, operands.period_id
),

final as (
    select
        grouped.indicator_id,
        grouped.region_id,
        grouped.period_id,
        case
            when grouped.terms is not null then grouped.terms
            else round(grouped.numerator / grouped.denominator * 100, 2)
        end as value,
        'exact' as qualifier,
        '计算：' || grouped.source as source,
        indicator_formulas.formula_text as evidence,
        null::integer as load_id,
        true as is_derived
    from grouped
    join expected using (indicator_id)
    join indicator_formulas using (indicator_id)
    where grouped.count_operands = expected.count_operands
      and (grouped.terms is not null or grouped.denominator <> 0)
)

select * from final;

create or replace view derived_observations as
select * from derived_observations_of(false);

create or replace macro all_observations_of(scoped) as table
select
    o.indicator_id, o.region_id, o.period_id, o.value, o.qualifier, o.source, o.evidence, o.load_id,
    false as is_derived
from observations_of(scoped) as o
where not scoped
   or (o.indicator_id, o.region_id, o.period_id) in (select indicator_id, region_id, period_id from refresh_scope())
union all
select * from derived_observations_of(scoped);

create or replace view all_observations as
select * from all_observations_of(false);

-- Status of a value against a target, as a code (metrics.claims.Status; metrics.formatting.STATUS_NAMES words
-- it). A bound proves a target met only when the bound itself meets it; it never proves a miss (undecided).
-- No value at all is no_data.
create or replace macro target_status(observed, qualifier, target, comparator) as
    case
        when target is null then 'no_target'
        when observed is null then 'no_data'
        when qualifier in ('exact', 'approx') then
            case
                when (comparator = '>' and observed > target)
                  or (comparator = '>=' and observed >= target)
                  or (comparator = '<' and observed < target)
                  or (comparator = '<=' and observed <= target)
                  or (comparator = '=' and observed = target)
                then 'met' else 'missed'
            end
        when qualifier in ('at_least', 'all_at_least') then
            case
                when (comparator = '>' and observed > target)
                  or (comparator = '>=' and observed >= target)
                then 'met' else 'undecided'
            end
        when qualifier = 'more_than' then
            case
                when comparator in ('>', '>=') and observed >= target then 'met'
                else 'undecided'
            end
        when qualifier = 'at_most' then
            case
                when (comparator = '<' and observed < target)
                  or (comparator = '<=' and observed <= target)
                then 'met' else 'undecided'
            end
        else 'undecided'
    end;

-- Targets as set, and full marks for every item's reported points: a score is on target when it
-- reaches the item's maximum (得分/满分), unless a target was set for it.
create or replace view effective_targets as
select indicator_id, region_id, period_id, year, value, comparator, basis, source, note
from targets
union all
select
    item.points_indicator_id as indicator_id,
    null as region_id,
    null as period_id,
    null as year,
    item.max_points as value,
    '>=' as comparator,
    'provincial_rule' as basis,
    scheme.source,
    '满分' as note
from assessment_items as item
join assessment_schemes as scheme using (scheme_id)
where item.points_indicator_id is not null
  and item.max_points is not null
  and not exists (select 1 from targets as t where t.indicator_id = item.points_indicator_id);

-- The most specific target wins: a region's own over the all-region one, a period's own over
-- the all-period one, a year's own over a standing one. An annual target of a flow is checked
-- at each quarter against its milestone (时间过半、任务过半: k/4 of the year by quarter k) on
-- the sum of the year's quarters so far; of a level or stock it applies to every period of the year.
create or replace macro observation_facts_of(scoped) as table
with dated as (
    select
        o.*,
        i.temporal,
        p.grain,
        year(p.end_date) as period_year,
        case when p.grain = 'quarter' then quarter(p.end_date) end as quarter_no
    from all_observations_of(scoped) as o
    join indicators as i using (indicator_id)
    join periods as p using (period_id)
),

-- A year-to-date sum is complete only when every earlier quarter of the year is there.
year_to_date as (
    select
        indicator_id,
        region_id,
        period_id,
        quarter_no,
        sum(value) over quarters_so_far as ytd_value,
        count(*) over quarters_so_far as ytd_quarters,
        bool_and(qualifier = 'exact') over quarters_so_far as ytd_all_exact,
        bool_and(qualifier in ('exact', 'at_least', 'more_than')) over quarters_so_far
            as ytd_all_lower_bounds
    from dated
    where temporal = 'flow' and grain = 'quarter'
    window quarters_so_far as (
        partition by indicator_id, region_id, period_year order by quarter_no
    )
),

ranked_targets as (
    select
        o.indicator_id,
        o.region_id,
        o.period_id,
        t.year as target_year,
        t.value as target_annual_value,
        t.comparator as target_comparator,
        t.basis as target_basis,
        t.source as target_source,
        t.note as target_note,
        (t.year is not null and o.temporal = 'flow' and o.grain = 'quarter') as is_milestone,
        row_number() over (
            partition by o.indicator_id, o.region_id, o.period_id
            order by (t.region_id is null), (t.period_id is null), (t.year is null)
        ) as target_rank
    from dated as o
    join effective_targets as t
        on t.indicator_id = o.indicator_id
        and (t.region_id is null or t.region_id = o.region_id)
        and (t.period_id is null or t.period_id = o.period_id)
        and (
            t.year is null
            or (t.year = o.period_year and (o.temporal <> 'flow' or o.grain in ('quarter', 'year')))
        )
),

checked_targets as (
    select
        t.*,
        case
            when t.is_milestone then t.target_annual_value * ytd.quarter_no / 4
            else t.target_annual_value
        end as target_value,
        case when t.is_milestone then ytd.ytd_value end as ytd_value,
        case
            when not t.is_milestone then null
            when ytd.ytd_quarters < ytd.quarter_no then 'incomplete'
            when ytd.ytd_all_exact then 'exact'
            when ytd.ytd_all_lower_bounds then 'at_least'
            else 'mixed'
        end as ytd_qualifier
    from ranked_targets as t
    left join year_to_date as ytd using (indicator_id, region_id, period_id)
    where t.target_rank = 1
),

joined as (
    select
        o.*,
        i.name as indicator_name,
        i.unit,
        i.kind,
        i.temporal,
        i.better,
        i.category,
        r.name as region_name,
        r.level as region_level,
        r.sort_order as region_order,
        p.grain,
        p.start_date,
        p.end_date,
        p.label as period_label,
        t.target_value,
        t.target_comparator,
        t.target_basis,
        t.target_source,
        t.target_note,
        t.target_year,
        t.target_annual_value,
        t.is_milestone as is_target_milestone,
        t.ytd_value,
        t.ytd_qualifier
    from all_observations_of(scoped) as o
    join indicators as i using (indicator_id)
    join regions as r using (region_id)
    join periods as p using (period_id)
    left join checked_targets as t
        on t.indicator_id = o.indicator_id
        and t.region_id = o.region_id
        and t.period_id = o.period_id
),

-- A flow's quarter is judged on its year-to-date sum, everything else on its own value.
final as (
    select
        *,
        case
            when is_target_milestone then target_status(ytd_value, ytd_qualifier, target_value, target_comparator)
            else target_status(value, qualifier, target_value, target_comparator)
        end as status
    from joined
)

select * from final;

create or replace view observation_facts as
select * from observation_facts_of(false);

-- The time model every page shares. Each period belongs to one reporting quarter: a quarter to
-- itself, a point in time to the quarter that contains it, a month, a year or a "since …" span to
-- the quarter where it ends. quarter_index counts quarters (year × 4 + quarter − 1), so that the
-- previous quarter is index − 1 and the same quarter a year earlier is index − 4.
create or replace view reporting_periods as
select
    period_id,
    grain,
    start_date,
    end_date,
    label,
    year(end_date) * 4 + quarter(end_date) - 1 as quarter_index,
    year(end_date) || 'Q' || quarter(end_date) as quarter_id,
    year(end_date) || '年第' || ['一', '二', '三', '四'][quarter(end_date)] || '季度' as quarter_label
from periods;

-- The change between two values, only where neither is a bound; rounded so that 98.6 − 98.1 is 0.5.
create or replace macro exact_change(later, later_qualifier, earlier, earlier_qualifier) as
    case when later_qualifier in ('exact', 'approx') and earlier_qualifier in ('exact', 'approx')
        then round(later - earlier, 6)
    end;

-- One value per indicator, region and reporting quarter: the one that ends last in the quarter (a
-- quarter's own value before a point in time of the same day), with the previous quarter's value
-- (环比) and the same quarter's a year earlier (同比). A flow is compared only quarter with quarter;
-- a stock or a level at any two points in time. A change is computed only between two values that
-- are not bounds, so that "≥ 3427万" never yields a change that the data do not hold.
create or replace macro quarter_facts_of(scoped) as table
with placed as (
    select
        f.*,
        rp.quarter_index,
        rp.quarter_id,
        rp.quarter_label,
        row_number() over (
            partition by f.indicator_id, f.region_id, rp.quarter_index
            order by f.end_date desc, (f.grain = 'quarter') desc, f.start_date desc nulls last, f.period_id
        ) as recency
    from observation_facts_of(scoped) as f
    join reporting_periods as rp using (period_id)
),

-- What a value may be compared with, as one equality so that the joins below stay hash joins (an OR
-- across both sides made them nested loops): any value of a stock or level, only a quarter of a flow.
chosen as (
    select
        * exclude (recency),
        case when temporal <> 'flow' then 'any' when grain = 'quarter' then 'quarter' end as comparable_as
    from placed
    where recency = 1
),

final as (
    select
        current.* exclude (comparable_as),
        previous.value as previous_value,
        previous.qualifier as previous_qualifier,
        previous.period_label as previous_period_label,
        previous.quarter_label as previous_quarter_label,
        exact_change(current.value, current.qualifier, previous.value, previous.qualifier) as change_vs_previous,
        year_ago.value as year_ago_value,
        year_ago.qualifier as year_ago_qualifier,
        year_ago.period_label as year_ago_period_label,
        year_ago.quarter_label as year_ago_quarter_label,
        exact_change(current.value, current.qualifier, year_ago.value, year_ago.qualifier) as change_vs_year_ago
    from chosen as current
    left join chosen as previous
        on previous.indicator_id = current.indicator_id
        and previous.region_id = current.region_id
        and previous.quarter_index = current.quarter_index - 1
        and previous.comparable_as = current.comparable_as
    left join chosen as year_ago
        on year_ago.indicator_id = current.indicator_id
        and year_ago.region_id = current.region_id
        and year_ago.quarter_index = current.quarter_index - 4
        and year_ago.comparable_as = current.comparable_as
)

select * from final;

create or replace view quarter_facts as
select * from quarter_facts_of(false);

-- What pages read, stored: the rules above, kept by every change for the keys it touched, so that a
-- page costs the rows it shows rather than the whole history. Each table's rows are those of its
-- rule, clustered by indicator so that one indicator's rows are read without scanning the others.
create table if not exists stored_observation_facts as
select * from observation_facts with no data;

create table if not exists stored_quarter_facts as
select * from quarter_facts with no data;

-- Per indicator and region, its newest quarter's row of stored_quarter_facts.
create table if not exists newest_quarter_facts as
select * from quarter_facts with no data;

-- What a page shows for a chosen quarter: per indicator and region, the value of that quarter, or
-- else the latest one before it (is_current false, labelled with its own period). A key whose
-- newest quarter is the chosen one or earlier is read from newest_quarter_facts; only the keys
-- with a value after the chosen quarter are looked up in the stored history.
create or replace macro facts_as_of(selected_quarter_index) as table
with later_keys as (
    select indicator_id, region_id
    from newest_quarter_facts
    where quarter_index > selected_quarter_index
),

earlier as (
    select *
    from stored_quarter_facts
    where quarter_index <= selected_quarter_index
      and (indicator_id, region_id) in (select indicator_id, region_id from later_keys)
    qualify row_number() over (partition by indicator_id, region_id order by quarter_index desc) = 1
),

chosen as (
    select * from newest_quarter_facts where quarter_index <= selected_quarter_index
    union all
    select * from earlier
)

select *, quarter_index = selected_quarter_index as is_current from chosen;

-- The newest value per indicator and region, whatever its quarter.
create or replace view latest_facts as
select * from facts_as_of((select max(quarter_index) from reporting_periods));

-- Data tests: every row here is a broken rule. A build or load that leaves any is not published; a
-- load checks only the keys it touched (scoped), a build every key.
create or replace macro integrity_violations_of(scoped) as table
with facts as (
    select o.*, i.kind, i.name as indicator_name
    from all_observations_of(scoped) as o
    join indicators as i using (indicator_id)
),

rates_out_of_bounds as (
    select indicator_id, region_id, period_id, value, '比率超出0–100%' as problem
    from facts
    where kind = 'rate' and (value < 0 or value > 100)
),

negative_counts as (
    select indicator_id, region_id, period_id, value, '数量为负数' as problem
    from facts
    where kind in ('count', 'duration') and value < 0
),

ranks_below_one as (
    select indicator_id, region_id, period_id, value, '名次小于1或不是整数' as problem
    from facts
    where kind = 'rank' and (value < 1 or value <> floor(value))
),

-- A ratio's numerator and denominator values, each with the ratio it belongs to, so that parts meet
-- wholes on ratio, region and period together (joined by the optimizer's choice, a part met every
-- whole of its region and period first: 2×10^8 rows for a 10^6-row load).
ratio_parts as materialized (
    select d.indicator_id as ratio_id, o.indicator_id, o.region_id, o.period_id, o.value
    from derivations as d
    join observations_of(scoped) as o on o.indicator_id = d.operand_id
    where d.role = 'numerator'
),

ratio_wholes as materialized (
    select d.indicator_id as ratio_id, o.indicator_id, o.region_id, o.period_id, o.value
    from derivations as d
    join observations_of(scoped) as o on o.indicator_id = d.operand_id
    where d.role = 'denominator'
),

parts_above_wholes as (
    select
        part.indicator_id, part.region_id, part.period_id, part.value,
        '部分大于整体：' || whole_indicator.name as problem
    from ratio_parts as part
    join ratio_wholes as whole
        on whole.ratio_id = part.ratio_id
        and whole.region_id = part.region_id
        and whole.period_id = part.period_id
    join indicators as whole_indicator on whole_indicator.indicator_id = whole.indicator_id
    where part.value > whole.value
      and (not scoped
           or (part.indicator_id, part.region_id) in (select indicator_id, region_id from refresh_keys)
           or (whole.indicator_id, whole.region_id) in (select indicator_id, region_id from refresh_keys))
),

points_above_max as (
    select
        o.indicator_id, o.region_id, o.period_id, o.value, '得分超过满分' as problem
    from observations_of(scoped) as o
    join assessment_items as item on item.points_indicator_id = o.indicator_id
    where (o.value < 0 or o.value > item.max_points)
      and (not scoped or (o.indicator_id, o.region_id) in (select indicator_id, region_id from refresh_keys))
),

-- The keys DuckLake does not keep (sql/schema.sql): one value per key, of a known indicator, region
-- and period.
repeated_keys as (
    select o.indicator_id, o.region_id, o.period_id, min(o.value) as value, '同一指标、地区、期间有多个值' as problem
    from observations_of(scoped) as o
    where not scoped or (o.indicator_id, o.region_id) in (select indicator_id, region_id from refresh_keys)
    group by o.indicator_id, o.region_id, o.period_id
    having count(*) > 1
),

unknown_keys as (
    select o.indicator_id, o.region_id, o.period_id, o.value, '指标、地区或期间不存在' as problem
    from observations_of(scoped) as o
    where (not scoped or (o.indicator_id, o.region_id) in (select indicator_id, region_id from refresh_keys))
      and (o.indicator_id not in (select indicator_id from indicators)
           or o.region_id not in (select region_id from regions)
           or o.period_id not in (select period_id from periods))
),

final as (
    select * from repeated_keys
    union all select * from unknown_keys
    union all select * from rates_out_of_bounds
    union all select * from negative_counts
    union all select * from ranks_below_one
    union all select * from parts_above_wholes
    union all select * from points_above_max
)

select * from final;

create or replace view integrity_violations as
select * from integrity_violations_of(false);

-- Every value of a year (all years when selected_year is null) with its target status, and a no_data row
-- for each quarterly milestone of an annual target that no value answers yet; optionally of one
-- category and one region, and (targeted_only) only of the indicators that have a target row here in
-- any region. region_order orders each indicator's rows as pages show them.
create or replace macro target_status_of(selected_year, selected_category, selected_region_id, targeted_only) as table
with candidates as (
    select indicator_id
    from indicators
    where (selected_category is null or category = selected_category)
      and (not targeted_only or indicator_id in (select indicator_id from effective_targets))
),

observed as (
    select
        indicator_id,
        indicator_name,
        unit,
        kind,
        temporal,
        region_id,
        region_name,
        region_order,
        period_id,
        period_label,
        grain,
        end_date,
        value,
        qualifier,
        case when is_target_milestone then ytd_value else value end as compared_value,
        target_value,
        target_annual_value,
        target_year,
        target_comparator,
        target_basis,
        target_source,
        coalesce(is_target_milestone, false) as is_milestone,
        status
    from stored_observation_facts
    where (selected_year is null or year(end_date) = selected_year)
      and indicator_id in (select indicator_id from candidates)
),

annual_targets as (
    select *
    from targets
    where year is not null and (selected_year is null or year = selected_year)
      and indicator_id in (select indicator_id from candidates)
),

-- An all-region target is expected wherever the indicator has been observed; a region's own
-- target wins over the all-region one.
expected_regions as (
    select
        t.indicator_id,
        coalesce(t.region_id, seen.region_id) as region_id,
        t.year,
        t.value,
        t.comparator,
        t.basis,
        t.source,
        row_number() over (
            partition by t.indicator_id, coalesce(t.region_id, seen.region_id), t.year
            order by (t.region_id is null)
        ) as target_rank
    from annual_targets as t
    left join newest_quarter_facts as seen
        on t.region_id is null and seen.indicator_id = t.indicator_id
    where coalesce(t.region_id, seen.region_id) is not null
),

milestones as (
    select
        e.indicator_id,
        e.region_id,
        e.year,
        q.quarter_no,
        last_day(make_date(e.year, q.quarter_no * 3, 1)) as end_date,
        case when i.temporal = 'flow' then e.value * q.quarter_no / 4 else e.value end as target_value,
        e.value as target_annual_value,
        e.comparator,
        e.basis,
        e.source,
        i.temporal = 'flow' as is_milestone
    from expected_regions as e
    join indicators as i using (indicator_id)
    cross join (select unnest(range(1, 5)) as quarter_no) as q
    where e.target_rank = 1
),

unanswered as (
    select
        m.indicator_id,
        i.name as indicator_name,
        i.unit,
        i.kind,
        i.temporal,
        m.region_id,
        r.name as region_name,
        r.sort_order as region_order,
        coalesce(p.period_id, m.year || 'Q' || m.quarter_no) as period_id,
        coalesce(p.label, m.year || '年第' || ['一', '二', '三', '四'][m.quarter_no] || '季度')
            as period_label,
        'quarter' as grain,
        m.end_date,
        null::double as value,
        null as qualifier,
        null::double as compared_value,
        m.target_value,
        m.target_annual_value,
        m.year as target_year,
        m.comparator as target_comparator,
        m.basis as target_basis,
        m.source as target_source,
        m.is_milestone,
        'no_data' as status
    from milestones as m
    join indicators as i using (indicator_id)
    join regions as r using (region_id)
    left join periods as p
        on p.grain = 'quarter' and p.end_date = m.end_date
    where not exists (
        select 1
        from observed as o
        where o.indicator_id = m.indicator_id
          and o.region_id = m.region_id
          and o.grain = 'quarter'
          and o.end_date = m.end_date
    )
),

final as (
    select * from observed
    union all by name
    select * from unanswered
),

targeted as (
    select distinct indicator_id from final where target_value is not null
)

select *
from final
where (selected_region_id is null or region_id = selected_region_id)
  and (not targeted_only or indicator_id in (select indicator_id from targeted));
