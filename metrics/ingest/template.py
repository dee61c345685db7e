"""The Excel template people fill in: observations, new regions, new indicators, with drop-downs."""

import io

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from metrics.exporting import neutralised
from metrics.ingest.files import COLUMNS, INSTRUCTIONS_SHEET, KIND_LABELS
from metrics.ingest.validation import INDICATOR_VOCABULARY, REGION_LEVELS
from metrics.store import queries

LISTS_SHEET = "下拉选项"
# The indicator sheet's headers, which also name its drop-down lists ("可选类型", not "可选kind").
HEADERS = {column.key: column.label for column in COLUMNS["indicators"]}
DATA_ROWS = 5000  # rows the drop-downs cover
# The columns each sheet offers, in order; ids are optional where a name identifies the row.
SHEET_COLUMNS = {
    "observations": (
        "indicator_name", "region", "period", "value", "unit", "qualifier", "source", "evidence",
    ),
    "regions": ("region_id", "name", "level", "parent", "sort_order"),
    "indicators": (
        "indicator_id", "name", "unit", "kind", "temporal", "better", "category", "definition", "owner",
        "notice_item",
    ),
}  # fmt: skip
INSTRUCTIONS = (
    "数据载入模板使用说明",
    "",
    "1. “观测值”表：每行一个数值。必填：指标名称、地区、期间、数值、来源；",
    "   单位、限定、依据可不填。",
    "   期间可写 2024Q1、2024年第一季度、2024-03、2024年3月、2024年；",
    "   新的季度、月份、年份载入时自动建立。",
    "   数值可写 97.47%、1,234、3427万、1.2亿、3427万条以上；",
    "   限定可写 以上、不少于、超过、以内、约、均达…以上。",
    "   计算指标(如各类比例)由数据自动计算，不必也不能填写。",
    "2. “地区”表：新增地区(如乡镇街道)时填写。地区编码用小写字母、数字、下划线；",
    "   乡镇街道的上级应为区或功能区。",
    "3. “指标”表：新增指标时填写。类型：比率/数量/名次/得分/时长；",
    "   时态：存量/流量/水平；方向：越高越好/越低越好/无。",
    "4. 不需要的表留空即可；表头行上方可以加标题行，表头不要改名。",
    "5. 载入前系统会逐行校验，列出全部问题(行号与本表一致)；与已有数据不同的行需确认“替换”后才会覆盖。",
)


def template_bytes(con: duckdb.DuckDBPyConnection) -> bytes:
    """The .xlsx template with drop-down lists drawn from the warehouse."""
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = INSTRUCTIONS_SHEET
    for line in INSTRUCTIONS:
        _append(instructions, [line])
    instructions["A1"].font = Font(bold=True, size=14)
    instructions.column_dimensions["A"].width = 110

    for kind in ("observations", "regions", "indicators"):
        sheet = workbook.create_sheet(KIND_LABELS[kind])
        labels = {column.key: column.label for column in COLUMNS[kind]}
        _append(sheet, [labels[key] for key in SHEET_COLUMNS[kind]])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            sheet.column_dimensions[cell.column_letter].width = 18
        sheet.freeze_panes = "A2"
    for kind, list_ranges in _lists_sheet(workbook, con).items():
        for key, list_range in list_ranges.items():
            _drop_down(workbook[KIND_LABELS[kind]], SHEET_COLUMNS[kind].index(key), list_range)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _lists_sheet(workbook: Workbook, con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """A hidden sheet of choices; returns, per sheet kind and column, the range a drop-down uses."""
    choices = queries.run(con, "ingest_template_lists")
    columns = {
        ("observations", "indicator_name"): (
            "可选指标",
            list(choices[choices.list_name == "indicator"].choice),
        ),
        ("observations", "region"): ("可选地区", list(choices[choices.list_name == "region"].choice)),
        ("observations", "qualifier"): ("可选限定", ["精确", "以上", "超过", "以内", "约", "均达以上"]),
        ("regions", "level"): ("可选级别", list(REGION_LEVELS)),
        ("regions", "parent"): ("可选上级", list(choices[choices.list_name == "region"].choice)),
        **{
            ("indicators", field): (f"可选{HEADERS[field]}", [words[0] for words in vocabulary.values()])
            for field, vocabulary in INDICATOR_VOCABULARY.items()
        },
    }
    sheet = workbook.create_sheet(LISTS_SHEET)
    sheet.sheet_state = "hidden"
    ranges: dict[str, dict[str, str]] = {}
    for number, ((kind, key), (heading, values)) in enumerate(columns.items(), start=1):
        letter = sheet.cell(row=1, column=number, value=neutralised(heading)).column_letter
        for row, value in enumerate(values, start=2):
            # Names come from uploads: "=HYPERLINK(…)" must stay text, never become a live formula.
            sheet.cell(row=row, column=number, value=neutralised(value))
        ranges.setdefault(kind, {})[key] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _append(sheet, values: list) -> None:
    """A row of values; text that would read as a formula is neutralised as in every export."""
    sheet.append([neutralised(value) for value in values])


def _drop_down(sheet, column_index: int, list_range: str) -> None:
    # A warning, not a stop: a name the file's own 地区/指标 sheet adds is not in the list yet.
    validation = DataValidation(
        type="list", formula1=f"={list_range}", allow_blank=True, errorStyle="warning"
    )
    validation.error = "不在可选列表中；如为新增地区或指标，请同时填写“地区”或“指标”表"
    validation.errorTitle = "请确认"
    letter = sheet.cell(row=1, column=column_index + 1).column_letter
    validation.add(f"{letter}2:{letter}{DATA_ROWS + 1}")
    sheet.add_data_validation(validation)
