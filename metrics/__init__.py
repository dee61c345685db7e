"""Domain package of the 政务服务指标看板: warehouse, queries, rules, formatting and charts."""
