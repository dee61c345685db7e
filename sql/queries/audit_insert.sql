-- Numbered after the largest so far: the store's writer lock is held, and PostgreSQL has no DuckDB sequences.
insert into audit_events (event_id, happened_at, actor, action, target, detail, count_before, count_after)
select coalesce(max(event_id), 0) + 1, $happened_at, $actor, $action, $target, $detail, $count_before, $count_after
from audit_events;
