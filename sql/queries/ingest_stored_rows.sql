-- Staged rows whose key is stored already with a different value, qualifier, source or evidence (the
-- conflicts a reviewer sees), and how many are stored exactly as they are (loading them changes nothing):
-- one read of the stored rows for both. Every row carries count_unchanged, and the first stored row is
-- kept even when unchanged (is_changed false), so that the count comes back when no row differs.
-- Counted from the materialized rows rather than by a window over (): see period_facts.sql.
with stored as materialized (
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
        s.evidence as new_evidence,
        o.value <> s.value
        or o.qualifier <> s.qualifier
        or o.source <> s.source
        or coalesce(o.evidence, '') <> coalesce(s.evidence, '') as is_changed
    from staged_observations as s
    join observations as o using (indicator_id, region_id, period_id)
)

select *, (select count(*) from stored where not is_changed) as count_unchanged
from stored
qualify is_changed or row_number() over (order by row_number) = 1
order by row_number;
