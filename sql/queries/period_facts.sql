-- Per indicator and region, its value for the chosen quarter or else its latest before it, with
-- 环比 and 同比; optionally for one category and one region; the first $row_limit rows (all when
-- null), each with how many rows there are in all (total_rows).
select *, count(*) over () as total_rows
from facts_as_of($quarter_index)
where ($category is null or category = $category)
  and ($region_id is null or region_id = $region_id)
order by category, indicator_id, region_order
limit $row_limit;
