delete from notify_subscriptions where username = $username and kind = $kind;
