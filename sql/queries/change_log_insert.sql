-- Journal one change inside its transaction; count_after is counted in that transaction.
insert into change_log
    (change_key, load_id, happened_at, actor, action, target, detail, count_before, count_after)
select $change_key, $load_id, $happened_at, $actor, $action, $target, $detail, $count_before, count(*)
from observations;
