-- The names a target is described by, one row where it names a known indicator and region (null: every
-- region); none where it does not (the lake keeps no foreign keys).
select
    i.name as indicator_name,
    i.unit,
    i.kind,
    coalesce((select name from regions where region_id = $region_id), '全部地区') as region_name
from indicators as i
where i.indicator_id = $indicator_id
  and ($region_id is null or exists (select 1 from regions where region_id = $region_id));
