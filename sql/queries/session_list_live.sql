select
    s.session_id,
    s.username,
    coalesce(o.display_name, s.username) as display_name,
    s.created_at,
    s.last_seen_at,
    s.client_address,
    s.user_agent
from sessions as s
left join oidc_identities as o on o.identity = s.username
where s.ended_at is null
  and s.last_seen_at > $idle_since
  and s.created_at > $created_since
order by s.last_seen_at desc, s.session_id desc;
