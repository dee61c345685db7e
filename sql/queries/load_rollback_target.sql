-- The load to undo, what undoing it touches, and the later loads that stand in the way: applied
-- loads that changed rows it wrote or use regions and indicators it added, and target settings
-- for its regions and indicators (a target cannot be undone).
with later_changes as (
    select c.load_id
    from load_changes as c
    join loads as l using (load_id)
    where c.old_load_id = $load_id and l.status = 'applied' and c.load_id <> $load_id
),

-- Rows that use a region or an indicator: observations, and targets and ledger entries (neither
-- can be undone).
dependents as (
    select 'observation' as dependent, load_id, region_id, indicator_id from observations
    union all
    select 'target' as dependent, load_id, region_id, indicator_id from targets
    union all
    select 'ledger' as dependent, load_id, owner_region_id, null from problem_updates
),

later_dependents as (
    select d.dependent, d.load_id
    from load_additions as a
    join dependents as d
        on (a.table_name = 'regions' and d.region_id = a.key_id)
        or (a.table_name = 'indicators' and d.indicator_id = a.key_id)
    where a.load_id = $load_id and d.load_id is distinct from $load_id
),

later_users as (
    select load_id from later_dependents where dependent = 'observation'
    union all
    select additions_of_child.load_id
    from load_additions as a
    join regions as child on a.table_name = 'regions' and child.parent_id = a.key_id
    join load_additions as additions_of_child
        on additions_of_child.table_name = 'regions'
        and additions_of_child.key_id = child.region_id
        and additions_of_child.load_id <> $load_id
    where a.load_id = $load_id
),

final as (
    select
        l.load_id,
        l.kind,
        l.file_name,
        l.sha256,
        l.status,
        (select count(*) from observations where load_id = $load_id)
            - (select count(*) from load_changes where load_id = $load_id) as count_to_delete,
        (select count(*) from load_changes where load_id = $load_id) as count_to_restore,
        (select string_agg(distinct '#' || b.load_id, '、' order by '#' || b.load_id)
         from (select load_id from later_changes union select load_id from later_users) as b)
            as blocking_loads,
        (select string_agg(distinct '#' || load_id, '、' order by '#' || load_id)
         from later_dependents where dependent = 'target') as targeting_loads,
        (select string_agg(distinct '#' || load_id, '、' order by '#' || load_id)
         from later_dependents where dependent = 'ledger') as ledger_loads
    from loads as l
    where l.load_id = $load_id
)

select * from final;
