-- What applying the staged observations would do: rows new to the warehouse, rows it changes.
select
    count(*) filter (where o.indicator_id is null) as count_inserted,
    count(*) filter (
        where o.indicator_id is not null
          and (o.value <> s.value
               or o.qualifier <> s.qualifier
               or o.source <> s.source
               or coalesce(o.evidence, '') <> coalesce(s.evidence, ''))
    ) as count_updated
from staged_observations as s
left join observations as o using (indicator_id, region_id, period_id);
