"""区域对比 — the five districts and zones on one indicator in one quarter: ranked against the
target and 市本级 of the same quarter; a unit without a value of the quarter reads 未报送."""

import pandas as pd
import streamlit as st

from metrics import charts, facts, periods
from metrics.claims import POINT_QUALIFIERS, Status, has_better_direction
from metrics.formatting import (
    BOUND_PLACES,
    NO_DIRECTION_ORDER,
    STATUS_NAMES,
    place_text,
    readable_facts,
    source_text,
    unreported_text,
    value_text,
)
from ui import auth, common, supervision

auth.ensure_routed()

chosen = common.filters()
st.title("区域对比")
if chosen.quarter_index is None:
    common.empty_state("数据仓库中还没有任何指标数据。")
    st.stop()
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
ranked = has_better_direction(comparison["better"].iloc[0])
compared = "排名" if ranked else "数值对比"
st.caption(f"{chosen.quarter_label}各区（功能区）在同一指标上的{compared}：只比较本季度的数值，虚线为目标线，"
           "点线为同期市本级。" + ("" if ranked else NO_DIRECTION_ORDER))

if districts.empty:
    earlier = comparison.dropna(subset=["earlier_quarter_label"])
    hint = f"最近一期数据在{earlier['earlier_quarter_label'].iloc[0]}，请在左侧“报告期”中选择。" if len(earlier) else ""
    common.empty_state(f"{chosen.quarter_label}没有任何区（功能区）报送{common.plain(names[indicator_id])}。{hint}")
else:
    common.chart(common.figure(charts.region_bars, districts, missing, references, chosen.quarter_label,
                               highlight=chosen.region_id), f"区域对比_{names[indicator_id]}_{chosen.quarter_label}")
if len(missing):
    st.warning(f"{chosen.quarter_label}未报送：{common.plain('、'.join(missing['region_name']))}。未报送的单位不参加{compared}；"
               "图中灰色菱形是其最近一期数值，注明了所属季度。", icon=":material/schedule:")

for row in references.itertuples():
    if row.qualifier == "all_at_least":
        st.info(
            f"**{common.plain(row.region_name)}**：{value_text(row.value, row.unit, row.qualifier, row.kind)}"
            f"（{common.plain(row.period_label)}，来源：{common.plain(source_text(row.source, row.load_id))}）。"
            "通报只给出下限，没有各乡镇(街道)的分别数值，因此不画柱。",
            icon=":material/info:",
        )

st.subheader(f"{'排名表' if ranked else '数值表'} · {chosen.quarter_label}")
rows = pd.concat([districts, missing], ignore_index=True)
table = readable_facts(rows)
if ranked:
    table.insert(0, "排名", [place_text(best, worst) for best, worst in
                           zip(rows["district_rank"], rows["district_rank_worst"], strict=True)])
unreported = rows["value"].isna()
table.loc[unreported, ["期间", "状态"]] = STATUS_NAMES[Status.NOT_REPORTED]
table.loc[unreported, "数值"] = [
    unreported_text(row.earlier_value, row.unit, row.earlier_qualifier, row.kind, row.earlier_quarter_label)
    for row in rows[unreported].itertuples()]
# The indicator is chosen above: the table keeps what differs between the units.
common.table(table.drop(columns=["原始数值", "指标", "单位", "限定"]).fillna(""), key="districts_facts")
if ranked:
    bounded = ~districts["qualifier"].isin(POINT_QUALIFIERS)
    st.caption("并列数值名次相同，下一名次顺延。" + (BOUND_PLACES if bounded.any() else ""))
else:
    st.caption(NO_DIRECTION_ORDER)
reference_table = readable_facts(references[references["value"].notna()])
if len(reference_table):
    st.markdown(f"**参考：市本级与乡镇(街道) · {chosen.quarter_label}**")
    common.table(reference_table.drop(columns=["原始数值"]))
common.csv_download(table, f"区域对比_{names[indicator_id]}_{chosen.quarter_label}.csv")
# A leader asks a unit about its value (or its missing one) of this quarter; the answers come back here.
supervision.beside_figures(indicator_id, chosen.quarter_index, rows["region_id"].tolist())
st.caption(periods.TIME_RULE)
