"""区域对比 — the five districts and zones on one indicator in one quarter: ranked against the
target and 市本级 of the same quarter; a unit without a value of the quarter reads 未报送."""

import pandas as pd
import streamlit as st

from metrics import charts, facts, periods
from metrics.formatting import rank_text, readable_facts, source_text, unreported_text, value_text
from ui import auth, common, supervision

auth.ensure_routed()

chosen = common.filters()
st.title("区域对比")
if chosen.quarter_index is None:
    common.empty_state("数据仓库中还没有任何指标数据。")
    st.stop()
st.caption(f"{chosen.quarter_label}各区（功能区）在同一指标上的排名：只比较本季度的数值，虚线为目标线，点线为同期市本级。")

choices = common.data(facts.comparable_indicators)
if choices.empty:
    common.empty_state("暂无任何分区数据，无法对比。")
    st.stop()

names = dict(zip(choices["indicator_id"], choices["name"], strict=True))
indicator_id = common.url_widget(st.selectbox, "指标", choices["indicator_id"].tolist(), key="districts_indicator",
                                 param="indicator", default=facts.DEFAULT_COMPARISON, format_func=names.get)
common.show_link_notices()

comparison = common.data(facts.region_comparison, indicator_id, chosen.quarter_index)
districts, missing, references = facts.split_comparison(comparison)

if districts.empty:
    earlier = comparison.dropna(subset=["earlier_quarter_label"])
    hint = f"最近一期数据在{earlier['earlier_quarter_label'].iloc[0]}，请在左侧“报告期”中选择。" if len(earlier) else ""
    common.empty_state(f"{chosen.quarter_label}没有任何区（功能区）报送{common.plain(names[indicator_id])}。{hint}")
else:
    common.chart(common.figure(charts.region_bars, districts, missing, references, chosen.quarter_label,
                               highlight=chosen.region_id), f"区域对比_{names[indicator_id]}_{chosen.quarter_label}")
if len(missing):
    st.warning(f"{chosen.quarter_label}未报送：{common.plain('、'.join(missing['region_name']))}。未报送的单位不参加排名；"
               "图中灰色菱形是其最近一期数值，注明了所属季度。", icon=":material/schedule:")

for row in references.itertuples():
    if row.qualifier == "all_at_least":
        st.info(
            f"**{common.plain(row.region_name)}**：{value_text(row.value, row.unit, row.qualifier, row.kind)}"
            f"（{common.plain(row.period_label)}，来源：{common.plain(source_text(row.source, row.load_id))}）。"
            "通报只给出下限，没有各乡镇(街道)的分别数值，因此不画柱。",
            icon=":material/info:",
        )

st.subheader(f"排名表 · {chosen.quarter_label}")
rows = pd.concat([districts, missing], ignore_index=True)
table = readable_facts(rows)
table.insert(0, "排名", [rank_text(int(rank)) if pd.notna(rank) else "" for rank in rows["district_rank"]])
unreported = rows["value"].isna()
table.loc[unreported, ["期间", "状态"]] = "未报送"
table.loc[unreported, "数值"] = [
    unreported_text(row.earlier_value, row.unit, row.earlier_qualifier, row.kind, row.earlier_quarter_label)
    for row in rows[unreported].itertuples()]
# The indicator is chosen above: the table keeps what differs between the units.
common.table(table.drop(columns=["原始数值", "指标", "单位", "限定"]).fillna(""), key="districts_facts")
st.caption("并列数值名次相同，下一名次顺延。")
reference_table = readable_facts(references[references["value"].notna()])
if len(reference_table):
    st.markdown(f"**参考：市本级与乡镇(街道) · {chosen.quarter_label}**")
    common.table(reference_table.drop(columns=["原始数值"]))
common.csv_download(table, f"区域对比_{names[indicator_id]}_{chosen.quarter_label}.csv")
# A leader asks a unit about its value (or its missing one) of this quarter; the answers come back here.
supervision.beside_figures(indicator_id, chosen.quarter_index, rows["region_id"].tolist())
st.caption(periods.TIME_RULE)
