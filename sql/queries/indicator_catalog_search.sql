-- The catalog for the 指标口径 page. A search matches an indicator when its category and name, or
-- one of its aliases, hold every character of the search in order ($pattern: '%一%窗%…%'), or when
-- its id, definition or notice item contains the search; computed indicators' formulas by name.
-- Observations are counted per indicator in the stored facts (one row each, computed ones included)
-- rather than by recomputing every computed value.
with counted as (
    select indicator_id, count(*) as count_observations
    from stored_observation_facts
    group by indicator_id
)

select
    i.indicator_id,
    i.name,
    i.category,
    i.unit,
    i.kind,
    i.temporal,
    i.better,
    i.definition,
    f.formula_text as formula,
    (select string_agg(a.alias, '、' order by a.alias) from indicator_aliases as a
     where a.indicator_id = i.indicator_id) as aliases,
    i.owner,
    i.notice_item,
    coalesce(c.count_observations, 0) as count_observations
from indicators as i
left join indicator_formulas as f using (indicator_id)
left join counted as c using (indicator_id)
where ($search is null
       or lower(i.category || i.name) like lower($pattern) escape '\'
       or exists (select 1 from indicator_aliases as a
                  where a.indicator_id = i.indicator_id and lower(a.alias) like lower($pattern) escape '\')
       or contains(lower(i.indicator_id), lower($search))
       or contains(lower(i.definition), lower($search))
       or contains(coalesce(i.notice_item, ''), $search))
  and ($category is null or i.category = $category)
order by i.category, i.indicator_id;
