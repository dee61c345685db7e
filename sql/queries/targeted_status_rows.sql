-- The rows of the indicators that have a target (in a category and region), as target_status.sql
-- orders them: the first $rows_per_indicator of each indicator (all when null), as the 总览 shows them;
-- targeted_status_summary.sql counts them all.
select * exclude (region_order)
from target_status_of(null, $category, $region_id, true)
qualify $rows_per_indicator is null
    or row_number() over (partition by indicator_id order by region_order, end_date, period_id) <= $rows_per_indicator
order by indicator_id, region_order, end_date, period_id;
