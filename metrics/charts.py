"""Pure Plotly figure builders: frames in, figures out, no Streamlit and no database."""

import math
from html import escape, unescape

import pandas as pd
import plotly.graph_objects as go

from metrics.claims import ScoreCheck, Status, has_better_direction
from metrics.formatting import (
    COMPARATOR_TEXT,
    QUALIFIER_LABEL,
    SCORE_CHECK_NAMES,
    compact,
    inert,
    points_fraction,
    source_text,
    source_texts,
    unreported_text,
    value_text,
)
from metrics.periods import quarter_label, short_label

FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
BAR_COLOR = "#1f5fa8"
MET_COLOR = "#2e7d32"
MISSED_COLOR = "#c62828"
TARGET_COLOR = "#b3261e"
REFERENCE_COLOR = "#6b7280"
STATUS_COLOR = {Status.MET: MET_COLOR, Status.MISSED: MISSED_COLOR}
# A bar's label inside it is white: every bar colour reads at least 4.5:1 against it (WCAG AA for small text;
# Plotly's own choice would put dark grey on the paler ones).
LABEL_INSIDE = "#ffffff"
PALETTE = ["#1f5fa8", "#b26a00", "#2e7d32", "#7b1fa2", "#00838f", "#6d4c41", "#c2185b", "#455a64"]

HOVER = (
    "<b>%{customdata[0]}</b><br>数值：%{customdata[1]}<br>限定：%{customdata[2]}"
    "<br>期间：%{customdata[3]}<br>来源：%{customdata[4]}<extra></extra>"
)


# Columns of text from users or files that a chart draws: names on axes and in legends, labels,
# hover text and titles.
DATA_TEXT = ("region_name", "indicator_name", "unit", "source", "evidence", "period_label", "region",
             "item_name", "scheme_name", "earlier_quarter_label")


def label(text) -> str:
    """Text from data as a chart draws it: Plotly reads <a href>, <span style>, <br> and entities in
    every label, hover text and title, so the markup characters are escaped, and the text made
    inert (formatting.inert)."""
    return escape(inert(text), quote=False)


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its DATA_TEXT columns as labels; missing values stay missing."""
    columns = [column for column in DATA_TEXT if column in frame]
    return frame.assign(**{column: frame[column].map(label, na_action="ignore") for column in columns})


# Plotly does not wrap a title: a longer one breaks at its first separator, so that a phone's
# 360 px show it whole.
TITLE_FITS = 18
TITLE_BREAKS = ("：", " · ", "｜")


def wrapped_title(title: str) -> str:
    """'各区（功能区）…排名 · 2024年第四季度' → '各区（功能区）…排名<br>2024年第四季度'."""
    if len(title) <= TITLE_FITS:
        return title
    for separator in TITLE_BREAKS:
        if separator in title:
            head, tail = title.split(separator, 1)
            return f"{head}{separator.strip() if separator == '：' else ''}<br>{tail}"
    return title


def _layout(figure: go.Figure, title: str, height: int = 420) -> go.Figure:
    text = wrapped_title(title)
    figure.update_layout(
        title={"text": text, "x": 0, "xanchor": "left"},
        font={"family": FONT_FAMILY, "size": 14},
        height=height + (40 if "<br>" in text else 0),
        margin={"l": 10, "r": 30, "t": 100 if "<br>" in text else 60, "b": 40},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        hoverlabel={"font_family": FONT_FAMILY},
        showlegend=False,
    )
    return figure


def _hover_data(frame: pd.DataFrame, name_column: str) -> list[list[str]]:
    """Per point: name, readable value, qualifier, period, source as every surface words it (source_text);
    empty for a gap row."""
    frame = frame.fillna({c: "" for c in (name_column, "qualifier", "period_label")})
    return [
        [
            row[name_column],
            value_text(row["value"], row["unit"], row["qualifier"], row.get("kind")),
            QUALIFIER_LABEL.get(row["qualifier"], row["qualifier"]),
            row["period_label"],
            source_text(row["source"], row["load_id"]) if row[name_column] else "",
        ]
        for _, row in frame.iterrows()
    ]


def target_label(value: float, comparator: str, unit: str) -> str:
    """'目标：超过50%' — how a target reads on a chart."""
    return f"目标：{COMPARATOR_TEXT.get(comparator, comparator)}{value_text(value, unit)}"


def _add_target_line(figure: go.Figure, frame: pd.DataFrame, unit: str, add_line, **annotation) -> None:
    """The first target among the rows as a dashed line (add_vline or add_hline), labelled."""
    with_target = frame.dropna(subset=["target_value"])
    if with_target.empty:
        return
    first = with_target.iloc[0]
    add_line(
        first["target_value"],
        line={"color": TARGET_COLOR, "dash": "dash", "width": 2},
        annotation_text=target_label(first["target_value"], first["target_comparator"], unit),
        annotation_font_color=TARGET_COLOR,
        **annotation,
    )


def region_bars(districts: pd.DataFrame, missing: pd.DataFrame, references: pd.DataFrame,
                quarter_label: str, highlight: str | None = None) -> go.Figure:
    """The districts that reported in the quarter in the comparison's order top-down (by place, or by value
    where the indicator has no better direction: then the title names no ranking), with value labels, the target
    line and 市本级 of the same quarter for reference. A district that did not report stays on the
    axis, labelled 未报送, with no bar; its latest earlier value, if any, is a grey marker labelled
    with its own quarter. highlight: a region_id to outline."""
    districts, missing, references = _labelled(districts), _labelled(missing), _labelled(references)
    shown = pd.concat([districts, missing.sort_values("region_order")])
    ordered = shown.iloc[::-1]
    first = ordered.iloc[0]
    unit, kind, name = first["unit"], first["kind"], first["indicator_name"]
    reported = ordered[ordered["value"].notna()]
    figure = go.Figure(
        go.Bar(
            x=reported["value"],
            y=reported["region_name"],
            orientation="h",
            marker_color=[STATUS_COLOR.get(status, BAR_COLOR) for status in reported["status"]],
            marker_line_color=[TARGET_COLOR if r == highlight else "rgba(0,0,0,0)" for r in reported["region_id"]],
            marker_line_width=3,
            text=[value_text(v, unit, q, kind) for v, q in zip(reported["value"], reported["qualifier"], strict=True)],
            # Inside a long bar, beside a short one: a label never runs past a phone's edge.
            textposition="auto",
            insidetextanchor="end",
            insidetextfont={"color": LABEL_INSIDE},
            constraintext="none",
            cliponaxis=False,
            customdata=_hover_data(reported, "region_name"),
            hovertemplate=HOVER,
            name=quarter_label,
        )
    )
    absent = ordered[ordered["value"].isna()]
    if len(absent):
        earlier = absent.dropna(subset=["earlier_value"])
        figure.add_trace(go.Scatter(
            x=earlier["earlier_value"],
            y=earlier["region_name"],
            mode="markers",
            marker={"color": REFERENCE_COLOR, "symbol": "diamond-open", "size": 12},
            hovertemplate=[f"{unreported_text(v, unit, q, kind, label)}<extra></extra>" for v, q, label in
                           zip(earlier["earlier_value"], earlier["earlier_qualifier"],
                               earlier["earlier_quarter_label"], strict=True)],
            name="最近一期（非本期）",
        ))
        figure.add_trace(go.Scatter(
            x=[0] * len(absent),
            y=absent["region_name"],
            mode="text",
            text=[unreported_text(v, unit, q, kind, label) for v, q, label in
                  zip(absent["earlier_value"], absent["earlier_qualifier"], absent["earlier_quarter_label"],
                      strict=True)],
            textposition="middle right",
            textfont={"color": REFERENCE_COLOR},
            hoverinfo="skip",
            name="未报送",
        ))
    figure.update_yaxes(categoryorder="array", categoryarray=ordered["region_name"].tolist(), title=None)
    figure.update_xaxes(**compact_ticks([*reported["value"], *absent["earlier_value"]]))
    # The target's label ends at its line and 市本级's starts at its own: side by side, never on
    # each other or on a bar's label.
    _add_target_line(figure, reported, unit, figure.add_vline, annotation_position="top left",
                     annotation_yanchor="bottom")
    city = references[(references["region_level"] == "市本级") & (references["qualifier"] == "exact")]
    if len(city):
        row = city.iloc[0]
        figure.add_vline(
            x=row["value"],
            line={"color": REFERENCE_COLOR, "dash": "dot", "width": 2},
            annotation_text=f"{row['region_name']} {value_text(row['value'], unit, kind=kind)}",
            annotation_position="top right",
            annotation_yanchor="bottom",
            annotation_font_color=REFERENCE_COLOR,
        )
    values = [*reported["value"].tolist(), *absent["earlier_value"].dropna().tolist(), *city["value"].tolist()]
    upper = max(values, default=1) or 1
    figure.update_xaxes(
        title=f"{name}（{unit}）",
        range=[0, 128] if unit == "%" else [0, upper * 1.35],
        tickvals=list(range(0, 101, 20)) if unit == "%" else None,
        gridcolor="#e5e7eb",
    )
    compared = "排名" if has_better_direction(first["better"]) else "数值对比（无优劣方向）"
    return _layout(figure, f"{name}：各区（功能区）{compared} · {quarter_label}",
                   height=max(300, 90 + 52 * len(ordered)))


def quarter_ticks(first_index: int, last_index: int) -> dict:
    """Chinese quarter labels at the middle of each quarter, long where they fit."""
    indexes = range(first_index, last_index + 1)
    label = quarter_label if len(indexes) <= 6 else short_label
    return {
        "tickvals": [quarter_middle(index) for index in indexes],
        "ticktext": [label(index) for index in indexes],
        "range": [quarter_start(first_index) - pd.Timedelta(days=10),
                  quarter_start(last_index + 1) + pd.Timedelta(days=10)],
    }


def quarter_start(index: int) -> pd.Timestamp:
    return pd.Timestamp(year=index // 4, month=index % 4 * 3 + 1, day=1)


def quarter_middle(index: int) -> pd.Timestamp:
    """The day a quarter's value is drawn at, as sql/queries/indicator_series.sql places it."""
    start = quarter_start(index)
    last = quarter_start(index + 1) - pd.Timedelta(days=1)
    return start + pd.Timedelta(days=(last - start).days // 2)


def _with_gaps(rows: pd.DataFrame) -> pd.DataFrame:
    """An empty row between two values more than one quarter apart, so that the line breaks."""
    jumps = rows["quarter_index"].diff().fillna(1) > 1
    if not jumps.any():
        return rows
    gaps = rows.loc[jumps, ["plotted_at", "quarter_index"]].copy()
    gaps["plotted_at"] = gaps["plotted_at"] - pd.Timedelta(days=1)
    return pd.concat([rows, gaps], ignore_index=True).sort_values("plotted_at", kind="stable")


# A flow's values of other spans than a quarter, each legend naming its span.
GRAIN_NAMES = {"month": "月度", "year": "年度", "since": "累计", "as_of": "时点", "ytd": "年内累计"}
# A bound is a marker pointing the way it bounds, never a point on the line: ≥ 50% up, ≤ down.
BOUND_SYMBOLS = {"at_least": "triangle-up", "all_at_least": "triangle-up", "more_than": "triangle-up",
                 "at_most": "triangle-down"}


def compact_ticks(values) -> dict:
    """Axis ticks of large numbers in the labels' own units (3,000万, 1.2亿), where Plotly's own read 40M;
    none below 10,000, where Plotly's ticks already read as the labels do."""
    top = max((abs(v) for v in values if pd.notna(v)), default=0)
    if top < 1e4:
        return {}
    rough = top / 4
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= rough)
    ticks = [step * i for i in range(int(top // step) + 2)]
    return {"tickvals": ticks, "ticktext": [compact(t) for t in ticks]}


def _trend_parts(rows: pd.DataFrame, is_flow: bool):
    """A region's rows as the traces they are drawn in: (rows, legend suffix, joined by a line, marker
    symbol). Exact quarterly values (every exact value of a stock or level) are one line; a flow's other spans
    stand apart by span; bounds stand apart as markers of their comparator."""
    is_bound = rows["qualifier"].isin(list(BOUND_SYMBOLS))
    exact = rows[~is_bound]
    joined = exact[exact["grain"] == "quarter"] if is_flow else exact
    if len(joined):
        yield joined, "", True, "circle"
    if is_flow:
        for grain, apart in exact[exact["grain"] != "quarter"].groupby("grain", sort=False):
            yield apart, f"（{GRAIN_NAMES.get(grain, grain)}）", False, "circle"
    for qualifier, bounds in rows[is_bound].groupby("qualifier", sort=False):
        yield bounds, f"（{QUALIFIER_LABEL[qualifier]}）", False, BOUND_SYMBOLS[qualifier]


def trend_lines(series: pd.DataFrame) -> go.Figure:
    """One series per region on one dated axis with Chinese quarter ticks: a quarter's value at
    the middle of its quarter, a point-in-time value at its date. A stock or level is one line; a
    flow joins only its quarterly values, and its other spans (a year, "since …") stand apart as
    open markers. Lines break where a quarter is missing. The target is drawn where there is one."""
    series = _labelled(series)
    first = series.iloc[0]
    unit, kind, name = first["unit"], first["kind"], first["indicator_name"]
    is_flow = first["temporal"] == "flow"
    # Value labels beside every point only while they can be told apart; hover and the table have them.
    labelled = series["region_name"].nunique() <= 3
    figure = go.Figure()
    for number, (region_name, rows) in enumerate(series.groupby("region_name", sort=False)):
        rows = rows.sort_values("plotted_at", kind="stable")
        color = PALETTE[number % len(PALETTE)]
        for part, suffix, joins, symbol in _trend_parts(rows, is_flow):
            part = _with_gaps(part) if joins else part
            figure.add_trace(go.Scatter(
                x=part["plotted_at"],
                y=part["value"],
                mode=("lines+markers" if joins and part["value"].notna().sum() > 1 else "markers")
                + ("+text" if labelled or symbol != "circle" else ""),
                connectgaps=False,
                name=region_name + suffix,
                legendgroup=region_name,
                line={"color": color},
                marker={"size": 10 if symbol == "circle" else 14, "symbol": symbol,
                        "color": color if joins else "#ffffff", "line": {"color": color, "width": 2}},
                text=[value_text(v, unit, q, kind) if pd.notna(v) else "" for v, q in
                      zip(part["value"], part["qualifier"], strict=True)],
                textposition="top center",
                customdata=_hover_data(part, "region_name"),
                hovertemplate=HOVER,
            ))
    _add_targets(figure, series, unit, kind)
    ticks = quarter_ticks(int(series["quarter_index"].min()), int(series["quarter_index"].max()))
    figure.update_xaxes(title="报告季度", gridcolor="#f1f2f4", **ticks)
    if kind == "rank":
        figure.update_yaxes(title="名次（1为第一）", autorange="reversed", dtick=1, gridcolor="#e5e7eb")
    else:
        # The title names the indicator; the axis only its unit, so that it fits a phone's height.
        figure.update_yaxes(title=f"数值（{unit}）", rangemode="tozero", gridcolor="#e5e7eb",
                            **compact_ticks([*series["value"], *series["target_value"]]))
    _layout(figure, f"{name}趋势")
    figure.update_layout(showlegend=len(figure.data) > 1, legend={"orientation": "h", "y": -0.2})
    return figure


def _add_targets(figure: go.Figure, series: pd.DataFrame, unit: str, kind: str) -> None:
    """One target for every value: a dashed line across; quarterly milestones: a dashed step."""
    targeted = series.dropna(subset=["target_value"])
    if targeted.empty:
        return
    if targeted["target_value"].nunique() == 1:
        # Below the line: the points' own labels sit above them.
        _add_target_line(figure, targeted, unit, figure.add_hline, annotation_position="bottom right")
        return
    milestones = targeted.drop_duplicates("plotted_at").sort_values("plotted_at")
    figure.add_trace(go.Scatter(
        x=milestones["plotted_at"],
        y=milestones["target_value"],
        mode="lines+markers",
        line={"color": TARGET_COLOR, "dash": "dash", "shape": "hv"},
        marker={"symbol": "line-ew-open", "size": 14, "color": TARGET_COLOR},
        name="目标（季度节点）",
        hovertemplate=[f"目标：{target_label(v, c, unit)}<extra></extra>"
                       for v, c in zip(milestones["target_value"], milestones["target_comparator"], strict=True)],
    ))


def assessment_points(points: pd.DataFrame) -> go.Figure:
    """Points obtained against the maximum per period for one assessment item."""
    points = _labelled(points)
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            x=points["period_label"],
            y=points["max_points"],
            name="满分",
            marker_color="#e5e7eb",
            hovertemplate="%{x}<br>满分：%{y}分<extra></extra>",
        )
    )
    figure.add_trace(
        go.Bar(
            x=points["period_label"],
            y=points["points"],
            name="得分",
            marker_color=MET_COLOR,
            text=[f"{points_fraction(p, m)}分" for p, m in zip(points["points"], points["max_points"], strict=True)],
            textposition="outside",
            customdata=[[s, e] for s, e in zip(source_texts(points), points["evidence"], strict=True)],
            hovertemplate="%{x}<br>得分：%{y}分<br>来源：%{customdata[0]}<extra></extra>",
        )
    )
    top = float(points["max_points"].max())
    figure.update_layout(barmode="overlay")
    figure.update_yaxes(title="分", range=[0, top * 1.3], gridcolor="#e5e7eb")
    _layout(figure, f"{points['item_name'].iloc[0]} 得分 / 满分", height=360)
    figure.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.15})
    return figure


def rank_chart(ranks: pd.DataFrame) -> go.Figure:
    """Provincial rank over periods on an axis where 1 is at the top."""
    ranks = _labelled(ranks)
    figure = go.Figure(
        go.Scatter(
            x=ranks["period_label"],
            y=ranks["rank"],
            mode="lines+markers+text" if len(ranks) > 1 else "markers+text",
            text=[f"第{int(r)}名" for r in ranks["rank"]],
            # Above its point: beside the last one, a label would run past a phone's edge.
            textposition="top center",
            marker={"size": 14, "color": BAR_COLOR},
            customdata=[[s, e] for s, e in zip(source_texts(ranks), ranks["evidence"], strict=True)],
            hovertemplate="%{x}<br>全省第%{y}名<br>来源：%{customdata[0]}<extra></extra>",
        )
    )
    worst = int(ranks["rank"].max())
    figure.update_yaxes(
        title="全省名次（1为第一）",
        range=[worst + 2.5, 0.5],
        dtick=1,
        gridcolor="#e5e7eb",
    )
    figure.update_xaxes(title="期间")
    return _layout(figure, f"{ranks['scheme_name'].iloc[0]} 排名", height=340)


PARTIAL_COLOR = "#9a5b00"
UNDECIDED_COLOR = REFERENCE_COLOR


def _points_color(points: float, max_points: float) -> str:
    if pd.isna(points):
        return UNDECIDED_COLOR
    if points >= max_points:
        return MET_COLOR
    return PARTIAL_COLOR if points > 0 else MISSED_COLOR


def _points_label(points: float) -> str:
    return f"得分{SCORE_CHECK_NAMES[ScoreCheck.UNDECIDED]}" if pd.isna(points) else f"{points:g}分"


def unit_step_bars(units: pd.DataFrame, steps, comparator: str, title: str, kind: str | None = None) -> go.Figure:
    """Each unit's value as a bar labelled with the points it earns, the rule's steps as lines: how
    far every unit stands from the line that decides its points. units: region, value, qualifier,
    unit, points, max_points, top-down in the order given; steps: scoring.Step (threshold, points);
    kind: the values' indicator kind ('rank' reads 第N名); title: plain text."""
    ordered = _labelled(units).iloc[::-1]
    unit = ordered["unit"].iloc[0]
    figure = go.Figure(
        go.Bar(
            x=ordered["value"],
            y=ordered["region"],
            orientation="h",
            marker_color=[_points_color(p, m) for p, m in
                          zip(ordered["points"], ordered["max_points"], strict=True)],
            text=[f"{value_text(v, unit, q, kind)} · {_points_label(p)}" for v, q, p in
                  zip(ordered["value"], ordered["qualifier"], ordered["points"], strict=True)],
            textposition="auto",
            insidetextanchor="end",
            insidetextfont={"color": LABEL_INSIDE},
            constraintext="none",
            cliponaxis=False,
            hovertemplate="<b>%{y}</b><br>%{text}<extra></extra>",
        )
    )
    for step in steps:
        figure.add_vline(
            x=step.threshold,
            line={"color": TARGET_COLOR, "dash": "dash", "width": 2},
            annotation_text=f"{COMPARATOR_TEXT.get(comparator, comparator)}"
                            f"{value_text(step.threshold, unit, kind=kind)}得{step.points:g}分",
            annotation_position="top",
            annotation_font_color=TARGET_COLOR,
        )
    upper = max([ordered["value"].max(), *(step.threshold for step in steps)])
    figure.update_xaxes(title=f"数值（{unit}）", gridcolor="#e5e7eb")
    if unit == "%":
        # Room right of 100% for the labels, without a tick that suggests a share above 100%.
        figure.update_xaxes(range=[0, 128], tickvals=list(range(0, 101, 20)))
    else:
        figure.update_xaxes(range=[0, upper * 1.3])
    figure.update_yaxes(title=None)
    return _layout(figure, label(title), height=max(260, 70 + 44 * len(ordered)))


def text_summary(figure: go.Figure) -> str:
    """The chart as one line of text, shown beside it for a reader who cannot see it (a screen reader, a
    text-only browser): its title, each series' labelled points in reading order (top-down for bars across,
    in time for the rest) and the labels of its lines (target, 市本级). It reads the labels the chart itself
    draws, so it says the same words; text from data comes back as its characters (as label() made it)."""
    # wrapped_title's break, undone: after "：" it joins, elsewhere it stood for a separator
    sentences = [unescape(figure.layout.title.text.replace("：<br>", "：").replace("<br>", " "))]
    for trace in figure.data:
        if trace.text is None:
            continue
        across = getattr(trace, "orientation", None) == "h"
        if across:
            names = trace.y
        elif trace.hovertemplate == HOVER:  # points in time: the period each one is of (_hover_data)
            names = [row[3] for row in trace.customdata]
        else:
            names = trace.x
        points = [f"{name} {text}" for name, text in zip(names, trace.text, strict=True) if text]
        if across:
            points.reverse()
        if points:
            sentences.append(unescape((f"{trace.name}：" if trace.name else "") + "、".join(points)))
    sentences += [unescape(annotation.text) for annotation in figure.layout.annotations]
    return "；".join(sentences) + "。"


# The cockpit's matrix: a light fill per colour key (dark text on it keeps its contrast), a bound drawn as an
# outline only, never filled as a value is (metrics.cockpit.Colour).
CELL_FILLS = {
    "met": "#d7ecd9", "missed": "#f8d3d0", "undecided": "#e5e7eb", "bound": "#ffffff",
    "better_than_city": "#d6e4f5", "worse_than_city": "#f6dfc4", "level_with_city": "#eef0f3", "city": "#eef0f3",
    "no_target": "#f3f4f6", "not_reported": "#fdecc8", "no_data": "#ffffff",
}
CELL_TEXT_COLOR = "#1f2937"
HIGHLIGHT_COLOR = "#111827"
# An indicator's name on the matrix's top axis, broken into lines of this many characters.
COLUMN_NAME_FITS = 7


def _broken(name: str, fits: int = COLUMN_NAME_FITS) -> str:
    return "<br>".join(name[start:start + fits] for start in range(0, len(name), fits))


def cell_label(cell) -> str:
    """A matrix cell's text: its value (or 未报送), then its status mark and 环比 arrow; an earlier quarter's value
    is named with its quarter."""
    if cell.kind == "earlier":
        return f"{cell.status_mark}<br>{label(cell.value_text)}（{label(cell.quarter_label)}）"
    if cell.kind in ("not_reported", "no_data"):
        return cell.status_mark
    mark = cell.status_mark if cell.colour_words == cell.status_words else f"{cell.status_mark}·{cell.colour_words}"
    arrow = f" {cell.change_arrow}" if cell.change_arrow else ""
    return f"<b>{label(cell.value_text)}</b>{arrow}<br>{label(mark)}"


def cockpit_matrix(columns: tuple, units: tuple, cells: tuple, quarter_label: str, highlight: str | None = None,
                   large: bool = False) -> go.Figure:
    """Units down the side, headline indicators across: each cell filled by its colour key and labelled with its
    value, status word and symbol and 环比 arrow; a bound outlined and dashed instead of filled; a unit without a
    value of the quarter labelled 未报送. One point per cell (in the order of cells) takes clicks: a selection's
    point_index is the cell's. highlight: a region_id whose row is outlined."""
    column_at = {column.indicator_id: index for index, column in enumerate(columns)}
    row_at = {unit.region_id: index for index, unit in enumerate(units)}
    xs = [column_at[cell.indicator_id] for cell in cells]
    ys = [row_at[cell.region_id] for cell in cells]
    figure = go.Figure(go.Scatter(
        x=xs, y=ys, mode="markers+text",
        text=[cell_label(cell) for cell in cells],
        textfont={"color": CELL_TEXT_COLOR, "size": 18 if large else 12},
        # The points are invisible and large: a click anywhere on a cell selects it.
        marker={"symbol": "square", "size": 60 if large else 44, "color": "rgba(0,0,0,0)"},
        selected={"marker": {"opacity": 1}},
        unselected={"marker": {"opacity": 1}, "textfont": {"color": CELL_TEXT_COLOR}},
        customdata=[[label(cell.region_name), label(cell.indicator_name), label(cell.value_text),
                     label(cell.colour_words), cell.change_text, label(cell.target_text), label(cell.source)]
                    for cell in cells],
        hovertemplate=("<b>%{customdata[0]} · %{customdata[1]}</b><br>数值：%{customdata[2]}<br>"
                       "状态：%{customdata[3]}<br>环比：%{customdata[4]}<br>目标：%{customdata[5]}<br>"
                       "来源：%{customdata[6]}<extra></extra>"),
        name=quarter_label,
    ))
    # Shapes given at once: add_shape validates the whole layout each time (1.6 s for 72 cells).
    shapes = [{"type": "rect", "x0": x - 0.48, "x1": x + 0.48, "y0": y - 0.46, "y1": y + 0.46, "layer": "below",
               "fillcolor": CELL_FILLS[cell.colour],
               "line": {"color": "#6b7280" if cell.kind == "bound" else "#ffffff", "width": 2,
                        "dash": "dash" if cell.kind == "bound" else "solid"}}
              for x, y, cell in zip(xs, ys, cells, strict=True)]
    if highlight in row_at:
        y = row_at[highlight]
        shapes.append({"type": "rect", "x0": -0.5, "x1": len(columns) - 0.5, "y0": y - 0.5, "y1": y + 0.5,
                       "line": {"color": HIGHLIGHT_COLOR, "width": 3}})
    figure.update_layout(shapes=shapes)
    ticks = {"size": 20 if large else 13, "color": CELL_TEXT_COLOR}
    figure.update_xaxes(side="top", tickvals=list(range(len(columns))), showgrid=False, zeroline=False, tickfont=ticks,
                        ticktext=[_broken(label(column.indicator_name)) for column in columns],
                        range=[-0.5, len(columns) - 0.5], fixedrange=True)
    figure.update_yaxes(tickvals=list(range(len(units))), showgrid=False, zeroline=False, tickfont=ticks,
                        ticktext=[f"<b>{label(unit.region_name)}</b>" if unit.region_id == highlight
                                  else label(unit.region_name) for unit in units],
                        range=[len(units) - 0.5, -0.5], fixedrange=True)
    row_height = 84 if large else 62
    figure = _layout(figure, f"核心指标 · 各区（功能区）与市本级 · {quarter_label}",
                     height=110 + row_height * len(units))
    figure.update_layout(margin={"l": 10, "r": 10, "t": 150 if large else 130, "b": 10}, clickmode="event+select",
                         dragmode=False, font={"size": 18 if large else 13})
    return figure


def sparkline(quarter_labels: tuple, values: tuple, name: str) -> go.Figure:
    """A tile's small trend: its last quarters as a line with the latest point marked; no axes."""
    figure = go.Figure(go.Scatter(
        x=list(quarter_labels), y=list(values), mode="lines+markers",
        line={"color": BAR_COLOR, "width": 2},
        marker={"size": [0] * (len(values) - 1) + [7], "color": BAR_COLOR},
        hovertemplate="%{x}：%{y}<extra></extra>", name=label(name),
    ))
    figure.update_xaxes(visible=False, fixedrange=True)
    figure.update_yaxes(visible=False, fixedrange=True)
    figure.update_layout(height=70, margin={"l": 4, "r": 4, "t": 4, "b": 4}, showlegend=False,
                         plot_bgcolor="#ffffff", paper_bgcolor="#ffffff", font={"family": FONT_FAMILY})
    return figure


def district_rank_line(ranks: pd.DataFrame, region_name: str) -> go.Figure:
    """A unit's place among the districts in each quarter (1 at the top), labelled '第2名/5'."""
    figure = go.Figure(go.Scatter(
        x=ranks["quarter_label"], y=ranks["district_rank"],
        mode="lines+markers+text" if len(ranks) > 1 else "markers+text",
        text=ranks["rank_text"], textposition="top center",
        marker={"size": 12, "color": BAR_COLOR}, hovertemplate="%{x}：%{text}<extra></extra>",
    ))
    figure.update_yaxes(title="区内名次（1为第一）", range=[ranks["district_rank"].max() + 1.5, 0.5], dtick=1,
                        gridcolor="#e5e7eb")
    figure.update_xaxes(title=None)
    return _layout(figure, f"{label(region_name)} 各季度名次", height=300)
