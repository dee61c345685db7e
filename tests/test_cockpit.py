"""The cockpit's model (metrics/cockpit.py) on the walk of issue #24 (support.walked_warehouse): 2025Q1, in which
鄂城区's 93% misses the 95% target, 梁子湖区's file was returned and 临空经济区 sent none."""

import datetime as dt

import pytest
from support import load_text, seeded_warehouse

from metrics import cockpit
from metrics.claims import Status
from metrics.cockpit import CellKind, Colour
from metrics.store import open_reader

Q2025_1 = 2025 * 4


@pytest.fixture(scope="module")
def walk_con(walk_db):
    con = open_reader(walk_db)
    yield con
    con.close()


@pytest.fixture(scope="module")
def board(walk_con):
    return cockpit.cockpit(walk_con, Q2025_1)


def shown(cell):
    return (cell.region_name, cell.kind, cell.value_text, cell.quarter_label, cell.status_mark, cell.colour,
            cell.colour_words, cell.change_arrow, cell.change_text, cell.target_text, cell.source)


def test_the_walk_matrix_holds_each_unit_cell_with_its_kind_status_colour_change_and_source(board):
    assert board.quarter_label == "2025年第一季度"
    assert [column.indicator_name for column in board.columns] == ["综合窗口可办事项占比(一窗通办)"]
    assert [unit.region_name for unit in board.units] == ["市本级", "鄂城区", "华容区", "梁子湖区", "葛店经开区",
                                                         "临空经济区"]
    assert [shown(cell) for cell in board.cells] == [
        ("市本级", CellKind.EXACT, "100%", "2025年第一季度", "√ 达标", Colour.MET, "达标", "→", "持平", "≥ 95%",
         "2025年第一季度报表"),
        ("鄂城区", CellKind.EXACT, "93%", "2025年第一季度", "× 未达标", Colour.MISSED, "未达标", "↑",
         "上升3.5个百分点，改善", "≥ 95%", "2025年第一季度报表"),
        ("华容区", CellKind.EXACT, "98.8%", "2025年第一季度", "√ 达标", Colour.MET, "达标", "↑",
         "上升0.2个百分点，改善", "≥ 95%", "华容区政务服务中心2025年一季度报表"),
        # Its latest value, of 2024Q4, with no status of 2025Q1: a returned file publishes nothing.
        ("梁子湖区", CellKind.EARLIER, "96%", "2024年第四季度", "○ 未报送", Colour.NOT_REPORTED, "未报送", "", "—",
         "> 50%", "2024年第四季度报表"),
        ("葛店经开区", CellKind.EXACT, "97.4%", "2025年第一季度", "√ 达标", Colour.MET, "达标", "↑",
         "上升1.2个百分点，改善", "≥ 95%", "2025年第一季度报表"),
        ("临空经济区", CellKind.EARLIER, "86.7%", "2024年第四季度", "○ 未报送", Colour.NOT_REPORTED, "未报送", "", "—",
         "> 50%", "2024年第四季度报表"),
    ]
    assert board.cell("one_window_share", "echeng").value == 93.0


def test_tiles_carry_the_headline_figures_and_their_last_quarters(board):
    tiles = {tile.indicator_id: tile for tile in board.tiles}
    assert list(tiles)[:2] == ["one_window_share", "gxbc_one_window_points"]
    share = tiles["one_window_share"]
    assert (share.region_name, share.value_text, share.quarter_label, share.status, share.change_arrow,
            share.change_text, share.source) == (
        "市本级", "100%", "2025年第一季度", Status.MET, "→", "持平", "2025年第一季度报表")
    assert share.series.to_dict("list") == {"quarter_label": ["2024年第三季度", "2024年第四季度", "2025年第一季度"],
                                            "value": [100.0, 100.0, 100.0], "value_text": ["100%", "100%", "100%"]}
    rank = tiles["supervision_rank"]
    assert (rank.value_text, rank.change_arrow, rank.change_text) == ("第3名", "↑", "上升2位，改善")
    assert rank.series["value"].tolist() == [4.0, 3.0, 5.0, 3.0]
    # A figure of an earlier quarter says so, as 总览's card does.
    modules = tiles["website_modules"]
    assert (modules.value_text, modules.is_current, modules.quarter_label, modules.status) == (
        "7个", False, "2023年第四季度", Status.NOT_REPORTED)
    assert board.assessment == cockpit.AssessmentTile(
        points_text="2/2", is_full=True, points_period="2025年第一季度", points_source="湖北省2025年一季度考核通报",
        rank_text="第3名", rank_period="2025年第一季度", rank_source="2025年第一季度报表")


def test_urgent_lists_the_worst_first_in_attentions_own_words(board):
    assert [(item.finding, item.text, item.region_id) for item in board.urgent] == [
        ("below_target", "鄂城区 综合窗口可办事项占比(一窗通办) 93%，未达到目标（≥ 95%）", "echeng"),
        ("not_reported", "梁子湖区 本季度未报送：综合窗口可办事项占比(一窗通办)", "liangzihu"),
        ("not_reported", "临空经济区 本季度未报送：综合窗口可办事项占比(一窗通办)", "linkong"),
    ]


def test_the_phone_list_puts_the_laggard_first_and_the_units_on_target_last(board):
    listed = cockpit.units_by_severity(board)
    assert [(unit.region_name, [cell.colour for cell in cells]) for unit, cells in listed] == [
        ("鄂城区", [Colour.MISSED]), ("梁子湖区", [Colour.NOT_REPORTED]), ("临空经济区", [Colour.NOT_REPORTED]),
        ("市本级", [Colour.MET]), ("华容区", [Colour.MET]), ("葛店经开区", [Colour.MET])]


def test_a_cells_detail_has_its_trend_ranks_target_source_ledger_items_and_links(walk_con):
    detail = cockpit.cell_detail(walk_con, "one_window_share", "echeng", Q2025_1, today=dt.date(2025, 5, 1))
    assert (detail.cell.value_text, detail.cell.status_words, detail.cell.target_text, detail.cell.source,
            detail.period_label, detail.evidence) == (
        "93%", "未达标", "≥ 95%", "2025年第一季度报表", "2025年第一季度", "—")
    assert detail.trend[["quarter_label", "value_text", "change_text"]].values.tolist() == [
        ["2024年第三季度", "91.2%", "—"], ["2024年第四季度", "89.5%", "下降1.7个百分点，变差"],
        ["2025年第一季度", "93%", "上升3.5个百分点，改善"]]
    assert detail.ranks[["quarter_label", "rank_text"]].values.tolist() == [
        ["2024年第三季度", "第4名/5"], ["2024年第四季度", "第4名/5"], ["2025年第一季度", "第3名/3"]]
    assert detail.ledger_items[["problem_no", "title", "is_overdue"]].values.tolist() == [
        [4, "“一门一窗”政策要求未落实到位", False]]
    assert detail.districts_url == "districts?period=2025Q1&indicator=one_window_share&region=echeng"
    assert detail.trends_url == "trends?period=2025Q1&indicator=one_window_share&region=echeng"


def test_the_detail_of_a_notice_figure_quotes_its_clause(seed_con):
    detail = cockpit.cell_detail(seed_con, "one_window_share", "echeng", 2024 * 4 + 2)
    assert (detail.cell.value_text, detail.cell.source, detail.period_label, detail.evidence) == (
        "90%", "通报二、4 整改情况 二是", "通报时点(未注明日期，按2024-07-26计)", "鄂城区…分别为90%")
    city = cockpit.cell_detail(seed_con, "one_window_share", "city_level", 2024 * 4 + 2)
    assert city.ranks.empty  # 市本级 is not ranked among the districts


PUSH_CSV = """指标名称,地区,期间,数值,限定,来源,依据
监管行为推送数据量,市本级,2025Q1,40000000,,2025年第一季度报表,
监管行为推送数据量,鄂城区,2025Q1,30000000,,2025年第一季度报表,
监管行为推送数据量,华容区,2025Q1,50000000,,2025年第一季度报表,
监管行为推送数据量,梁子湖区,2025Q1,45000000,以上,2025年第一季度报表,
监管行为推送数据量,葛店经开区,2025Q1,40000000,,2025年第一季度报表,
"""


def test_without_a_target_a_cell_is_coloured_against_city_level_and_a_bound_never_as_a_value(tmp_path):
    db = seeded_warehouse(tmp_path / "warehouse.duckdb")
    load_text(db, "推送.csv", PUSH_CSV)
    con = open_reader(db)
    try:
        board = cockpit.cockpit(con, Q2025_1)
    finally:
        con.close()
    row = {cell.region_name: (cell.kind, cell.value_text, cell.status_words, cell.colour, cell.colour_words)
           for cell in board.cells if cell.indicator_id == "supervision_push_volume"}
    assert row == {
        "市本级": (CellKind.EXACT, "4,000万条", "无目标", Colour.CITY, "无目标（市本级为参照）"),
        "鄂城区": (CellKind.EXACT, "3,000万条", "无目标", Colour.WORSE_THAN_CITY, "差于市本级"),
        "华容区": (CellKind.EXACT, "5,000万条", "无目标", Colour.BETTER_THAN_CITY, "好于市本级"),
        "梁子湖区": (CellKind.BOUND, "≥ 4,500万条", "无目标", Colour.BOUND, "无目标"),
        "葛店经开区": (CellKind.EXACT, "4,000万条", "无目标", Colour.LEVEL_WITH_CITY, "与市本级持平"),
        "临空经济区": (CellKind.NOT_REPORTED, "未报送", "未报送", Colour.NOT_REPORTED, "未报送"),
    }
