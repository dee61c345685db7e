-- The accounts store: a small DuckDB file beside the warehouse, opened briefly under a file lock.
create table if not exists users (
    username         varchar primary key,
    password_hash    varchar not null,
    role             varchar not null check (role in ('viewer', 'editor', 'admin')),
    scope_regions    varchar[] not null default [],     -- editors: region names they may load; empty: any
    scope_categories varchar[] not null default [],     -- editors: indicator categories; empty: any
    is_disabled      boolean not null default false,
    must_change_password boolean not null default false,
    failed_attempts  integer not null default 0,
    locked_until     timestamp,
    created_at       timestamp not null,
    updated_at       timestamp not null
);

-- Append-only: the app has no statement that updates or deletes a row here.
create sequence if not exists audit_ids;

create table if not exists audit_events (
    event_id     integer primary key default nextval('audit_ids'),
    happened_at  timestamp not null,
    actor        varchar not null,
    action       varchar not null,
    target       varchar not null,
    detail       varchar,
    count_before integer,
    count_after  integer
);
