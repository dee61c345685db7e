-- Recompute the stored facts of the keys in refresh_keys from their first changed year on, inside
-- the caller's transaction, from the rules in sql/views.sql restricted to those keys and years (they
-- read one year further back). The caller has added the keys of computed indicators
-- (facts_refresh_derived_keys.sql), copied the observations in scope (facts_scope_observations.sql) and
-- the tables the rules read (metrics/store/stored_facts.py), and empties refresh_keys after
-- (facts_refresh_keys_clear.sql).
create or replace temp table refresh_from as
select indicator_id, region_id, min(from_year) as from_year
from refresh_keys
group by indicator_id, region_id;

delete from stored_observation_facts as f
using refresh_from as k
where k.indicator_id = f.indicator_id and k.region_id = f.region_id and year(f.end_date) >= k.from_year;

insert into stored_observation_facts
select f.*
from observation_facts_of(true) as f
join refresh_from as k
    on k.indicator_id = f.indicator_id and k.region_id = f.region_id and year(f.end_date) >= k.from_year
order by f.indicator_id, f.region_id, f.end_date, f.period_id;

delete from stored_quarter_facts as f
using refresh_from as k
where k.indicator_id = f.indicator_id and k.region_id = f.region_id and f.quarter_index >= k.from_year * 4;

insert into stored_quarter_facts
select f.*
from quarter_facts_of(true) as f
join refresh_from as k
    on k.indicator_id = f.indicator_id and k.region_id = f.region_id and f.quarter_index >= k.from_year * 4
order by f.indicator_id, f.region_id, f.quarter_index;

delete from newest_quarter_facts as f
using refresh_from as k
where k.indicator_id = f.indicator_id and k.region_id = f.region_id;

-- Per touched key, its newest stored quarter: among those stored just now (from its first changed year on)
-- when it has any, else among all of its quarters (a rollback may have removed its latest ones). Found by
-- key and quarter first, then fetched: a window over the rows themselves held every touched key's history
-- in memory (10^7 rows after rolling back a 10^6-row load).
create or replace temp table newest_keys as
select f.indicator_id, f.region_id, max(f.quarter_index) as quarter_index
from stored_quarter_facts as f
join refresh_from as k
    on k.indicator_id = f.indicator_id and k.region_id = f.region_id and f.quarter_index >= k.from_year * 4
group by f.indicator_id, f.region_id;

insert into newest_keys
select f.indicator_id, f.region_id, max(f.quarter_index) as quarter_index
from stored_quarter_facts as f
semi join (
    select k.indicator_id, k.region_id
    from refresh_from as k
    anti join newest_keys as n on n.indicator_id = k.indicator_id and n.region_id = k.region_id
) as k on k.indicator_id = f.indicator_id and k.region_id = f.region_id
group by f.indicator_id, f.region_id;

insert into newest_quarter_facts
select f.*
from stored_quarter_facts as f
semi join newest_keys as n
    on n.indicator_id = f.indicator_id and n.region_id = f.region_id and n.quarter_index = f.quarter_index
order by f.indicator_id, f.region_id;

drop table newest_keys;

drop table refresh_from;
