-- Whether a ledger entry names a known problem and owner (the lake keeps no foreign keys).
select exists (select 1 from problems where problem_no = $problem_no)
   and exists (select 1 from regions where region_id = $owner_region_id) as known;
