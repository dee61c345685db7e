-- Year-end value of one indicator and region projected from the year so far (预测): a flow at
-- the mean of its observed quarters times four, a level or stock at its latest value, then
-- judged against the year's target (its own region's over the all-region one, an annual over a
-- standing one).
with indicator as (
    select indicator_id, temporal from indicators where indicator_id = $indicator_id
),

in_year as (
    select o.value, o.qualifier, p.grain, p.end_date, p.label
    from all_observations as o
    join periods as p using (period_id)
    where o.indicator_id = $indicator_id
      and o.region_id = $region_id
      and year(p.end_date) = $year
),

quarters as (
    select
        count(*) as count_quarters,
        sum(value) as total,
        bool_and(qualifier = 'exact') as all_exact,
        bool_and(qualifier in ('exact', 'at_least', 'more_than')) as all_lower_bounds
    from in_year
    where grain = 'quarter'
),

latest as (
    select value, qualifier, label
    from in_year
    order by end_date desc
    limit 1
),

projected as (
    select
        indicator.temporal,
        quarters.count_quarters,
        case
            when indicator.temporal = 'flow' then quarters.total * 4 / nullif(quarters.count_quarters, 0)
            else latest.value
        end as projected_value,
        case
            when indicator.temporal <> 'flow' then latest.qualifier
            when quarters.all_exact then 'exact'
            when quarters.all_lower_bounds then 'at_least'
            else 'mixed'
        end as projected_qualifier,
        case
            when indicator.temporal = 'flow' then
                '预测：已有' || quarters.count_quarters || '个季度，按季度平均值×4线性外推'
            else '预测：取年内最新值(' || latest.label || ')'
        end as method
    from indicator
    cross join quarters
    left join latest on true
),

target as (
    select value, comparator, basis, source
    from targets
    where indicator_id = $indicator_id
      and (region_id is null or region_id = $region_id)
      and (year = $year or (year is null and period_id is null))
    order by (region_id is null), (year is null)
    limit 1
),

final as (
    select
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
    left join target on true
)

select * from final;
