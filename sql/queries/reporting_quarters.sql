-- The reporting quarters that hold data, newest first, with how many of the districts and zones
-- reported anything in each and how many there are.
-- (stored_quarter_facts has a row for each indicator, region and quarter that holds a value.)
select
    quarter_index,
    quarter_id,
    quarter_label,
    count(distinct region_id) filter (where region_level in ('区', '功能区')) as count_reported,
    (select count(*) from regions where level in ('区', '功能区')) as count_units
from stored_quarter_facts
group by quarter_index, quarter_id, quarter_label
order by quarter_index desc;
