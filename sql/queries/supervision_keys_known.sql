-- Whether a 督办 item names a known indicator and region (the lake keeps no foreign keys).
select exists (select 1 from indicators where indicator_id = $indicator_id)
   and exists (select 1 from regions where region_id = $region_id) as known;
