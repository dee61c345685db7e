-- What undoing a load would touch, for the page's confirmation: the load, its rows, and the
-- periods and units of the rows it wrote (oldest period first).
with written as (
    select o.period_id, o.region_id
    from observations as o
    where o.load_id = $load_id
),

periods_written as (
    select string_agg(p.label, '、' order by p.end_date, p.label) as period_labels
    from (select distinct period_id from written) as w
    join periods as p using (period_id)
),

regions_written as (
    select string_agg(r.name, '、' order by r.sort_order, r.name) as region_names
    from (select distinct region_id from written) as w
    join regions as r using (region_id)
),

final as (
    select
        l.load_id,
        l.file_name,
        l.user_name,
        l.loaded_at,
        (select count(*) from written)
            - (select count(*) from load_changes where load_id = $load_id) as count_to_delete,
        (select count(*) from load_changes where load_id = $load_id) as count_to_restore,
        (select count(*) from load_additions where load_id = $load_id and table_name <> 'periods')
            as count_additions,
        coalesce((select period_labels from periods_written), '') as period_labels,
        coalesce((select region_names from regions_written), '') as region_names
    from loads as l
    where l.load_id = $load_id
)

select * from final;
