-- 督办 items with their current status (the newest step's: 答复 → 已答复, 退回 → 已退回, 办结 → 已办结; none:
-- 待答复) and 逾期 when the deadline has passed ($today) while the unit owes an answer; limited to one item
-- ($item_id, null: every item) and to an editor's scope ($scope_regions region names, $scope_categories
-- indicator categories; null: any). Newest item first.
with latest as (
    select item_id, action, written_at
    from supervision_steps
    qualify row_number() over (partition by item_id order by step_id desc) = 1
),

answered as (
    select
        item_id,
        count(*) as count_answers,
        max(written_at) as answered_at,
        arg_max(content, step_id) as latest_answer,
        string_agg(strftime(written_at, '%Y-%m-%d') || ' ' || author || '：' || content, '；' order by step_id)
            as answers
    from supervision_steps
    where action = '答复'
    group by item_id
),

final as (
    select
        s.item_id,
        s.indicator_id,
        i.name as indicator_name,
        i.category,
        s.region_id,
        r.name as region_name,
        s.quarter_index,
        s.content,
        s.deadline,
        s.author,
        s.opened_at,
        case latest.action
            when '答复' then 'answered'
            when '退回' then 'returned'
            when '办结' then 'closed'
            else 'open'
        end as status,
        coalesce(latest.action, '') in ('', '退回') and s.deadline < $today as is_overdue,
        coalesce(answered.count_answers, 0) as count_answers,
        answered.answered_at,
        answered.answers,
        answered.latest_answer,
        case when latest.action = '办结' then latest.written_at end as closed_at
    from supervision_items as s
    join indicators as i using (indicator_id)
    join regions as r using (region_id)
    left join latest using (item_id)
    left join answered using (item_id)
    where ($item_id is null or s.item_id = $item_id)
      and ($scope_regions is null or list_contains($scope_regions, r.name))
      and ($scope_categories is null or list_contains($scope_categories, i.category))
)

select * from final order by item_id desc;
