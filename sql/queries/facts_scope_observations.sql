-- The observations the scoped rules read (sql/views.sql, observations_of): every observation within the
-- range of the touched keys and of their periods (sql/queries/facts_scope_bounds.sql), by filters that
-- the scan applies itself, so that no join meets the whole table; a superset of what the rules keep.
create or replace temp table scoped_observations as
select *
from observations
where indicator_id between $first_indicator and $last_indicator
  and region_id between $first_region and $last_region
  and ($period_ids is null or list_contains($period_ids, period_id));
