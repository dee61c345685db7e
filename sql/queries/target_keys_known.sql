-- Whether a target names a known indicator and region (null: every region); the lake keeps no foreign keys.
select exists (select 1 from indicators where indicator_id = $indicator_id)
   and ($region_id is null or exists (select 1 from regions where region_id = $region_id)) as known;
