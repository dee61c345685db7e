"""A notice's proposals as rows a person reviews, and the accepted rows as an upload (issue #23).

The 通报导入 page shows review_rows in a table, where each row is accepted, edited or rejected; to_upload turns the
accepted rows (and the indicators an admin adds from rows) into the workbook a department would send, so that
they go through the same read_upload → validate → load (or review) path as a file: one reversible load,
journaled and audited, with an editor's scope applied.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass

import duckdb
import pandas as pd

from metrics import exporting
from metrics.formatting import QUALIFIER_LABEL
from metrics.ingest import normalise, notice
from metrics.ingest.files import COLUMNS, PROBLEM_HEADERS, ROW_HEADER
from metrics.store import queries

PENDING, ACCEPT, REJECT = "待定", "采纳", "不采纳"
DECISIONS = (PENDING, ACCEPT, REJECT)
EVIDENCE_CHARS = 40
# What the reader says (notice.QUALIFIERS) in the words an upload's 限定 column reads. The warehouse has no
# "under" (不足5分钟): such a row keeps its word, which validation refuses until a person picks another.
QUALIFIER_WORDS = {
    "exact": QUALIFIER_LABEL["exact"],
    "at_least": QUALIFIER_LABEL["at_least"],
    "over": QUALIFIER_LABEL["more_than"],
    "at_most": QUALIFIER_LABEL["at_most"],
    "approx": QUALIFIER_LABEL["approx"],
    "under": "不足(低于)",
}
QUALIFIER_CHOICES = (*QUALIFIER_LABEL.values(), QUALIFIER_WORDS["under"])
REVIEW_COLUMNS = ["序号", "处理", "原文", "指标", "地区", "期间", "数值", "限定", "说明", "来源", "依据"]
EDITABLE_COLUMNS = ("处理", "指标", "地区", "期间", "数值", "限定")
NUMBER = "序号"
OBSERVATIONS_SHEET, INDICATORS_SHEET = "观测值", "指标"


@dataclass(frozen=True)
class Choices:
    """What the warehouse offers a notice's rows, by name: the catalog the reader matches words against,
    loadable indicators, regions and stored periods, and the indicators' categories and usual owner."""

    catalog: notice.Catalog
    indicator_names: dict[str, str]  # indicator_id → name
    region_names: dict[str, str]  # region_id → name
    period_labels: dict[tuple[str, str], str]  # (start date or "", end date) in ISO → label
    categories: tuple[str, ...]
    usual_owner: str


def choices(con: duckdb.DuckDBPyConnection) -> Choices:
    indicators = queries.run(con, "ingest_indicators")
    loadable = indicators[~indicators["is_derived"].astype(bool) & indicators["formula"].fillna("").eq("")]
    aliases = queries.run(con, "notice_indicator_aliases").groupby("indicator_id")["alias"].apply(tuple)
    regions = queries.run(con, "regions")
    region_names = dict(zip(regions["region_id"], regions["name"], strict=True))
    # The names a notice calls regions by (全市, 我局) are the command's, from data/seed/ (README); only those of
    # regions this warehouse has.
    written = [(name, region_id) for name, region_id in notice.seed_catalog().region_names if region_id in region_names]
    periods = queries.run(con, "ingest_periods")
    period_labels = {
        (_iso(start), _iso(end)): label
        for start, end, label in zip(periods["start_date"], periods["end_date"], periods["label"], strict=True)
    }
    return Choices(
        catalog=notice.Catalog(
            tuple(notice.Indicator(row.indicator_id, row.unit, row.kind, (row.name, *aliases.get(row.indicator_id, ())),
                                   row.definition) for row in loadable.itertuples()),
            tuple((name, region_id) for region_id, name in region_names.items()) + tuple(written),
        ),
        indicator_names=dict(zip(loadable["indicator_id"], loadable["name"], strict=True)),
        region_names=region_names,
        period_labels=period_labels,
        categories=tuple(sorted(indicators["category"].dropna().unique())),
        usual_owner=indicators["owner"].mode().iloc[0] if len(indicators) else "",
    )


def _iso(date) -> str:
    return "" if date is None or pd.isna(date) else pd.Timestamp(date).date().isoformat()


def review_rows(document: notice.Document, proposals: list[notice.Proposal], offered: Choices) -> pd.DataFrame:
    """One row a proposal, every one 待定 until a person decides, with the indicator, region and period by name
    where the warehouse has them (else empty, to choose), its source (the notice's title and locator) and its
    evidence (the clause, at most EVIDENCE_CHARS characters)."""
    return pd.DataFrame(
        [
            (
                number,
                PENDING,
                proposal.text,
                offered.indicator_names.get(proposal.indicator_id),
                offered.region_names.get(proposal.region),
                period_label(proposal, offered),
                proposal.value,
                QUALIFIER_WORDS[proposal.qualifier],
                _note(proposal, offered),
                source(document, proposal),
                evidence(document.text, proposal.start, proposal.end),
            )
            for number, proposal in enumerate(proposals, start=1)
        ],
        columns=REVIEW_COLUMNS,
    )


def period_options(rows: pd.DataFrame, offered: Choices) -> list[str]:
    """The periods a row may name: the stored ones, then the calendar ones the rows name that a load would
    create (as a file's 2024Q3 would be)."""
    stored = list(dict.fromkeys(offered.period_labels.values()))
    return stored + [label for label in dict.fromkeys(rows["期间"].dropna()) if label not in stored]


def period_label(proposal: notice.Proposal, offered: Choices) -> str | None:
    """The stored period with the proposal's dates, else the calendar quarter, month or year they span;
    None where the text gives no year or a span no period has."""
    if not proposal.period_end:
        return None
    if stored := offered.period_labels.get((proposal.period_start, proposal.period_end)):
        return stored
    if not proposal.period_start:
        return None
    start, end = dt.date.fromisoformat(proposal.period_start), dt.date.fromisoformat(proposal.period_end)
    candidates = [normalise.year(start.year), normalise.month(start.year, start.month)]
    if start.month % 3 == 1:
        candidates.append(normalise.quarter(start.year, start.month // 3 + 1))
    return next((period.label for period in candidates if (period.start_date, period.end_date) == (start, end)), None)


def _note(proposal: notice.Proposal, offered: Choices) -> str:
    notes = []
    if proposal.role == "earlier":
        notes.append("变化前的数值")
    if period_label(proposal, offered) is None:
        notes.append(f"期间：{proposal.period_label}")
    if not proposal.indicator_id:
        notes.append(f"未匹配指标（{proposal.subject or proposal.unit or '无说明'}）")
    if proposal.qualifier == "under":
        notes.append("仓库没有“不足”限定，请改选")
    return "；".join(notes)


def source(document: notice.Document, proposal: notice.Proposal) -> str:
    """The notice's title with the figure's locator (二、4 整改情况 二是)."""
    return " ".join(part for part in (document.title or "通报", proposal.locator) if part)


def evidence(text: str, start: int, end: int, limit: int = EVIDENCE_CHARS) -> str:
    """The clause of the figure text[start:end], cut to limit characters around it, most of them before it
    (where a clause says what it counts)."""
    clause_start = max(text.rfind(mark, 0, start) for mark in notice.CLAUSE_END) + 1
    ends = [found for mark in notice.CLAUSE_END if (found := text.find(mark, end)) >= 0]
    clause_end = min(ends, default=len(text))
    before, figure, after = text[clause_start:start], text[start:end], text[end:clause_end]
    room = max(0, limit - len(figure))
    kept_after = after[: min(len(after), room // 4)] if len(before) + len(after) > room else after
    kept_before = before[len(before) - (room - len(kept_after)) :] if room > len(kept_after) else ""
    return " ".join((kept_before + figure + kept_after).split())[:limit]


@dataclass(frozen=True)
class NewIndicator:
    """An indicator an admin adds from a row no catalog indicator matches; kind, temporal and better as codes."""

    name: str
    unit: str
    kind: str
    category: str
    temporal: str
    better: str
    owner: str


@dataclass(frozen=True)
class Upload:
    file_name: str
    content: bytes  # the workbook, as a clerk's file is kept for review
    numbers: dict[str, dict[int, int]]  # sheet → its row number → the review row's 序号


def to_upload(document: notice.Document, rows: pd.DataFrame, added: dict[int, NewIndicator]) -> Upload:
    """The accepted rows as the template's 观测值 sheet, with an 指标 sheet for the indicators added from
    rows (added: 序号 → indicator, which names that row's indicator)."""
    accepted = rows[rows["处理"] == ACCEPT]
    labels = {column.key: column.label for column in COLUMNS["observations"]}
    observations = pd.DataFrame({
        labels["indicator_name"]: [added[n].name if n in added else (name or "")
                                   for n, name in zip(accepted[NUMBER], accepted["指标"], strict=True)],
        labels["region"]: accepted["地区"].fillna(""),
        labels["period"]: accepted["期间"].fillna(""),
        labels["value"]: accepted["数值"].fillna("").astype(str),
        labels["qualifier"]: accepted["限定"].fillna(""),
        labels["source"]: accepted["来源"],
        labels["evidence"]: accepted["依据"],
    })
    sheets = {OBSERVATIONS_SHEET: observations}
    numbers = {OBSERVATIONS_SHEET: dict(enumerate(accepted[NUMBER], start=2))}
    new = {}
    for number in accepted[NUMBER]:
        if number in added:
            new.setdefault(added[number].name, number)
    if new:
        sheets[INDICATORS_SHEET] = _indicator_sheet(rows.set_index(NUMBER), added, new)
        numbers[INDICATORS_SHEET] = dict(enumerate(new.values(), start=2))
    title = document.title or "通报"
    return Upload(f"通报导入：{title[:60]}", exporting.xlsx_bytes(sheets), numbers)


def _indicator_sheet(rows: pd.DataFrame, added: dict[int, NewIndicator], new: dict[str, int]) -> pd.DataFrame:
    labels = {column.key: column.label for column in COLUMNS["indicators"]}
    records = []
    for number in new.values():
        indicator, row = added[number], rows.loc[number]
        records.append({
            labels["indicator_id"]: indicator_id(indicator.name),
            labels["name"]: indicator.name,
            labels["unit"]: indicator.unit,
            labels["kind"]: indicator.kind,
            labels["temporal"]: indicator.temporal,
            labels["better"]: indicator.better,
            labels["category"]: indicator.category,
            labels["definition"]: f"据通报：{row['依据']}",
            labels["owner"]: indicator.owner,
        })
    return pd.DataFrame(records)


def indicator_id(name: str) -> str:
    """An id for an indicator added from a notice: its name's digest, so that the same name gets the same id."""
    return "notice_" + hashlib.sha256(name.strip().encode()).hexdigest()[:10]


def numbered(frame: pd.DataFrame, upload: Upload, sheet: str | None = None) -> pd.DataFrame:
    """A table about the upload's rows (行) by the review table's 序号 instead: validation problems (sheet None,
    the sheet told by the column, 指标!名称, where there are two) or a preview of one sheet's rows."""
    several = len(upload.numbers) > 1

    def number(row, column: str):
        if pd.isna(row):
            return pd.NA
        named = sheet or (column.split("!", 1)[0] if several and "!" in column else OBSERVATIONS_SHEET)
        return upload.numbers.get(named, {}).get(int(row), pd.NA)

    columns = frame[PROBLEM_HEADERS["column"]] if sheet is None else [""] * len(frame)
    numbers = [number(row, column) for row, column in zip(frame[ROW_HEADER], columns, strict=True)]
    shown = frame.drop(columns=ROW_HEADER)
    shown.insert(0, NUMBER, pd.array(numbers, dtype="Int64"))
    return shown
