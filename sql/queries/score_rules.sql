select
    rule_id,
    kind,
    comparator,
    below_points,
    floor_points,
    cap_points,
    per_unit_points,
    is_partial,
    partial_note,
    source,
    description
from assessment_rules
order by rule_id;
