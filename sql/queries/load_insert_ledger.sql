-- The load that records one ledger entry (it adds no observation).
insert into loads
    (load_id, kind, file_name, sha256, rows_total, rows_inserted, rows_updated, user_name, loaded_at, status, note)
values
    ($load_id, 'ledger', $file_name, $sha256, 1, 0, 0, $user_name, $loaded_at, 'applied', $note);
