-- Recompute the stored facts of the keys in refresh_keys from their first changed year on, inside
-- the caller's transaction, from the rules in sql/views.sql restricted to those keys and years (they
-- read one year further back); then empty refresh_keys. The caller has added the keys of computed
-- indicators (facts_refresh_derived_keys.sql) and copied the observations in scope
-- (facts_scope_observations.sql).
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

-- A key's newest quarter is among those just stored (its first changed year on) when it has any; only
-- a key that a change left without them (a rollback of its latest quarters) looks further back.
insert into newest_quarter_facts
select f.*
from stored_quarter_facts as f
join refresh_from as k
    on k.indicator_id = f.indicator_id and k.region_id = f.region_id and f.quarter_index >= k.from_year * 4
qualify row_number() over (partition by f.indicator_id, f.region_id order by f.quarter_index desc) = 1
order by f.indicator_id, f.region_id;

insert into newest_quarter_facts
select f.*
from stored_quarter_facts as f
semi join (
    select k.indicator_id, k.region_id
    from refresh_from as k
    anti join newest_quarter_facts as n on n.indicator_id = k.indicator_id and n.region_id = k.region_id
) as k on k.indicator_id = f.indicator_id and k.region_id = f.region_id
qualify row_number() over (partition by f.indicator_id, f.region_id order by f.quarter_index desc) = 1
order by f.indicator_id, f.region_id;

drop table refresh_from;

drop table scoped_observations;

delete from refresh_keys;
