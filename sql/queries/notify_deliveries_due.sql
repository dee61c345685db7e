-- Deliveries not yet made whose next attempt is due ($now), oldest first.
select * from notify_deliveries
where delivered_at is null and next_attempt_at <= $now
order by delivery_id;
