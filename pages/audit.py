"""审计日志 — every account change, load, rollback and target change; read-only."""

import pandas as pd
import streamlit as st

from metrics import accounts
from metrics.formatting import actor_text
from ui import auth, common

auth.ensure_routed()

auth.require("admin")
st.title("审计日志")
st.caption("谁、何时、做了什么、变更前后的数量（数据的变更计观测值行数，账户的变更计账户数，见“计数对象”）。"
           "日志只追加，页面上不能修改或删除。")


def count_text(count) -> str:
    return "—" if pd.isna(count) else str(int(count))


events = accounts.audit_trail(auth.store_path())
trail = pd.DataFrame({
    "编号": events["event_id"],
    "时间": events["happened_at"],
    "操作人": events["actor"].map(actor_text),
    "操作": events["action"],
    "对象": events["target"],
    "说明": events["detail"].fillna("—"),
    "计数对象": events["action"].map(accounts.counted),
    # As text: a table draws a missing count as "None".
    "变更前数量": events["count_before"].map(count_text),
    "变更后数量": events["count_after"].map(count_text),
})
actions = ["全部", *sorted(trail["操作"].unique())]
action = st.selectbox("操作类型", actions, key="audit_action")
shown = trail if action == "全部" else trail[trail["操作"] == action]
if shown.empty:
    common.empty_state("没有符合条件的日志。")
else:
    common.table(shown, key="audit_table")
    common.csv_download(shown, "审计日志.csv")
