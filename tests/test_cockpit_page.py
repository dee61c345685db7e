"""The 驾驶舱 page (pages/cockpit.py) in AppTest on the walk of issue #24 (support.walked_warehouse), and who
lands on it."""

import json

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from support import APP

from metrics.accounts import Account
from ui import navigation

COCKPIT = "pages/cockpit.py"


def matrix_figure(test) -> dict:
    figures = [json.loads(chart.proto.spec) for chart in test.get("plotly_chart")]
    return next(figure for figure in figures if "核心指标" in figure["layout"]["title"]["text"])


def test_a_leader_lands_on_the_cockpit_and_whoever_enters_data_on_the_overview():
    def landing(role: str) -> str:
        return next(iter(navigation.sections(Account("someone", role, ()), view_open=False).values()))[0].title

    assert [landing(role) for role in ("viewer", "editor", "admin")] == ["驾驶舱", "总览", "总览"]
    # 总览 stays for the leaders too.
    assert "总览" in [page.title for page in navigation.sections(Account("someone", "viewer", ()), False)["指标看板"]]


def test_the_matrix_shows_the_laggard_in_its_status_colour_and_word(app, walk_db):
    test = app(COCKPIT, db=walk_db)
    assert test.title[0].value == "驾驶舱"
    figure = matrix_figure(test)
    cells = figure["data"][0]
    assert cells["text"] == ["<b>100%</b> →<br>√ 达标", "<b>93%</b> ↑<br>× 未达标", "<b>98.8%</b> ↑<br>√ 达标",
                             "○ 未报送<br>96%（2024年第四季度）", "<b>97.4%</b> ↑<br>√ 达标",
                             "○ 未报送<br>86.7%（2024年第四季度）"]
    assert [shape["fillcolor"] for shape in figure["layout"]["shapes"]] == [
        "#d7ecd9", "#f8d3d0", "#d7ecd9", "#fdecc8", "#d7ecd9", "#fdecc8"]
    captions = [caption.value for caption in test.caption]
    # The chart's alternative text under it (ui.common.chart), the most urgent first.
    assert ("图表摘要：2025年第一季度，6 个单位 × 1 项核心指标。"
            "未达标 1 项：鄂城区 综合窗口可办事项占比(一窗通办) 93%；"
            "未报送 2 项：梁子湖区 综合窗口可办事项占比(一窗通办)（最近一期：2024年第四季度 96%）、临空经济区 "
            "综合窗口可办事项占比(一窗通办)（最近一期：2024年第四季度 86.7%）；达标 3 项：市本级 综合窗口可办事项占比"
            "(一窗通办) 100%、华容区 综合窗口可办事项占比(一窗通办) 98.8%、葛店经开区 "
            "综合窗口可办事项占比(一窗通办) 97.4%。"
            ) in [caption.replace("\\", "") for caption in captions]
    assessment = [metric.value for metric in test.metric if metric.label in ("省考核得分", "全省排名")]
    assert assessment == ["2/2 满分", "第3名"]
    assert [link.label for link in test.get("page_link")][-3:] == [
        "鄂城区 综合窗口可办事项占比(一窗通办) 93%，未达到目标（≥ 95%）",
        "梁子湖区 本季度未报送：综合窗口可办事项占比(一窗通办)",
        "临空经济区 本季度未报送：综合窗口可办事项占比(一窗通办)"]


def test_a_chosen_cell_opens_its_detail_and_outlines_its_unit(app, walk_db):
    test = app(COCKPIT, db=walk_db, cockpit_cell=("one_window_share", "echeng"))
    assert test.subheader[0].value == "鄂城区 · 综合窗口可办事项占比(一窗通办)"
    assert [metric.value for metric in test.metric if metric.label == "数值"] == ["93%"]
    assert any("**来源**：2025年第一季度报表" in block.value for block in test.markdown)
    links = {link.label: link.proto.page for link in test.get("page_link")}
    assert {"在区域对比中查看", "在趋势中查看"} <= set(links)
    figure = matrix_figure(test)
    assert figure["layout"]["shapes"][-1]["line"]["width"] == 3  # 鄂城区's row outlined
    assert figure["layout"]["yaxis"]["ticktext"][1] == "<b>鄂城区</b>"
    # Every chart of the detail draws the same unit out: the districts' bars outline it.
    bars = next(json.loads(chart.proto.spec) for chart in test.get("plotly_chart")
                if "排名" in json.loads(chart.proto.spec)["layout"]["title"]["text"]
                and json.loads(chart.proto.spec)["data"][0]["type"] == "bar")
    outlined = [name for name, colour in zip(bars["data"][0]["y"], bars["data"][0]["marker"]["line"]["color"],
                                             strict=True) if colour != "rgba(0,0,0,0)"]
    assert outlined == ["鄂城区"]


def test_the_screen_shows_matrix_and_tiles_only_and_watches_for_a_new_snapshot(walk_db, monkeypatch, tmp_path):
    monkeypatch.setenv("METRICS_DB", str(walk_db))
    monkeypatch.setenv("METRICS_ACCOUNTS", str(tmp_path / "accounts.duckdb"))
    monkeypatch.setenv("METRICS_VIEW_LOGIN", "open")
    st.cache_data.clear()
    st.cache_resource.clear()
    test = AppTest.from_file(APP, default_timeout=30)
    test.query_params["mode"] = "screen"
    test.run()
    test.switch_page(COCKPIT).run()
    assert not test.exception
    assert test.title[0].value == "驾驶舱"
    assert matrix_figure(test)["layout"]["font"]["size"] == 18
    assert not [block for block in test.markdown if "需关注" in block.value]
    assert test.caption[0].value.startswith("报告期：2025年第一季度 · 数据截至 ")


@pytest.mark.slow  # draws the slides' charts through kaleido's Chromium
def test_the_cockpit_exports_its_slides_for_download(app, walk_db):
    """导出幻灯片 makes the CLI's slides of the quarter in a process of its own (as 生成简报 does), then offers them."""
    from io import BytesIO

    from pptx import Presentation

    from ui import briefing

    test = app(COCKPIT, db=walk_db)
    exports = [button for button in test.button if button.key == "brief-pptx"]
    assert [(button.label, button.disabled) for button in exports] == [("导出幻灯片", False)]
    exports[0].click().run()
    assert [button.disabled for button in test.button if button.key == "brief-pptx"] == [True]
    assert test.session_state[briefing.JOB].process.wait(timeout=120) == 0
    test.run()
    assert not test.exception and not test.error
    assert [button.proto.label for button in test.get("download_button") if button.key == "brief-download"] == [
        "下载 领导驾驶舱_2025Q1.pptx"]
    deck = Presentation(BytesIO(test.session_state[briefing.MADE][-1]))
    matrix = next(shape.table for shape in list(deck.slides)[1].shapes if shape.has_table)
    assert [cell.text for cell in matrix.rows[2].cells] == ["鄂城区", "93% ↑\n× 未达标"]
