-- The deliveries one run is about to try, put out of reach of a run started meanwhile until $lease_until.
update notify_deliveries set next_attempt_at = $lease_until where list_contains($delivery_ids, delivery_id);
