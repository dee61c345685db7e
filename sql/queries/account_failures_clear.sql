-- A success clears this client's failures for the name; a new password ($client_address null) clears all of them.
delete from login_failures
where username = $username and (client_address = $client_address or $client_address is null);
