-- How many observations each indicator has, in indicator order.
select indicator_id, count(*) as observation_count
from observations
group by indicator_id
order by indicator_id;
