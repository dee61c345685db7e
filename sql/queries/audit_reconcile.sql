-- Journalled warehouse changes (registered by the caller as `journal`) that the audit trail lacks,
-- appended in the order they happened and marked as copied, so that copying again adds nothing.
insert into audit_events (event_id, happened_at, actor, action, target, detail, count_before, count_after)
select
    (select coalesce(max(event_id), 0) from audit_events) + row_number() over (order by load_id, happened_at),
    happened_at, actor, action, target, detail, count_before, count_after
from journal
where change_key not in (select change_key from audit_reconciled)
order by load_id, happened_at;

insert into audit_reconciled (change_key)
select change_key
from journal
where change_key not in (select change_key from audit_reconciled);
