-- One table's data files merged into as few as DuckLake makes (metrics/store/warehouse.py, merge_small_tables).
call ducklake_merge_adjacent_files($catalog, $table);
