insert into notify_inbox (message_id, username, created_at, title, body, link, read_at)
select coalesce(max(message_id), 0) + 1, $username, $created_at, $title, $body, $link, null
from notify_inbox;
