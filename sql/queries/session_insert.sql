insert into sessions (token_sha256, username, csrf_token, created_at, last_seen_at, client_address, user_agent)
values ($token_sha256, $username, $csrf_token, $now, $now, $client_address, $user_agent);
