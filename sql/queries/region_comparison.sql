-- Latest value of one indicator for every region, districts ranked by value.
select
    *,
    case
        when region_level in ('区', '功能区') then
            rank() over (
                partition by region_level in ('区', '功能区')
                order by case when better = 'lower' then value else -value end
            )
    end as district_rank
from latest_facts
where indicator_id = $indicator_id
order by district_rank nulls last, region_order;
