-- The touched keys' facts are stored: the list is empty again, as in every committed snapshot.
delete from refresh_keys;
