select username, role, scope_regions, scope_categories, is_disabled, must_change_password, failed_attempts, locked_until,
       created_at, updated_at
from users
order by username;
