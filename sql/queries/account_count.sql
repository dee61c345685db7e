select count(*) as count_users from users;
