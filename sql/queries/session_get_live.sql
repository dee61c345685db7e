select session_id, username, csrf_token, last_seen_at
from sessions
where token_sha256 = $token_sha256
  and ended_at is null
  and last_seen_at > $idle_since
  and created_at > $created_since;
