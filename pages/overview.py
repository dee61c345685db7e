"""总览 — for the chosen quarter: how many headline indicators are on target, what needs attention,
the provincial score and rank, a card per headline indicator with 环比 and 同比, every figure in a
table, then the indicators that have targets with their year-end projections (预测)."""

import pandas as pd
import streamlit as st

from metrics import assessment, attention, facts, periods, targets
from metrics.claims import Change, Status, status_in_quarter
from metrics.formatting import (
    STANDING_ORDER,
    STATUS_NAMES,
    evidence_text,
    judged_change_words,
    points_fraction,
    projection_rows,
    rank_text,
    source_text,
    target_text,
    unprojected_text,
    value_text,
)
from ui import auth, briefing, common, supervision

auth.ensure_routed()

CARDS_PER_ROW = 4
PAGE_FILES = {"districts": "pages/districts.py", "trends": "pages/trends.py", "assessment": "pages/assessment.py"}

chosen = common.filters()
st.title("总览")
if chosen.quarter_index is None:
    common.empty_state("数据仓库中还没有任何指标数据。")
    st.stop()
period = periods.quarter_id(chosen.quarter_index)
st.caption(f"报告期：{chosen.quarter_label}。本期没有数值的指标显示其最近一期数值，并注明期间。")
briefing.buttons(chosen.quarter_index, chosen.region_id)


def link_params(indicator_id: str | None = None, region_id: str | None = None) -> dict:
    params = {"period": period}
    if indicator_id:
        params["indicator"] = indicator_id
    if region_id:
        params["region"] = region_id
    return params


cards = common.data(facts.headline, chosen.quarter_index, region_id=chosen.region_id)
if chosen.category:
    cards = cards[cards["category"] == chosen.category]
current_cards = cards[cards["is_current"]]
# Over every unit and indicator of the quarter, as 需关注 reads them: a card per indicator shows one unit only.
standing = common.data(attention.status_counts, chosen.quarter_index, region_id=chosen.region_id)

points = common.data(assessment.reported_points)
ranks = common.data(assessment.reported_ranks)
points = points[points["quarter_index"] <= chosen.quarter_index]
ranks = ranks[ranks["quarter_index"] <= chosen.quarter_index]

# Keyed: on a phone the status counts sit two to a row (ui.common.PHONE_CSS).
columns = st.container(key="status_counts").columns([1, 1, 1, 1, 1, 1.5, 1.5])
for column, status in zip(columns, STANDING_ORDER, strict=False):
    column.metric(STATUS_NAMES[status], f"{standing.counts.get(status, 0)}项", border=True,
                  help=(f"区、功能区中，{chosen.quarter_label}没有报送、而其他区已报送的指标项数"
                        + (f"：{common.plain('、'.join(standing.unreported))}" if standing.unreported else "")
                        if status == Status.NOT_REPORTED else
                        f"{chosen.quarter_label}各单位各指标的本期数值中，状态为“{STATUS_NAMES[status]}”的项数"))
with columns[5]:
    if points.empty:
        st.metric("省考核得分", "无数据", border=True)
    else:
        latest = points.iloc[-1]
        full = " 满分" if latest["points"] >= latest["max_points"] else ""
        st.metric("省考核得分", f"{points_fraction(latest['points'], latest['max_points'])}{full}", border=True,
                  help=f"{common.plain(latest['scheme_name'])}｜{common.plain(latest['item_name'])}；"
                       f"来源：{common.plain(source_text(latest['source'], latest['load_id']))}")
        st.page_link(PAGE_FILES["assessment"], label=f"{latest['period_label']} · 明细",
                     icon=":material/military_tech:", query_params=link_params())
with columns[6]:
    if ranks.empty:
        st.metric("全省排名", "无数据", border=True)
    else:
        latest = ranks.iloc[-1]
        st.metric("全省排名", rank_text(int(latest["rank"])), border=True,
                  help=f"{common.plain(latest['scheme_name'])}；通报未给出参评总数；"
                       f"来源：{common.plain(source_text(latest['source'], latest['load_id']))}")
        st.page_link(PAGE_FILES["assessment"], label=f"{latest['period_label']} · 明细",
                     icon=":material/military_tech:", query_params=link_params())
missing_cards = len(cards) - len(current_cards)
if missing_cards:
    st.caption(f"达标统计计入各单位各指标{chosen.quarter_label}的数值，与“需关注”同一范围（不分指标类别）；"
               f"核心指标中有 {missing_cards} 项本期无数值，下方卡片显示其最近一期数值。")

with st.container(border=True):
    st.markdown(f"**需关注 · {chosen.quarter_label}**")
    listed = common.data(attention.listing, chosen.quarter_index, region_id=chosen.region_id,
                         shown_per_finding=attention.LISTED_PER_FINDING)
    if not listed.findings:
        st.caption("本期没有低于目标、明显落后于市本级、较上期变差或未报送的单位。")
    for item in listed.findings:
        # Beside each finding, a leader asks the unit about it (督办) without leaving 总览.
        with st.container(horizontal=True, vertical_alignment="center", gap="small"):
            st.page_link(PAGE_FILES[item.page], label=common.plain(item.text), icon=attention.ICONS[item.finding],
                         query_params=link_params(item.indicator_id, item.region_id))
            supervision.ask_button(item.indicator_id, item.region_id, chosen.quarter_index, item.text,
                                   key=f"ask_{item.finding}_{item.indicator_id}_{item.region_id}")
    if listed.unlisted:
        st.caption(f"{listed.unlisted}；可在“区域对比”“趋势”中按指标查看。")


def card_help(row: pd.Series) -> str:
    return common.plain(
        f"期间：{row['period_label']}（数据截至 {row['end_date']:%Y-%m-%d}）\n"
        f"目标：{target_text(row['target_value'], row['target_comparator'], row['unit'], row['kind'])}\n"
        f"来源：{source_text(row['source'], row['load_id'])}\n"
        f"原文：{evidence_text(row['evidence'], row['is_derived'])}"
    ).replace("\n", "  \n")


st.subheader("核心指标")
if cards.empty:
    common.empty_state("当前筛选条件下没有核心指标。请在左侧把“指标类别”或“地区”改为“全部”。")
else:
    for start in range(0, len(cards), CARDS_PER_ROW):
        chunk = cards.iloc[start:start + CARDS_PER_ROW]
        row_columns = st.columns(CARDS_PER_ROW)[: len(chunk)]
        for column, (_, row) in zip(row_columns, chunk.iterrows(), strict=True):
            previous = Change(row["change_vs_previous"] if row["is_current"] else None, row["unit"], row["kind"],
                              row["better"])
            with column.container(border=True):
                st.metric(
                    label=common.plain(row["indicator_name"]),
                    value=value_text(row["value"], row["unit"], row["qualifier"], row["kind"]),
                    **common.metric_delta(previous),
                    delta_description=(f"环比（较{row['previous_quarter_label']}）"
                                       if previous.direction is not None else None),
                    help=card_help(row),
                )
                where = f"{row['region_name']} · {row['quarter_label']}"
                if not row["is_current"]:
                    where += "（非本期，最近一期）"
                year_ago = Change(row["change_vs_year_ago"], row["unit"], row["kind"], row["better"])
                extra = (f" · 同比 {judged_change_words(year_ago)}"
                         if row["is_current"] and year_ago.direction is not None else "")
                status = status_in_quarter(row["status"], row["is_current"])
                st.markdown(f"{common.status_badge(status)} &nbsp; :gray[{common.plain(where)}{extra}]")
    st.caption("每张卡片的期间、目标、来源与原文摘录，也可在下方“全部指标”表中点选该行查看。")

st.subheader("全部指标")
# The rows the table shows; a province has tens of thousands, which the download writes when clicked.
latest, table = common.data(facts.as_of_with_table, chosen.quarter_index, category=chosen.category,
                            region_id=chosen.region_id, row_limit=common.TABLE_ROWS_SHOWN)
if latest.empty:
    common.empty_state("当前筛选条件下没有数据。")
else:
    common.table(table.drop(columns=["原始数值"]), key="overview_facts", height="content",
                 total=int(latest["total_rows"].iloc[0]))
    common.csv_download(
        lambda: facts.as_of_with_table(common.connection(), chosen.quarter_index, chosen.category,
                                       chosen.region_id)[1],
        f"全部指标_{chosen.quarter_label}.csv")

st.subheader("目标与预测")
st.caption("设有目标的指标在各地区、各期间是否达标；有季度数据的年份另给年末预测。预测是按已有数据推算的，不是实际值。")
year = chosen.quarter_index // 4
# Each indicator's first rows and its counts: a province's target table has tens of thousands of rows.
targeted = common.data(targets.targeted_summary, chosen.category, chosen.region_id, year)
shown_status = common.data(targets.shown_status, chosen.category, chosen.region_id, year,
                           rows_per_indicator=common.TABLE_ROWS_SHOWN)
asked = targets.projection_requests(targeted)
projected = common.data(targets.projections, asked, year) if asked else []

if targeted.empty:
    common.empty_state("当前筛选条件下没有设定目标的指标。")
else:
    for summary in targeted.itertuples():
        unit = summary.unit
        goals, status_table = shown_status[summary.indicator_id]
        counts = sorted(summary.status_counts.items(), key=lambda item: (-item[1], STATUS_NAMES[item[0]]))
        with st.container(border=True):
            st.markdown(f"**{common.plain(summary.indicator_name)}** &nbsp; :gray[目标：{common.plain(goals)}]  \n"
                        + " &nbsp; ".join(f"{common.status_badge(name)} {count}" for name, count in counts))
            common.table(status_table, total=summary.row_count)
            if summary.has_milestones:
                st.caption("年度目标按季度分解：第k季度以年内累计与年度目标的k/4比较。累计中含“以上”等界限值"
                           f"或缺少季度时，累计只是下限或不完整，状态为“{STATUS_NAMES[Status.UNDECIDED]}”。")
            projections = [p for p in projected if p.indicator_id == summary.indicator_id]
            if projections:
                names = {region["region_id"]: region["region_name"] for region in summary.projectable_regions}
                st.markdown(f":violet-badge[:material/query_stats: 预测] **{year}年全年预测**"
                            "（按已有季度推算，不是实际值）")
                common.table(projection_rows(projections, names, unit))
            if asked and len(summary.unprojected_regions):
                st.caption(common.plain(unprojected_text([region["region_name"]
                                                          for region in summary.unprojected_regions], year)))
    if not asked:
        names = "、".join(common.plain(name) for name in targeted["indicator_name"])
        common.empty_state(f"暂无{year}年年末预测：设有目标的指标（{names}）在该年没有季度数据，"
                           "无法按季度推算全年，因此不作预测。")
