select count(*) as count_observations from observations;
