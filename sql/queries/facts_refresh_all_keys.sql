-- Every key with observations, for a change that touches them all (a build, an upgrade, a bulk fill).
insert into refresh_keys (indicator_id, region_id, from_year)
select distinct indicator_id, region_id, 0 from observations;
