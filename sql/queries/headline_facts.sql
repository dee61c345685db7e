-- One card per headline indicator for the chosen quarter: the value of the widest region that has
-- one (鄂州市 before 市本级 before a district), or of the chosen region; the quarter's own value
-- where there is one, else the latest before it.
with candidates as (
    select
        f.*,
        i.headline_order,
        row_number() over (
            partition by f.indicator_id order by f.is_current desc, f.region_order
        ) as region_rank
    from facts_as_of($quarter_index) as f
    join indicators as i using (indicator_id)
    where i.headline_order is not null
      and ($region_id is null or f.region_id = $region_id)
)

select * exclude (region_rank)
from candidates
where region_rank = 1
order by headline_order;
