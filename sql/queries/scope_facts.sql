-- Region names and indicator categories of staged rows, to check an editor's scope.
select s.row_number, r.name as region_name, i.category
from staged_scope as s
join regions as r using (region_id)
join indicators as i using (indicator_id)
order by s.row_number;
