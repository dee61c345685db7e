-- Latest value per indicator and region, optionally for one category and one region.
select *
from latest_facts
where ($category is null or category = $category)
  and ($region_id is null or region_id = $region_id)
order by category, indicator_id, region_order;
