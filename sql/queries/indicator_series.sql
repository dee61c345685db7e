-- Every observation of one indicator in time order, with its reporting quarter and where it sits
-- on a dated axis: a quarter's value at the middle of its quarter, any other at its own date; only
-- of $region_ids and up to $quarter_index when given.
select
    f.*,
    rp.quarter_index,
    rp.quarter_id,
    rp.quarter_label,
    case
        when f.grain = 'quarter' then f.start_date + ((f.end_date - f.start_date) // 2)::integer
        else f.end_date
    end as plotted_at
from stored_observation_facts as f
join reporting_periods as rp using (period_id)
where f.indicator_id = $indicator_id
  and ($region_ids::varchar[] is null or list_contains($region_ids::varchar[], f.region_id))
  and ($quarter_index is null or rp.quarter_index <= $quarter_index)
order by f.region_order, plotted_at;
