update notify_deliveries set delivered_at = $now, attempts = attempts + 1, last_error = null
where delivery_id = $delivery_id;
