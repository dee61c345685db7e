update users
set password_hash = $password_hash, must_change_password = $must_change_password, updated_at = $now
where username = $username;
