-- Every subscription of an account that is not disabled (identity-server accounts have no users row).
select s.*
from notify_subscriptions as s
where s.username not in (select username from users where is_disabled)
order by s.username, s.kind;
