"""The brief's document model: headings, paragraphs, tables and figures with their source notes,
which metrics.briefing.docx and metrics.briefing.pdf typeset; and what every part of a brief shares
(its formats, its name, its error)."""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import pandas as pd

from metrics import periods
from metrics.formatting import evidence_text, inert, source_text, value_text
from metrics.warehouse import WarehouseError

BUREAU = "鄂州市数据局"
TITLE = "政务服务指标季度简报"
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
    """The brief as typeset: title block lines, the running header, and the body."""

    masthead: str
    title: str
    subtitle: str
    facts_line: str
    header: str
    blocks: tuple
    file_stem: str


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
    """Source notes numbered in order of first mention: one per observation (indicator, region,
    period), with its period, value, source locator and the notice's own words."""

    rows: dict = field(default_factory=dict)

    def ref(self, row: Mapping) -> int:
        key = (row["indicator_id"], row["region_id"], row["period_id"])
        if key not in self.rows:
            self.rows[key] = (len(self.rows) + 1, row)
        return self.rows[key][0]

    def refs(self, rows) -> tuple[int, ...]:
        return tuple(sorted({self.ref(row) for row in rows}))

    def mark(self, row: Mapping) -> str:
        return f"[{self.ref(row)}]"

    def table(self) -> Table:
        return Table(
            ("注", "指标", "地区", "期间", "数值", "来源", "原文摘录"),
            tuple(
                (str(number), row["indicator_name"], row["region_name"], row["period_label"], value_of(row),
                 source_text(row["source"], row.get("load_id")),
                 evidence_text(row.get("evidence"), bool(row.get("is_derived"))))
                for number, row in self.rows.values()
            ),
        )


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
                   header=inert(document.header), blocks=tuple(map(_inert_block, document.blocks)))
