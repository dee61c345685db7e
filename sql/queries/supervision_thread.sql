-- One 督办 item's thread, oldest step first, with the file an answer brought and where its review stands.
select s.step_id, s.action, s.content, s.author, s.written_at, s.submission_id, f.file_name, f.status as submission_status
from supervision_steps as s
left join submissions as f using (submission_id)
where s.item_id = $item_id
order by s.step_id;
