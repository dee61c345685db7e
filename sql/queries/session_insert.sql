-- Numbered after the largest so far: the store's writer lock is held, and PostgreSQL has no DuckDB sequences.
insert into sessions
    (session_id, token_sha256, username, csrf_token, created_at, last_seen_at, client_address, user_agent)
select coalesce(max(session_id), 0) + 1, $token_sha256, $username, $csrf_token, $now, $now, $client_address,
    $user_agent
from sessions;
