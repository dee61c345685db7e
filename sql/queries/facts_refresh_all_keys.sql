-- Every key with observations of the indicators from $first_indicator to $last_indicator, for a change
-- that touches them all (a build, an upgrade, a bulk fill), one range of indicators at a time.
insert into refresh_keys (indicator_id, region_id, from_year)
select distinct indicator_id, region_id, 0
from observations
where indicator_id between $first_indicator and $last_indicator;
