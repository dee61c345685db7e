"""总览 — a card per headline indicator, then every latest figure with its target and status."""

import pandas as pd
import streamlit as st

from metrics import facts
from metrics.formatting import delta_text, readable_facts, target_text, value_text
from pages import common

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
