-- The tables of a warehouse version, to tell an intact one from a damaged one.
select table_name from information_schema.tables where table_schema = 'main';
