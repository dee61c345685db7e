select period_id, grain, start_date, end_date, label
from periods
order by end_date, period_id;
