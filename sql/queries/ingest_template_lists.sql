-- The choices the Excel template offers in its drop-down lists: loadable indicators, regions.
select 'indicator' as list_name, name as choice, indicator_id as sort_key
from indicators
where indicator_id not in (select indicator_id from derivations)
union all
select 'region' as list_name, name as choice, lpad(sort_order::varchar, 6, '0') as sort_key
from regions
order by list_name, sort_key;
