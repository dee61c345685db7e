-- Close a pending submission: approved (with the load that published it), returned or withdrawn.
update submissions
set status = $status, decided_by = $decided_by, decided_at = $decided_at, reason = $reason, load_id = $load_id
where submission_id = $submission_id and status = 'pending';
