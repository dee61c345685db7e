-- The views of the warehouse this cursor reads.
select table_name as view_name from information_schema.tables
where table_catalog = current_database() and table_schema = 'main' and table_type = 'VIEW';
