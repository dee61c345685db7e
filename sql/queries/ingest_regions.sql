-- Regions as the loader matches names against them.
select region_id, name, level, parent_id, sort_order
from regions
order by sort_order, region_id;
