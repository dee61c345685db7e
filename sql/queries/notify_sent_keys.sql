select username, condition_key from notify_sent;
