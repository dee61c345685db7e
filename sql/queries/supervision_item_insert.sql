-- One new 督办 item, recorded under the load that carries it.
insert into supervision_items
    (item_id, indicator_id, region_id, quarter_index, content, deadline, author, opened_at, load_id)
values
    ($item_id, $indicator_id, $region_id, $quarter_index, $content, $deadline, $author, $opened_at, $load_id);
