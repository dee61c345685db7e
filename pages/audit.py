"""审计日志 — every account change, load, rollback and target change; read-only."""

import streamlit as st

from metrics import accounts
from ui import auth, common

auth.ensure_routed()

auth.require("admin")
st.title("审计日志")
st.caption("谁、何时、做了什么、变更前后的数量。日志只追加，页面上不能修改或删除。")

trail = accounts.audit_trail(auth.store_path()).rename(columns={
    "event_id": "编号", "happened_at": "时间", "actor": "操作人", "action": "操作", "target": "对象",
    "detail": "说明", "count_before": "变更前数量", "count_after": "变更后数量",
})
actions = ["全部", *sorted(trail["操作"].unique())]
action = st.selectbox("操作类型", actions, key="audit_action")
shown = trail if action == "全部" else trail[trail["操作"] == action]
if shown.empty:
    common.empty_state("没有符合条件的日志。")
else:
    st.dataframe(shown, hide_index=True, width="stretch")
    common.csv_download(shown, "审计日志.csv")
