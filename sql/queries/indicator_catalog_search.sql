-- The catalog for the 指标口径 page: any word of the search may match name, id, definition or item.
select
    i.indicator_id,
    i.name,
    i.category,
    i.unit,
    i.kind,
    i.temporal,
    i.better,
    i.definition,
    i.formula,
    i.owner,
    i.notice_item,
    count(o.indicator_id) as count_observations
from indicators as i
left join all_observations as o using (indicator_id)
where ($search is null
       or contains(lower(i.name), lower($search))
       or contains(lower(i.indicator_id), lower($search))
       or contains(lower(i.definition), lower($search))
       or contains(coalesce(i.notice_item, ''), $search))
  and ($category is null or i.category = $category)
group by all
order by i.category, i.indicator_id;
