-- Every problem's current state: its newest ledger entry, else the notice's own status with the
-- bureau answering for it; 逾期 when its deadline has passed ($today) and it is neither done nor
-- standing; with all its progress entries, dated, oldest first.
with latest as (
    select *
    from problem_updates
    qualify row_number() over (partition by problem_no order by update_id desc) = 1
),

logged as (
    select
        problem_no,
        count(*) as count_updates,
        string_agg(strftime(written_at, '%Y-%m-%d') || ' ' || progress, '；' order by update_id) as progress_log
    from problem_updates
    group by problem_no
),

final as (
    select
        p.problem_no,
        p.title,
        p.category,
        p.measures_summary,
        p.source,
        p.status as notice_status,
        coalesce(latest.owner_region_id, 'bureau') as owner_region_id,
        owner.name as owner_name,
        latest.leader,
        latest.deadline,
        coalesce(latest.status, p.status) as status,
        latest.written_at as updated_at,
        coalesce(logged.count_updates, 0) as count_updates,
        logged.progress_log,
        latest.deadline < $today and coalesce(latest.status, '') not in ('已完成', '已销号', '长期坚持')
            as is_overdue
    from problems as p
    left join latest using (problem_no)
    left join logged using (problem_no)
    left join regions as owner on owner.region_id = coalesce(latest.owner_region_id, 'bureau')
)

select * from final order by problem_no;
