-- Per indicator and region, its value for the chosen quarter or else its latest before it, with
-- 环比 and 同比; optionally for one category and one region; the first $row_limit rows (all when
-- null), each with how many rows there are in all (total_rows).
-- total_rows is counted from the materialized rows, not by count(*) over (): DuckDB 1.4.4 and 1.4.5
-- fail at random on an unpartitioned window aggregate over a UNION ALL with an empty branch (as
-- facts_as_of is when no key has a newer quarter) with "INTERNAL Error: Attempted to access index 0
-- within vector of size 0", which invalidates the database (tests/test_duckdb_window_union.py).
with chosen as materialized (
    select *
    from facts_as_of($quarter_index)
    where ($category is null or category = $category)
      and ($region_id is null or region_id = $region_id)
)

select *, (select count(*) from chosen) as total_rows
from chosen
order by category, indicator_id, region_order
limit $row_limit;
