-- Staged rows whose key is stored already with a different value, qualifier, source or evidence.
select
    s.row_number,
    s.indicator_id,
    s.region_id,
    s.period_id,
    o.value as old_value,
    s.value as new_value,
    o.qualifier as old_qualifier,
    s.qualifier as new_qualifier,
    o.source as old_source,
    s.source as new_source,
    o.evidence as old_evidence,
    s.evidence as new_evidence
from staged_observations as s
join observations as o using (indicator_id, region_id, period_id)
where o.value <> s.value
   or o.qualifier <> s.qualifier
   or o.source <> s.source
   or coalesce(o.evidence, '') <> coalesce(s.evidence, '')
order by s.row_number;
