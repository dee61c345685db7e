-- Parts above their wholes as they would be after the load: a ratio's numerator operand may not
-- exceed its denominator operand for the same region and period. Staged rows stand in for stored
-- rows with the same key; only pairs that involve a staged row are the file's problem.
with operands as (
    select operand_id as indicator_id
    from derivations
    where role in ('numerator', 'denominator')
),

staged as (
    select indicator_id, region_id, period_id, value, row_number
    from staged_observations
    where indicator_id in (select indicator_id from operands)
),

-- Stored operands only where a staged one is, in region and period: what a pair with a staged row can
-- meet, so that the check reads the file's periods rather than every operand's history.
combined as (
    select * from staged
    union all
    select o.indicator_id, o.region_id, o.period_id, o.value, null as row_number
    from observations as o
    semi join staged as k on k.region_id = o.region_id and k.period_id = o.period_id
    where o.indicator_id in (select indicator_id from operands)
      and not exists (
          select 1 from staged as s
          where s.indicator_id = o.indicator_id
            and s.region_id = o.region_id
            and s.period_id = o.period_id
      )
),

part_whole_pairs as (
    select distinct numerator.operand_id as part_id, denominator.operand_id as whole_id
    from derivations as numerator
    join derivations as denominator
        on denominator.indicator_id = numerator.indicator_id and denominator.role = 'denominator'
    where numerator.role = 'numerator'
),

final as (
    select
        part.row_number as part_row_number,
        whole.row_number as whole_row_number,
        pairs.part_id,
        part.value as part_value,
        pairs.whole_id,
        whole.value as whole_value
    from part_whole_pairs as pairs
    join combined as part on part.indicator_id = pairs.part_id
    join combined as whole
        on whole.indicator_id = pairs.whole_id
        and whole.region_id = part.region_id
        and whole.period_id = part.period_id
    where part.value > whole.value
      and (part.row_number is not null or whole.row_number is not null)
)

select * from final order by coalesce(part_row_number, whole_row_number);
