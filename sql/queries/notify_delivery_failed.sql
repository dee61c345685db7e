update notify_deliveries set attempts = attempts + 1, last_error = $error, next_attempt_at = $next_attempt_at
where delivery_id = $delivery_id;
