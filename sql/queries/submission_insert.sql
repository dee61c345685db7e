-- A clerk's file, pending review, under the id submission_next_id gave (inside the writer's lock).
insert into submissions
    (submission_id, file_name, sha256, content, rows_total, user_name, submitted_at, status)
values ($submission_id, $file_name, $sha256, $content, $rows_total, $user_name, $submitted_at, 'pending');
