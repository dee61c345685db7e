-- The base tables of the warehouse this cursor reads (not the rules' empty copies in memory).
select table_name from information_schema.tables
where table_catalog = current_database() and table_schema = 'main' and table_type = 'BASE TABLE';
