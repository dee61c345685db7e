insert into notify_subscriptions (username, kind, indicator_ids, region_ids, points, channels, email, updated_at)
values ($username, $kind, $indicator_ids, $region_ids, $points, $channels, $email, $updated_at);
