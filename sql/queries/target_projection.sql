-- Year-end values projected from the year so far (预测), for every asked (indicator, region) pair
-- at once ($indicator_ids and $region_ids, zipped; an unknown indicator gives no row): a flow at
-- the mean of its observed quarters times four, a level or stock at its latest value, then judged
-- against the year's target (its own region's over the all-region one, an annual over a standing
-- one). In the order asked.
with asked as (
    select
        unnest($indicator_ids) as indicator_id,
        unnest($region_ids) as region_id,
        unnest(range(len($indicator_ids))) as position
),

pairs as (
    select asked.*, i.temporal
    from asked
    join indicators as i using (indicator_id)
),

in_year as (
    select
        f.indicator_id, f.region_id, f.value, f.qualifier, f.grain, f.end_date, f.start_date,
        f.period_id, f.period_label as label
    from stored_observation_facts as f
    -- A range on the column itself, which the scan filters as it reads (year() of every row: 2.4× as long).
    where f.end_date between make_date($year, 1, 1) and make_date($year, 12, 31)
      and (f.indicator_id, f.region_id) in (select indicator_id, region_id from pairs)
),

quarters as (
    select
        indicator_id,
        region_id,
        count(*) as count_quarters,
        sum(value) as total,
        bool_and(qualifier = 'exact') as all_exact,
        bool_and(qualifier in ('exact', 'at_least', 'more_than')) as all_lower_bounds
    from in_year
    where grain = 'quarter'
    group by indicator_id, region_id
),

latest as (
    select indicator_id, region_id, value, qualifier, label
    from in_year
    qualify row_number() over (
        partition by indicator_id, region_id
        order by end_date desc, (grain = 'quarter') desc, start_date desc nulls last, period_id
    ) = 1
),

projected as (
    select
        pairs.indicator_id,
        pairs.region_id,
        pairs.position,
        coalesce(quarters.count_quarters, 0) as count_quarters,
        case
            when pairs.temporal = 'flow' then quarters.total * 4 / nullif(quarters.count_quarters, 0)
            else latest.value
        end as projected_value,
        case
            when pairs.temporal <> 'flow' then latest.qualifier
            when quarters.all_exact then 'exact'
            when quarters.all_lower_bounds then 'at_least'
            else 'mixed'
        end as projected_qualifier,
        case
            when pairs.temporal = 'flow' then
                '预测：已有' || coalesce(quarters.count_quarters, 0) || '个季度，按季度平均值×4线性外推'
            else '预测：取年内最新值(' || latest.label || ')'
        end as method
    from pairs
    left join quarters using (indicator_id, region_id)
    left join latest using (indicator_id, region_id)
),

target as (
    select pairs.indicator_id, pairs.region_id, t.value, t.comparator, t.basis, t.source
    from pairs
    join targets as t
        on t.indicator_id = pairs.indicator_id
        and (t.region_id is null or t.region_id = pairs.region_id)
        and (t.year = $year or (t.year is null and t.period_id is null))
    qualify row_number() over (
        partition by pairs.indicator_id, pairs.region_id
        order by (t.region_id is null), (t.year is null)
    ) = 1
),

final as (
    select
        projected.indicator_id,
        projected.region_id,
        projected.position,
        projected.projected_value,
        projected.projected_qualifier,
        projected.count_quarters,
        projected.method,
        target.value as target_value,
        target.comparator as target_comparator,
        target.basis as target_basis,
        target.source as target_source,
        target_status(
            projected.projected_value, projected.projected_qualifier, target.value, target.comparator
        ) as projected_status
    from projected
    left join target using (indicator_id, region_id)
)

select * exclude (position) from final order by position;
