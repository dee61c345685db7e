-- A computed indicator's key is touched when one of its operands' keys is, in the same region, from
-- the same year on.
insert into refresh_keys (indicator_id, region_id, from_year)
select d.indicator_id, k.region_id, min(k.from_year)
from derivations as d
join refresh_keys as k on k.indicator_id = d.operand_id
group by d.indicator_id, k.region_id;
