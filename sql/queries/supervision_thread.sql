-- One 督办 item's thread, oldest step first.
select step_id, action, content, author, written_at
from supervision_steps
where item_id = $item_id
order by step_id;
