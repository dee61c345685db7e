"""导出幻灯片: a quarter's 驾驶舱 as a .pptx for a 调度会 — a title slide with the quarter, the matrix as a native
table (each cell's words as the screen draws them, filled with the screen's colour), one slide per headline
indicator (its chart through kaleido, as the brief draws its charts, and the tile's sentence) and one for 需关注.
Every number and word comes from the cockpit model (metrics.cockpit), so the slides say what the screen says."""

import re
from html import unescape
from io import BytesIO

import duckdb
import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from metrics import charts, cockpit, facts
from metrics.briefing import gather, images
from metrics.formatting import STATUS_MARK, inert

TITLE = "政务服务指标 · 领导驾驶舱"
URGENT_TITLE = "需关注"
MATRIX_TITLE = "核心指标 · 各区（功能区）与市本级"
# 16:9, PowerPoint's default widescreen.
SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
# The typeface PowerPoint and WPS use for Chinese (a:ea); a viewer without it substitutes its own CJK face.
CJK_FONT = "Microsoft YaHei"
TEXT_COLOR = "1f2430"
MUTED_COLOR = "5b6170"
BLANK_LAYOUT = 6


def _font(run, size: int, bold: bool = False, color: str = TEXT_COLOR) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = RGBColor.from_string(color)
    run.font.name = CJK_FONT
    properties = run._r.get_or_add_rPr()
    properties.append(properties.makeelement(qn("a:ea"), {"typeface": CJK_FONT}))


def _paragraphs(frame, lines: list[tuple[str, int, bool, str]]) -> None:
    """Lines of (text, size, bold, colour) as the frame's paragraphs, wrapped within it; each line inert, as the
    screen shows text from files (no line break inside it, no bidi control reordering it)."""
    frame.word_wrap = True
    for index, (text, size, bold, color) in enumerate(lines):
        run = (frame.paragraphs[0] if index == 0 else frame.add_paragraph()).add_run()
        run.text = inert(text)
        _font(run, size, bold, color)


def _text_box(slide, lines: list[tuple[str, int, bool, str]], top: Emu, height: Emu) -> None:
    box = slide.shapes.add_textbox(MARGIN, top, SLIDE_WIDTH - 2 * MARGIN, height)
    _paragraphs(box.text_frame, lines)


def _slide(deck, title: str, quarter_label: str):
    """A blank slide headed by its title and the quarter."""
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])
    _text_box(slide, [(f"{title} · {quarter_label}", 26, True, TEXT_COLOR)], Inches(0.3), Inches(0.8))
    return slide


def _title_slide(deck, board: cockpit.Cockpit, status: dict) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])
    _text_box(slide, [(TITLE, 40, True, TEXT_COLOR), (board.quarter_label, 32, False, TEXT_COLOR),
                      (f"数据截至 {status['loaded_at']:%Y-%m-%d %H:%M}（第 {status['load_id']} 次变更）", 16, False,
                       MUTED_COLOR)], Inches(2.4), Inches(3))


def cell_lines(cell: cockpit.Cell) -> list[str]:
    """A matrix cell's lines as the screen's matrix draws them (charts.cell_label), as plain text."""
    return [unescape(re.sub(r"</?b>", "", line)) for line in charts.cell_label(cell).split("<br>")]


def _matrix_slide(deck, board: cockpit.Cockpit) -> None:
    slide = _slide(deck, MATRIX_TITLE, board.quarter_label)
    if not board.columns:
        _text_box(slide, [(f"{board.quarter_label}及以前，各区（功能区）与市本级都没有核心指标的数值。", 18, False,
                           TEXT_COLOR)], Inches(1.3), Inches(1))
        return
    top, height = Inches(1.2), SLIDE_HEIGHT - Inches(2.1)
    rows, columns = len(board.units) + 1, len(board.columns) + 1
    table = slide.shapes.add_table(rows, columns, MARGIN, top, SLIDE_WIDTH - 2 * MARGIN, height).table
    size = 14 if columns <= 5 else 11
    header = ["单位", *(column.indicator_name for column in board.columns)]
    column_at = {column.indicator_id: index for index, column in enumerate(board.columns, start=1)}
    text_color = charts.CELL_TEXT_COLOR.removeprefix("#")
    for index, text in enumerate(header):
        _paragraphs(table.cell(0, index).text_frame, [(text, size, True, "ffffff")])
    for row, unit in enumerate(board.units, start=1):
        _paragraphs(table.cell(row, 0).text_frame, [(unit.region_name, size, True, TEXT_COLOR)])
        table.cell(row, 0).fill.solid()
        table.cell(row, 0).fill.fore_color.rgb = RGBColor.from_string("f5f6f8")
        for cell in board.row(unit.region_id):
            shown = table.cell(row, column_at[cell.indicator_id])
            first, *rest = cell_lines(cell)
            _paragraphs(shown.text_frame, [(first, size, True, text_color),
                                           *((line, size - 2, False, text_color) for line in rest)])
            shown.fill.solid()
            shown.fill.fore_color.rgb = RGBColor.from_string(charts.CELL_FILLS[cell.colour].removeprefix("#"))
    _text_box(slide, [(f"{cockpit.CELL_KEY}；界限值（如“≥ 50%”）不按数值着色；无目标的指标与市本级比较。", 12, False,
                       MUTED_COLOR)], SLIDE_HEIGHT - Inches(0.8), Inches(0.5))


def _indicator_figure(con: duckdb.DuckDBPyConnection, board: cockpit.Cockpit, tile: cockpit.Tile,
                      region_id: str) -> go.Figure:
    """The indicator's chart: the districts' ranking of the quarter (区域对比's) where districts report it, else
    the trend of the unit its tile shows (趋势's), drawn with Plotly's own template (images.PRINT_TEMPLATE)."""
    if tile.indicator_id in {column.indicator_id for column in board.columns}:
        districts, missing, references = facts.split_comparison(
            facts.region_comparison(con, tile.indicator_id, board.quarter_index))
        figure = charts.region_bars(districts, missing, references, board.quarter_label)
    else:
        figure = charts.trend_lines(facts.series(con, tile.indicator_id, (region_id,), board.quarter_index))
    return figure.update_layout(template=images.PRINT_TEMPLATE)


def _indicator_slide(deck, board: cockpit.Cockpit, tile: cockpit.Tile, picture: bytes, height: int) -> None:
    slide = _slide(deck, tile.indicator_name, board.quarter_label)
    _text_box(slide, [(cockpit.tile_summary(tile), 16, True, TEXT_COLOR),
                      (f"状态：{STATUS_MARK[tile.status]} · 来源：{tile.source}", 12, False,
                       MUTED_COLOR)], Inches(1.1), Inches(1))
    room = SLIDE_HEIGHT - Inches(2.3)
    width = min(SLIDE_WIDTH - 2 * MARGIN, int(room * images.CHART_WIDTH / height))
    slide.shapes.add_picture(BytesIO(picture), int((SLIDE_WIDTH - width) / 2), Inches(2.2), width=width)


def _urgent_slide(deck, board: cockpit.Cockpit) -> None:
    slide = _slide(deck, URGENT_TITLE, board.quarter_label)
    lines = [(f"{number}. {finding.text}", 20, False, TEXT_COLOR) for number, finding in
             enumerate(board.urgent, start=1)] or [(cockpit.NOTHING_URGENT, 20, False, TEXT_COLOR)]
    _text_box(slide, lines, Inches(1.3), SLIDE_HEIGHT - Inches(1.8))


def slides_bytes(con: duckdb.DuckDBPyConnection, quarter_id: str) -> tuple[str, bytes]:
    """The file name and bytes of a quarter's slides, as the CLI writes them and 驾驶舱 serves them; a quarter
    without data is refused as a brief's is (briefing.gather.resolve: BriefError, one line)."""
    index, _ = gather.resolve(con, quarter_id, None)  # bad input fails before Chromium starts
    images.start_chart_server()
    board = cockpit.cockpit(con, index)
    headline = facts.headline(con, index).set_index("indicator_id")["region_id"]
    figures = [_indicator_figure(con, board, tile, headline[tile.indicator_id]) for tile in board.tiles]
    pictures = images.chart_images(figures)
    deck = Presentation()
    deck.slide_width, deck.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    _title_slide(deck, board, facts.data_status(con))
    _matrix_slide(deck, board)
    for tile, figure, picture in zip(board.tiles, figures, pictures, strict=True):
        _indicator_slide(deck, board, tile, picture, figure.layout.height)
    _urgent_slide(deck, board)
    out = BytesIO()
    deck.save(out)
    return cockpit.slides_file_name(index), out.getvalue()
