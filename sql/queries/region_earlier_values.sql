-- Per region of $region_ids (the districts without a value in the quarter, region_comparison.sql), the
-- latest value of one indicator before the quarter, with its qualifier and labels. Asked only when a
-- district has not reported: one indicator's whole history is 10^4 times its quarter at a province's size.
select
    region_id,
    value as earlier_value,
    qualifier as earlier_qualifier,
    quarter_label as earlier_quarter_label,
    period_label as earlier_period_label
from stored_quarter_facts
where indicator_id = $indicator_id and quarter_index < $quarter_index and list_contains($region_ids, region_id)
qualify row_number() over (partition by region_id order by quarter_index desc) = 1;
