select
    load_id,
    kind,
    file_name,
    sha256,
    rows_total,
    rows_inserted,
    rows_updated,
    user_name,
    loaded_at,
    status,
    note
from loads
order by load_id;
