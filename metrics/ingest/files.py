"""An uploaded file read into tables of text cells: format by content, encoding, header row, columns."""

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field

import pandas as pd

from metrics import config
from metrics.ingest import xlsx
from metrics.ingest.normalise import match_key

# The file's row number (as Excel numbers it) of each table row, problem and checked observation, and the word
# it is shown under.
ROW = "row_number"
ROW_HEADER = "行"
# A problem of a file: the file's row (empty for a problem of the whole file), the column as the file heads it,
# the cell as typed, and what is wrong; each key under the word a page, a CSV file and a terminal show it by.
PROBLEM_HEADERS = {ROW: ROW_HEADER, "column": "列", "value": "值", "problem": "问题"}
PROBLEM_COLUMNS = list(PROBLEM_HEADERS)
HEADER_SEARCH_ROWS = 20
MAX_CELL_CHARS = 32_767  # what one Excel cell holds
INSTRUCTIONS_SHEET = "说明"

KIND_LABELS = {"regions": "地区", "indicators": "指标", "observations": "观测值"}


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the header the template writes and messages name when the column is missing
    aliases: tuple[str, ...] = ()


COLUMNS = {
    "observations": (
        Column("indicator_id", "指标编码", ("indicator_id", "指标代码", "指标id")),
        Column("indicator_name", "指标名称", ("indicator_name", "指标")),
        Column("region", "地区", ("region", "地区名称", "region_name", "区域")),
        Column("region_id", "地区编码", ("region_id",)),
        Column("period", "期间", ("period", "period_id", "时期", "统计期间", "所属期间")),
        Column("value", "数值", ("value", "值", "指标值")),
        Column("unit", "单位", ("unit",)),
        Column("qualifier", "限定", ("qualifier", "限定词")),
        Column("source", "来源", ("source", "数据来源")),
        Column("evidence", "依据", ("evidence", "原文", "依据/原文")),
    ),
    "regions": (
        Column("region_id", "地区编码", ("region_id", "编码")),
        Column("name", "地区名称", ("name", "名称", "地区")),
        Column("level", "级别", ("level", "层级")),
        Column("parent", "上级地区", ("parent", "parent_id", "上级")),
        Column("sort_order", "排序", ("sort_order", "序号")),
    ),
    "indicators": (
        Column("indicator_id", "指标编码", ("indicator_id", "编码")),
        Column("name", "指标名称", ("name", "名称", "指标")),
        Column("unit", "单位", ("unit",)),
        Column("kind", "类型", ("kind", "指标类型")),
        Column("temporal", "时态", ("temporal",)),
        Column("better", "方向", ("better", "优劣方向")),
        Column("category", "类别", ("category", "分类")),
        Column("definition", "口径", ("definition", "定义")),
        Column("owner", "责任单位", ("owner",)),
        Column("notice_item", "通报条目", ("notice_item",)),
    ),
}

# Each entry is one requirement; a tuple is met by any one of its columns.
REQUIRED = {
    "observations": (
        ("indicator_id", "indicator_name"),
        ("region", "region_id"),
        "period",
        "value",
        "source",
    ),
    "regions": ("region_id", "name", "level", "parent"),
    "indicators": (
        "indicator_id",
        "name",
        "unit",
        "kind",
        "temporal",
        "better",
        "category",
        "definition",
        "owner",
    ),
}

# Columns only a reference-data table has; an observations table has a value column.
_KIND_MARKERS = {"regions": {"level", "parent"}, "indicators": {"kind", "temporal", "better", "definition"}}

ZIP_SIGNATURE = b"PK\x03\x04"
BOM = b"\xef\xbb\xbf"
BLANK = re.compile(rb"\s*(?:" + re.escape(BOM) + rb")?\s*")  # matched in place: strip() would copy the file
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
BINARY_SIGNATURES = (
    (b"\x89PNG", "PNG图片"),
    (b"\xff\xd8\xff", "JPEG图片"),
    (b"GIF8", "GIF图片"),
    (b"%PDF", "PDF文档"),
    (b"\xd0\xcf\x11\xe0", "旧版Office文件(.xls/.doc)"),
    (ZIP_SIGNATURE, "压缩包"),
    (b"Rar!", "压缩包"),
    (b"\x1f\x8b", "压缩包"),
    (b"7z\xbc\xaf", "压缩包"),
)


def _alias_map(kind: str) -> dict[str, str]:
    return {
        match_key(name).lower(): column.key
        for column in COLUMNS[kind]
        for name in (column.key, column.label, *column.aliases)
    }


ALIASES = {kind: _alias_map(kind) for kind in COLUMNS}


@dataclass(frozen=True)
class Table:
    """One sheet (or the CSV) of one kind: text cells under canonical column keys, plus 行."""

    kind: str
    sheet: str | None
    header_row: int
    headers: dict[str, str]  # column key → header text as written in the file
    cells: pd.DataFrame
    name_sheet: bool = False  # several tables in the file: messages name the sheet too

    def column_label(self, key: str) -> str:
        header = self.headers.get(key) or next(c.label for c in COLUMNS[self.kind] if c.key == key)
        return f"{self.sheet}!{header}" if self.name_sheet and self.sheet else header


@dataclass(frozen=True)
class ParsedFile:
    file_name: str
    sha256: str
    size_bytes: int
    tables: tuple[Table, ...] = ()
    problems: pd.DataFrame = field(default_factory=lambda: problems_frame([]))


def problems_frame(records: list[tuple]) -> pd.DataFrame:
    """Problems as (row_number, column, value, problem) records; row_number is empty for the whole file."""
    frame = pd.DataFrame(records, columns=PROBLEM_COLUMNS)
    frame[ROW] = frame[ROW].astype("Int64")
    return frame.astype({"column": "str", "value": "str", "problem": "str"})


def problem_table(problems: pd.DataFrame) -> pd.DataFrame:
    """Problems as users see them, on a page and in a CSV file: headed 行, 列, 值, 问题."""
    return problems.rename(columns=PROBLEM_HEADERS)


def file_problem(message: str) -> pd.DataFrame:
    return problems_frame([(None, "", "", message)])


def max_upload_mb(max_mb: float | None = None) -> float:
    """The configured limit in MiB: the argument, else $METRICS_MAX_UPLOAD_MB (metrics.config)."""
    return config.MAX_UPLOAD_MB.value() if max_mb is None else max_mb


def max_cli_load_mb() -> float:
    """The limit in MiB of a file loaded from the command line ($METRICS_MAX_CLI_LOAD_MB): a million rows in
    the export format are 70–105 MB, far above what a browser should send."""
    return config.MAX_CLI_LOAD_MB.value()


def oversize_message(size_bytes: int, limit_mb: float) -> str:
    """What a file over the upload limit is told (uploads, and notices through metrics.notice)."""
    return f"文件大小 {size_bytes / 2**20:.3g} MiB，超过上限 {limit_mb:g} MiB"


def read_upload(
    file_name: str, data: bytes, kind: str | None = None, max_mb: float | None = None, bounded: bool = True
) -> ParsedFile:
    """Read an uploaded CSV or .xlsx; never raises for bad content, it lists the problems instead.

    bounded: a browser's upload, whose CSV is held to the workbook's cell and text limits as well: validating costs
    about 2.5 KiB of server memory a cell (a 49 MB CSV of 362,740 rows took +857 MiB and 142 s), and a page's
    server is shared. The command line's own files (bounded=False) are limited by their size alone.
    """
    parsed = ParsedFile(file_name, hashlib.sha256(data).hexdigest(), len(data))
    limit_mb = max_upload_mb(max_mb)
    if len(data) > limit_mb * 2**20:
        return _with_problem(parsed, oversize_message(len(data), limit_mb))
    if BLANK.fullmatch(data):
        return _with_problem(parsed, "文件为空")
    if data.startswith(ZIP_SIGNATURE):
        try:
            return _tables_from_sheets(parsed, xlsx.sheets(data), kind)
        except xlsx.NotAWorkbook:
            pass  # some other archive, named below
        except xlsx.UploadRefused as refusal:
            return _with_problem(parsed, str(refusal))
        except xlsx.DamagedWorkbook:
            return _with_problem(parsed, "无法读取 Excel 文件：文件已损坏或不是有效的 .xlsx")
    text, codec = decoded(data)
    binary = next((what for magic, what in BINARY_SIGNATURES if data.startswith(magic)), None)
    # The whole file: a NUL anywhere would be stored, and the export would not load back.
    if binary is None and ("\x00" in text if text is not None else b"\x00" in data):
        binary = "二进制数据"
    if binary:
        return _with_problem(parsed, f"文件内容是{binary}，不是 CSV 文本或 .xlsx 表格")
    if text is None:
        return _with_problem(parsed, "文件编码无法识别：请另存为 UTF-8 或 GB18030(GBK) 编码的 CSV")
    limits = xlsx.Limits.from_environment() if bounded else None
    if limits and len(text) > limits.max_text_chars:
        return _with_problem(parsed, xlsx.refusal(f"文字超过 {limits.max_text_chars:,} 字上限{LARGER_FILES}"))
    return _csv_table(parsed, text, kind, data if codec == "utf-8-sig" else None, limits)


def _with_problem(parsed: ParsedFile, message: str) -> ParsedFile:
    return ParsedFile(parsed.file_name, parsed.sha256, parsed.size_bytes, (), file_problem(message))


def decoded(data: bytes) -> tuple[str | None, str | None]:
    """The text and the codec that read it; UTF-16 is told by its byte-order mark (Excel's "Unicode text")."""
    # UTF-8 before GB18030: UTF-8 bytes read as GB18030 silently become mojibake, never an error.
    for codec in ("utf-16",) if data.startswith(UTF16_BOMS) else ("utf-8-sig", "gb18030"):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    return None, None


def _marker_aliases(kind: str, keys: set[str]) -> set[str]:
    return {alias for alias, key in ALIASES[kind].items() if key in keys}


# Reference-data tables are told apart by columns only they have; observations have a value.
_VALUE_ALIASES = _marker_aliases("observations", {"value"})
_KIND_MARKERS = {
    "regions": _marker_aliases("regions", {"level", "parent"}),
    "indicators": _marker_aliases("indicators", {"kind", "temporal", "better", "definition"}),
}


def _header_kind(cells: list[str], kind: str | None) -> tuple[str, dict[int, str]] | None:
    """The kind of table a row heads and its recognised columns by position, if it is a header."""
    keys = [match_key(cell).lower() for cell in cells]
    if kind is None:
        present = set(keys)
        markers = [k for k, aliases in _KIND_MARKERS.items() if present & aliases]
        kind = markers[0] if markers and not present & _VALUE_ALIASES else "observations"
    recognised = {index: ALIASES[kind][key] for index, key in enumerate(keys) if key in ALIASES[kind]}
    return (kind, recognised) if len(recognised) >= 2 else None


def _find_header(numbered_rows, kind: str | None):
    """The first of the top rows that is a header: (row number, cells, kind, recognised columns)."""
    for number, cells in numbered_rows:
        if number > HEADER_SEARCH_ROWS:
            return None
        found = _header_kind(cells, kind)
        if found:
            return number, cells, *found
    return None


NO_HEADER = f"找不到表头：前{HEADER_SEARCH_ROWS}行中没有可识别的列名(如 指标名称、地区、期间、数值、来源)"
HEADER_ONLY = "文件只有表头，没有数据行"


def _column_positions(header_cells: list[str], recognised: dict[int, str], prefix: str) -> tuple[dict, list]:
    """Column positions by key; a key named twice is a problem (which column would count?)."""
    positions: dict[str, int] = {}
    problems = []
    for index, key in recognised.items():
        if key in positions:
            first, again = header_cells[positions[key]].strip(), header_cells[index].strip()
            problems.append((None, prefix + again, "", f"列“{again}”与列“{first}”重复"))
        else:
            positions[key] = index
    return positions, problems


def _missing_columns(kind: str, positions: dict[str, int], prefix: str) -> list[tuple]:
    labels = {column.key: column.label for column in COLUMNS[kind]}
    problems = []
    for requirement in REQUIRED[kind]:
        options = requirement if isinstance(requirement, tuple) else (requirement,)
        if not any(key in positions for key in options):
            names = "”或“".join(labels[key] for key in options)
            problems.append((None, prefix + labels[options[0]], "", f"缺少必填列“{names}”"))
    return problems


@dataclass(frozen=True)
class _Found:
    """A header found in a sheet, and the text cells below it."""

    sheet: str | None
    header_row: int
    header_cells: list[str]
    kind: str
    recognised: dict[int, str]
    cells: pd.DataFrame

    def overlong_cell(self) -> str | None:
        """The refusal of a cell longer than an Excel cell holds: every later copy would multiply it."""
        for index in self.recognised:
            lengths = self.cells[index].str.len()
            if len(lengths) and lengths.max() > MAX_CELL_CHARS:
                at = lengths.idxmax()
                sheet = f"{self.sheet}!" if self.sheet else ""
                header = self.header_cells[index].strip()
                return xlsx.refusal(
                    f"第{self.cells.at[at, ROW]}行“{sheet}{header}”列有 {lengths[at]:,} 个字符，"
                    f"超过单元格上限 {MAX_CELL_CHARS:,} 个"
                )
        return None

    def table(self, name_sheet: bool) -> tuple[Table, list[tuple]]:
        prefix = f"{self.sheet}!" if name_sheet else ""
        positions, problems = _column_positions(self.header_cells, self.recognised, prefix)
        problems += _missing_columns(self.kind, positions, prefix)
        cells = self.cells.loc[_filled(self.cells), list(positions.values()) + [ROW]].reset_index(drop=True)
        cells.columns = [*positions, ROW]
        headers = {key: self.header_cells[index].strip() for key, index in positions.items()}
        return Table(self.kind, self.sheet, self.header_row, headers, cells, name_sheet), problems


def _filled(cells: pd.DataFrame) -> pd.Series:
    """Rows with something in a recognised column; blank and trailing rows are no data."""
    return cells.drop(columns=ROW).apply(lambda column: column.str.strip() != "").any(axis=1)


def _finish(parsed: ParsedFile, found: list[_Found]) -> ParsedFile:
    if not found:
        return _with_problem(parsed, NO_HEADER)
    for each in found:
        if refusal := each.overlong_cell():
            return _with_problem(parsed, refusal)
    with_rows = [each for each in found if _filled(each.cells).any()]
    tables, problems = [], []
    kinds = [each.kind for each in with_rows]
    for kind in sorted(set(kinds), key=kinds.index):
        if kinds.count(kind) > 1:
            sheets = "、".join(f"“{each.sheet}”" for each in with_rows if each.kind == kind)
            problems.append((None, "", "", f"工作表{sheets}都是{KIND_LABELS[kind]}表，请合并为一个工作表"))
    for each in sorted(with_rows or found, key=lambda f: list(KIND_LABELS).index(f.kind)):
        table, table_problems = each.table(name_sheet=len(with_rows) > 1)
        tables.append(table)
        problems += table_problems
    if not with_rows:
        return ParsedFile(
            parsed.file_name,
            parsed.sha256,
            parsed.size_bytes,
            (),
            problems_frame([*problems, (None, "", "", HEADER_ONLY)]),
        )
    return ParsedFile(
        parsed.file_name, parsed.sha256, parsed.size_bytes, tuple(tables), problems_frame(problems)
    )


def _tables_from_sheets(parsed: ParsedFile, sheets, kind: str | None) -> ParsedFile:
    found = []
    for sheet, state, rows in sheets:
        if state != "visible" or sheet == INSTRUCTIONS_SHEET:
            continue  # never read: hidden sheets hold drop-down lists, 说明 the instructions
        header = _find_header(((number, _row_list(cells)) for number, cells in rows), kind)
        if header:
            header_row, header_cells, table_kind, recognised = header
            cells = _recognised_cells(rows, recognised)
            found.append(_Found(sheet, header_row, header_cells, table_kind, recognised, cells))
    return _finish(parsed, found)


def _row_list(cells: dict[int, str]) -> list[str]:
    return [cells.get(index, "") for index in range(max(cells) + 1)]


def _recognised_cells(rows, recognised: dict[int, str]) -> pd.DataFrame:
    """The rows under the header, keeping only the recognised columns, numbered as in Excel."""
    columns: dict[int, list[str]] = {index: [] for index in recognised}
    numbers = []
    for number, cells in rows:
        if not cells.keys() & columns.keys():
            continue  # nothing in a recognised column: no data
        numbers.append(number)
        for index, column in columns.items():
            column.append(cells.get(index, ""))
    frame = pd.DataFrame(columns, dtype="str")
    frame[ROW] = pd.Series(numbers, dtype="int64")
    return frame


class _LineReader:
    """Lines of a text for csv.reader, remembering where the last line handed out ends.

    Slices of the text itself: a StringIO would hold a second copy, four bytes a character.
    """

    def __init__(self, text: str):
        self.text = text
        self.end = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.end >= len(self.text):
            raise StopIteration
        start, newline = self.end, self.text.find("\n", self.end)
        self.end = len(self.text) if newline < 0 else newline + 1
        return self.text[start : self.end]


BAD_CSV = "CSV 格式有误(可能有未成对的引号)，无法读取"
LARGER_FILES = "(更大的文件请由管理员用命令行 python -m metrics load 载入)"
CSV_CHUNK_ROWS = 10_000  # rows parsed at a time, counted against the cell limit before the next are read


def _numbered_csv_rows(lines: _LineReader):
    for number, cells in enumerate(csv.reader(lines), start=1):
        if len(cells) > xlsx.EXCEL_MAX_COLUMNS:
            raise xlsx.UploadRefused(f"列数超过 {xlsx.EXCEL_MAX_COLUMNS:,} 列上限")
        yield number, cells


def _csv_table(parsed: ParsedFile, text: str, kind: str | None, utf8: bytes | None,
               limits: xlsx.Limits | None) -> ParsedFile:
    """The table of a CSV text; utf8 is the file itself when it is UTF-8, so that its body need not be encoded;
    limits (a browser's upload) bound its cells."""
    lines = _LineReader(text)
    try:
        header = _find_header(_numbered_csv_rows(lines), kind)
        if not header:
            return _finish(parsed, [])
        header_row, header_cells, table_kind, recognised = header
        if utf8 is None:
            body = io.BytesIO(text[lines.end :].encode("utf-8"))
        else:  # the file's own bytes from the header's end on: a BytesIO shares them, a slice would copy them
            body = io.BytesIO(utf8)
            body.seek(len(text[: lines.end].encode("utf-8")) + (len(BOM) if utf8.startswith(BOM) else 0))
        cells = _csv_body(body, len(header_cells), sorted(recognised), header_row, limits and limits.max_cells)
    except (csv.Error, pd.errors.ParserError):
        return _with_problem(parsed, BAD_CSV)
    except xlsx.UploadRefused as refusal:
        return _with_problem(parsed, str(refusal))
    return _finish(parsed, [_Found(None, header_row, header_cells, table_kind, recognised, cells)])


def _csv_body(body: io.BytesIO, width: int, used: list[int], header_row: int, max_cells: int | None) -> pd.DataFrame:
    """The records under the header (UTF-8), by column position; cells past the header's width are ignored.
    With max_cells, the records are read a chunk at a time, and refused as soon as they hold more cells (records
    times the header's width, as a workbook's grid would)."""
    # Bytes, not a StringIO: pandas reads a StringIO through a slow per-chunk re-encoding.
    options = dict(encoding="utf-8", header=None, names=range(width), usecols=used, dtype="str", na_filter=False,
                   skip_blank_lines=False, index_col=False)
    if max_cells is None:
        cells = pd.read_csv(body, **options)
    else:
        chunks, records = [], 0
        with pd.read_csv(body, chunksize=CSV_CHUNK_ROWS, **options) as reader:
            for chunk in reader:
                records += len(chunk)
                if records * width > max_cells:
                    raise xlsx.UploadRefused(f"单元格超过 {max_cells:,} 个上限{LARGER_FILES}")
                chunks.append(chunk)
        cells = pd.concat(chunks) if chunks else pd.read_csv(io.BytesIO(b""), **options)
    cells[ROW] = range(header_row + 1, header_row + 1 + len(cells))
    return cells
