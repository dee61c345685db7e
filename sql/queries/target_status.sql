-- Every value of a year (all years when $year is null) with its target status, and a 无数据 row
-- for each quarterly milestone of an annual target that no value answers yet; optionally of one
-- category and one region, and ($only_targeted) only of the indicators that have a target row here
-- in any region.
with candidates as (
    select indicator_id
    from indicators
    where ($category is null or category = $category)
      and (not $only_targeted or indicator_id in (select indicator_id from effective_targets))
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
    where ($year is null or year(end_date) = $year)
      and indicator_id in (select indicator_id from candidates)
),

annual_targets as (
    select *
    from targets
    where year is not null and ($year is null or year = $year)
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
        '无数据' as status
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

select * exclude (region_order)
from final
where ($region_id is null or region_id = $region_id)
  and (not $only_targeted or indicator_id in (select indicator_id from targeted))
order by indicator_id, region_order, end_date, period_id;
