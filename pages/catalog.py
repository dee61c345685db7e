"""指标口径 — the searchable catalog of indicators and how each is defined."""

import streamlit as st

from metrics import catalog, periods
from metrics.formatting import BETTER_NAMES, KIND_NAMES, TEMPORAL_NAMES
from ui import auth, common

auth.ensure_routed()


st.title("指标口径")
st.caption("每个指标的名称、定义、单位、计算公式、方向、责任单位与通报条目。")
st.info(f"**报告期口径。** {periods.TIME_RULE}同一季度有多个数值时取季度内最晚的一个；区域对比只比较同一季度的数值，"
        "没有该季度数值的单位显示为“未报送”。", icon=":material/calendar_month:")

search = st.text_input("搜索指标", key="catalog_search",
                       placeholder="输入名称、别名、类别、编码、定义中的词或通报条目，如“一窗通办占比”“网办率”“二、7”")
chosen = common.filters()
found = common.data(catalog.search, search, chosen.category)
st.markdown(f"共找到 **{len(found)}** 个指标。")
if found.empty:
    common.empty_state("没有符合条件的指标。请换一个词，或在左侧把“指标类别”改为“全部”。")
    st.stop()

table = found.assign(
    kind=found["kind"].map(KIND_NAMES),
    temporal=found["temporal"].map(TEMPORAL_NAMES),
    better=found["better"].map(BETTER_NAMES),
    formula=found["formula"].fillna("（通报原值，非计算）"),
    aliases=found["aliases"].fillna(""),
    notice_item=found["notice_item"].fillna("—"),  # an indicator a file added, not from the notice
).rename(
    columns={
        "indicator_id": "编码",
        "name": "名称",
        "aliases": "别名",
        "category": "类别",
        "unit": "单位",
        "kind": "类型",
        "temporal": "时间属性",
        "better": "方向",
        "definition": "定义(口径)",
        "formula": "计算公式",
        "owner": "责任单位",
        "notice_item": "通报条目",
        "count_observations": "观测值数",
    }
)
# The code is for files and the command line; a reader needs it rarely, and on a phone it would
# take half the width.
with_code = st.toggle("显示指标编码", key="catalog_codes")
common.table(table if with_code else table.drop(columns=["编码"]), key="catalog_table")
common.csv_download(table, "指标口径.csv")
