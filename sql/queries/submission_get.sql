-- One submission with the file as sent.
select * from submissions where submission_id = $submission_id;
