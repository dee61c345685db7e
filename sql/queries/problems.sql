-- The 26 problems with the indicators linked to each.
select
    p.problem_no,
    p.title,
    p.category,
    p.status,
    p.measures_summary,
    p.source,
    count(l.indicator_id) as count_indicators,
    string_agg(i.name, '、' order by i.indicator_id) as indicator_names
from problems as p
left join problem_indicators as l using (problem_no)
left join indicators as i using (indicator_id)
where ($category is null or p.category = $category)
group by all
order by p.problem_no;
