insert into users
    (username, password_hash, role, scope_regions, scope_categories, must_change_password, created_at, updated_at)
values
    ($username, $password_hash, $role, $scope_regions, $scope_categories, $must_change_password, $now, $now);
