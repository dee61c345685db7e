-- Indicators with what the loader checks a value against: derived ones are computed, never
-- loaded; a ratio's operands may not put a part above its whole; a score may not exceed the most points
-- any assessment item gives it.
with derived as (
    select distinct indicator_id from derivations
),

ratio_operands as (
    select distinct operand_id as indicator_id from derivations where role in ('numerator', 'denominator')
),

score_caps as (
    select points_indicator_id as indicator_id, max(max_points) as max_points
    from assessment_items
    where points_indicator_id is not null
    group by points_indicator_id
),

final as (
    select
        i.indicator_id,
        i.name,
        i.unit,
        i.kind,
        i.temporal,
        i.better,
        i.category,
        i.definition,
        i.owner,
        i.notice_item,
        i.formula,
        derived.indicator_id is not null as is_derived,
        ratio_operands.indicator_id is not null as is_ratio_operand,
        score_caps.max_points
    from indicators as i
    left join derived using (indicator_id)
    left join ratio_operands using (indicator_id)
    left join score_caps using (indicator_id)
)

select * from final order by indicator_id;
