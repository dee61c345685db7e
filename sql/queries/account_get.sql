select * from users where username = $username;
