select change_key, load_id, happened_at, actor, action, target, detail, count_before, count_after
from change_log
order by load_id, change_key;
