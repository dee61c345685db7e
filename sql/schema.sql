-- Warehouse tables. Seed CSVs in data/seed/ fill them; loads add observations.

create table if not exists regions (
    region_id   varchar primary key,
    name        varchar not null unique,
    level       varchar not null,
    parent_id   varchar,
    sort_order  integer not null
);

create table if not exists periods (
    period_id   varchar primary key,
    grain       varchar not null check (grain in ('quarter', 'month', 'year', 'as_of', 'since')),
    start_date  date,
    end_date    date not null,
    label       varchar not null
);

create table if not exists indicators (
    indicator_id varchar primary key,
    name         varchar not null unique,
    unit         varchar not null,
    kind         varchar not null check (kind in ('rate', 'count', 'rank', 'score', 'duration')),
    temporal     varchar not null check (temporal in ('stock', 'flow', 'level')),
    better       varchar not null check (better in ('higher', 'lower', 'none')),
    category     varchar not null,
    definition   varchar not null,
    formula      varchar,
    owner        varchar not null,
    notice_item  varchar,
    headline_order integer            -- position on the 总览 page; null: not a headline
);

-- Other names an indicator goes by in the bureau's own usage (the 指标口径 search finds them).
create table if not exists indicator_aliases (
    indicator_id varchar not null references indicators (indicator_id),
    alias        varchar not null,
    primary key (indicator_id, alias)
);

-- Operands of derived indicators: ratios (numerator / denominator × 100) and sums (terms).
create table if not exists derivations (
    indicator_id varchar not null references indicators (indicator_id),
    role         varchar not null check (role in ('numerator', 'denominator', 'term')),
    operand_id   varchar not null references indicators (indicator_id),
    primary key (indicator_id, role, operand_id)
);

create table if not exists loads (
    load_id      integer primary key,
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

create table if not exists observations (
    indicator_id varchar not null references indicators (indicator_id),
    region_id    varchar not null references regions (region_id),
    period_id    varchar not null references periods (period_id),
    value        double not null,
    qualifier    varchar not null
        check (qualifier in ('exact', 'at_least', 'more_than', 'at_most', 'approx', 'all_at_least')),
    source       varchar not null,
    evidence     varchar,
    load_id      integer not null references loads (load_id),
    primary key (indicator_id, region_id, period_id)
);

-- Before-images of the rows a load changed, so that the load can be undone exactly.
create table if not exists load_changes (
    load_id      integer not null references loads (load_id),
    indicator_id varchar not null,
    region_id    varchar not null,
    period_id    varchar not null,
    old_value    double,
    old_qualifier varchar,
    old_source   varchar,
    old_evidence varchar,
    old_load_id  integer,
    primary key (load_id, indicator_id, region_id, period_id)
);

-- A target holds for one period, for one year (annual: a flow's quarters are checked against
-- milestones of k/4 of it, a level's against it), or, with neither, for every period.
create table if not exists targets (
    indicator_id varchar not null references indicators (indicator_id),
    region_id    varchar references regions (region_id),   -- null: every region
    period_id    varchar references periods (period_id),   -- null: every period (of year, if set)
    year         integer,                                  -- null: not bound to a year
    value        double not null,
    comparator   varchar not null check (comparator in ('>', '>=', '<', '<=', '=')),
    basis        varchar not null check (basis in ('provincial_rule', 'notice', 'bureau')),
    source       varchar not null,
    note         varchar,
    load_id      integer references loads (load_id),       -- null: from the seed
    check (period_id is null or year is null)
);

create table if not exists assessment_schemes (
    scheme_id varchar primary key,
    name      varchar not null,
    year      integer not null,
    issuer    varchar not null,
    source    varchar not null
);

-- How points follow from a value (metrics/scoring.py evaluates every kind):
--   threshold_steps  the best step whose threshold the value passes (comparator: '>' 超过,
--                    '>=' 达到, '<' / '<=' for lower-is-better values)
--   rank             the same on a rank (comparator '<=': rank 1–3 → step with threshold 3)
--   linear           proportional between two steps (threshold, points), clamped to them
--   deduction        cap_points less per_unit_points for each occurrence (the value)
-- then cap_points and floor_points bound the result. below_points is what a value passing no
-- step scores; null means the rubric does not say, and 0 is then assumed (labelled 假设).
create table if not exists assessment_rules (
    rule_id      varchar primary key,
    kind         varchar not null
        check (kind in ('threshold_steps', 'linear', 'deduction', 'rank')),
    comparator   varchar check (comparator in ('>', '>=', '<', '<=')),
    below_points double,
    floor_points double,
    cap_points   double,
    per_unit_points double,
    is_partial   boolean not null,
    partial_note varchar,
    source       varchar not null,
    description  varchar not null,
    check (kind not in ('threshold_steps', 'rank') or comparator is not null),
    check (kind <> 'deduction' or (cap_points is not null and per_unit_points > 0)),
    check (is_partial = (partial_note is not null))
);

create table if not exists assessment_rule_steps (
    rule_id   varchar not null references assessment_rules (rule_id),
    step_no   integer not null,
    threshold double not null,
    points    double not null,
    primary key (rule_id, step_no)
);

-- region_levels: the region levels the item scores, separated by ';' (null: every level).
create table if not exists assessment_items (
    scheme_id          varchar not null references assessment_schemes (scheme_id),
    item_id            varchar not null,
    name               varchar not null,
    value_indicator_id varchar references indicators (indicator_id),
    points_indicator_id varchar references indicators (indicator_id),
    rank_indicator_id  varchar references indicators (indicator_id),
    max_points         double,
    rule_id            varchar references assessment_rules (rule_id),
    region_levels      varchar,
    note               varchar,
    primary key (scheme_id, item_id)
);

create table if not exists problems (
    problem_no       integer primary key,
    title            varchar not null,
    category         varchar not null,
    status           varchar not null,
    measures_summary varchar not null,
    source           varchar not null
);

create table if not exists problem_indicators (
    problem_no   integer not null references problems (problem_no),
    indicator_id varchar not null references indicators (indicator_id),
    primary key (problem_no, indicator_id)
);

-- Reference rows a load added (regions, indicators, calendar periods), so that its rollback can
-- remove them again; rows it inserted into observations carry its load_id.
create table if not exists load_additions (
    load_id    integer not null references loads (load_id),
    table_name varchar not null check (table_name in ('regions', 'indicators', 'periods')),
    key_id     varchar not null,
    primary key (load_id, table_name, key_id)
);

-- When each regularly reported indicator is due, and from which region levels (';'-separated):
-- a quarterly indicator of quarter Q is due due_days after Q ends. Set by the bureau, not the notice.
create table if not exists reporting_rules (
    indicator_id  varchar primary key references indicators (indicator_id),
    frequency     varchar not null check (frequency in ('quarterly', 'monthly', 'yearly', 'ad_hoc')),
    due_days      integer not null check (due_days >= 0),
    region_levels varchar not null,
    basis         varchar not null
);

-- A 填报 clerk's file waits here, as sent, until an admin approves it (then it is loaded and the
-- leaders see it), returns it with a reason, or the clerk withdraws it. Only an approved file
-- ever reaches observations.
create table if not exists submissions (
    submission_id integer primary key,
    file_name     varchar not null,
    sha256        varchar not null,
    content       blob not null,
    rows_total    integer not null,
    user_name     varchar not null,
    submitted_at  timestamp not null,
    status        varchar not null check (status in ('pending', 'approved', 'returned', 'withdrawn')),
    decided_by    varchar,
    decided_at    timestamp,
    reason        varchar,
    load_id       integer references loads (load_id)   -- the load that published it
);

-- The working ledger: each row is one dated entry for a problem — who answers for it (a region
-- or the bureau), the leader in charge, the deadline, the status and the progress made. A
-- problem's current state is its newest entry; without one it stands as the notice reports it.
-- Each entry is recorded as a load of kind 'ledger'.
create table if not exists problem_updates (
    update_id       integer primary key,
    problem_no      integer not null references problems (problem_no),
    owner_region_id varchar not null references regions (region_id),
    leader          varchar,
    deadline        date,
    status          varchar not null check (status in ('整改中', '已完成', '长期坚持', '已销号')),
    progress        varchar not null,
    author          varchar not null,
    written_at      timestamp not null,
    load_id         integer not null references loads (load_id)
);

-- The keys each submission would write, by reporting quarter, so that the reporting calendar can
-- say 待审核 or 已退回 for them before anything is published. (No foreign key to submissions:
-- DuckDB refuses to update a row that another table references, and a submission's status changes.)
create table if not exists submission_rows (
    submission_id integer not null,
    indicator_id  varchar not null,
    region_id     varchar not null,
    quarter_index integer not null,
    primary key (submission_id, indicator_id, region_id, quarter_index)
);

-- The (indicator, region) keys a change touched, filled and emptied inside the change's transaction:
-- the stored facts (sql/views.sql) are recomputed for these keys from from_year on. Empty in a
-- published version.
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
