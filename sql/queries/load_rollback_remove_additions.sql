-- The reference rows an undone load added, removed in a transaction of their own: DuckDB checks
-- a foreign key against rows deleted earlier in the same transaction as if they were still there.
delete from regions
where region_id in (select key_id from load_additions where load_id = $load_id and table_name = 'regions');

delete from indicators
where indicator_id in (
    select key_id from load_additions where load_id = $load_id and table_name = 'indicators'
);

-- A calendar period another load or a target now uses stays: it is the same period for them.
delete from periods
where period_id in (select key_id from load_additions where load_id = $load_id and table_name = 'periods')
  and period_id not in (select period_id from observations)
  and period_id not in (select period_id from targets where period_id is not null);
