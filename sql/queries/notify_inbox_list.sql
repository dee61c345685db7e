-- One account's inbox, newest first.
select message_id, created_at, title, body, link, read_at
from notify_inbox
where username = $username
order by message_id desc;
