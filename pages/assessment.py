"""省级考核 — reported points against maximum per item and quarter, and provincial ranks."""

import streamlit as st

from metrics import assessment, charts
from metrics.formatting import value_text
from pages import common

st.title("省级考核")
st.caption("湖北省对鄂州市的考核结果：各考核项目每季度得分与满分、计分规则，以及全省排名。")

points = common.data(assessment.reported_points)
ranks = common.data(assessment.reported_ranks)

if points.empty and ranks.empty:
    common.empty_state("暂无考核结果数据。")
    st.stop()

for (scheme_name, item_name), item in points.groupby(["scheme_name", "item_name"], sort=False):
    st.subheader(f"{scheme_name}｜{item_name}")
    summary = "、".join(
        f"{row.period_label} {assessment.points_fraction(row.points, row.max_points)}分"
        for row in item.itertuples()
    )
    st.markdown(f"**得分：** {summary}")
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(charts.assessment_points(item), width="stretch")
    with right:
        first = item.iloc[0]
        st.markdown(f"**计分规则：** {first['rule_description']}（来源：通报{first['rule_source']}）")
        if first["rule_is_partial"]:
            st.warning(f"规则不完整：{first['rule_partial_note']}", icon=":material/help:")
        table = item[["period_label", "points", "max_points", "source", "evidence"]].rename(
            columns={"period_label": "期间", "points": "得分", "max_points": "满分", "source": "来源",
                     "evidence": "原文摘录"}
        )
        st.dataframe(table, hide_index=True, width="stretch")
        common.csv_download(table, f"考核得分_{first['item_id']}.csv")

for scheme_name, scheme_ranks in ranks.groupby("scheme_name", sort=False):
    st.subheader(f"{scheme_name}｜全省排名")
    latest = scheme_ranks.iloc[-1]
    st.metric(
        f"{latest['period_label']} 全省排名",
        value_text(latest["rank"], "名"),
        help=f"来源：通报{latest['source']}  \n原文：{latest['evidence']}",
        border=True,
    )
    st.plotly_chart(charts.rank_chart(scheme_ranks), width="stretch")
    if len(scheme_ranks) == 1:
        st.caption("通报只给出这一个季度的排名，其余季度无数据。")
