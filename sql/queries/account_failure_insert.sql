insert into login_failures (username, client_address, failed_at) values ($username, $client_address, $now);
