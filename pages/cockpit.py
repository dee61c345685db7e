"""驾驶舱 — a leader's one screen for a quarter: the matrix of units × headline indicators (click a cell for its
detail; its unit is highlighted in every chart), a tile per headline indicator with its last quarters, the
provincial assessment, and the five most urgent findings. ?mode=screen is the meeting-room screen: full width,
large type, no sidebar, matrix and tiles only, refreshed when a new data version is published."""

import streamlit as st

from metrics import attention, charts, cockpit, facts, periods
from metrics.formatting import value_text
from ui import auth, briefing, common, warming

auth.ensure_routed()

TILES_PER_ROW = 4
SCREEN = st.query_params.get("mode") == "screen"
PAGE_FILES = {"districts": "pages/districts.py", "trends": "pages/trends.py"}
CHIP_BADGES = {"met": "green", "missed": "red", "not_reported": "orange", "worse_than_city": "orange",
               "better_than_city": "blue"}

chosen = common.filters()
if SCREEN:
    st.html(common.SCREEN_CSS)
st.title("驾驶舱")
if chosen.quarter_index is None:
    common.empty_state("数据仓库中还没有任何指标数据。")
    st.stop()
board = common.data(cockpit.cockpit, chosen.quarter_index)
status = common.data(facts.data_status)
st.caption(f"报告期：{board.quarter_label} · 数据截至 {status['loaded_at']:%Y-%m-%d %H:%M}"
           f"（第 {status['load_id']} 次变更）")
if SCREEN:
    warming.rerun_on_new_snapshot()
else:
    briefing.slides_button(board.quarter_index)

# Which cell is open and whose row is highlighted: from the matrix's selection, or a chip tapped on a phone.
picked = st.session_state.get("cockpit_cell")
highlight = picked[1] if picked else None


def open_cell(source: str, chosen_cell: tuple[str, str] | None) -> None:
    """Open a cell chosen in the matrix or as a phone's chip, once, when that source's choice changes: each keeps
    its choice standing across reruns, and one left standing must not undo a newer one made in another."""
    seen = f"cockpit_seen_{source}"
    if st.session_state.get(seen) != chosen_cell:
        st.session_state[seen] = chosen_cell
        if chosen_cell is not None:
            st.session_state["cockpit_cell"] = chosen_cell
            st.rerun()


def tiles() -> None:
    cards = [*board.tiles]
    for start in range(0, len(cards), TILES_PER_ROW):
        for column, tile in zip(st.columns(TILES_PER_ROW), cards[start:start + TILES_PER_ROW], strict=False):
            with column.container(border=True):
                where = tile.quarter_label if tile.is_current else f"{tile.quarter_label}（非本期）"
                # The name above the figure wraps: a metric's own label is cut to one line.
                st.markdown(f"**{common.plain(tile.indicator_name)}**",
                            help=common.plain(f"{tile.region_name} · {where}；来源：{tile.source}"))
                st.metric(common.plain(tile.indicator_name), tile.value_text, label_visibility="collapsed",
                          delta=f"{tile.change_arrow} {tile.change_text}" if tile.change_arrow else None,
                          delta_arrow="off", delta_color="off")
                if len(tile.series) > 1:
                    common.chart(common.figure(charts.sparkline, tuple(tile.series["quarter_label"]),
                                               tuple(tile.series["value"]), tile.indicator_name),
                                 f"{tile.indicator_name}_趋势", static=True, key=f"spark_{tile.indicator_id}",
                                 summary=cockpit.tile_summary(tile))
                else:
                    st.caption(common.plain(cockpit.tile_summary(tile)))
    score = board.assessment
    with st.container(border=True, key="cockpit_assessment"):
        left, right = st.columns(2)
        left.metric("省考核得分", f"{score.points_text}{' 满分' if score.is_full else ''}" if score.points_text
                    else "无数据", help=common.plain(f"来源：{score.points_source}") if score.points_source else None)
        if score.points_period:
            left.caption(common.plain(f"期间：{score.points_period}"))
        right.metric("全省排名", score.rank_text or "无数据",
                     help=common.plain(f"来源：{score.rank_source}") if score.rank_source else None)
        if score.rank_period:
            right.caption(common.plain(f"期间：{score.rank_period}"))


def matrix() -> None:
    if not board.columns:
        common.empty_state(f"{board.quarter_label}及以前，各区（功能区）与市本级都没有核心指标的数值。")
        return
    # A desktop's grid; a phone's list of units (ui.common.PAGE_CSS shows one or the other by width).
    with st.container(key="cockpit_matrix"):
        event = common.chart(
            common.figure(charts.cockpit_matrix, board.columns, board.units, board.cells, board.quarter_label,
                          highlight=highlight, large=SCREEN),
            f"驾驶舱_{board.quarter_label}", key="cockpit_matrix_chart", on_select="rerun",
            selection_mode="points", summary=cockpit.matrix_summary(board))
        st.caption(f"{cockpit.CELL_KEY}；虚线框为界限值（如“≥ 50%”），不按数值着色；无目标的指标与市本级比较。"
                   "点击一格查看明细。")
    points = event.selection.points if event else []
    clicked = board.cells[points[0]["point_index"]] if points else None
    open_cell("matrix", (clicked.indicator_id, clicked.region_id) if clicked else None)
    with st.container(key="cockpit_list"):
        for unit, cells in cockpit.units_by_severity(board):
            with st.container(border=True, key=f"cockpit_unit_{unit.region_id}"):
                worst = cells[0]
                badge = CHIP_BADGES.get(worst.colour, "gray")
                st.markdown(f"**{common.plain(unit.region_name)}** :{badge}-badge[{common.plain(worst.colour_words)}]")
                tapped = st.pills(common.plain(unit.region_name), range(len(cells)), label_visibility="collapsed",
                                  format_func=lambda index, cells=cells: common.plain(cockpit.chip_text(cells[index])),
                                  key=f"cockpit_chips_{unit.region_id}")
                open_cell(f"chips_{unit.region_id}",
                          None if tapped is None else (cells[tapped].indicator_id, cells[tapped].region_id))


def urgent() -> None:
    with st.container(border=True):
        st.markdown(f"**需关注 · {board.quarter_label}**（最紧要的{cockpit.URGENT_SHOWN}项）")
        if not board.urgent:
            st.caption(cockpit.NOTHING_URGENT)
        for item in board.urgent:
            st.page_link(PAGE_FILES[item.page], label=common.plain(item.text), icon=attention.ICONS[item.finding],
                         query_params={"period": periods.quarter_id(board.quarter_index),
                                       "indicator": item.indicator_id, "region": item.region_id})


def detail(indicator_id: str, region_id: str) -> None:
    shown = common.data(cockpit.cell_detail, indicator_id, region_id, board.quarter_index)
    cell = shown.cell
    with st.container(border=True, key="cockpit_detail"):
        st.subheader(common.plain(f"{cell.region_name} · {cell.indicator_name}"))
        top = st.columns(4)
        top[0].metric("数值", cell.value_text, help=common.plain(f"期间：{shown.period_label or '—'}"))
        compared = "" if cell.colour_words == cell.status_words else f"  \n{common.plain(cell.colour_words)}"
        top[1].markdown(f"**状态**  \n{common.status_badge(cell.status)}{compared}")
        top[2].markdown(f"**环比**  \n{cell.change_arrow} {common.plain(cell.change_text)}")
        top[3].markdown(f"**目标**  \n{common.plain(cell.target_text)}")
        st.markdown(f"**来源**：{common.plain(cell.source)}  \n**原文**：{common.plain(shown.evidence)}  \n"
                    f"**期间**：{common.plain(shown.period_label or '—')}")
        comparison = common.data(facts.region_comparison, indicator_id, board.quarter_index)
        districts, missing, references = facts.split_comparison(comparison)
        if len(districts):
            common.chart(common.figure(charts.region_bars, districts, missing, references, board.quarter_label,
                                       highlight=region_id), f"驾驶舱_区域对比_{cell.indicator_name}",
                         summary="各区排名：" + "、".join(
                             f"{row.region_name} {value_text(row.value, row.unit, row.qualifier, row.kind)}"
                             for row in districts.itertuples()) + (f"；未报送：{'、'.join(missing['region_name'])}"
                                                                    if len(missing) else ""))
        left, right = st.columns(2)
        with left:
            series = common.data(facts.series, indicator_id, (region_id,), board.quarter_index)
            trend = "趋势：" + "、".join(f"{row.quarter_label} {row.value_text}" for row in shown.trend.itertuples())
            if len(series) > 1:
                common.chart(common.figure(charts.trend_lines, series), f"驾驶舱_趋势_{cell.indicator_name}",
                             summary=trend)
            else:
                st.caption(common.plain(trend))
        with right:
            if len(shown.ranks):
                common.chart(common.figure(charts.district_rank_line, shown.ranks, cell.region_name),
                             f"驾驶舱_名次_{cell.region_name}", summary="区内名次：" + "、".join(
                                 f"{row.quarter_label} {row.rank_text}" for row in shown.ranks.itertuples()))
        if len(shown.ledger_items):
            st.markdown("**关联的整改问题**")
            for item in shown.ledger_items.itertuples():
                overdue = "（逾期）" if item.is_overdue else ""
                st.markdown(common.plain(f"问题{item.problem_no} {item.title} · {item.status}{overdue} · "
                                         f"责任单位：{item.owner_name}"))
        links = st.columns(2)
        query = {"period": periods.quarter_id(board.quarter_index), "indicator": indicator_id, "region": region_id}
        links[0].page_link(PAGE_FILES["districts"], label="在区域对比中查看", icon=":material/bar_chart:",
                           query_params=query)
        links[1].page_link(PAGE_FILES["trends"], label="在趋势中查看", icon=":material/show_chart:",
                           query_params=query)
        st.caption(f"同一选择的网址：{shown.districts_url}、{shown.trends_url}")
        if st.button("关闭明细", icon=":material/close:"):
            st.session_state.pop("cockpit_cell", None)
            st.rerun()


matrix()
if not SCREEN and picked and picked in {(cell.indicator_id, cell.region_id) for cell in board.cells}:
    detail(*picked)
tiles()
if not SCREEN:
    urgent()
    st.caption(periods.TIME_RULE)
