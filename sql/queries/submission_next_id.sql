select coalesce(max(submission_id), 0) + 1 as submission_id from submissions;
