select region_id, name, level, parent_id, sort_order from regions order by sort_order, region_id;
