-- One indicator's district ranking in every quarter up to $quarter_index, as 区域对比 ranks a quarter
-- (sql/queries/region_comparison.sql): only the quarter's own values, ties share a place, the better
-- end first; with how many districts were ranked that quarter.
with ranked as (
    select
        f.quarter_index,
        f.quarter_label,
        f.region_id,
        rank() over (
            partition by f.quarter_index
            order by case when i.better = 'lower' then f.value else -f.value end
        ) as district_rank,
        count(*) over (partition by f.quarter_index) as count_ranked
    from stored_quarter_facts as f
    join indicators as i using (indicator_id)
    where f.indicator_id = $indicator_id
      and is_district(f.region_level)
      and f.value is not null
      and f.quarter_index <= $quarter_index
)

select * from ranked
order by quarter_index, district_rank;
