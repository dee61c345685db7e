select coalesce(max(item_id), 0) + 1 as item_id from supervision_items;
