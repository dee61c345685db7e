"""整改台账 — the 26 problems of the notice by category; select one to see its figures."""

import streamlit as st

from metrics import ledger
from metrics.formatting import readable_facts
from ui import auth, common

auth.ensure_routed()

st.title("整改台账")
st.caption("巡察反馈的问题、整改举措（概括）与状态。点选一行查看该问题的全部内容与关联的指标。")

everything = common.data(ledger.problems)
categories = everything["category"].drop_duplicates().tolist()
category = st.pills("问题类别", [common.ALL, *categories], default=common.ALL, key="ledger_category")
problems = everything if category in (None, common.ALL) else everything[everything["category"] == category]

total = len(everything)
st.markdown(f"共 **{total}** 个问题，当前显示 **{len(problems)}** 个。")
if problems.empty:
    common.empty_state("该类别下没有问题。")
    st.stop()

table = problems.rename(
    columns={
        "problem_no": "序号",
        "title": "问题",
        "category": "类别",
        "status": "状态",
        "measures_summary": "整改举措（概括）",
        "count_indicators": "关联指标数",
        "indicator_names": "关联指标",
        "source": "通报条目",
    }
)[["序号", "问题", "类别", "状态", "整改举措（概括）", "关联指标数", "关联指标", "通报条目"]]
table["关联指标"] = table["关联指标"].fillna("（通报未给出数字）")

selection = common.table(table, key="ledger_table")
common.csv_download(table, "整改台账.csv")

picked = selection.selection.rows
if picked:
    problem = problems.iloc[picked[0]]
    st.subheader(f"问题{problem['problem_no']}：{problem['title']} 的关联指标")
    linked = common.data(ledger.problem_facts, int(problem["problem_no"]))
    if linked.empty:
        common.empty_state("通报在该问题下没有给出可量化的指标。")
    else:
        common.facts_table(readable_facts(linked).drop(columns=["原始数值"]), linked, key="ledger_facts")
