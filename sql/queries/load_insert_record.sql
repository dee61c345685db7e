-- The load that records one ledger entry or 督办 step ($kind 'ledger' or 'supervision'); it adds no observation.
insert into loads
    (load_id, kind, file_name, sha256, rows_total, rows_inserted, rows_updated, user_name, loaded_at, status, note)
values
    ($load_id, $kind, $file_name, $sha256, 1, 0, 0, $user_name, $loaded_at, 'applied', $note);
