-- Per indicator that has a target (in a category and region): how many rows it has and how many of
-- each status, its distinct targets, whether any is a quarterly milestone, and the regions (in page
-- order) with quarterly values in $projection_year to project that year's end from (none for a score), and
-- those the year's target covers that have none (unprojected_regions: the forecast names them, not omits them).
with targeted as (
    select
        *,
        {
            'target_year': target_year, 'target_annual_value': target_annual_value,
            'target_comparator': target_comparator, 'target_basis': target_basis, 'target_source': target_source
        } as goal
    from target_status_of(null, $category, $region_id, true)
),

projectable as (
    select indicator_id, list({'region_id': region_id, 'region_name': region_name} order by region_order)
        as projectable_regions
    from (
        select distinct indicator_id, region_id, region_name, region_order
        from targeted
        where grain = 'quarter' and value is not null and kind <> 'score' and year(end_date) = $projection_year
    )
    group by indicator_id
),

unprojected as (
    select indicator_id, list({'region_id': region_id, 'region_name': region_name} order by region_order)
        as unprojected_regions
    from (
        select distinct indicator_id, region_id, region_name, region_order
        from targeted
        where kind <> 'score' and year(end_date) = $projection_year
          and (indicator_id, region_id) not in (
              select (indicator_id, region_id) from targeted
              where grain = 'quarter' and value is not null and year(end_date) = $projection_year
          )
    )
    group by indicator_id
),

summary as (
    select
        indicator_id,
        any_value(indicator_name) as indicator_name,
        any_value(unit) as unit,
        count(*) as row_count,
        histogram(status) as status_counts,
        coalesce(list(distinct goal order by goal) filter (where target_annual_value is not null), []) as goals,
        bool_or(is_milestone) as has_milestones
    from targeted
    group by indicator_id
)

select
    summary.*,
    coalesce(projectable.projectable_regions, []) as projectable_regions,
    coalesce(unprojected.unprojected_regions, []) as unprojected_regions
from summary
left join projectable using (indicator_id)
left join unprojected using (indicator_id)
order by indicator_id;
