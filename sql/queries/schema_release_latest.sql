-- The schema of the release that built or last upgraded the warehouse.
select fingerprint from schema_release;
