"""督办 — questions leaders asked units about their figures: open, overdue and closed items, filterable by
unit and leader, with the bureau's Excel export; select one to read its thread, answer it (the unit's
editors) or close it or send it back (leaders and admins). An editor sees only their units' items."""

import datetime as dt

import pandas as pd
import streamlit as st

from metrics import changes, exporting, supervision
from metrics.formatting import inert
from metrics.ingest import review
from metrics.paths import resolve_db
from ui import auth, common, inbox
from ui.supervision import item_heading

auth.ensure_routed()

st.title("督办")
common.show_pending()
account = auth.require("viewer")
st.caption("本局领导（使用查看账户）或管理员在“区域对比”的数值下、或“总览”“需关注”的一条旁发起督办；该单位的"
           "填报人员在“提醒”中点开，在此答复；督办人审阅答复后办结或退回。点选一行查看全部往来。")

if account.can("admin"):
    inbox.failed_deliveries()

today = dt.date.today()
everything = common.data(supervision.items, account, today)
for column, name in zip(st.columns(len(supervision.STATUS_FILTERS)), supervision.STATUS_FILTERS, strict=True):
    column.metric(name, f"{len(supervision.filtered(everything, status=name))}项", border=True)
# The item a link names (?item=N, as reminders and alerts link to it), if the account may read it.
linked = st.query_params.get("item", "")
visible = linked.isdigit() and int(linked) in set(everything["item_id"])
if linked and not visible:
    common.show_error(supervision.refusal(int(linked) if linked.isdigit() else 0, account))
if everything.empty:
    common.empty_state("暂无督办事项。" if account.role != "editor" else "暂无您所在单位的督办事项。")
    st.stop()

unit_column, leader_column = st.columns(2)
unit = unit_column.selectbox("单位", [common.ALL, *dict.fromkeys(everything["region_name"])], format_func=inert,
                             key="supervision_unit")
leader = leader_column.selectbox("督办人", [common.ALL, *dict.fromkeys(everything["author"])], format_func=inert,
                                 key="supervision_leader")
status = st.pills("状态", [common.ALL, *supervision.STATUS_FILTERS], default="未办结", key="supervision_status")
shown = supervision.filtered(everything, region=None if unit == common.ALL else unit,
                             author=None if leader == common.ALL else leader,
                             status=None if status in (None, common.ALL) else status)
st.markdown(f"共 **{len(everything)}** 项，当前显示 **{len(shown)}** 项。")
st.download_button("下载督办清单（Excel）",
                   data=lambda: exporting.xlsx_bytes({"督办": supervision.excel_rows(shown)}),
                   file_name="督办清单.xlsx", icon=":material/download:",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
# A row tapped, else the linked item (a closed one, say, that the default 未办结 filter leaves out).
picked = []
if shown.empty:
    common.empty_state("没有符合条件的督办事项。")
    if not visible:
        st.stop()
else:
    picked = common.table(pd.DataFrame({
        "序号": shown["item_id"],
        "指标": shown["indicator_name"],
        "单位": shown["region_name"],
        "状态": [supervision.status_text(row) for row in shown.itertuples()],
        "季度": shown["quarter_label"],
        "时限": pd.to_datetime(shown["deadline"]).dt.strftime("%Y-%m-%d"),
        "督办人": shown["author"],
        "答复次数": shown["count_answers"],
        "督办内容": shown["content"],
    }), key="supervision_table").selection.rows
if picked:
    item = shown.iloc[picked[0]]
elif visible:
    item = everything[everything["item_id"] == int(linked)].iloc[0]
else:
    st.stop()
number = int(item["item_id"])
st.subheader(f"督办 #{number}：{common.plain(item['indicator_name'])} · {item['quarter_label']}")
st.markdown(item_heading(item))
st.text(item["content"])
for step in common.data(supervision.thread, account, number).itertuples():
    st.text(supervision.step_text(step))
if item["status"] == supervision.ItemStatus.CLOSED:
    st.stop()


def act(action: str, content: str, submission_id: int | None = None) -> None:
    if common.make_change(lambda: changes.supervision_step(resolve_db(), account, number, action, content,
                                                           submission_id)):
        common.clear_caches()
        auth.flash(f"督办 #{number} 已{action}")
        st.rerun()


if account.role == "editor":
    # A corrected file goes through 数据管理 and review as any file; the answer names it, and the leader sees
    # where its review stands.
    sent = common.data(review.submissions, account.username)
    files = dict(zip(sent["submission_id"], [f"报送 #{row.submission_id}“{inert(row.file_name)}”（{row.status_name}）"
                                             for row in sent.itertuples()], strict=True))
    with st.form(f"supervision_answer_{number}", clear_on_submit=True):
        answer = st.text_area("答复", max_chars=supervision.MAX_TEXT_CHARACTERS)
        attached = st.selectbox("附上更正文件（先在“数据管理”提交审核）", [None, *files],
                                format_func=lambda key: "不附文件" if key is None else files[key])
        if st.form_submit_button("提交答复", type="primary"):
            act(supervision.ANSWER, answer, attached)
elif supervision.may_open(account):
    answered = item["status"] == supervision.ItemStatus.ANSWERED
    actions = [supervision.CLOSE, *([supervision.SEND_BACK] if answered else [])]
    with st.form(f"supervision_decide_{number}", clear_on_submit=True):
        action = st.radio("处理", actions, horizontal=True)
        remark = st.text_area("意见（退回时必填）", max_chars=supervision.MAX_TEXT_CHARACTERS)
        if st.form_submit_button("确定", type="primary"):
            act(action, remark)
