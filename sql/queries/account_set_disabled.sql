update users set is_disabled = $is_disabled, updated_at = $now where username = $username;
