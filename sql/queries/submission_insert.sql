-- A clerk's file, pending review; its id is the next free one.
insert into submissions
    (submission_id, file_name, sha256, content, rows_total, user_name, submitted_at, status)
select coalesce(max(submission_id), 0) + 1, $file_name, $sha256, $content, $rows_total, $user_name,
       $submitted_at, 'pending'
from submissions
returning submission_id;
