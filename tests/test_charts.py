"""Chart builders on fixed frames: traces, order, target and reference lines, axes."""

import re

import numpy as np
import pandas as pd

from metrics import charts, facts
from metrics.claims import ScoreCheck
from metrics.formatting import SCORE_CHECK_NAMES

NOTICE_QUARTER = 2024 * 4 + 2


def test_region_bars_rank_one_on_top_with_target_and_city(seed_con):
    districts, missing, references = facts.split_comparison(
        facts.region_comparison(seed_con, "one_window_share", NOTICE_QUARTER))
    assert missing.empty
    figure = charts.region_bars(districts, missing, references, "2024年第三季度")
    bar = figure.data[0]
    assert list(bar.y) == ["临空经济区", "鄂城区", "葛店经开区", "梁子湖区", "华容区"]
    assert list(bar.text) == ["81.9%", "90%", "95%", "95%", "97.47%"]
    assert bar.orientation == "h"
    assert [shape.x0 for shape in figure.layout.shapes] == [50, 100]
    assert [a.text for a in figure.layout.annotations] == ["目标：超过50%", "市本级 100%"]
    # The target's label ends at its line, 市本级's starts at its own: they cannot overlap.
    assert [(a.xanchor, a.yanchor) for a in figure.layout.annotations] == [("right", "bottom"), ("left", "bottom")]
    # A long bar carries its label inside, so that a phone's edge never cuts it.
    assert (bar.textposition, bar.insidetextanchor) == ("auto", "end")
    assert figure.layout.xaxis.range == (0, 128)
    assert bar.customdata[-1][4] == "通报二、4 整改情况 二是"


def _hover_source(trace, point: int) -> str:
    """The 来源 line of a bar's hover, as the browser fills the template in."""
    line = trace.hovertemplate.split("<br>来源：")[1].split("<")[0]
    return re.sub(r"%\{customdata\[(\d)\]\}", lambda found: trace.customdata[point][int(found[1])], line)


def test_a_hover_names_each_value_by_its_own_provenance(two_quarters_db):
    """A file's value is its sender's source, as in the table beside it; only the notice's figures are 通报."""
    from metrics.store.warehouse import open_reader

    con = open_reader(two_quarters_db)
    try:
        districts, missing, references = facts.split_comparison(
            facts.region_comparison(con, "one_window_share", NOTICE_QUARTER + 1))
    finally:
        con.close()
    bar = charts.region_bars(districts, missing, references, "2024年第四季度").data[0]
    assert [_hover_source(bar, point) for point in range(len(bar.y))] == ["2024年第四季度报表"] * 3


def test_region_bars_outline_the_chosen_region(seed_con):
    districts, missing, references = facts.split_comparison(
        facts.region_comparison(seed_con, "one_window_share", NOTICE_QUARTER))
    figure = charts.region_bars(districts, missing, references, "2024年第三季度", highlight="linkong")
    colours = list(figure.data[0].marker.line.color)
    assert colours[0] == charts.TARGET_COLOR and set(colours[1:]) == {"rgba(0,0,0,0)"}


def _series(days, values, grain="quarter", target=None, temporal="level"):
    ends = pd.to_datetime(days)
    quarters = [day.year * 4 + (day.month - 1) // 3 for day in ends]
    return pd.DataFrame(
        {
            "indicator_name": "测试指标", "unit": "%", "kind": "rate", "temporal": temporal,
            "region_name": "鄂城区", "plotted_at": ends, "quarter_index": quarters,
            "value": values, "qualifier": "exact", "period_label": [str(p) for p in days],
            "source": "二、4", "load_id": 1, "target_value": target, "target_comparator": ">" if target else None,
            "grain": grain,
        }
    )


def test_trend_keeps_a_missing_quarter_as_a_gap():
    figure = charts.trend_lines(_series(["2024-02-15", "2024-08-15"], [60.0, 70.0]))
    trace = figure.data[0]
    assert pd.isna(trace.y[1])
    assert trace.connectgaps is False
    assert list(figure.layout.xaxis.ticktext) == ["2024年第一季度", "2024年第二季度", "2024年第三季度"]


def test_trend_of_a_flow_joins_only_its_quarters():
    series = pd.concat([_series(["2024-02-15", "2024-05-15"], [3.0, 4.0], temporal="flow"),
                        _series(["2024-07-26"], [10.0], grain="since", temporal="flow")], ignore_index=True)
    quarters, apart = charts.trend_lines(series).data
    assert (list(quarters.y), quarters.mode) == ([3.0, 4.0], "lines+markers+text")
    assert (list(apart.y), apart.mode, apart.name) == ([10.0], "markers+text", "鄂城区（累计）")


def test_trend_names_each_span_of_a_flow_and_draws_a_bound_as_its_comparator():
    """Two monthly values are 月度, a year's value 年度; '均 ≥ 50%' is an upward marker labelled with its
    comparator, never a point on the line at 50."""
    series = pd.concat([_series(["2024-02-15", "2024-05-15"], [3.0, 4.0], temporal="flow"),
                        _series(["2024-04-30", "2024-05-31"], [1.0, 2.0], grain="month", temporal="flow"),
                        _series(["2024-12-31"], [12.0], grain="year", temporal="flow"),
                        _series(["2024-07-26"], [50.0], grain="quarter", temporal="flow")
                        .assign(qualifier="all_at_least", region_name="全市乡镇(街道)")], ignore_index=True)
    traces = charts.trend_lines(series).data
    assert [(trace.name, list(trace.y), trace.marker.symbol) for trace in traces] == [
        ("鄂城区", [3.0, 4.0], "circle"), ("鄂城区（月度）", [1.0, 2.0], "circle"),
        ("鄂城区（年度）", [12.0], "circle"), ("全市乡镇(街道)（各单位均不低于）", [50.0], "triangle-up")]
    assert list(traces[-1].text) == ["均 ≥ 50%"] and traces[-1].mode == "markers+text"


def test_large_numbers_tick_in_the_units_of_their_labels():
    """3,600万条 and 3,900万条 on an axis of 万, never 40M; small numbers keep Plotly's own ticks."""
    series = _series(["2024-08-15", "2024-11-15"], [36_000_000.0, 39_000_000.0]).assign(unit="条", kind="count")
    axis = charts.trend_lines(series).layout.yaxis
    assert list(axis.ticktext) == ["0", "1,000万", "2,000万", "3,000万", "4,000万"]
    assert list(axis.tickvals) == [0, 10_000_000, 20_000_000, 30_000_000, 40_000_000]
    assert charts.compact_ticks([97.5, 40]) == {}
    assert charts.compact_ticks([120_000_000])["ticktext"] == ["0", "5,000万", "1亿", "1.5亿"]


def test_trend_ticks_shorten_beyond_six_quarters():
    figure = charts.trend_lines(_series(["2023-02-15", "2024-11-15"], [60.0, 70.0]))
    assert list(figure.layout.xaxis.ticktext) == ["23Q1", "23Q2", "23Q3", "23Q4", "24Q1", "24Q2", "24Q3", "24Q4"]


def test_trend_draws_target_line():
    figure = charts.trend_lines(_series(["2024-02-15", "2024-05-15"], [60.0, 40.0], target=50.0))
    assert [shape.y0 for shape in figure.layout.shapes] == [50.0]
    assert figure.layout.annotations[0].text == "目标：超过50%"
    # Under the line, clear of the points' labels above them; the axis names only the unit.
    assert (figure.layout.annotations[0].yanchor, figure.layout.annotations[0].xanchor) == ("top", "right")
    assert figure.layout.yaxis.title.text == "数值（%）"


def test_trend_draws_quarterly_milestones_as_a_step():
    series = _series(["2024-02-15", "2024-05-15"], [30.0, 60.0], temporal="flow")
    series["target_value"] = [25.0, 50.0]
    series["target_comparator"] = ">="
    milestones = charts.trend_lines(series).data[-1]
    assert (milestones.name, list(milestones.y), milestones.line.shape) == ("目标（季度节点）", [25.0, 50.0], "hv")


def test_assessment_points_show_score_over_max(seed_con):
    from metrics import assessment

    figure = charts.assessment_points(assessment.reported_points(seed_con))
    maximum, obtained = figure.data
    assert list(obtained.text) == ["2/2分", "2/2分", "2/2分"]
    assert list(maximum.y) == [2.0, 2.0, 2.0]
    assert list(obtained.x) == ["2023年第一季度", "2023年第二季度", "2023年第三季度"]


def test_rank_axis_puts_first_place_on_top(seed_con):
    from metrics import assessment

    figure = charts.rank_chart(assessment.reported_ranks(seed_con))
    assert figure.layout.yaxis.range == (6.5, 0.5)
    assert list(figure.data[0].text) == ["第4名"]


def _units(values, qualifiers, points, unit="%"):
    return pd.DataFrame({
        "region": ["市本级", "临空经济区", "全市乡镇(街道)"][: len(values)], "value": values,
        "qualifier": qualifiers, "unit": unit, "points": points, "max_points": 2.0,
    })


def test_unit_step_bars_label_points_and_draw_the_step(seed_con):
    from metrics.assessment import scoring

    rule, steps = scoring.rules(seed_con)["gxbc2023-one-window"]
    figure = charts.unit_step_bars(
        _units([100.0, 40.0, 50.0], ["exact", "exact", "all_at_least"], [2.0, 0.0, None]),
        steps, rule.comparator, "各单位")
    bar = figure.data[0]
    assert list(bar.y) == ["全市乡镇(街道)", "临空经济区", "市本级"]  # first unit on top
    assert list(bar.text) == ["均 ≥ 50% · 得分无法判定", "40% · 0分", "100% · 2分"]
    assert list(bar.marker.color) == [charts.UNDECIDED_COLOR, charts.MISSED_COLOR, charts.MET_COLOR]
    assert [shape.x0 for shape in figure.layout.shapes] == [50.0]
    assert [a.text for a in figure.layout.annotations] == ["超过50%得2分"]
    assert figure.layout.xaxis.range == (0, 128)


def test_a_units_open_points_are_worded_by_the_score_check_table(monkeypatch):
    """The bar of a unit whose bound leaves its points open says so in the words of SCORE_CHECK_NAMES, not its own."""
    from metrics.assessment.scoring import Step

    monkeypatch.setitem(SCORE_CHECK_NAMES, ScoreCheck.UNDECIDED, "待定")
    figure = charts.unit_step_bars(_units([50.0], ["all_at_least"], [None]), [Step(50, 2)], ">", "各单位")
    assert list(figure.data[0].text) == ["均 ≥ 50% · 得分待定"]
    assert figure.layout.xaxis.tickvals == (0, 20, 40, 60, 80, 100)
    assert figure.layout.title.text == "各单位"


def test_unit_step_bars_mark_partial_points_and_scale_counts():
    from metrics.assessment.scoring import Step

    figure = charts.unit_step_bars(_units([3.0, 12.0], ["exact", "exact"], [1.0, 0.5], unit="名"),
                                   [Step(3, 2), Step(6, 1), Step(10, 0.5)], "<=", "名次", kind="rank")
    assert list(figure.data[0].marker.color) == [charts.PARTIAL_COLOR, charts.PARTIAL_COLOR]
    assert [a.text for a in figure.layout.annotations] == ["不超过第3名得2分", "不超过第6名得1分",
                                                       "不超过第10名得0.5分"]
    assert figure.layout.xaxis.range == (0, 12 * 1.3)


def test_a_long_title_breaks_at_its_first_separator_a_short_one_stays():
    assert charts.wrapped_title("综合窗口可办事项占比(一窗通办)：各区（功能区）排名 · 2024年第四季度") == \
        "综合窗口可办事项占比(一窗通办)：<br>各区（功能区）排名 · 2024年第四季度"
    assert charts.wrapped_title("“高效办成一件事”考核“一窗通办”指标得分 · 2024年") == \
        "“高效办成一件事”考核“一窗通办”指标得分<br>2024年"
    assert charts.wrapped_title("政务服务“一窗通办”：各单位数值与得分线（2024年第三季度）") == \
        "政务服务“一窗通办”：<br>各单位数值与得分线（2024年第三季度）"
    assert charts.wrapped_title("模拟后各单位数值与得分") == "模拟后各单位数值与得分"


MARKUP = '<span style="font-size:60px;color:red">数据已作废</span><a href="http://127.0.0.2/">链接</a>\n# 标题\u202e'
# How Plotly reads the markup once charts.label has escaped it: as the characters themselves.
MARKUP_AS_TEXT = ('&lt;span style="font-size:60px;color:red"&gt;数据已作废&lt;/span&gt;'
                  '&lt;a href="http://127.0.0.2/"&gt;链接&lt;/a&gt; # 标题')


def _strings(value) -> list[str]:
    """Every string in a figure's JSON: labels, hover text, titles, axis categories, annotations."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list | tuple | np.ndarray):
        return [text for item in value for text in _strings(item)]
    return []


def _hostile(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """The frame with each named text column holding MARKUP (numbered, so that names stay distinct)."""
    return frame.assign(**{column: [f"{MARKUP}{number}" for number in range(len(frame))] for column in columns})


def test_every_text_from_data_is_drawn_as_its_characters(seed_con):
    """Names, sources, periods and titles from data reach Plotly escaped: no <a href> becomes a
    link, no <span style> is drawn huge and red, no line break or bidi control acts."""
    from metrics import assessment
    from metrics.assessment import scoring

    districts, missing, references = facts.split_comparison(
        facts.region_comparison(seed_con, "one_window_share", NOTICE_QUARTER))
    names = ("region_name", "indicator_name", "source", "period_label")
    rule, steps = scoring.rules(seed_con)["gxbc2023-one-window"]
    figures = [
        charts.region_bars(_hostile(districts, *names), missing, _hostile(references, *names), "2024年第三季度"),
        charts.trend_lines(_hostile(_series(["2024-02-15", "2024-05-15"], [60.0, 70.0], target=50.0), *names)),
        charts.assessment_points(_hostile(assessment.reported_points(seed_con), "item_name", "source", "evidence",
                                          "period_label")),
        charts.rank_chart(_hostile(assessment.reported_ranks(seed_con), "scheme_name", "source", "evidence")),
        charts.unit_step_bars(_hostile(_units([100.0, 40.0], ["exact", "exact"], [2.0, 0.0]), "region"),
                              steps, rule.comparator, MARKUP),
    ]
    for figure in figures:
        texts = _strings(figure.to_plotly_json())
        assert [text for text in texts if "<span" in text or "<a " in text or "\n" in text or "\u202e" in text] == []
        assert any(MARKUP_AS_TEXT in text for text in texts)
    assert figures[-1].layout.title.text == MARKUP_AS_TEXT
    assert list(figures[0].data[0].y)[-1] == f"{MARKUP_AS_TEXT}0"  # rank one on top, on the axis as text


def test_a_charts_text_summary_says_its_labels_in_reading_order(seed_con):
    districts, missing, references = facts.split_comparison(
        facts.region_comparison(seed_con, "one_window_share", NOTICE_QUARTER))
    assert charts.text_summary(charts.region_bars(districts, missing, references, "2024年第三季度")) == (
        "综合窗口可办事项占比(一窗通办)：各区（功能区）排名 · 2024年第三季度；2024年第三季度：华容区 97.47%、"
        "梁子湖区 95%、葛店经开区 95%、鄂城区 90%、临空经济区 81.9%；目标：超过50%；市本级 100%。")
    trend = _series(["2024-02-15", "2024-05-15", "2024-11-15"], [60.0, None, 70.0], target=50)
    trend["period_label"] = ["2024年第一季度", "2024年第二季度", "2024年第四季度"]
    # The missing quarter is a gap on the line and says nothing here either.
    assert charts.text_summary(charts.trend_lines(trend)) == (
        "测试指标趋势；鄂城区：2024年第一季度 60%、2024年第四季度 70%；目标：超过50%。")
    from metrics import assessment

    assert charts.text_summary(charts.rank_chart(assessment.reported_ranks(seed_con))) == (
        "全省“互联网+监管”考核 排名；2023年第三季度 第4名。")
    assert charts.text_summary(charts.assessment_points(assessment.reported_points(seed_con))) == (
        "政务服务“一窗通办” 得分 / 满分；得分：2023年第一季度 2/2分、2023年第二季度 2/2分、"
        "2023年第三季度 2/2分。")


def test_a_summary_gives_text_from_data_back_as_its_characters():
    trend = _series(["2024-02-15"], [60.0])
    trend["region_name"] = '<b>红</b> & "区"'
    assert charts.text_summary(charts.trend_lines(trend)) == (
        '测试指标趋势；<b>红</b> & "区"：2024-02-15 60%。')


def _contrast(foreground: str, background: str) -> float:
    """WCAG 2's contrast ratio of two #rrggbb colours."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_every_colour_that_carries_text_reads_at_4_5_to_1():
    """Bars carry white labels inside them; lines' labels are drawn in their own colour on white."""
    bars = {charts.BAR_COLOR, *charts.STATUS_COLOR.values(), charts.PARTIAL_COLOR, charts.UNDECIDED_COLOR}
    assert {colour: round(_contrast(charts.LABEL_INSIDE, colour), 2) for colour in bars
            if _contrast(charts.LABEL_INSIDE, colour) < 4.5} == {}
    assert [colour for colour in (charts.TARGET_COLOR, charts.REFERENCE_COLOR) if _contrast(colour, "#ffffff") < 4.5] \
        == []
    from ui import common

    assert round(_contrast(common.CAPTION_COLOR, "#f5f6f8"), 2) == 5.73


def test_a_bars_label_inside_it_is_white(seed_con):
    from metrics.assessment import scoring

    districts, missing, references = facts.split_comparison(
        facts.region_comparison(seed_con, "one_window_share", NOTICE_QUARTER))
    rule, steps = scoring.rules(seed_con)["gxbc2023-one-window"]
    figures = (charts.region_bars(districts, missing, references, "2024年第三季度"),
               charts.unit_step_bars(_units([100.0, 40.0], ["exact", "exact"], [2.0, 0.0]), steps, rule.comparator,
                                     "各单位"))
    assert [figure.data[0].insidetextfont.color for figure in figures] == [charts.LABEL_INSIDE] * 2


def test_cockpit_matrix_outlines_a_bound_instead_of_filling_it_and_labels_each_status():
    from metrics.charts import cockpit_matrix
    from metrics.claims import Change, Status
    from metrics.cockpit import Cell, CellKind, Colour, Column, Unit
    from metrics.formatting import STATUS_MARK, STATUS_NAMES

    def cell(region_id, kind, value_text, status, colour, arrow=""):
        return Cell("share", "占比", region_id, region_id, kind, None, value_text, "2025年第一季度", status,
                    STATUS_NAMES[status], STATUS_MARK[status], colour, STATUS_NAMES[status],
                    Change(None, "%", "rate", "higher"), arrow, "—", "≥ 95%", "报表")

    cells = (cell("a", CellKind.EXACT, "93%", Status.MISSED, Colour.MISSED, "↓"),
             cell("b", CellKind.BOUND, "≥ 50%", Status.UNDECIDED, Colour.BOUND))
    figure = cockpit_matrix((Column("share", "占比", "%"),), (Unit("a", "甲<b>", "区"), Unit("b", "乙", "区")), cells,
                            "2025年第一季度", highlight="b")
    assert list(figure.data[0].text) == ["<b>93%</b> ↓<br>× 未达标", "<b>≥ 50%</b><br>？无法判定"]
    value, bound, outline = figure.layout.shapes
    assert (value.fillcolor, value.line.dash) == ("#f8d3d0", "solid")
    assert (bound.fillcolor, bound.line.dash, bound.line.color) == ("#ffffff", "dash", "#6b7280")
    assert (outline.y0, outline.y1, outline.line.width) == (0.5, 1.5, 3)
    assert list(figure.layout.yaxis.ticktext) == ["甲&lt;b&gt;", "<b>乙</b>"]  # a name from a file stays text
