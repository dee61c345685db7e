select username from users;
