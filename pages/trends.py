"""趋势 — one indicator over time, one line per unit on one dated axis with Chinese quarter ticks,
its target and milestones drawn; 环比 and 同比 in the table."""

import streamlit as st

from metrics import charts, facts, periods
from metrics.formatting import inert, readable_facts, value_text
from ui import auth, common

auth.ensure_routed()

st.title("趋势")
st.caption("季度数值画在所属季度，时点数值画在其日期；缺少的季度保持断开。")

chosen = common.filters()
choices = common.data(facts.trend_indicators, category=chosen.category, region_id=chosen.region_id)
if choices.empty:
    common.empty_state("当前类别和地区下没有指标数据。请在左侧把“指标类别”或“地区”改为“全部”。")
    st.stop()

labels = {row.indicator_id: f"{row.name}（{row.count_periods}个期间）" for row in choices.itertuples()}
indicator_id = common.url_widget(st.selectbox, "指标", list(labels), key="trends_indicator", param="indicator",
                                 format_func=labels.get)
common.show_link_notices()

indicator_name = choices.set_index("indicator_id").loc[indicator_id, "name"]
units = common.data(facts.series_regions, indicator_id, chosen.quarter_index, chosen.region_id)
if units.empty:
    common.empty_state(f"{chosen.quarter_label}及以前没有该指标的数据。")
    st.stop()

region_options = units["region_name"].tolist()
# Every unit at a city's scale; at a province's, the first few, so that the chart stays readable.
shown_count = facts.TREND_REGIONS_SHOWN
picked = st.multiselect("地区", region_options, default=region_options[:shown_count], format_func=inert,
                        key=f"trends_regions_{indicator_id}", placeholder="选择地区")
if len(region_options) > shown_count:
    st.caption(f"共有{len(region_options)}个地区有该指标的数据，默认按地区顺序显示前{shown_count}个，"
               "可在“地区”中增减。")
if not picked:
    common.empty_state("请至少选择一个地区。")
    st.stop()
# Only the picked regions' rows are read: the page holds what it draws.
picked_ids = tuple(units.loc[units["region_name"].isin(picked), "region_id"])
shown = common.data(facts.series, indicator_id, picked_ids, chosen.quarter_index)

if shown["plotted_at"].nunique() == 1:
    row = shown.iloc[0]
    st.info(common.plain(f"{row['indicator_name']}目前只有一个时间点的数据（{row['period_label']}，"
                         f"归入{row['quarter_label']}），还画不出趋势：" + "；".join(
                             f"{r.region_name} {value_text(r.value, r.unit, r.qualifier, r.kind)}"
                             for r in shown.itertuples())),
            icon=":material/info:")
else:
    common.chart(common.figure(charts.trend_lines, shown), f"趋势_{indicator_name}")
    single = shown.groupby("region_name")["plotted_at"].nunique()
    if (single == 1).any():
        st.caption(f"{common.plain('、'.join(single[single == 1].index))}只有一个时间点的数据，只画出一个点。")

quarterly = common.data(facts.quarter_series, indicator_id, picked_ids, chosen.quarter_index)
table = readable_facts(quarterly)
table.insert(2, "报告季度", quarterly["quarter_label"])
common.table(table.drop(columns=["原始数值"]), key="trends_facts")
common.csv_download(table, f"趋势_{indicator_name}.csv")
st.caption(periods.TIME_RULE + "表中每个地区每个季度取一个数值（季度内最晚的一个），环比、同比据此计算。")
