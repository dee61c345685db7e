-- The reporting quarters that hold data, newest first, with how many of the districts and zones
-- reported anything in each and how many there are.
-- (stored_quarter_facts has a row for each indicator, region and quarter that holds a value; the history
-- is grouped by quarter alone and labelled from reporting_periods: grouping it by the labels too read two
-- more columns of every row, 1.5 s instead of 0.8 s at 10^8.)
with held as (
    select
        quarter_index,
        count(distinct region_id) filter (where is_district(region_level)) as count_reported
    from stored_quarter_facts
    group by quarter_index
),

labels as (
    select distinct quarter_index, quarter_id, quarter_label
    from reporting_periods
)

select
    quarter_index,
    labels.quarter_id,
    labels.quarter_label,
    held.count_reported,
    (select count(*) from regions where is_district(level)) as count_units
from held
join labels using (quarter_index)
order by quarter_index desc;
