-- Warehouse tables. Seed CSVs in data/seed/ fill them; loads add observations.
--
-- The tables live in a DuckLake (metrics/store/warehouse.py), which stores no key, unique, check or foreign-key
-- constraint. The warehouse keeps them itself: every value a file brings is checked before it is written
-- (metrics/ingest/validate/), and every change checks, before it commits, the keys it touched against the
-- rules of sql/views.sql (integrity_violations_of: one row per key, known indicator, region and period), run
-- by sql/queries/integrity_violations_touched.sql.
-- The key of each table is named in its comment.

create table if not exists regions (   -- key: region_id; name unique
    region_id   varchar,
    name        varchar not null,
    level       varchar not null,
    parent_id   varchar,
    sort_order  integer not null
);

create table if not exists periods (   -- key: period_id
    period_id   varchar,
    grain       varchar not null,
    start_date  date,
    end_date    date not null,
    label       varchar not null
);

create table if not exists indicators (   -- key: indicator_id; name unique
    indicator_id varchar,
    name         varchar not null,
    unit         varchar not null,
    kind         varchar not null,
    temporal     varchar not null,
    better       varchar not null,
    category     varchar not null,
    definition   varchar not null,
    formula      varchar,
    owner        varchar not null,
    notice_item  varchar,
    headline_order integer            -- position on the 总览 page; null: not a headline
);

-- Other names an indicator goes by in the bureau's own usage (the 指标口径 search finds them).
create table if not exists indicator_aliases (   -- key: (indicator_id, alias)
    indicator_id varchar not null,
    alias        varchar not null
);

-- Operands of derived indicators: ratios (numerator / denominator × 100) and sums (terms).
create table if not exists derivations (   -- key: (indicator_id, role, operand_id)
    indicator_id varchar not null,
    role         varchar not null,
    operand_id   varchar not null
);

create table if not exists loads (   -- key: load_id
    load_id      integer,
    kind         varchar not null,
    file_name    varchar not null,
    sha256       varchar not null,
    rows_total   integer not null,
    rows_inserted integer not null,
    rows_updated integer not null,
    user_name    varchar not null,
    loaded_at    timestamp not null,
    status       varchar not null,
    note         varchar
);

create table if not exists observations (   -- key: (indicator_id, region_id, period_id)
    indicator_id varchar not null,
    region_id    varchar not null,
    period_id    varchar not null,
    value        double not null,
    qualifier    varchar not null,
    source       varchar not null,
    evidence     varchar,
    load_id      integer not null
);

-- The documents whose figures a load brought, by their own name and date (the seed's load 1 is the notice's):
-- what the sidebar's source line and the brief's notes name, never a name written into the code.
create table if not exists source_documents (   -- key: load_id
    load_id   integer not null,
    name      varchar not null,
    issued_on date not null
);

-- Before-images of the rows a load changed, so that the load can be undone exactly.
create table if not exists load_changes (   -- key: (load_id, indicator_id, region_id, period_id)
    load_id      integer not null,
    indicator_id varchar not null,
    region_id    varchar not null,
    period_id    varchar not null,
    old_value    double,
    old_qualifier varchar,
    old_source   varchar,
    old_evidence varchar,
    old_load_id  integer
);

-- A target holds for one period, for one year (annual: a flow's quarters are checked against
-- milestones of k/4 of it, a level's against it), or, with neither, for every period.
create table if not exists targets (
    indicator_id varchar not null,
    region_id    varchar,   -- null: every region
    period_id    varchar,   -- null: every period (of year, if set)
    year         integer,                                  -- null: not bound to a year
    value        double not null,
    comparator   varchar not null,
    basis        varchar not null,
    source       varchar not null,
    note         varchar,
    load_id      integer       -- null: from the seed
);

create table if not exists assessment_schemes (   -- key: scheme_id
    scheme_id varchar,
    name      varchar not null,
    year      integer not null,
    issuer    varchar not null,
    source    varchar not null
);

-- How points follow from a value (metrics/assessment/scoring.py evaluates every kind):
--   threshold_steps  the best step whose threshold the value passes (comparator: '>' 超过,
--                    '>=' 达到, '<' / '<=' for lower-is-better values)
--   rank             the same on a rank (comparator '<=': rank 1–3 → step with threshold 3)
--   linear           proportional between two steps (threshold, points), clamped to them
--   deduction        cap_points less per_unit_points for each occurrence (the value)
-- then cap_points and floor_points bound the result. below_points is what a value passing no
-- step scores; null means the rubric does not say, and 0 is then assumed (labelled 假设).
create table if not exists assessment_rules (   -- key: rule_id
    rule_id      varchar,
    kind         varchar not null,
    comparator   varchar,
    below_points double,
    floor_points double,
    cap_points   double,
    per_unit_points double,
    is_partial   boolean not null,
    partial_note varchar,
    source       varchar not null,
    description  varchar not null
);

create table if not exists assessment_rule_steps (   -- key: (rule_id, step_no)
    rule_id   varchar not null,
    step_no   integer not null,
    threshold double not null,
    points    double not null
);

-- region_levels: the region levels the item scores, separated by ';' (null: every level).
create table if not exists assessment_items (   -- key: (scheme_id, item_id)
    scheme_id          varchar not null,
    item_id            varchar not null,
    name               varchar not null,
    value_indicator_id varchar,
    points_indicator_id varchar,
    rank_indicator_id  varchar,
    max_points         double,
    rule_id            varchar,
    region_levels      varchar,
    note               varchar
);

create table if not exists problems (   -- key: problem_no
    problem_no       integer,
    title            varchar not null,
    category         varchar not null,
    status           varchar not null,
    measures_summary varchar not null,
    source           varchar not null
);

create table if not exists problem_indicators (   -- key: (problem_no, indicator_id)
    problem_no   integer not null,
    indicator_id varchar not null
);

-- Reference rows a load added (regions, indicators, calendar periods), so that its rollback can
-- remove them again; rows it inserted into observations carry its load_id.
create table if not exists load_additions (   -- key: (load_id, table_name, key_id)
    load_id    integer not null,
    table_name varchar not null,
    key_id     varchar not null
);

-- When each regularly reported indicator is due, and from which region levels (';'-separated):
-- a quarterly indicator of quarter Q is due due_days after Q ends. Set by the bureau, not the notice.
create table if not exists reporting_rules (   -- key: indicator_id
    indicator_id  varchar,
    frequency     varchar not null,
    due_days      integer not null,
    region_levels varchar not null,
    basis         varchar not null
);

-- A 填报 clerk's file waits here, as sent, until an admin approves it (then it is loaded and the
-- leaders see it), returns it with a reason, or the clerk withdraws it. Only an approved file
-- ever reaches observations.
create table if not exists submissions (   -- key: submission_id
    submission_id integer,
    file_name     varchar not null,
    sha256        varchar not null,
    content       blob not null,
    rows_total    integer not null,
    user_name     varchar not null,
    submitted_at  timestamp not null,
    status        varchar not null,
    decided_by    varchar,
    decided_at    timestamp,
    reason        varchar,
    load_id       integer   -- the load that published it
);

-- The working ledger: each row is one dated entry for a problem — who answers for it (a region
-- or the bureau), the leader in charge, the deadline, the status and the progress made. A
-- problem's current state is its newest entry; without one it stands as the notice reports it.
-- Each entry is recorded as a load of kind 'ledger'.
create table if not exists problem_updates (   -- key: update_id
    update_id       integer,
    problem_no      integer not null,
    owner_region_id varchar not null,
    leader          varchar,
    deadline        date,
    status          varchar not null,
    progress        varchar not null,
    author          varchar not null,
    written_at      timestamp not null,
    load_id         integer not null
);

-- The keys each submission would write, by reporting quarter, so that the reporting calendar can
-- say 待审核 or 已退回 for them before anything is published.
create table if not exists submission_rows (   -- key: (submission_id, indicator_id, region_id, quarter_index)
    submission_id integer not null,
    indicator_id  varchar not null,
    region_id     varchar not null,
    quarter_index integer not null
);

-- The (indicator, region) keys a change touched, filled and emptied inside the change's transaction:
-- the stored facts (sql/views.sql) are recomputed for these keys from from_year on. Empty in every
-- committed snapshot.
create table if not exists refresh_keys (
    indicator_id varchar not null,
    region_id    varchar not null,
    from_year    integer not null   -- the first year whose facts the change may alter (0: every year)
);

-- One row: the schema of the release that built or last upgraded this warehouse (a hash of its
-- sql/ schema files); `ensure` upgrades a warehouse whose row differs from the running release's.
create table if not exists schema_release (
    fingerprint varchar not null,
    applied_at  timestamp not null
);

-- 督办: a leader's (or admin's) question on one figure — an indicator of a unit in a reporting quarter —
-- addressed to that unit's editors, with a deadline (时限). Its thread (answers, sending back, 办结) is
-- supervision_steps. Opening an item and every step are recorded as loads of kind 'supervision'.
create table if not exists supervision_items (   -- key: item_id
    item_id       integer,
    indicator_id  varchar not null,
    region_id     varchar not null,
    quarter_index integer not null,      -- year × 4 + quarter − 1 (metrics/periods.py)
    content       varchar not null,      -- plain text, never rendered as Markdown or HTML
    deadline      date not null,
    author        varchar not null,
    opened_at     timestamp not null,
    load_id       integer not null
);

create table if not exists supervision_steps (   -- key: step_id
    step_id    integer,
    item_id    integer not null,
    action     varchar not null,         -- 答复 (the unit's editor), 退回 or 办结 (a leader or admin)
    content    varchar not null,
    submission_id integer,               -- 答复: the clerk's corrected file, reviewed as any submission
    author     varchar not null,
    written_at timestamp not null,
    load_id    integer not null
);
