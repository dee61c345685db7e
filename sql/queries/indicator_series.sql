-- Every observation of one indicator, in time order, with targets and status.
select *
from observation_facts
where indicator_id = $indicator_id
order by region_order, end_date;
