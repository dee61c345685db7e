-- The data tests over the keys in refresh_keys only: what a load or a rollback may have broken.
select * from integrity_violations_of(true) order by indicator_id, region_id, period_id;
