-- The reference rows an undone load added, removed in a transaction of their own: DuckDB checks
-- a foreign key against rows deleted earlier in the same transaction as if they were still there.
delete from regions
where region_id in (select key_id from load_additions where load_id = $load_id and table_name = 'regions');

delete from indicators
where indicator_id in (
    select key_id from load_additions where load_id = $load_id and table_name = 'indicators'
);

-- A calendar period another load or a target now uses stays: it is the same period for them. Once
-- no longer used, it goes, also when the load that added it was undone earlier while in use.
delete from periods
where period_id in (
    select a.key_id
    from load_additions as a
    join loads as l using (load_id)
    where a.table_name = 'periods' and l.status = 'rolled_back'
)
  and period_id not in (select period_id from observations)
  and period_id not in (select period_id from targets where period_id is not null);
