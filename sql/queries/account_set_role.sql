update users
set role = $role, scope_regions = $scope_regions, scope_categories = $scope_categories, updated_at = $now
where username = $username;
