-- Each district and zone with the number of indicators it holds a value of in one reporting
-- quarter; 0 is a unit that has not reported in that quarter.
-- (The quarter's rows as facts_as_of finds them, without reading the whole history: attention_items.sql.)
with reported as (
    select region_id, count(distinct indicator_id) as count_indicators
    from facts_as_of($quarter_index)
    where is_current
    group by region_id
)

select
    r.region_id,
    r.name as region_name,
    r.sort_order as region_order,
    coalesce(reported.count_indicators, 0) as count_indicators
from regions as r
left join reported using (region_id)
where is_district(r.level)
order by r.sort_order;
