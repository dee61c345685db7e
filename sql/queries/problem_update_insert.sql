-- One ledger entry, recorded under the load that carries it.
insert into problem_updates
    (update_id, problem_no, owner_region_id, leader, deadline, status, progress, author, written_at, load_id)
select coalesce(max(update_id), 0) + 1, $problem_no, $owner_region_id, $leader, $deadline, $status, $progress,
       $author, $written_at, $load_id
from problem_updates;
