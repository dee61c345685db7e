insert into oidc_identities
    (identity, issuer, subject, display_name, role, scope_regions, scope_categories, first_seen_at, last_seen_at)
values ($identity, $issuer, $subject, $display_name, $role, $scope_regions, $scope_categories, $now, $now)
on conflict (identity) do update set
    display_name = excluded.display_name,
    role = excluded.role,
    scope_regions = excluded.scope_regions,
    scope_categories = excluded.scope_categories,
    last_seen_at = excluded.last_seen_at;
