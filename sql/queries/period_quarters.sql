-- Every period with the reporting quarter it belongs to (see reporting_periods in sql/views.sql).
select period_id, quarter_index, end_date
from reporting_periods;
