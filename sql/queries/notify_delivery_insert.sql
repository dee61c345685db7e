insert into notify_deliveries (delivery_id, username, channel, address, title, body, link, created_at, attempts,
                               next_attempt_at, delivered_at, last_error)
select coalesce(max(delivery_id), 0) + 1, $username, $channel, $address, $title, $body, $link, $created_at, 0,
       $created_at, null, null
from notify_deliveries;
