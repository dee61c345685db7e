select rule_id, step_no, threshold, points
from assessment_rule_steps
order by rule_id, step_no;
