-- End live sessions: one by its token, one by its number, or every one of an account.
update sessions
set ended_at = $now, end_reason = $reason
where ended_at is null
  and (token_sha256 = $token_sha256 or session_id = $session_id or username = $username);
