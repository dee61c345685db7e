-- One step in a 督办 item's thread (答复, 退回 or 办结), recorded under the load that carries it.
insert into supervision_steps (step_id, item_id, action, content, submission_id, author, written_at, load_id)
select coalesce(max(step_id), 0) + 1, $item_id, $action, $content, $submission_id, $author, $written_at, $load_id
from supervision_steps;
