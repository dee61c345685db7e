"""The brief's document model: headings, paragraphs, tables and figures with their source notes,
which metrics.briefing.docx and metrics.briefing.pdf typeset; and what every part of a brief shares
(its formats, its name, its error)."""

import datetime as dt
import functools
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import pandas as pd

from metrics import periods
from metrics.formatting import evidence_text, inert, source_text, value_text
from metrics.store.warehouse import WarehouseError

BUREAU = "鄂州市数据局"
TITLE = "政务服务指标季度简报"
# A brief is for the bureau's own meetings: marked as such at the top left of its first page (GB/T 9704's 份号
# and 密级 place), and signed by the bureau with the date it was made (落款).
MARKING = "内部资料"
# The typefaces of a 公文 (GB/T 9704) by role, each with the names it goes by, most usual first; the first
# installed one is used, else the Noto CJK fallback (Debian's fonts-noto-cjk) last in the list.
TYPEFACES = {
    "title": ("方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "Noto Serif CJK SC"),
    "body": ("仿宋_GB2312", "仿宋", "FangSong", "方正仿宋_GBK", "FZFangSong-Z02S", "Noto Serif CJK SC"),
    "heading": ("黑体", "SimHei", "方正黑体_GBK", "FZHei-B01S", "Noto Sans CJK SC"),
    "subheading": ("楷体_GB2312", "楷体", "KaiTi", "方正楷体_GBK", "FZKai-Z03S", "Noto Serif CJK SC"),
    "table": ("Noto Sans CJK SC",),
}
# Type sizes in points by role, as GB/T 9704 sets them: the title in 2号 (22 pt), the body and its headings in
# 3号 (16 pt); the tables in 8 pt and their notes and captions in 小五 (9 pt), where a 3号 table would not fit the
# page and the body would run past three pages.
SIZES = {"title": 22, "body": 16, "heading": 16, "subheading": 16, "table": 8, "small": 9}

# The formats a brief is typeset in (metrics.briefing.output.renderer), and what `brief --format` accepts.
FORMATS = ("docx", "pdf")

# Text from users or files shows in a brief's body up to TEXT_SHOWN characters and whole in its
# appendix: WeasyPrint lays a long text out in a table cell in time that grows faster than its length
# (a 4,000-character region name took 132 s, a 20,000-character 依据 over 400 s).
TEXT_SHOWN = 80
# The columns of a brief's data that hold such text: names, sources, excerpts.
LONG_TEXT_COLUMNS = ("name", "region_name", "region", "indicator_name", "reference_name", "scheme_name",
                     "item_name", "source", "evidence", "category", "status", "rule_partial_note")
# Any table cell, such as a sentence of the app's that quotes a name, is cut at CELL_SHOWN characters.
CELL_SHOWN = 160
# The region's name in a file name: a file system takes 255 bytes, three per Chinese character.
FILE_NAME_SHOWN = 20


class BriefError(WarehouseError):
    """Input a brief cannot be made from; the message is one line of Chinese for the user."""


@dataclass(frozen=True)
class Clause:
    """A sentence of the summary and the rows its figures come from (each becomes a note)."""

    text: str
    sources: tuple[Mapping, ...] = ()


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    """Runs of text, each followed by its note numbers; small is for notes under a table."""

    runs: tuple[tuple[str, tuple[int, ...]], ...]
    small: bool = False


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Figure:
    png: bytes
    caption: str


@dataclass(frozen=True)
class Document:
    """The brief as typeset: its marking and title block, the running header, the body, the signature
    (issuer and date) that closes the body, and the appendix, which starts on a page of its own."""

    masthead: str
    title: str
    subtitle: str
    facts_line: str
    header: str
    blocks: tuple
    file_stem: str
    created: dt.datetime
    appendix: tuple = ()
    marking: str = MARKING
    issuer: str = BUREAU

    @property
    def signed(self) -> str:
        """The date under the issuer, in Arabic numerals as GB/T 9704 writes it: 2025年4月8日."""
        return f"{self.created.year}年{self.created.month}月{self.created.day}日"

    @property
    def full_title(self) -> str:
        """The title in the files' metadata."""
        return f"{self.title}（{self.subtitle}）"


@dataclass
class LongTexts:
    """Texts longer than TEXT_SHOWN, numbered in order of first cut: the body shows their start and
    number, the appendix (附：长文本全文) the whole text."""

    texts: dict = field(default_factory=dict)

    def bounded(self, text, shown: int = TEXT_SHOWN):
        if not isinstance(text, str) or len(text) <= shown:
            return text
        number = self.texts.setdefault(text, len(self.texts) + 1)
        return f"{text[:shown]}…（全文见附录{number}）"

    def frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        columns = [column for column in LONG_TEXT_COLUMNS if column in frame]
        return frame.assign(**{column: frame[column].map(self.bounded) for column in columns})

    def table(self, table: Table) -> Table:
        return replace(table, rows=tuple(tuple(self.bounded(cell, CELL_SHOWN) for cell in row) for row in table.rows))

    def blocks(self) -> list:
        if not self.texts:
            return []
        return [Heading("附：长文本全文"),
                Paragraph(((f"正文和表中超过{TEXT_SHOWN}字的名称、来源和原文摘录只列前{TEXT_SHOWN}字，"
                            f"超过{CELL_SHOWN}字的表格内容只列前{CELL_SHOWN}字，并注明附录号；全文如下。", ()),),
                          small=True),
                *(Paragraph(((f"附录{number}：{text}", ()),), small=True) for text, number in self.texts.items())]


@dataclass
class Notes:
    """Source notes, one per source (a notice's item, a sender's report, a computation), numbered in
    order of first mention: a sentence citing ten figures of one report cites it once. Each note
    lists the observations (indicator, region, period) the brief took from its source."""

    sources: dict = field(default_factory=dict)

    def ref(self, row: Mapping) -> int:
        label = source_text(row["source"], row.get("load_id"))
        number, rows = self.sources.setdefault(label, (len(self.sources) + 1, {}))
        rows.setdefault((row["indicator_id"], row["region_id"], row["period_id"]), row)
        return number

    def refs(self, rows) -> tuple[int, ...]:
        return tuple(sorted({self.ref(row) for row in rows}))

    def mark(self, row: Mapping) -> str:
        return note_marks((self.ref(row),))

    def table(self) -> Table:
        """The notes by source: its number and name on the first of its rows only."""
        return Table(
            ("注", "来源", "指标", "地区", "期间", "数值", "原文摘录"),
            tuple(
                ("" if position else note_marks((number,)), "" if position else label, row["indicator_name"],
                 row["region_name"], row["period_label"], value_of(row),
                 evidence_text(row.get("evidence"), bool(row.get("is_derived"))))
                for label, (number, rows) in self.sources.items()
                for position, row in enumerate(rows.values())
            ),
        )


def note_marks(numbers) -> str:
    """Note numbers as one mark, a run of consecutive numbers as a range: '[1]', '[1,2]', '[1–4,7]'; '' for none."""
    runs: list[list[int]] = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    if not runs:
        return ""
    return "[" + ",".join(str(first) if last == first else f"{first},{last}" if last == first + 1
                         else f"{first}–{last}" for first, last in runs) + "]"


@functools.cache
def _installed_families() -> frozenset[str]:
    try:
        listed = subprocess.run(["fc-list", "--format", "%{family}\\n"], capture_output=True, text=True,
                                timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(name.strip() for line in listed.splitlines() for name in line.split(","))


def typeface(role: str) -> str:
    """The font of a role (TYPEFACES): the first of its names installed here, else its Noto CJK fallback."""
    names = TYPEFACES[role]
    return next((name for name in names if name in _installed_families()), names[-1])


def scheme_of_year(row: Mapping) -> str:
    """A provincial assessment's name with the year of the score or rank it carries: a later year's ranks
    are reported under the 2023 scheme ('2025年全省“互联网+监管”考核')."""
    return f"{int(row['quarter_index']) // 4}年{row['scheme_name']}"


def value_of(row: Mapping) -> str:
    return value_text(row["value"], row["unit"], row["qualifier"], row["kind"])


def file_stem(quarter_index: int, region_name: str | None) -> str:
    """The brief's file name without its suffix: 政务服务指标季度简报_2024Q3[_临空经济区]."""
    region = f"_{inert(region_name)[:FILE_NAME_SHOWN]}" if region_name else ""
    return f"{TITLE}_{periods.quarter_id(quarter_index)}{region}"


def _inert_block(block):
    if isinstance(block, Heading):
        return replace(block, text=inert(block.text))
    if isinstance(block, Paragraph):
        return replace(block, runs=tuple((inert(text), numbers) for text, numbers in block.runs))
    if isinstance(block, Table):
        return replace(block, columns=tuple(map(inert, block.columns)),
                       rows=tuple(tuple(map(inert, row)) for row in block.rows))
    return replace(block, caption=inert(block.caption))


def inert_document(document: Document) -> Document:
    """Every text of the document on one line and without bidi controls (formatting.inert): a name
    with U+202E would otherwise turn the brief's own sentence after it backwards."""
    return replace(document, masthead=inert(document.masthead), title=inert(document.title),
                   subtitle=inert(document.subtitle), facts_line=inert(document.facts_line),
                   header=inert(document.header), blocks=tuple(map(_inert_block, document.blocks)),
                   appendix=tuple(map(_inert_block, document.appendix)))
