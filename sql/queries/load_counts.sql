-- What applying the staged file would do to the stored state: observations new to the warehouse,
-- observations it changes, and the regions, indicators and periods it adds.
select
    count(*) filter (where o.indicator_id is null) as count_inserted,
    count(*) filter (
        where o.indicator_id is not null
          and (o.value <> s.value
               or o.qualifier <> s.qualifier
               or o.source <> s.source
               or coalesce(o.evidence, '') <> coalesce(s.evidence, ''))
    ) as count_updated,
    (select count(*) from staged_regions where region_id not in (select region_id from regions))
        as count_new_regions,
    (select count(*) from staged_indicators where indicator_id not in (select indicator_id from indicators))
        as count_new_indicators,
    (select count(*) from staged_periods where period_id not in (select period_id from periods))
        as count_new_periods
from staged_observations as s
left join observations as o using (indicator_id, region_id, period_id);
