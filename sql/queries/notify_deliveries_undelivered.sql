-- Deliveries still to be made, with how often they failed and why (the admin's view), oldest first.
select delivery_id, username, channel, address, title, attempts, next_attempt_at, last_error
from notify_deliveries
where delivered_at is null
order by delivery_id;
