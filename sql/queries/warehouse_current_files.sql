-- The data and delete files the current snapshot reads, with full paths, from the catalog's own tables (one
-- query: ducklake_list_files asks the catalog once per table, 1-2 s for the whole warehouse). A relative path
-- is relative to its table's, the table's to its schema's, the schema's to the data path ($data_path, where
-- the lake's files are now). __ducklake_metadata_lake is the catalog of the attachment warehouse.LATEST.
with files as (
    select table_id, path, path_is_relative
    from __ducklake_metadata_lake.ducklake_data_file
    where end_snapshot is null
    union all
    select table_id, path, path_is_relative
    from __ducklake_metadata_lake.ducklake_delete_file
    where end_snapshot is null
)

select
    case
        when not f.path_is_relative then f.path
        when not t.path_is_relative then t.path || f.path
        when not s.path_is_relative then s.path || t.path || f.path
        else $data_path || s.path || t.path || f.path
    end as path
from files as f
join __ducklake_metadata_lake.ducklake_table as t on t.table_id = f.table_id and t.end_snapshot is null
join __ducklake_metadata_lake.ducklake_schema as s on s.schema_id = t.schema_id and s.end_snapshot is null
order by path;
