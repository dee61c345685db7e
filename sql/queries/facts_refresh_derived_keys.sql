-- A computed indicator's key is touched when one of its operands' keys is, in the same region.
insert into refresh_keys (indicator_id, region_id)
select distinct d.indicator_id, k.region_id
from derivations as d
join refresh_keys as k on k.indicator_id = d.operand_id
except
select indicator_id, region_id from refresh_keys;
