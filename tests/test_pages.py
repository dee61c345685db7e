"""AppTest of every page on the seed warehouse: no exception, and the notice's figures shown."""

import base64
import json

import numpy as np
from streamlit.testing.v1 import AppTest


def figure(test: AppTest, index: int = 0) -> dict:
    return json.loads(test.get("plotly_chart")[index].proto.spec)


def values(array) -> list:
    """A trace's data as a list, whether Plotly wrote it plainly or as typed base64."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def texts(test: AppTest) -> str:
    parts = [m.value for m in test.markdown] + [c.value for c in test.caption]
    return "\n".join(parts)


def headline_cards(test: AppTest) -> dict:
    """The indicator cards of 总览 (the summary metrics above them name a status or a period)."""
    return {m.label: m.value for m in test.metric
            if m.label not in ("达标", "未达标", "无法判定", "无目标", "未报送", "省考核得分", "全省排名")}


def test_overview_cards_show_headline_figures_with_qualifiers(app):
    test = app()
    cards = headline_cards(test)
    assert cards["综合窗口可办事项占比(一窗通办)"] == "100%"
    assert cards["监管行为推送数据量"] == "≥ 3,427万条"
    assert cards["“互联网+监管”考核全省排名"] == "第4名"
    assert cards["圈内通办全程网办比例(计算)"] == "86.92%"
    assert cards["“双随机”抽查比例(计算)"] == "20.79%"
    assert cards["依申请公开件受理办结合计(计算)"] == "23件"
    assert len(cards) == 12
    assert ":green[:material/check_circle: 达标]" in texts(test)
    assert "共 58 条观测值" in texts(test)


def test_overview_points_card_compares_with_previous_quarter(app):
    test = app(filter_period="2023Q3")
    points = next(m for m in test.metric if m.label.startswith("“高效办成一件事”"))
    assert points.value == "2分"
    assert points.proto.delta == "持平"
    assert points.proto.delta_description == "环比（较2023年第二季度）"


def test_overview_region_filter_keeps_only_that_region(app):
    test = app(filter_region="linkong")
    assert headline_cards(test) == {"综合窗口可办事项占比(一窗通办)": "81.9%"}
    table = next(frame.value for frame in test.dataframe if "报告季度" in frame.value.columns)
    assert table["地区"].unique().tolist() == ["临空经济区"]


def test_overview_empty_filter_explains_itself(app):
    test = app(filter_category="党建", filter_region="linkong")
    assert "当前筛选条件下没有核心指标" in test.info[0].value


def test_district_comparison_ranks_huarong_first_and_linkong_last(app):
    test = app("pages/districts.py")
    ranked = test.dataframe[0].value
    assert ranked["地区"].tolist() == ["华容区", "梁子湖区", "葛店经开区", "鄂城区", "临空经济区"]
    assert ranked["排名"].tolist() == ["第1名", "第2名", "第2名", "第4名", "第5名"]
    assert ranked["数值"].tolist() == ["97.47%", "95%", "95%", "90%", "81.9%"]
    bars = figure(test)["data"][0]
    assert list(bars["y"]) == ["临空经济区", "鄂城区", "葛店经开区", "梁子湖区", "华容区"]
    assert "26个" not in texts(test)
    assert "全市乡镇(街道)**：均 ≥ 50%" in test.info[0].value


def test_district_chart_has_target_and_city_reference(app):
    layout = figure(app("pages/districts.py"))["layout"]
    lines = {shape["x0"] for shape in layout["shapes"]}
    assert lines == {50, 100}
    annotations = {a["text"] for a in layout["annotations"]}
    assert annotations == {"目标：超过50%", "市本级 100%"}


def test_category_filter_narrows_trend_indicators(app):
    test = app("pages/trends.py", filter_category="省级考核")
    assert test.session_state["filter_category"] == "省级考核"
    options = test.selectbox(key="trends_indicator").options
    assert options == ["“高效办成一件事”考核“一窗通办”指标得分（3个期间）"]


def test_trend_of_points_shows_three_quarters(app):
    test = app("pages/trends.py")
    trace = figure(test)["data"][0]
    assert values(trace["y"]) == [2, 2, 2]
    assert trace["mode"] == "lines+markers+text"
    assert not test.warning




def test_assessment_shows_two_of_two_for_q1_to_q3_and_rank_four(app):
    test = app("pages/assessment.py")
    summary = "**得分：** 2023年第一季度 2/2分、2023年第二季度 2/2分、2023年第三季度 2/2分"
    assert summary in texts(test)
    assert test.metric[0].value == "第4名"
    rank_axis = figure(test, 1)["layout"]["yaxis"]
    assert rank_axis["range"][0] > rank_axis["range"][1]  # 1 at the top
    assert "未说明50%及以下如何计分" in test.warning[0].value


def test_ledger_lists_26_problems_and_filters_by_category(app):
    test = app("pages/ledger.py")
    assert test.dataframe[0].value["序号"].tolist() == list(range(1, 27))
    assert "共 **26** 个问题，当前显示 **26** 个。" in texts(test)
    tenders = app("pages/ledger.py", ledger_category="招投标")
    assert tenders.dataframe[0].value["序号"].tolist() == [10, 11, 12]
    assert "共 **26** 个问题，当前显示 **3** 个。" in texts(tenders)


def test_catalog_search_finds_supervision_indicators(app):
    test = app("pages/catalog.py", catalog_search="监管")
    names = test.dataframe[0].value["名称"].tolist()
    assert "监管行为推送数据量" in names
    found = test.dataframe[0].value
    assert all("监管" in category + name or "监管" in definition for category, name, definition in
               zip(found["类别"], names, found["定义(口径)"], strict=True))
    assert "没有符合条件的指标" in app("pages/catalog.py", catalog_search="不存在的词").info[-1].value


def test_catalog_search_matches_category_and_every_character_in_order(app):
    names = app("pages/catalog.py", catalog_search="一窗通办占比").dataframe[0].value["名称"].tolist()
    assert names == ["综合窗口可办事项占比(一窗通办)", "一窗通办事项占全部认领事项比例(计算)"]
    # LIKE's wildcards in a search are characters to find, not wildcards.
    assert "没有符合条件的指标" in app("pages/catalog.py", catalog_search="50%_").info[-1].value


def test_catalog_search_finds_an_indicator_by_its_alias_and_shows_the_aliases(app):
    table = app("pages/catalog.py", catalog_search="网办率").dataframe[0].value
    assert table[["名称", "别名"]].values.tolist() == [
        ["圈内通办全程网办比例(计算)", "圈内通办网办率、跨域通办全程网办率"]]
    assert app("pages/catalog.py", catalog_search="省考核得分").dataframe[0].value["名称"].tolist() == [
        "“高效办成一件事”考核“一窗通办”指标得分"]


def test_catalog_hides_codes_until_asked_and_shows_formulas_by_name(app):
    table = app("pages/catalog.py", catalog_search="全程网办比例").dataframe[0].value
    assert "编码" not in table.columns
    assert table["计算公式"].tolist() == ["（通报原值，非计算）", "圈内通办全程网办事项数 ÷ 圈内通办上线事项数 × 100"]
    with_codes = app("pages/catalog.py", catalog_search="全程网办比例", catalog_codes=True).dataframe[0].value
    assert with_codes["编码"].tolist() == ["circle_full_online_opened_rate", "circle_full_online_share"]


def _long_table():
    import pandas as pd

    from ui import common

    common.table(pd.DataFrame({"指标": [f"指标{n}" for n in range(1005)], "数值": range(1005)}))


def test_a_table_longer_than_a_page_shows_its_first_rows_and_says_how_many_there_are():
    from streamlit.testing.v1 import AppTest

    test = AppTest.from_function(_long_table).run()
    assert len(test.dataframe[0].value) == 1000
    assert test.caption[0].value == "共 1,005 行，表中显示前 1,000 行；可用筛选缩小范围，或下载完整表格。"
