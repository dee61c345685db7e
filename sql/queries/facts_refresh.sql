-- Recompute the stored facts of the keys in refresh_keys, inside the caller's transaction, from the
-- rules in sql/views.sql restricted to those keys; then empty refresh_keys. The caller has added
-- the keys of computed indicators (facts_refresh_derived_keys.sql).
delete from stored_observation_facts
where (indicator_id, region_id) in (select indicator_id, region_id from refresh_keys);

insert into stored_observation_facts
select * from observation_facts_of(true)
order by indicator_id, region_id, end_date, period_id;

delete from stored_quarter_facts
where (indicator_id, region_id) in (select indicator_id, region_id from refresh_keys);

insert into stored_quarter_facts
select * from quarter_facts_of(true)
order by indicator_id, region_id, quarter_index;

delete from newest_quarter_facts
where (indicator_id, region_id) in (select indicator_id, region_id from refresh_keys);

insert into newest_quarter_facts
select *
from stored_quarter_facts
where (indicator_id, region_id) in (select indicator_id, region_id from refresh_keys)
qualify row_number() over (partition by indicator_id, region_id order by quarter_index desc) = 1
order by indicator_id, region_id;

delete from refresh_keys;
