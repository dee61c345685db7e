-- Submissions, newest first: every one ($user_name null) or one clerk's; without their content.
select * exclude (content)
from submissions
where $user_name is null or user_name = $user_name
order by submission_id desc;
