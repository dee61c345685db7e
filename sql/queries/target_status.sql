-- Every value of a year (all years when $year is null) with its target status, and a no_data row
-- for each quarterly milestone of an annual target that no value answers yet; optionally of one
-- category and one region, and ($only_targeted) only of the indicators that have a target row here
-- in any region (sql/views.sql, target_status_of).
select * exclude (region_order)
from target_status_of($year, $category, $region_id, $only_targeted)
order by indicator_id, region_order, end_date, period_id;
