-- Delete the files of the lake's data path that no snapshot refers to (nor is scheduled for deletion) and
-- that were last written more than $older_than_seconds ago; the paths deleted.
select path
from ducklake_delete_orphaned_files($catalog, older_than => now() - to_seconds($older_than_seconds::bigint));
