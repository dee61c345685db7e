select count(*) > 0 as pending from submissions where submission_id = $submission_id and status = 'pending';
