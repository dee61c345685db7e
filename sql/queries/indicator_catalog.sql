select
    indicator_id,
    name,
    unit,
    kind,
    temporal,
    better,
    category,
    definition,
    formula,
    owner,
    notice_item
from indicators
order by category, indicator_id;
