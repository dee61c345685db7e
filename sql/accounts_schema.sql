-- The accounts store: a small DuckDB file beside the warehouse, opened briefly under a file lock, or a
-- PostgreSQL database attached through DuckDB's postgres extension. The same statements lay out both, so they
-- keep to what DuckDB can create there: no sequences (numbers are the largest so far + 1, under the writer
-- lock) and no list defaults (every insert names the lists).
-- Every statement is idempotent: a store made by an older version gains the new tables on its first open.
create table if not exists users (
    username         varchar primary key,
    password_hash    varchar not null,
    role             varchar not null check (role in ('viewer', 'editor', 'admin')),
    scope_regions    varchar[] not null,     -- editors: region names they may load; empty: any
    scope_categories varchar[] not null,     -- editors: indicator categories; empty: any
    is_disabled      boolean not null default false,
    must_change_password boolean not null default false,
    created_at       timestamp not null,
    updated_at       timestamp not null
);

-- Identities signed in through the identity server (st.login), keyed by issuer and subject. Their key,
-- oidc:<issuer>|<sub>, cannot be a local username (a colon is not allowed there), so the two never merge.
create table if not exists oidc_identities (
    identity         varchar primary key,
    issuer           varchar not null,
    subject          varchar not null,
    display_name     varchar not null,
    role             varchar not null check (role in ('viewer', 'editor', 'admin')),
    scope_regions    varchar[] not null,
    scope_categories varchar[] not null,
    first_seen_at    timestamp not null,
    last_seen_at     timestamp not null
);

-- Server-side sign-in sessions; the browser holds the token, the store only its SHA-256.
create table if not exists sessions (
    token_sha256   varchar primary key,
    session_id     integer not null,
    username       varchar not null,                    -- a local username or an OIDC identity key
    csrf_token     varchar not null,
    created_at     timestamp not null,
    last_seen_at   timestamp not null,
    client_address varchar not null,
    user_agent     varchar not null,
    ended_at       timestamp,
    end_reason     varchar
);

-- One row per failed sign-in, known name or not, so that both are throttled alike.
create table if not exists login_failures (
    username       varchar not null,
    client_address varchar not null,
    failed_at      timestamp not null
);

-- Append-only: the app has no statement that updates or deletes a row here.
create table if not exists audit_events (
    event_id     integer primary key,
    happened_at  timestamp not null,
    actor        varchar not null,
    action       varchar not null,
    target       varchar not null,
    detail       varchar,
    count_before integer,
    count_after  integer
);

-- Journalled warehouse changes already copied into audit_events (sql/queries/audit_reconcile.sql).
create table if not exists audit_reconciled (change_key varchar primary key);
