-- Recent failures for a name (any client), for the name from this client, and from this client (any name).
select
    count(*) filter (where username = $username) as count_name,
    count(*) filter (where username = $username and client_address = $client_address) as count_pair,
    count(*) filter (where client_address = $client_address) as count_client,
    max(failed_at) filter (where username = $username and client_address = $client_address) as last_pair_failure
from login_failures
where failed_at > $since;
