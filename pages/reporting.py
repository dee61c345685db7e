"""报送情况 — for the chosen quarter: which unit has reported which regularly reported indicator,
what is still owed and what is overdue, and the 催报 list to send out."""

import datetime as dt

import streamlit as st

from metrics import exporting, reporting
from ui import auth, common

auth.ensure_routed()

chosen = common.filters()
st.title("报送情况")
if chosen.quarter_index is None:
    common.empty_state("数据仓库中还没有任何指标数据。")
    st.stop()
today = dt.date.today()
st.caption(f"{chosen.quarter_label}各单位按报送规则应报的指标：已报、未报（未到截止日期）、逾期（{today:%Y-%m-%d}已过截止日期）。")

status = common.data(reporting.status, chosen.quarter_index, today)
if status.empty:
    common.empty_state("还没有设定按季度报送的指标。")
    st.stop()
if chosen.region_id:
    status = status[status["region_id"] == chosen.region_id]

counts = status["state"].value_counts()
for column, (state, name) in zip(st.columns(len(reporting.STATE_NAMES)), reporting.STATE_NAMES.items(), strict=True):
    column.metric(name, f"{int(counts.get(state, 0))}项", border=True)

st.subheader("报送矩阵")
common.dataframe(reporting.matrix(status))

st.subheader("催报清单")
owed = reporting.outstanding(status)
if owed.empty:
    st.success(f"{chosen.quarter_label}应报指标均已报送。", icon=":material/task_alt:")
else:
    common.dataframe(owed, column_config={"逾期指标": st.column_config.TextColumn(width="large"),
                                          "待报指标": st.column_config.TextColumn(width="large")})
    st.download_button(
        "下载催报清单（Excel）",
        data=lambda: exporting.xlsx_bytes({"催报清单": owed, "报送明细": reporting.detail_rows(status)}),
        file_name=f"催报清单_{chosen.quarter_label}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
    )
with st.expander("报送规则"):
    common.dataframe(reporting.rule_rows(status))
