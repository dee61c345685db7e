insert into notify_deliveries (delivery_id, username, channel, address, title, body, link, created_at, attempts,
                               next_attempt_at, delivered_at, last_error, brief_period)
select coalesce(max(delivery_id), 0) + 1, $username, $channel, $address, $title, $body, $link, $created_at, 0,
       $created_at, null, null, $brief_period
from notify_deliveries;
