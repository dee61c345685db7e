update notify_inbox set read_at = $read_at where username = $username and read_at is null;
