-- The reference rows an undone load added, removed in a transaction of their own: DuckDB checks
-- a foreign key against rows deleted earlier in the same transaction as if they were still there.
delete from regions
where region_id in (select key_id from load_additions where load_id = $load_id and table_name = 'regions');

delete from indicators
where indicator_id in (
    select key_id from load_additions where load_id = $load_id and table_name = 'indicators'
);

-- A calendar period another load or a target now uses stays: it is the same period for them. Once
-- no longer used, it goes, also when the load that added it was undone earlier while in use
-- ($period_ids, load_rollback_period_candidates.sql). Only observations written by the loads that added
-- such periods or later can use them: that constant bound lets the scan skip the files of every earlier
-- load (the whole table: 5 s at 10^8).
delete from periods
where list_contains($period_ids, period_id)
  and period_id not in (select period_id from observations where load_id >= $first_period_load)
  and period_id not in (select period_id from targets where period_id is not null);
