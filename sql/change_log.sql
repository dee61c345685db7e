-- The record of every change to the warehouse, written in the change's own transaction, so that
-- no change is committed without it. The accounts store's audit trail is filled from it, keyed
-- by change_key. "if not exists": a warehouse built before this table gets it at its next change.
create table if not exists change_log (   -- key: change_key
    change_key   varchar not null,
    load_id      integer not null,      -- the load (of any kind) that the change recorded
    happened_at  timestamp not null,
    actor        varchar not null,
    action       varchar not null,
    target       varchar not null,
    detail       varchar,
    count_before integer not null,      -- observations before and after the change
    count_after  integer not null
);
