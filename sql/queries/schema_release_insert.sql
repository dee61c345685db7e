-- The warehouse now has this release's schema (one row: the journal keeps the history of upgrades).
delete from schema_release;
insert into schema_release (fingerprint, applied_at) values ($fingerprint, $applied_at);
