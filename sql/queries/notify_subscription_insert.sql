insert into notify_subscriptions (username, kind, indicator_ids, region_ids, channels, email, updated_at)
values ($username, $kind, $indicator_ids, $region_ids, $channels, $email, $updated_at);
