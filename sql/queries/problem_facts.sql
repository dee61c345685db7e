-- The latest figures of the indicators linked to one problem.
select f.*
from problem_indicators as l
join latest_facts as f using (indicator_id)
where l.problem_no = $problem_no
order by f.indicator_id, f.region_order;
