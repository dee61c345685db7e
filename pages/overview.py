"""总览 — a card per headline indicator, every latest figure with its target and status, then the
indicators that have targets: status per region and period, and year-end projections (预测)."""

import pandas as pd
import streamlit as st

from metrics import facts, targets
from metrics.formatting import (
    delta_text,
    goals_text,
    readable_facts,
    target_status_rows,
    target_text,
    value_text,
)
from ui import auth, common

auth.ensure_routed()

DELTA_COLOR = {"higher": "normal", "lower": "inverse", "none": "off"}
CARDS_PER_ROW = 3

st.title("总览")
st.caption("鄂州市政务服务核心指标的最新值、目标与达标情况。悬停卡片右上角的问号可查看来源。")

chosen = common.filters()
cards = common.data(facts.headline, region_id=chosen.region_id)
if chosen.category:
    cards = cards[cards["category"] == chosen.category]


def card_help(row: pd.Series) -> str:
    return (
        f"期间：{row['period_label']}  \n"
        f"目标：{target_text(row['target_value'], row['target_comparator'], row['unit'])}  \n"
        f"来源：通报{row['source']}  \n"
        f"原文：{row['evidence'] or '（计算所得）'}"
    )


if cards.empty:
    common.empty_state("当前筛选条件下没有核心指标。请在左侧把“指标类别”或“地区”改为“全部”。")
else:
    for start in range(0, len(cards), CARDS_PER_ROW):
        chunk = cards.iloc[start:start + CARDS_PER_ROW]
        columns = st.columns(CARDS_PER_ROW)[: len(chunk)]
        for column, (_, row) in zip(columns, chunk.iterrows(), strict=True):
            has_previous = pd.notna(row["previous_value"])
            unchanged = has_previous and row["previous_value"] == row["value"]
            change = None
            if has_previous:
                change = "持平" if unchanged else delta_text(row["value"], row["previous_value"], row["unit"])
            with column.container(border=True):
                st.metric(
                    label=row["indicator_name"],
                    value=value_text(row["value"], row["unit"], row["qualifier"]),
                    delta=change,
                    delta_color=DELTA_COLOR[row["better"]],
                    delta_arrow="off" if unchanged else "auto",
                    delta_description=f"较{row['previous_period_label']}" if has_previous else None,
                    help=card_help(row),
                )
                st.markdown(
                    f"{common.status_badge(row['status'])} &nbsp; "
                    f":gray[{row['region_name']} · {row['period_label']}]"
                )

st.subheader("全部指标最新值")
latest = common.data(facts.latest, category=chosen.category, region_id=chosen.region_id)
if latest.empty:
    common.empty_state("当前筛选条件下没有数据。")
else:
    table = readable_facts(latest)
    st.dataframe(table.drop(columns=["原始数值"]), hide_index=True, width="stretch")
    common.csv_download(table, "最新指标.csv")

st.subheader("目标与预测")
st.caption("设有目标的指标在各地区、各期间是否达标；有季度数据的年份另给年末预测。预测是按已有数据推算的，不是实际值。")
targeted = common.data(targets.targeted_status, chosen.category, chosen.region_id)

if targeted.empty:
    common.empty_state("当前筛选条件下没有设定目标的指标。")
else:
    projected = []
    for indicator_id, rows in targeted.groupby("indicator_id", sort=False):
        first = rows.iloc[0]
        unit = first["unit"]
        with st.container(border=True):
            counts = rows["status"].value_counts()
            st.markdown(f"**{first['indicator_name']}** &nbsp; :gray[目标：{goals_text(rows, unit)}]  \n"
                        + " &nbsp; ".join(f"{common.status_badge(name)} {count}"
                                          for name, count in counts.items()))
            st.dataframe(target_status_rows(rows, unit), hide_index=True, width="stretch")
            if rows["is_milestone"].any():
                st.caption("年度目标按季度分解：第k季度以年内累计与年度目标的k/4比较。累计中含“以上”等界限值"
                           "或缺少季度时，累计只是下限或不完整，状态为“无法判定”。")
            for region_id, year in targets.projectable(rows):
                projection = common.data(targets.projection, indicator_id, region_id, int(year))
                region_name = rows.loc[rows["region_id"] == region_id, "region_name"].iloc[0]
                projected.append(projection)
                left, right = st.columns([1, 2], vertical_alignment="center")
                left.metric(
                    f"{projection.label}：{region_name} {year}年全年",
                    f"{projection.label} {value_text(projection.value, unit, projection.qualifier or 'exact')}",
                    help=projection.method,
                    border=True,
                )
                right.markdown(
                    f":violet-badge[:material/query_stats: {projection.label}] {projection.method}  \n"
                    f"目标：{target_text(projection.target_value, projection.target_comparator, unit)}  \n"
                    f"{projection.label}是否达标：{common.status_badge(projection.status)}")
    if not projected:
        names = "、".join(targeted["indicator_name"].unique())
        common.empty_state(f"暂无年末预测：设有目标的指标（{names}）在各年份都没有季度数据，"
                           "无法按季度推算全年，因此不作预测。")
