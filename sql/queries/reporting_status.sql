-- Who has reported what for one quarter: every unit a reporting rule expects, with 已报 when the
-- quarter holds its value, else 逾期 once $today is past the due date, else 未报.
with rules as (
    select
        rule.*,
        indicator.name as indicator_name,
        indicator.category,
        last_day(make_date($quarter_index // 4, $quarter_index % 4 * 3 + 3, 1)) + rule.due_days as due_date
    from reporting_rules as rule
    join indicators as indicator using (indicator_id)
    where rule.frequency = 'quarterly'
),

expected as (
    select
        rules.*,
        region.region_id,
        region.name as region_name,
        region.sort_order as region_order
    from rules
    join regions as region on list_contains(string_split(rules.region_levels, ';'), region.level)
),

-- The newest submission covering each key of the quarter, withdrawn ones aside.
submitted as (
    select r.indicator_id, r.region_id, s.status
    from submission_rows as r
    join submissions as s using (submission_id)
    where r.quarter_index = $quarter_index and s.status <> 'withdrawn'
    qualify row_number() over (partition by r.indicator_id, r.region_id order by s.submission_id desc) = 1
),

final as (
    select
        expected.indicator_id,
        expected.indicator_name,
        expected.category,
        expected.region_id,
        expected.region_name,
        expected.region_order,
        expected.due_date,
        expected.basis,
        reported.value is not null as is_reported,
        case
            when reported.value is not null then 'reported'
            when submitted.status = 'pending' then 'pending'
            when submitted.status = 'returned' then 'returned'
            when $today > expected.due_date then 'overdue'
            else 'due'
        end as state
    from expected
    left join stored_quarter_facts as reported
        on reported.indicator_id = expected.indicator_id
        and reported.region_id = expected.region_id
        and reported.quarter_index = $quarter_index
    left join submitted
        on submitted.indicator_id = expected.indicator_id
        and submitted.region_id = expected.region_id
)

select * from final
order by region_order, indicator_id;
