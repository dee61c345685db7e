-- Alerts, kept in the accounts store beside the accounts they belong to (a DuckDB file or PostgreSQL: the same
-- statements lay out both, as sql/accounts_schema.sql). `python -m metrics notify` evaluates the
-- subscriptions, records each alert once per account and condition (notify_sent), puts it in the account's
-- in-app inbox and queues it for the webhook and e-mail channels (notify_deliveries), where a failed delivery
-- waits, with its reason, for a retry with backoff. Every statement is idempotent.
create table if not exists notify_subscriptions (
    username      varchar not null,
    kind          varchar not null,       -- supervision: 督办 items I asked, answered or overdue,
                                          -- below_target: a unit's value of the newest quarter below its target,
                                          -- fell: a unit's value of the newest quarter worse by more than points,
                                          -- unreported: a unit's report of the quarter just ended past its due date,
                                          -- brief: the quarterly brief once the quarter just ended is complete or
                                          -- past its reporting deadline
    indicator_ids varchar[] not null,     -- the indicators watched (not for supervision or brief); empty: every one
    region_ids    varchar[] not null,     -- the units watched (not for supervision or brief); empty: every one
    points        double,                 -- fell: by how much
    channels      varchar[] not null,     -- any of inbox, webhook, email
    email         varchar,                -- the address of the email channel
    updated_at    timestamp not null,
    primary key (username, kind)
);

create table if not exists notify_sent (
    username      varchar not null,
    condition_key varchar not null,       -- one condition in one quarter, e.g. below_target|one_window_share|huarong|8098
    sent_at       timestamp not null,
    primary key (username, condition_key)
);

create table if not exists notify_inbox (
    message_id  integer primary key,
    username    varchar not null,
    created_at  timestamp not null,
    title       varchar not null,
    body        varchar not null,
    link        varchar not null,         -- the dashboard's path the message is about
    read_at     timestamp
);

create table if not exists notify_deliveries (
    delivery_id     integer primary key,
    username        varchar not null,
    channel         varchar not null,     -- webhook or email
    address         varchar,              -- the e-mail address; null for the webhook (the admin's robot)
    title           varchar not null,
    body            varchar not null,
    link            varchar not null,
    created_at      timestamp not null,
    attempts        integer not null,
    next_attempt_at timestamp not null,
    delivered_at    timestamp,
    last_error      varchar               -- one line of Chinese, never a password
);

-- brief_period: the quarter (e.g. 2024Q4) whose brief, as a PDF, an e-mail of the brief subscription carries; null: none.
-- Added here rather than above so that a store laid out before the brief subscription gets it too.
alter table notify_deliveries add column if not exists brief_period varchar;
