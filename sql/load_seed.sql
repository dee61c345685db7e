-- Fill a fresh warehouse from data/seed/. Each CSV is read as text and cast by the table.
insert into regions by name
select * from read_csv($regions, header = true, all_varchar = true);

insert into periods by name
select * from read_csv($periods, header = true, all_varchar = true);

insert into indicators by name
select * from read_csv($indicators, header = true, all_varchar = true);

insert into indicator_aliases by name
select * from read_csv($indicator_aliases, header = true, all_varchar = true);

insert into derivations by name
select * from read_csv($derivations, header = true, all_varchar = true);

insert into loads
    (load_id, kind, file_name, sha256, rows_total, rows_inserted, rows_updated,
     user_name, loaded_at, status, note)
values
    (1, 'seed', 'data/seed/observations.csv', $seed_sha256, $seed_rows, $seed_rows, 0,
     'build', $built_at, 'applied', '由通报数字构建');

insert into observations by name
select *, 1 as load_id from read_csv($observations, header = true, all_varchar = true)
order by indicator_id, region_id, period_id;

insert into targets by name
select * from read_csv($targets, header = true, all_varchar = true);

insert into assessment_schemes by name
select * from read_csv($assessment_schemes, header = true, all_varchar = true);

insert into assessment_rules by name
select * from read_csv($assessment_rules, header = true, all_varchar = true);

insert into assessment_rule_steps by name
select * from read_csv($assessment_rule_steps, header = true, all_varchar = true);

insert into assessment_items by name
select * from read_csv($assessment_items, header = true, all_varchar = true);

insert into problems by name
select * from read_csv($problems, header = true, all_varchar = true);

insert into problem_indicators by name
select * from read_csv($problem_indicators, header = true, all_varchar = true);

insert into reporting_rules by name
select * from read_csv($reporting_rules, header = true, all_varchar = true);

insert into source_documents by name
select * from read_csv($source_documents, header = true, all_varchar = true);
