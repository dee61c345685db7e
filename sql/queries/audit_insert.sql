insert into audit_events (happened_at, actor, action, target, detail, count_before, count_after)
values ($happened_at, $actor, $action, $target, $detail, $count_before, $count_after);
