"""The time model on the pages: one quarter per comparison, 未报送 for the units without a value of
it, trends on one dated axis with Chinese quarter ticks, exact 环比 and 同比, and 需关注 on 总览."""

import datetime as dt

import pandas as pd
import pytest
from test_pages import figure, values

from metrics import charts, facts, periods
from metrics.claims import Change, Direction, change_between, rank_move
from metrics.formatting import change_words, delta_text, judged_change_words, value_text
from metrics.store.warehouse import open_reader
from ui.common import metric_delta

Q3, Q4 = periods.quarter_index("2024Q3"), periods.quarter_index("2024Q4")


@pytest.fixture
def quarters_con(two_quarters_db):
    con = open_reader(two_quarters_db)
    yield con
    con.close()


def table_with(test, column: str) -> pd.DataFrame:
    return next(frame.value for frame in test.dataframe if column in frame.value.columns)


def link_labels(test) -> list[str]:
    return [link.proto.label for link in test.get("page_link")]


def test_quarter_index_labels_and_the_rule_for_every_grain(seed_con):
    assert (Q3, periods.quarter_label(Q3), periods.short_label(Q3), periods.quarter_id(Q3)) == (
        8098, "2024年第三季度", "24Q3", "2024Q3")
    assert periods.quarter_index("2024Q5") is None
    placed = dict(seed_con.execute("select period_id, quarter_id from reporting_periods").fetchall())
    assert placed == {
        "2023Q1": "2023Q1", "2023Q2": "2023Q2", "2023Q3": "2023Q3",  # a quarter: itself
        "asof-2023-12-05": "2023Q4", "asof-2023-12-mid": "2023Q4", "asof-2023-12": "2023Q4",  # its date
        "asof-notice": "2024Q3",
        "2023": "2023Q4",  # a year: where it ends
        "since-2020": "2024Q3", "since-2023-01": "2024Q3", "ytd-notice": "2024Q3",  # "since …": its end
    }


def test_q4_ranking_uses_only_q4_values_and_the_others_read_unreported(app, two_quarters_db):
    test = app("pages/districts.py", db=two_quarters_db)
    ranked = table_with(test, "排名")
    assert ranked["地区"].tolist() == ["华容区", "鄂城区", "临空经济区", "梁子湖区", "葛店经开区"]
    assert ranked["排名"].tolist() == ["第1名", "第2名", "第3名", "", ""]
    assert ranked["数值"].tolist() == ["98.6%", "89.5%", "84%", "未报送（最近：2024年第三季度 95.5%）",
                                     "未报送（最近：2024年第三季度 95%）"]
    assert ranked["期间"].tolist()[3:] == ["未报送", "未报送"]
    assert ranked["环比"].tolist()[:3] == ["上升0.5个百分点，改善", "下降1.7个百分点，变差",
                                             "上升1.7个百分点，改善"]
    chart = figure(test)
    bars, earlier, unreported = chart["data"]
    assert list(bars["y"]) == ["临空经济区", "鄂城区", "华容区"]
    assert values(bars["x"]) == [84, 89.5, 98.6]
    assert (list(earlier["y"]), values(earlier["x"])) == (["葛店经开区", "梁子湖区"], [95, 95.5])
    assert list(unreported["text"]) == ["未报送（最近：2024年第三季度 95%）", "未报送（最近：2024年第三季度 95.5%）"]
    assert chart["layout"]["title"]["text"] == "综合窗口可办事项占比(一窗通办)：<br>各区（功能区）排名 · 2024年第四季度"
    assert "2024年第四季度未报送：梁子湖区、葛店经开区" in test.warning[0].value


def test_q3_ranking_takes_each_units_q3_value(app, two_quarters_db):
    test = app("pages/districts.py", db=two_quarters_db, filter_period="2024Q3")
    ranked = table_with(test, "排名")
    assert ranked[["排名", "地区", "数值"]].values.tolist() == [
        ["第1名", "华容区", "98.1%"], ["第2名", "梁子湖区", "95.5%"], ["第3名", "葛店经开区", "95%"],
        ["第4名", "鄂城区", "91.2%"], ["第5名", "临空经济区", "82.3%"]]
    assert not test.warning


def test_an_indicator_without_district_values_in_the_quarter_says_where_its_data_are(app, two_quarters_db):
    test = app("pages/districts.py", db=two_quarters_db, filter_period="2023Q4")
    assert test.info[0].value.startswith("2023年第四季度没有任何区（功能区）报送综合窗口可办事项占比(一窗通办)。")
    assert not test.get("plotly_chart")


def test_trend_puts_huarong_on_one_dated_axis_with_chinese_quarter_ticks(app, two_quarters_db):
    test = app("pages/trends.py", db=two_quarters_db, trends_indicator="one_window_share",
               filter_region="huarong")
    chart = figure(test)
    (line,) = chart["data"]
    assert values(line["y"]) == [97.47, 98.1, 98.6]
    assert [x[:10] for x in line["x"]] == ["2024-07-26", "2024-08-15", "2024-11-15"]
    assert line["mode"] == "lines+markers+text"
    axis = chart["layout"]["xaxis"]
    assert list(axis["ticktext"]) == ["2024年第三季度", "2024年第四季度"]
    assert [x[:10] for x in axis["tickvals"]] == ["2024-08-15", "2024-11-15"]
    table = table_with(test, "报告季度")
    assert table[["报告季度", "数值", "环比"]].values.tolist() == [
        ["2024年第三季度", "98.1%", "—"], ["2024年第四季度", "98.6%", "上升0.5个百分点，改善"]]


def test_a_single_point_is_said_in_words_not_drawn(app):
    test = app("pages/trends.py", trends_indicator="supervision_rank")
    assert not test.get("plotly_chart")
    assert test.info[0].value == ("“互联网+监管”考核全省排名目前只有一个时间点的数据"
                                  "（2023年第三季度，归入2023年第三季度），"
                                  "还画不出趋势：鄂州市 第4名")


def test_a_rank_trend_has_one_at_the_top(quarters_con):
    chart = charts.trend_lines(facts.series(quarters_con, "supervision_rank"))
    assert chart.layout.yaxis.autorange == "reversed"
    assert list(chart.data[0].text) == ["第4名", "", "第3名", "第5名"]
    assert list(chart.layout.xaxis.ticktext) == ["2023年第三季度", "2023年第四季度", "2024年第一季度",
                                                 "2024年第二季度", "2024年第三季度", "2024年第四季度"]


def test_a_missing_quarter_breaks_the_line(quarters_con):
    chart = charts.trend_lines(facts.series(quarters_con, "supervision_rank"))
    # 2023Q3, then nothing until 2024Q3: the line breaks between them.
    assert [None if pd.isna(y) else y for y in chart.data[0].y] == [4, None, 3, 5]
    assert chart.data[0].connectgaps is False


def test_change_against_previous_quarter_and_year_are_exact(quarters_con):
    frame = facts.quarter_series(quarters_con, "one_window_share").set_index(["region_id", "quarter_id"])
    assert frame.loc[("huarong", "2024Q4"), "change_vs_previous"] == 0.5
    assert frame.loc[("echeng", "2024Q4"), "change_vs_previous"] == -1.7
    assert pd.isna(frame.loc[("huarong", "2024Q4"), "change_vs_year_ago"])
    ranks = facts.quarter_series(quarters_con, "supervision_rank").set_index("quarter_id")
    assert ranks.loc["2024Q3", "change_vs_year_ago"] == -1  # 第4名 → 第3名 a year later
    assert ranks.loc["2024Q4", "change_vs_previous"] == 2
    # A bound has no exact change: ≥ 3427万 in 2023Q3 against 3600万 in 2024Q3.
    volume = facts.quarter_series(quarters_con, "supervision_push_volume").set_index("quarter_id")
    assert volume.loc["2024Q3", "year_ago_value"] == 34270000
    assert pd.isna(volume.loc["2024Q3", "change_vs_year_ago"])


def test_a_flow_is_compared_only_quarter_with_quarter(fresh_db):
    from support import load_text
    load_text(fresh_db, "q.csv", "指标名称,地区,期间,数值,限定,来源,依据\n"
                                 "跨域通办系统线上培训次数,鄂州市,2024Q4,5,,报表,\n")
    con = open_reader(fresh_db)
    try:
        trainings = facts.quarter_series(con, "circle_trainings").set_index("quarter_id")
    finally:
        con.close()
    # 2 trainings "as of the notice" (2024Q3) is not a quarter's flow: no 环比 against it.
    assert pd.isna(trainings.loc["2024Q4", "previous_value"])


@pytest.mark.parametrize(("change", "direction", "words", "judged", "delta"), [
    (Change(0.5, "%", "rate", "higher"), Direction.BETTER, "上升0.5个百分点", "上升0.5个百分点，改善",
     {"delta": "上升0.5个百分点", "delta_arrow": "up", "delta_color": "green"}),
    (Change(-1.7, "%", "rate", "higher"), Direction.WORSE, "下降1.7个百分点", "下降1.7个百分点，变差",
     {"delta": "下降1.7个百分点", "delta_arrow": "down", "delta_color": "red"}),
    (Change(0, "%", "rate", "higher"), Direction.UNCHANGED, "持平", "持平",
     {"delta": "持平", "delta_arrow": "off", "delta_color": "gray"}),
    (Change(None, "%", "rate", "higher"), None, "—", "—", {"delta": None}),
    # no better direction: the change is a number, never 持平 (102 → 64 projects)
    (change_between(64, 102, "个", "count", "none"), Direction.CHANGED, "减少38个", "减少38个",
     {"delta": "减少38个", "delta_arrow": "down", "delta_color": "gray"}),
    (change_between(3000, 2500, "条", "count", "lower"), Direction.WORSE, "增加500条", "增加500条，变差",
     {"delta": "增加500条", "delta_arrow": "up", "delta_color": "red"}),
    # a rank: 5th → 3rd rose two places, an improvement drawn up and green; an unchanged one is grey
    (rank_move(3, 5), Direction.BETTER, "上升2位", "上升2位，改善",
     {"delta": "上升2位", "delta_arrow": "up", "delta_color": "green"}),
    (rank_move(5, 3), Direction.WORSE, "下降2位", "下降2位，变差",
     {"delta": "下降2位", "delta_arrow": "down", "delta_color": "red"}),
    (rank_move(3, 3), Direction.UNCHANGED, "名次不变", "名次不变",
     {"delta": "名次不变", "delta_arrow": "off", "delta_color": "gray"}),
])
def test_a_change_has_one_direction_and_one_wording(change, direction, words, judged, delta):
    assert (change.direction, change_words(change), judged_change_words(change), metric_delta(change)) == (
        direction, words, judged, delta)

@pytest.mark.parametrize(("value", "unit", "kind", "expected"), [
    (97.47, "%", "rate", "97.47%"),
    (4, "名", "rank", "第4名"),
    (2, "名", "count", "2名"),  # two people recruited, not second place
    (8, "人", "count", "8人"),
    (26, "人次", "count", "26人次"),
    (34270000, "条", "count", "3,427万条"),
    (23, "件", "count", "23件"),
    (14, "次", "count", "14次"),
    (2, "分", "score", "2分"),
    (7, "天", "duration", "7天"),
    (2, "月", "duration", "2个月"),  # every two months, not February
])
def test_every_unit_kind_reads_right(value, unit, kind, expected):
    assert value_text(value, unit, "exact", kind) == expected


def test_every_seed_indicator_reads_right_with_its_unit(seed_con):
    shown = {row.indicator_id: value_text(row.value, row.unit, row.qualifier, row.kind)
             for row in facts.as_of(seed_con, Q3).itertuples()}
    assert shown["staff_recruited"] == "2名"
    assert shown["ideology_review_interval"] == "2个月"
    assert shown["supervision_rank"] == "第4名"
    ranks = [name for name, text in shown.items() if text.startswith("第")]
    assert ranks == ["supervision_rank"]
    assert not [text for text in shown.values() if "月" in text and "个月" not in text]


def test_overview_never_shows_a_count_as_a_rank(app):
    test = app()
    table = table_with(test, "报告季度")
    row = table[table["指标"] == "招录事业单位人员数"].iloc[0]
    assert (row["数值"], row["报告季度"]) == ("2名", "2023年第四季度（非本期）")
    assert table.loc[table["指标"] == "意识形态分析研判周期", "数值"].tolist() == ["2个月"]
    assert table["数值"].str.startswith("第").sum() == 1


def test_overview_answers_on_target_who_lags_and_the_score(app):
    test = app()
    metrics = {m.label: m.value for m in test.metric}
    # Every unit's and indicator's value of 2024Q3, as 需关注 reads them, not the headline cards' own units.
    assert (metrics["达标"], metrics["未达标"], metrics["无法判定"], metrics["无目标"], metrics["未报送"]) == (
        "6项", "0项", "1项", "32项", "0项")
    assert metrics["省考核得分"] == "2/2 满分"
    assert metrics["全省排名"] == "第4名"
    assert "2023年第三季度 · 明细" in link_labels(test)
    assert "临空经济区 综合窗口可办事项占比(一窗通办) 81.9%，低于市本级（100%）18.1个百分点" in link_labels(test)
    link = next(link for link in test.get("page_link") if link.proto.label.startswith("临空经济区"))
    assert link.proto.page.endswith("districts") or "districts" in link.proto.page
    assert "region=linkong" in link.proto.query_string and "period=2024Q3" in link.proto.query_string


def test_overview_in_q4_names_the_units_that_have_not_reported(app, two_quarters_db):
    test = app(db=two_quarters_db)
    labels = link_labels(test)
    assert "梁子湖区 本季度未报送：综合窗口可办事项占比(一窗通办)" in labels
    assert "葛店经开区 本季度未报送：综合窗口可办事项占比(一窗通办)" in labels
    assert "鄂城区 综合窗口可办事项占比(一窗通办) 89.5%，较2024年第三季度下降1.7个百分点，变差" in labels
    assert "鄂州市 “互联网+监管”考核全省排名 第5名，较2024年第三季度下降2位，变差" in labels
    card = next(m for m in test.metric if m.label == "综合窗口可办事项占比(一窗通办)")
    assert (card.value, card.proto.delta) == ("100%", "持平")


def test_sidebar_gives_the_latest_complete_quarter_and_how_far_the_next_has_come(app, two_quarters_db):
    captions = [c.value for c in app(db=two_quarters_db).sidebar.caption]
    assert "最近完整数据期：2024年第三季度；2024年第四季度 3/5 单位已报送" in captions
    assert "最近完整数据期：2024年第三季度" in [c.value for c in app().sidebar.caption]


def test_a_shared_link_opens_the_same_view(app, two_quarters_db, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    from support import APP
    monkeypatch.setenv("METRICS_DB", str(two_quarters_db))
    st.cache_data.clear()
    test = AppTest.from_file(APP, default_timeout=30)
    test.query_params.update({"period": "2024Q3", "region": "linkong"})
    test.run()
    assert test.session_state["filter_period"] == "2024Q3"
    assert test.session_state["filter_region"] == "linkong"
    assert test.query_params["period"] == ["2024Q3"] or test.query_params["period"] == "2024Q3"


def test_a_link_to_a_quarter_or_indicator_without_data_says_what_is_shown_instead(two_quarters_db, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    from support import APP
    monkeypatch.setenv("METRICS_DB", str(two_quarters_db))
    monkeypatch.setenv("METRICS_VIEW_LOGIN", "open")
    st.cache_data.clear()
    test = AppTest.from_file(APP, default_timeout=30)
    test.query_params.update({"period": "2024Q2"})
    test.run()
    assert test.session_state["filter_period"] == "2024Q4"
    assert [w.value for w in test.warning][:1] == ["2024年第二季度没有数据，已显示2024年第四季度"]
    test.run()  # the notice is said once; the link now names what is shown
    assert "2024年第二季度没有数据，已显示2024年第四季度" not in [w.value for w in test.warning]

    trends = AppTest.from_file(APP, default_timeout=30)
    trends.query_params.update({"indicator": "no_such_indicator"})
    trends.run()
    trends.switch_page("pages/trends.py")
    trends.query_params.update({"indicator": "no_such_indicator"})
    trends.run()
    assert any(w.value.startswith("指标“no\\_such\\_indicator”没有数据，已显示") for w in trends.warning), \
        [w.value for w in trends.warning]


def test_delta_text_rounds_float_noise():
    assert delta_text(98.6, 98.1, "%") == "+0.5个百分点"
    assert dt.date(2024, 8, 15) == charts.quarter_middle(Q3).date()
