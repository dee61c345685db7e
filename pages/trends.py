"""趋势 — one indicator over periods by region, one grain per chart, with its target."""

import streamlit as st

from metrics import charts, facts
from metrics.formatting import readable_facts
from ui import auth, common

auth.ensure_routed()

GRAIN_NAMES = {"quarter": "季度", "month": "月度", "year": "年度", "as_of": "时点", "since": "累计区间"}

st.title("趋势")
st.caption("同一指标在不同期间的变化。一张图只画一种期间口径，时点存量与期间流量不混画。")

chosen = common.filters()
choices = common.data(facts.trend_indicators, category=chosen.category, region_id=chosen.region_id)
if choices.empty:
    common.empty_state("当前类别和地区下没有指标数据。请在左侧把“指标类别”或“地区”改为“全部”。")
    st.stop()

labels = {row.indicator_id: f"{row.name}（{row.count_periods}个期间）" for row in choices.itertuples()}
indicator_id = st.selectbox("指标", list(labels), format_func=labels.get, key="trends_indicator")

series = common.data(facts.series, indicator_id)
if chosen.region_id:
    series = series[series["region_id"] == chosen.region_id]
grains = series["grain"].value_counts().index.tolist()
grain = grains[0]
if len(grains) > 1:
    grain = st.radio("期间口径", grains, format_func=GRAIN_NAMES.get, horizontal=True, key="trends_grain")
shown = series[series["grain"] == grain]

region_options = shown["region_name"].unique().tolist()
picked = st.multiselect("地区", region_options, default=region_options, key=f"trends_regions_{indicator_id}")
shown = shown[shown["region_name"].isin(picked)]
if shown.empty:
    common.empty_state("请至少选择一个地区。")
    st.stop()

st.plotly_chart(common.figure(charts.trend_lines, shown, grain), width="stretch")
if shown.groupby("region_name")["period_id"].nunique().max() == 1:
    st.warning("该指标目前每个地区只有1个期间的数据，只画出一个点，尚不能看出趋势。", icon=":material/info:")

table = readable_facts(shown)
st.dataframe(table.drop(columns=["原始数值"]), hide_index=True, width="stretch")
common.csv_download(table, f"趋势_{indicator_id}.csv")
