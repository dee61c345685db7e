-- How the quarter's values stand, counted over every unit and indicator (of one unit, if given), as 需关注
-- (attention_items) reads them: per status of the quarter's own values (facts_as_of, is_current) its count,
-- and not_reported (未报送): the districts without a value of the quarter for an indicator other districts reported;
-- with the names of the units each count covers.
with current as (
    select indicator_id, region_id, region_level, status
    from facts_as_of($quarter_index)
    where is_current
),

reported as (
    select distinct indicator_id
    from current
    where is_district(region_level)
),

not_reported as (
    select reported.indicator_id, r.region_id
    from reported
    cross join regions as r
    where is_district(r.level)
      and not exists (
          select 1 from current as c where c.indicator_id = reported.indicator_id and c.region_id = r.region_id
      )
),

counted as (
    select status, region_id from current
    union all
    select 'not_reported' as status, region_id from not_reported
),

per_unit as (
    select status, region_id, count(*) as count
    from counted
    where $region_id is null or region_id = $region_id
    group by status, region_id
)

-- Each status's count and its units by name (for 未报送, whom to ask).
select
    status,
    sum(count)::bigint as count,
    coalesce(list(r.name order by r.sort_order, r.region_id) filter (where r.name is not null), []) as region_names
from per_unit
left join regions as r using (region_id)
group by status;
