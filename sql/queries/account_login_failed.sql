update users
set failed_attempts = failed_attempts + 1, locked_until = $locked_until, updated_at = $now
where username = $username;
