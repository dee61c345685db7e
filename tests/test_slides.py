"""导出幻灯片 (issue #25 item 4) on the walk of issue #24 (support.walked_warehouse), 2025Q1: the .pptx opens with
python-pptx and its slides say exactly the cockpit model's numbers and words — the matrix as a native table in
the screen's colours, a slide per headline indicator with its chart and tile sentence, 需关注 — and the CLI writes
it, refusing a quarter without data as `brief` does."""

from io import BytesIO

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.oxml.ns import qn

from metrics import charts, cockpit, slides
from metrics.briefing import images
from metrics.cli import main
from metrics.formatting import STATUS_MARK
from metrics.store import open_reader

Q2025_1 = 2025 * 4


@pytest.fixture(scope="module")
def made(walk_db):
    con = open_reader(walk_db)
    try:
        name, data = slides.slides_bytes(con, "2025Q1")
        board = cockpit.cockpit(con, Q2025_1)
    finally:
        con.close()
        images.stop_chart_server()
    return name, Presentation(BytesIO(data)), board


def texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def table_of(slide):
    return next(shape.table for shape in slide.shapes if shape.has_table)


def test_the_title_slide_names_the_quarter_and_the_data_version(made):
    name, deck, _ = made
    assert name == "领导驾驶舱_2025Q1.pptx"
    assert (deck.slide_width, deck.slide_height) == (slides.SLIDE_WIDTH, slides.SLIDE_HEIGHT)
    title, = texts(deck.slides[0])
    assert title.splitlines()[:2] == ["政务服务指标 · 领导驾驶舱", "2025年第一季度"]
    assert title.splitlines()[2].startswith("数据截至 ") and title.splitlines()[2].endswith("（第 4 次变更）")


def test_the_matrix_is_a_native_table_with_the_screens_words_and_colours(made):
    _, deck, board = made
    slide = deck.slides[1]
    assert texts(slide)[0] == "核心指标 · 各区（功能区）与市本级 · 2025年第一季度"
    table = table_of(slide)
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows == [
        ["单位", "综合窗口可办事项占比(一窗通办)"],
        ["市本级", "100% →\n√ 达标"],
        ["鄂城区", "93% ↑\n× 未达标"],
        ["华容区", "98.8% ↑\n√ 达标"],
        ["梁子湖区", "○ 未报送\n96%（2024年第四季度）"],
        ["葛店经开区", "97.4% ↑\n√ 达标"],
        ["临空经济区", "○ 未报送\n86.7%（2024年第四季度）"],
    ]
    # The same words as the model's cells, in its order of units.
    assert rows[1:] == [[unit.region_name, "\n".join(slides.cell_lines(cell))]
                        for unit in board.units for cell in board.row(unit.region_id)]
    fills = {row[0]: str(table.cell(index, 1).fill.fore_color.rgb) for index, row in enumerate(rows) if index}
    assert fills == {"市本级": "D7ECD9", "鄂城区": "F8D3D0", "华容区": "D7ECD9", "梁子湖区": "FDECC8",
                     "葛店经开区": "D7ECD9", "临空经济区": "FDECC8"}
    assert fills["鄂城区"] == charts.CELL_FILLS[cockpit.Colour.MISSED].removeprefix("#").upper()
    # Chinese text is set in an East Asian typeface, not left to the Latin one.
    run = table.cell(2, 1).text_frame.paragraphs[0].runs[0]
    assert run._r.rPr.find(qn("a:ea")).get("typeface") == slides.CJK_FONT


def test_each_headline_indicator_has_a_slide_with_its_chart_and_the_tiles_sentence(made):
    _, deck, board = made
    shown = list(deck.slides)[2:-1]
    assert len(shown) == len(board.tiles) == 12
    for slide, tile in zip(shown, board.tiles, strict=True):
        assert texts(slide) == [f"{tile.indicator_name} · 2025年第一季度",
                                f"{cockpit.tile_summary(tile)}\n状态：{STATUS_MARK[tile.status]} · 来源：{tile.source}"]
        picture, = [shape for shape in slide.shapes if shape.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert picture.image.content_type == "image/png" and picture.image.size[0] == 2000
    assert texts(shown[0])[1] == (
        "市本级 综合窗口可办事项占比(一窗通办) 100%（2025年第一季度，环比持平）；近3个季度：2024年第三季度 100%、"
        "2024年第四季度 100%、2025年第一季度 100%\n状态：√ 达标 · 来源：2025年第一季度报表")
    assert texts(shown[6])[1] == (
        "鄂州市 监管行为推送数据量 4,100万条（2025年第一季度，环比增加200万条，改善）；近4个季度："
        "2023年第三季度 ≥ 3,427万条、2024年第三季度 3,600万条、2024年第四季度 3,900万条、2025年第一季度 4,100万条\n"
        "状态：— 无目标 · 来源：2025年第一季度报表")


def test_the_last_slide_lists_the_cockpits_urgent_findings_worst_first(made):
    _, deck, board = made
    title, findings = texts(deck.slides[-1])
    assert title == "需关注 · 2025年第一季度"
    assert findings.splitlines() == [
        "1. 鄂城区 综合窗口可办事项占比(一窗通办) 93%，未达到目标（≥ 95%）",
        "2. 梁子湖区 本季度未报送：综合窗口可办事项占比(一窗通办)",
        "3. 临空经济区 本季度未报送：综合窗口可办事项占比(一窗通办)",
    ]
    assert findings.splitlines() == [f"{number}. {finding.text}" for number, finding in enumerate(board.urgent, 1)]


def test_cli_writes_the_slides_and_refuses_a_quarter_without_data(walk_db, tmp_path, capsys):
    out = tmp_path / "驾驶舱.pptx"
    assert main(["slides", "--db", str(walk_db), "--period", "2026Q1", "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        "错误：2026年第一季度在数据仓库中没有数据"
        "（有数据的季度：2025Q1、2024Q4、2024Q3、2023Q4、2023Q3、2023Q2、2023Q1）\n")
    assert list(tmp_path.iterdir()) == []
    assert main(["slides", "--db", str(walk_db), "--period", "2025Q1", "--out", str(out)]) == 0
    assert capsys.readouterr().err == f"已生成幻灯片 {out}\n"
    deck = Presentation(out)
    assert [shape.text_frame.text for shape in deck.slides[-1].shapes][0] == "需关注 · 2025年第一季度"
    assert oct(out.stat().st_mode & 0o777) == "0o644"


def test_text_from_files_is_written_inert():
    """A name with a line break and a bidi override reads on one line, in its order, as on the screen."""
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[slides.BLANK_LAYOUT])
    slides._text_box(slide, [("甲\n# 乙\u202e丙", 12, False, slides.TEXT_COLOR), ("丁", 12, True, slides.TEXT_COLOR)],
                     0, 100)
    assert texts(slide) == ["甲 # 乙丙\n丁"]
