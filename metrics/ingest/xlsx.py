"""An uploaded .xlsx read with bounded work: the archive checked first, then the sheet XML streamed.

openpyxl trusts a sheet's declared <dimension> and fills every gap it declares, so a few kilobytes
can ask for billions of cells. Here nothing declared is trusted: the zip's central directory and
member sizes are checked before anything is decompressed, and the XML is parsed as a stream with
limits on rows, columns, cells and expanded text (a shared string counts every time a cell uses it).
Cells are given as the text Excel shows: cached values, never formulas, never external links.
"""

import datetime as dt
import functools
import io
import math
import posixpath
import re
import struct
import types
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from xml.parsers import expat

from metrics import config
from metrics.errors import UserFacingError


# Excel's own grid: a cell beyond it cannot come from Excel.
@functools.cache
def _openpyxl() -> types.SimpleNamespace:
    """openpyxl's number formats and Excel dates, imported when the first workbook is read: the import
    costs 0.1 s that a CSV load and every other command would pay."""
    from openpyxl.styles import numbers
    from openpyxl.utils import datetime as dates

    return types.SimpleNamespace(numbers=numbers, dates=dates)


EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
# A workbook is a handful of members per sheet; thousands are not a spreadsheet.
MAX_SHEETS = 100
MAX_ARCHIVE_MEMBERS = 1_000
MAX_CENTRAL_DIRECTORY_BYTES = 1 * 2**20
# Sheet XML compresses 5–50:1; a deflate bomb reaches 1000:1. Small members may compress as they like.
MAX_COMPRESSION_RATIO = 200
RATIO_CHECKED_ABOVE_BYTES = 1 * 2**20
MAX_CELL_FORMATS = 65_536  # Excel allows 64,000 cell formats
# Work and memory per upload: a workbook just under every default costs about 2 s of CPU and 170 MiB of
# RSS, a refusal at most about as much (tests/test_hostile_uploads.py measures both).
DEFAULT_MAX_MEMBER_MB = 128

CHUNK_BYTES = 2**20
_WORKSHEET_RELATION = "/worksheet"


@dataclass(frozen=True)
class Limits:
    max_expanded_mb: float
    max_member_mb: float
    max_cells: int
    max_text_chars: int

    @classmethod
    def from_environment(cls) -> "Limits":
        """The limits the settings give (metrics.config)."""
        return cls(
            max_expanded_mb=config.MAX_XLSX_EXPANDED_MB.value(),
            max_member_mb=DEFAULT_MAX_MEMBER_MB,
            max_cells=config.MAX_UPLOAD_CELLS.value(),
            max_text_chars=config.MAX_UPLOAD_TEXT_CHARS.value(),
        )


class NotAWorkbook(Exception):
    """A zip archive that holds no workbook."""


class DamagedWorkbook(Exception):
    """A workbook that cannot be read."""


def refusal(what: str) -> str:
    """The one line a user reads when an upload is over a limit."""
    return f"文件过大或结构异常：{what}，已拒绝"


class UploadRefused(UserFacingError):
    """An upload over a limit; the message is one Chinese line for the user."""

    def __init__(self, what: str):
        super().__init__(refusal(what))


# What a damaged archive or XML raises while it is read; all mean the same to users.
_DAMAGE = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,  # an encrypted member
    expat.ExpatError,
    KeyError,
    IndexError,
    ValueError,
    struct.error,
)

Rows = Iterator[tuple[int, dict[int, str]]]  # Excel row number → {0-based column: text}, non-empty rows


def sheets(data: bytes) -> Iterator[tuple[str, str, Rows]]:
    """(name, state, rows) of each worksheet in workbook order; rows are read when iterated.

    Raises NotAWorkbook, UploadRefused or DamagedWorkbook, also while rows are iterated.
    """
    limits = Limits.from_environment()
    try:
        archive = open_archive(data, limits)
        if "xl/workbook.xml" not in archive.NameToInfo:
            raise NotAWorkbook
        workbook = _Workbook(archive, limits)
        for name, state, path in workbook.sheet_paths():
            yield name, state, _damage_reported(workbook.rows(path))
    except _DAMAGE as error:
        raise DamagedWorkbook from error


def _damage_reported(rows: Rows) -> Rows:
    """The rows, read outside sheets()'s own try: damage found in them is reported the same way."""
    try:
        yield from rows
    except _DAMAGE as error:
        raise DamagedWorkbook from error


def open_archive(data: bytes, limits: Limits) -> zipfile.ZipFile:
    """The zip archive, or UploadRefused over a member, size or compression limit (also .docx notices)."""
    # ZipFile builds an object per directory entry before any check could run: bound the directory first.
    entries, directory_bytes = _central_directory(data)
    if entries > MAX_ARCHIVE_MEMBERS:
        raise UploadRefused(f"压缩包部件超过 {MAX_ARCHIVE_MEMBERS} 个上限")
    if directory_bytes > MAX_CENTRAL_DIRECTORY_BYTES:
        raise UploadRefused(f"压缩包目录超过 {MAX_CENTRAL_DIRECTORY_BYTES // 2**20} MiB 上限")
    archive = zipfile.ZipFile(io.BytesIO(data))
    members = archive.infolist()
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise UploadRefused(f"压缩包部件超过 {MAX_ARCHIVE_MEMBERS} 个上限")
    for member in members:
        if member.file_size > limits.max_member_mb * 2**20:
            raise UploadRefused(f"压缩包中有部件解压后超过 {limits.max_member_mb:g} MiB 上限")
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_CHECKED_ABOVE_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise UploadRefused(f"压缩比 {ratio:.0f}:1 超过 {MAX_COMPRESSION_RATIO}:1 上限")
    if sum(member.file_size for member in members) > limits.max_expanded_mb * 2**20:
        raise UploadRefused(f"解压后大小超过 {limits.max_expanded_mb:g} MiB 上限")
    return archive


_END_OF_DIRECTORY = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"


def _central_directory(data: bytes) -> tuple[int, int]:
    """Entry count and byte size of the zip's central directory, found as zipfile finds it."""
    end = len(data) - 22
    if data[end : end + 4] != _END_OF_DIRECTORY:
        end = data.rfind(_END_OF_DIRECTORY, max(0, len(data) - 22 - 65_535))
    if end < 0:
        raise zipfile.BadZipFile("no end of central directory")
    if data[max(0, end - 20) : end - 16] == _ZIP64_LOCATOR:
        return MAX_ARCHIVE_MEMBERS + 1, 0  # a zip64 workbook would be gigabytes, far over the upload limit
    entries, directory_bytes = struct.unpack_from("<HI", data, end + 10)
    return entries, directory_bytes


class _LocalNames(dict):
    """Expat's "namespace local" names to local ones, each split once."""

    def __missing__(self, name: str) -> str:
        local = self[name] = name.rpartition(" ")[2]
        return local


class _Workbook:
    """The parts every sheet needs: sheet list, shared strings, number formats, date epoch."""

    def __init__(self, archive: zipfile.ZipFile, limits: Limits):
        self.archive = archive
        self.limits = limits
        self.cells_read = 0
        self.text_chars = 0
        self.tags = _LocalNames()
        self._sheets, self.epoch = _workbook_sheets(self._elements("xl/workbook.xml"))
        self._targets = _relations(self._elements("xl/_rels/workbook.xml.rels"))
        self.shared_strings = self._shared_strings()
        self.number_kinds = self._number_kinds()

    def _member(self, path: str) -> str | None:
        return path if path in self.archive.NameToInfo else None

    def _parse(self, path: str | None, start, end, text) -> Iterator[None]:
        """Stream a member through expat with these handlers; yields after each chunk.

        The handlers get expat's "namespace local" names: self.tags[name] is the local one.
        """
        if path is None:
            return
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.buffer_size = CHUNK_BYTES

        def refuse_doctype(*_):
            # A spreadsheet never declares a DTD; entities declared in one are how XML bombs expand.
            raise UploadRefused("文件含有 XML 文档类型声明(DTD)")

        parser.StartDoctypeDeclHandler = refuse_doctype
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = text
        with self.archive.open(path) as member:
            while chunk := member.read(CHUNK_BYTES):
                # Expat holds a whole tag in memory: a chunk without one ">" is part of a tag (or text) over a
                # MiB, which no spreadsheet writes (a cell holds 32,767 characters).
                if len(chunk) == CHUNK_BYTES and b">" not in chunk:
                    raise UploadRefused("有超过 1 MiB 的单个 XML 标签或文字")
                parser.Parse(chunk, False)
                yield
            parser.Parse(b"", True)
            yield

    def _elements(self, path: str | None) -> Iterator[tuple[str, dict]]:
        """(local tag name, attributes) of each element of a member, in document order."""
        events: list[tuple[str, dict]] = []
        tags = self.tags
        for _ in self._parse(
            path, lambda name, attributes: events.append((tags[name], attributes)), lambda name: None, lambda text: None
        ):
            yield from events
            events.clear()

    def sheet_paths(self) -> Iterator[tuple[str, str, str]]:
        for name, state, relation in self._sheets:
            target, kind = self._targets.get(relation, ("", ""))
            if kind.endswith(_WORKSHEET_RELATION):  # chart sheets hold no cells
                yield name, state, _member_path(target)

    def _count_text(self, chars: int) -> None:
        self.text_chars += chars
        if self.text_chars > self.limits.max_text_chars:
            raise UploadRefused(f"展开后的文字超过 {self.limits.max_text_chars:,} 字上限")

    def _shared_strings(self) -> list[str]:
        strings: list[str] = []
        pieces: list[str] = []
        in_text = False
        phonetic_depth = table_chars = 0
        tags, limits = self.tags, self.limits

        def start(name, attributes):
            nonlocal in_text, phonetic_depth
            tag = tags[name]
            if tag == "t":
                in_text = True
            elif tag == "rPh":  # phonetic guides are not part of the text
                phonetic_depth += 1

        def end(name):
            nonlocal in_text, phonetic_depth
            tag = tags[name]
            if tag == "t":
                in_text = False
            elif tag == "rPh":
                phonetic_depth -= 1
            elif tag == "si":
                # As openpyxl reads it: the escape of a literal "_x…_" loses its "x005F_".
                strings.append("".join(pieces).replace("x005F_", ""))
                pieces.clear()
                if len(strings) > limits.max_cells:
                    raise UploadRefused(f"共享字符串超过 {limits.max_cells:,} 个上限")

        def text(data):
            nonlocal table_chars
            if in_text and not phonetic_depth:
                pieces.append(data)
                table_chars += len(data)
                if table_chars > limits.max_text_chars:
                    raise UploadRefused(f"共享字符串超过 {limits.max_text_chars:,} 字上限")

        for _ in self._parse(self._member("xl/sharedStrings.xml"), start, end, text):
            pass
        return strings

    def _number_kinds(self) -> list[str]:
        """How each cell style shows a number: as a date, a duration, a percentage or plainly."""
        custom: dict[int, str] = {}
        kinds: list[str] = []
        in_cell_formats = False
        for tag, attributes in self._elements(self._member("xl/styles.xml")):
            if tag == "numFmt":
                custom[int(attributes.get("numFmtId", -1))] = attributes.get("formatCode", "")
            elif tag == "cellXfs":
                in_cell_formats = True
            elif tag == "cellStyleXfs":
                in_cell_formats = False
            elif tag == "xf" and in_cell_formats:
                number_format = int(attributes.get("numFmtId", 0))
                builtin = _openpyxl().numbers.BUILTIN_FORMATS.get(number_format, "")
                kinds.append(_number_kind(custom.get(number_format) or builtin))
                if len(kinds) > MAX_CELL_FORMATS:
                    raise UploadRefused(f"单元格格式超过 {MAX_CELL_FORMATS:,} 个上限")
        return kinds

    def rows(self, path: str) -> Rows:
        """The sheet's non-empty rows, in file order, with the row numbers the file gives."""
        finished: list[tuple[int, dict[int, str]]] = []
        value: list[str] = []
        max_cells, columns, tags = self.limits.max_cells, _COLUMNS, self.tags
        # Where the parse stands, shared by the three handlers (plain variables: this runs per cell).
        row_number = rows_in_sheet = phonetic_depth = 0
        column = -1
        cell: dict | None = None
        cells: dict[int, str] = {}
        collecting = False  # inside a cell's <v>, or the text of its inline string

        def start(name, attributes):
            nonlocal row_number, rows_in_sheet, phonetic_depth, column, cell, collecting
            tag = tags[name]
            if tag == "c":
                reference = attributes.get("r")
                if reference:
                    letters = reference.rstrip("0123456789")
                    column = columns.get(letters)
                    if column is None:
                        column = _column_index(letters)
                else:
                    column += 1
                cell = attributes
                value.clear()
                self.cells_read += 1
                if self.cells_read > max_cells:
                    raise UploadRefused(f"单元格超过 {max_cells:,} 个上限(更大的表请另存为 CSV 载入)")
            elif tag == "v":
                collecting = cell is not None
            elif tag == "row":
                rows_in_sheet += 1
                row_number = int(attributes["r"]) if "r" in attributes else row_number + 1
                if row_number > EXCEL_MAX_ROWS or rows_in_sheet > EXCEL_MAX_ROWS:
                    raise UploadRefused(f"行数超过 Excel 的 {EXCEL_MAX_ROWS:,} 行上限")
                column = -1
            elif tag == "t":
                collecting = cell is not None and not phonetic_depth
            elif tag == "rPh":
                phonetic_depth += 1

        def end(name):
            nonlocal phonetic_depth, cell, cells, collecting
            tag = tags[name]
            if tag == "c":
                if value:
                    text = self._cell_text(cell, "".join(value))
                    if text:
                        cells[column] = text
                cell = None
            elif tag == "v" or tag == "t":
                collecting = False
            elif tag == "row":
                if cells:
                    finished.append((row_number, cells))
                    cells = {}
            elif tag == "rPh":
                phonetic_depth -= 1

        def text(data):
            if collecting:
                value.append(data)
                self._count_text(len(data))

        for _ in self._parse(path, start, end, text):
            yield from finished
            finished.clear()

    def _cell_text(self, cell: dict, written: str) -> str:
        kind = cell.get("t", "n")
        if kind == "n":
            style = int(cell.get("s", 0))
            number_kind = self.number_kinds[style] if style < len(self.number_kinds) else "plain"
            return _number_text(written, number_kind, self.epoch)
        if kind == "s":
            text = self.shared_strings[int(written)]
            self._count_text(len(text))
            return text
        if kind == "b":
            return str(bool(int(written)))
        if kind == "d":
            return _date_text(_openpyxl().dates.from_ISO8601(written))
        return written  # inline and formula strings, errors such as #N/A: as Excel shows them


def _workbook_sheets(events) -> tuple[list[tuple[str, str, str]], dt.datetime]:
    sheet_list = []
    epoch = _openpyxl().dates.WINDOWS_EPOCH
    for tag, attributes in events:
        if tag == "workbookPr" and attributes.get("date1904", "").lower() in ("1", "true"):
            epoch = _openpyxl().dates.MAC_EPOCH
        elif tag == "sheet":
            relation = next((value for key, value in attributes.items() if key.endswith(" id")), "")
            sheet_list.append((attributes.get("name", ""), attributes.get("state", "visible"), relation))
            if len(sheet_list) > MAX_SHEETS:
                raise UploadRefused(f"工作表超过 {MAX_SHEETS} 个上限")
    return sheet_list, epoch


def _relations(events) -> dict[str, tuple[str, str]]:
    return {
        attributes["Id"]: (attributes.get("Target", ""), attributes.get("Type", ""))
        for tag, attributes in events
        if tag == "Relationship" and "Id" in attributes
    }


def _member_path(target: str) -> str:
    """A relationship target as a member name: relative to xl/, or absolute from the archive root."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join("xl", target))


def _column_index(letters: str) -> int:
    """0-based column of a reference's letters, such as "AB" of "AB12"."""
    if not letters.isascii() or not letters.isalpha() or not letters.isupper() or len(letters) > 3:
        raise ValueError(f"bad cell reference {letters!r}")
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    if index > EXCEL_MAX_COLUMNS:
        raise UploadRefused(f"列号超过 Excel 的 {EXCEL_MAX_COLUMNS:,} 列上限")
    return index - 1


# The columns most sheets use, looked up instead of computed for every cell.
_LETTERS = [chr(ord("A") + n) for n in range(26)]
_COLUMNS = {letters: _column_index(letters) for letters in _LETTERS + [a + b for a in _LETTERS for b in _LETTERS]}
_INTEGER = re.compile(r"[+-]?\d+")


def _number_kind(number_format: str) -> str:
    numbers = _openpyxl().numbers
    if numbers.is_date_format(number_format):
        return "duration" if numbers.is_timedelta_format(number_format) else "date"
    return "percent" if "%" in number_format else "plain"


def _number_text(written: str, number_kind: str, epoch: dt.datetime) -> str:
    """A number as Excel shows it: a percent-formatted 0.9747 is 97.47%, a date-formatted serial a date."""
    if number_kind == "plain" and written.isdigit() and written.isascii() and written[0] != "0":
        return written  # the common case, a whole number, as is
    number = float(written)
    if not math.isfinite(number):
        return written  # what was written, so that the value check names it
    if number_kind in ("date", "duration"):
        try:
            return _date_text(_openpyxl().dates.from_excel(number, epoch, timedelta=number_kind == "duration"))
        except (OverflowError, ValueError):
            return "#VALUE!"  # as openpyxl and Excel show a serial outside the calendar
    if number_kind == "percent":
        return f"{round(number * 100, 10):g}%"
    if _INTEGER.fullmatch(written):
        return str(int(written))
    return str(int(number)) if number.is_integer() else repr(number)


def _date_text(value) -> str:
    if isinstance(value, dt.datetime | dt.date):
        # Excel turns a typed 2024-03 into the date 2024-03-01: give the month back.
        return f"{value:%Y-%m}" if value.day == 1 else f"{value:%Y-%m-%d}"
    return str(value)

