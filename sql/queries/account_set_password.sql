update users
set password_hash = $password_hash, must_change_password = $must_change_password,
    failed_attempts = 0, locked_until = null, updated_at = $now
where username = $username;
