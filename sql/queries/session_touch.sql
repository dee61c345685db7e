update sessions set last_seen_at = $now where token_sha256 = $token_sha256;
