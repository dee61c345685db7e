"""Pure Plotly figure builders: frames in, figures out, no Streamlit and no database."""

import pandas as pd
import plotly.graph_objects as go

from metrics.formatting import QUALIFIER_LABEL, points_fraction, value_text

FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
BAR_COLOR = "#1f5fa8"
MET_COLOR = "#2e7d32"
MISSED_COLOR = "#c62828"
TARGET_COLOR = "#b3261e"
REFERENCE_COLOR = "#6b7280"
STATUS_COLOR = {"达标": MET_COLOR, "未达标": MISSED_COLOR}
COMPARATOR_TEXT = {">": "超过", ">=": "达到", "<": "低于", "<=": "不高于", "=": "等于"}

HOVER = (
    "<b>%{customdata[0]}</b><br>数值：%{customdata[1]}<br>限定：%{customdata[2]}"
    "<br>期间：%{customdata[3]}<br>来源：通报%{customdata[4]}<extra></extra>"
)


def _layout(figure: go.Figure, title: str, height: int = 420) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        font={"family": FONT_FAMILY, "size": 14},
        height=height,
        margin={"l": 10, "r": 30, "t": 60, "b": 40},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        hoverlabel={"font_family": FONT_FAMILY},
        showlegend=False,
    )
    return figure


def _hover_data(frame: pd.DataFrame, name_column: str) -> list[list[str]]:
    """Per point: name, readable value, qualifier, period, source; empty for a gap row."""
    frame = frame.fillna({c: "" for c in (name_column, "qualifier", "period_label", "source")})
    return [
        [
            row[name_column],
            value_text(row["value"], row["unit"], row["qualifier"]),
            QUALIFIER_LABEL.get(row["qualifier"], row["qualifier"]),
            row["period_label"],
            row["source"],
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


def region_bars(districts: pd.DataFrame, references: pd.DataFrame) -> go.Figure:
    """Districts ranked top-down with value labels, the target line and the city for reference."""
    ordered = districts.sort_values("district_rank", ascending=False)
    unit = ordered["unit"].iloc[0]
    colors = [STATUS_COLOR.get(status, BAR_COLOR) for status in ordered["status"]]
    figure = go.Figure(
        go.Bar(
            x=ordered["value"],
            y=ordered["region_name"],
            orientation="h",
            marker_color=colors,
            text=[value_text(v, unit, q)
                  for v, q in zip(ordered["value"], ordered["qualifier"], strict=True)],
            textposition="outside",
            customdata=_hover_data(ordered, "region_name"),
            hovertemplate=HOVER,
            name=ordered["indicator_name"].iloc[0],
        )
    )
    _add_target_line(figure, ordered, unit, figure.add_vline, annotation_position="top")
    city = references[(references["region_level"] == "市本级") & (references["qualifier"] == "exact")]
    if len(city):
        row = city.iloc[0]
        figure.add_vline(
            x=row["value"],
            line={"color": REFERENCE_COLOR, "dash": "dot", "width": 2},
            annotation_text=f"{row['region_name']} {value_text(row['value'], unit)}",
            annotation_position="bottom left",
            annotation_font_color=REFERENCE_COLOR,
        )
    upper = max([ordered["value"].max(), *city["value"].tolist()])
    axis_title = f"{ordered['indicator_name'].iloc[0]}（{unit}）"
    figure.update_xaxes(
        title=axis_title,
        range=[0, 105] if unit == "%" else [0, upper * 1.2],
        gridcolor="#e5e7eb",
    )
    figure.update_yaxes(title=None)
    return _layout(figure, f"各区（功能区）{ordered['indicator_name'].iloc[0]}排名", height=380)


def _complete_periods(frame: pd.DataFrame, grain: str) -> pd.DataFrame:
    """Put an empty row in each missing quarter, month or year, so that gaps stay gaps."""
    step = {"quarter": "QE", "month": "ME", "year": "YE"}.get(grain)
    if step is None or len(frame) < 2:
        return frame
    ends = pd.date_range(frame["end_date"].min(), frame["end_date"].max(), freq=step)
    missing = sorted(set(ends) - set(frame["end_date"]))
    if not missing:
        return frame
    gaps = pd.DataFrame({"end_date": missing})
    return pd.concat([frame, gaps], ignore_index=True).sort_values("end_date")


def trend_lines(series: pd.DataFrame, grain: str) -> go.Figure:
    """One line per region over periods of one grain; a target line where there is one."""
    unit = series["unit"].iloc[0]
    name = series["indicator_name"].iloc[0]
    figure = go.Figure()
    for region_name, rows in series.groupby("region_name", sort=False):
        rows = _complete_periods(rows.sort_values("end_date"), grain)
        observed = rows.dropna(subset=["value"])
        figure.add_trace(
            go.Scatter(
                x=rows["end_date"],
                y=rows["value"],
                mode="lines+markers+text" if len(observed) > 1 else "markers+text",
                connectgaps=False,
                name=region_name,
                text=[value_text(v, unit, q) if pd.notna(v) else "" for v, q in
                      zip(rows["value"], rows["qualifier"], strict=True)],
                textposition="top center",
                marker={"size": 10},
                customdata=_hover_data(rows, "region_name"),
                hovertemplate=HOVER,
            )
        )
    _add_target_line(figure, series, unit, figure.add_hline)
    figure.update_yaxes(title=f"{name}（{unit}）", rangemode="tozero", gridcolor="#e5e7eb")
    figure.update_xaxes(title="期间", gridcolor="#f1f2f4")
    _layout(figure, f"{name}趋势")
    figure.update_layout(showlegend=series["region_name"].nunique() > 1)
    return figure


def assessment_points(points: pd.DataFrame) -> go.Figure:
    """Points obtained against the maximum per period for one assessment item."""
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
            customdata=[[s, e] for s, e in zip(points["source"], points["evidence"], strict=True)],
            hovertemplate="%{x}<br>得分：%{y}分<br>来源：通报%{customdata[0]}<extra></extra>",
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
    figure = go.Figure(
        go.Scatter(
            x=ranks["period_label"],
            y=ranks["rank"],
            mode="lines+markers+text" if len(ranks) > 1 else "markers+text",
            text=[f"第{int(r)}名" for r in ranks["rank"]],
            textposition="middle right",
            marker={"size": 14, "color": BAR_COLOR},
            customdata=[[s, e] for s, e in zip(ranks["source"], ranks["evidence"], strict=True)],
            hovertemplate="%{x}<br>全省第%{y}名<br>来源：通报%{customdata[0]}<extra></extra>",
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


PARTIAL_COLOR = "#b26a00"
UNDECIDED_COLOR = "#9ca3af"


def _points_color(points: float, max_points: float) -> str:
    if pd.isna(points):
        return UNDECIDED_COLOR
    if points >= max_points:
        return MET_COLOR
    return PARTIAL_COLOR if points > 0 else MISSED_COLOR


def _points_label(points: float) -> str:
    return "得分无法判定" if pd.isna(points) else f"{points:g}分"


def unit_step_bars(units: pd.DataFrame, steps, comparator: str, title: str) -> go.Figure:
    """Each unit's value as a bar labelled with the points it earns, the rule's steps as lines: how
    far every unit stands from the line that decides its points. units: region, value, qualifier,
    unit, points, max_points, top-down in the order given; steps: scoring.Step (threshold, points)."""
    ordered = units.iloc[::-1]
    unit = ordered["unit"].iloc[0]
    figure = go.Figure(
        go.Bar(
            x=ordered["value"],
            y=ordered["region"],
            orientation="h",
            marker_color=[_points_color(p, m) for p, m in
                          zip(ordered["points"], ordered["max_points"], strict=True)],
            text=[f"{value_text(v, unit, q)} · {_points_label(p)}" for v, q, p in
                  zip(ordered["value"], ordered["qualifier"], ordered["points"], strict=True)],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="<b>%{y}</b><br>%{text}<extra></extra>",
        )
    )
    for step in steps:
        figure.add_vline(
            x=step.threshold,
            line={"color": TARGET_COLOR, "dash": "dash", "width": 2},
            annotation_text=f"{COMPARATOR_TEXT.get(comparator, comparator)}"
                            f"{value_text(step.threshold, unit)}得{step.points:g}分",
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
    return _layout(figure, title, height=max(260, 70 + 44 * len(ordered)))
