"""整改台账 — the 26 problems of the notice as a working ledger: who answers for each, the leader,
the deadline, the status (overdue ones marked) and dated progress; select one to see its figures
and, with the right to, add an entry."""

import datetime as dt

import pandas as pd
import streamlit as st

from metrics import changes, exporting, facts, ledger
from metrics.formatting import inert, readable_facts
from metrics.paths import resolve_db
from ui import auth, common

auth.ensure_routed()

st.title("整改台账")
common.show_pending()
st.caption("巡察反馈的问题、整改举措（概括）、责任单位、责任领导、时限、状态与进展。未更新的问题按通报所载状态显示。"
           "点选一行查看关联指标和进展记录。")

today = dt.date.today()
everything = common.data(ledger.working_ledger, today)
counts = ledger.status_counts(everything)
shown_counts = [(name, counts.get(name, 0)) for name in (*dict.fromkeys(everything["status"]), "逾期")]
for column, (name, count) in zip(st.columns(len(shown_counts)), shown_counts, strict=True):
    column.metric(name, f"{count}个", border=True)

categories = everything["category"].drop_duplicates().tolist()
category = st.pills("问题类别", [common.ALL, *categories], default=common.ALL, key="ledger_category")
problems = everything if category in (None, common.ALL) else everything[everything["category"] == category]
st.markdown(f"共 **{len(everything)}** 个问题，当前显示 **{len(problems)}** 个。")
if problems.empty:
    common.empty_state("该类别下没有问题。")
    st.stop()

table = pd.DataFrame({
    "序号": problems["problem_no"],
    "问题": problems["title"],
    "类别": problems["category"],
    "状态": [f"{status}（逾期）" if overdue else status
           for status, overdue in zip(problems["status"], problems["is_overdue"].fillna(False), strict=True)],
    "责任单位": problems["owner_name"],
    "责任领导": problems["leader"].fillna("—"),
    "时限": pd.to_datetime(problems["deadline"]).dt.strftime("%Y-%m-%d").fillna("—"),
    "进展记录": problems["count_updates"],
    "整改举措（概括）": problems["measures_summary"],
    "通报条目": problems["source"],
})
selection = common.table(table, key="ledger_table")
st.download_button("下载整改台账（Excel）",
                   data=lambda: exporting.xlsx_bytes({"整改台账": ledger.excel_rows(everything)}),
                   file_name="整改台账.xlsx", icon=":material/download:",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

picked = selection.selection.rows
if not picked:
    st.stop()
problem = problems.iloc[picked[0]]
number = int(problem["problem_no"])
st.subheader(f"问题{number}：{common.plain(problem['title'])}")
if problem["progress_log"]:
    st.markdown("**进展记录**")
    for entry in str(problem["progress_log"]).split("；"):
        st.text(entry)
else:
    st.caption(f"尚无进展记录；整改情况见通报{common.plain(problem['source'])}。")
linked = common.data(ledger.problem_facts, number)
if linked.empty:
    st.caption("通报在该问题下没有给出可量化的指标。")
else:
    common.table(readable_facts(linked).drop(columns=["原始数值"]), key="ledger_facts")

account = auth.current_account()
if account is None or not ledger.may_update(account, problem["owner_name"]):
    st.stop()
regions = common.data(facts.regions)
names = dict(zip(regions["region_id"], regions["name"], strict=True))
statuses = [s for s in ledger.LEDGER_STATUSES if account.can("admin") or s != ledger.ADMIN_ONLY_STATUS]
with st.form(f"ledger_update_{number}", clear_on_submit=True):
    st.markdown("**添加进展**")
    owner = st.selectbox("责任单位", list(names), index=list(names).index(problem["owner_region_id"]),
                         format_func=lambda region_id: inert(names[region_id]), disabled=not account.can("admin"))
    leader = st.text_input("责任领导", value=problem["leader"] or "", max_chars=100)
    deadline = st.date_input("时限（点选日期；未定可不填）",
                             value=problem["deadline"] if pd.notna(problem["deadline"]) else None, format="YYYY-MM-DD")
    current = problem["status"] if problem["status"] in statuses else statuses[0]
    status = st.selectbox("状态", statuses, index=statuses.index(current))
    progress = st.text_area("本次进展", max_chars=ledger.MAX_TEXT_CHARACTERS)
    if st.form_submit_button("保存进展", type="primary"):
        if common.make_change(lambda: changes.update_ledger(resolve_db(), account, number, owner_region_id=owner,
                                                            leader=leader, deadline=deadline, status=status,
                                                            progress=progress)):
            common.clear_caches()
            auth.flash(f"问题{number}的进展已保存")
            st.rerun()
