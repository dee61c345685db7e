-- One card per headline indicator: its latest value for the widest region that has one
-- (鄂州市 before 市本级 before a district), or for the chosen region.
with candidates as (
    select
        f.*,
        i.headline_order,
        row_number() over (partition by f.indicator_id order by f.region_order) as region_rank
    from latest_facts as f
    join indicators as i using (indicator_id)
    where i.headline_order is not null
      and ($region_id is null or f.region_id = $region_id)
)

select * exclude (region_rank)
from candidates
where region_rank = 1
order by headline_order;
