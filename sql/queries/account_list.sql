select
    users.username,
    users.role,
    users.scope_regions,
    users.scope_categories,
    users.is_disabled,
    users.must_change_password,
    (select count(*) from login_failures as f where f.username = users.username and f.failed_at > $since)
        as count_recent_failures,
    users.created_at,
    users.updated_at
from users
order by users.username;
