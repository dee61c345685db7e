select period_id, label as period_label, grain, end_date
from periods
order by end_date, period_id;
