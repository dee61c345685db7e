select event_id, happened_at, actor, action, target, detail, count_before, count_after
from audit_events
order by event_id desc;
