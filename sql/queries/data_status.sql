-- What the footer says: how many figures there are, how many of them a named document (the notice) brought and
-- its name with its date ('鄂州市数据局巡察整改进展通报（2024-07-26）'; '' for none), and what the last change was.
with latest_load as (
    select load_id, kind, file_name, user_name, loaded_at, status
    from loads
    order by load_id desc
    limit 1
)

select
    (select count(*) from observations) as count_observations,
    (select count(*) from observations where load_id in (select load_id from source_documents))
        as count_notice_observations,
    (select coalesce(string_agg(name || '（' || strftime(issued_on, '%Y-%m-%d') || '）', '、' order by load_id), '')
     from source_documents) as documents,
    latest_load.*
from latest_load;
