"""区域对比 — the five districts and zones ranked on one indicator, against target and city."""

import streamlit as st

from metrics import charts, facts
from metrics.formatting import readable_facts, value_text
from ui import auth, common

auth.ensure_routed()

DEFAULT_INDICATOR = "one_window_share"

st.title("区域对比")
st.caption("各区（功能区）在同一指标上的排名，虚线为目标线，点线为市本级参考值。")

choices = common.data(facts.comparable_indicators)
if choices.empty:
    common.empty_state("暂无任何分区数据，无法对比。")
    st.stop()

names = dict(zip(choices["indicator_id"], choices["name"], strict=True))
ids = choices["indicator_id"].tolist()
indicator_id = st.selectbox(
    "指标",
    ids,
    index=ids.index(DEFAULT_INDICATOR) if DEFAULT_INDICATOR in ids else 0,
    format_func=names.get,
    key="districts_indicator",
    bind="query-params",
)

comparison = common.data(facts.region_comparison, indicator_id)
districts, references = facts.split_comparison(comparison)

st.plotly_chart(common.figure(charts.region_bars, districts, references), width="stretch")

for row in references.itertuples():
    if row.qualifier == "all_at_least":
        st.info(
            f"**{row.region_name}**：{value_text(row.value, row.unit, row.qualifier)}"
            f"（{row.period_label}，来源：通报{row.source}）。通报只给出下限，没有各乡镇(街道)的分别数值，"
            "因此不画柱。",
            icon=":material/info:",
        )

st.subheader("排名表")
ranked = readable_facts(districts)
ranked.insert(0, "排名", districts["district_rank"].astype(int))
st.dataframe(ranked.drop(columns=["原始数值"]), hide_index=True, width="stretch")
st.caption("并列数值名次相同。")
reference_table = readable_facts(references)
if len(reference_table):
    st.markdown("**参考：市本级与乡镇(街道)**")
    st.dataframe(reference_table.drop(columns=["原始数值"]), hide_index=True, width="stretch")
common.csv_download(readable_facts(comparison), f"区域对比_{names[indicator_id]}.csv")
