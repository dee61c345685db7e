-- One indicator's value per region and reporting quarter, with 环比 and 同比, in time order.
select *
from stored_quarter_facts
where indicator_id = $indicator_id
order by region_order, quarter_index;
