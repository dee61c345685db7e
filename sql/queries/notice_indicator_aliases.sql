-- The other names of indicators, by which a notice's words may name one.
select indicator_id, alias from indicator_aliases order by indicator_id, alias;
