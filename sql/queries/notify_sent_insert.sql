insert into notify_sent (username, condition_key, sent_at) values ($username, $condition_key, $sent_at);
