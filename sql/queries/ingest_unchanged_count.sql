-- Staged rows stored already exactly as they are: loading them changes nothing.
select count(*) as count_unchanged
from staged_observations as s
join observations as o using (indicator_id, region_id, period_id)
where o.value = s.value
  and o.qualifier = s.qualifier
  and o.source = s.source
  and coalesce(o.evidence, '') = coalesce(s.evidence, '');
