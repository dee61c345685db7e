select * from integrity_violations order by indicator_id, region_id, period_id;
