select distinct category from indicators order by category;
