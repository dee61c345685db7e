-- Tables whose files a change merges after it commits (metrics/store/warehouse.py, merge_small_tables): more
-- than $more_than_files files, and at most $at_most_bytes of data in all.
select table_name
from ducklake_table_info($catalog)
where file_count > $more_than_files and file_size_bytes <= $at_most_bytes
order by table_name;
