-- The numbers of the rectification problems an indicator is linked to.
select problem_no
from problem_indicators
where indicator_id = $indicator_id
order by problem_no;
