"""领导驾驶舱: one quarter on one screen — the matrix of units × headline indicators, a tile per headline
indicator with its last quarters, the provincial assessment, the five most urgent findings, and the detail
behind any cell. Every status, change and source comes from the claims layer and its words (metrics.claims,
metrics.formatting, metrics.attention); this module only places them."""

import datetime as dt
import enum
from dataclasses import dataclass
from urllib.parse import urlencode

import duckdb
import pandas as pd

from metrics import assessment, attention, facts, ledger, periods
from metrics.claims import Change, Direction, Status, change_between, status_in_quarter
from metrics.formatting import (
    NO_CHANGE,
    STATUS_MARK,
    STATUS_NAMES,
    change_arrow,
    evidence_text,
    judged_change_words,
    points_fraction,
    rank_text,
    reference_words,
    source_text,
    target_text,
    value_text,
)
from metrics.store import queries

# The quarters a tile's sparkline spans, and the findings 需关注 lists on the cockpit.
TILE_QUARTERS = 8
URGENT_SHOWN = 5
CITY_LEVEL = "市本级"
# The key to a matrix cell's words, on the screen and on the slides; and 需关注 with nothing in it.
CELL_KEY = "每格：数值、状态（√ 达标 × 未达标 ？无法判定 ○ 未报送）与环比箭头"
NOTHING_URGENT = "本期没有低于目标、明显落后于市本级、较上期变差或未报送的单位。"


class CellKind(enum.StrEnum):
    """What a cell holds: a value of the quarter (exact, or a bound such as "≥ 50%"), an earlier quarter's
    value of a unit that has not reported this one, or nothing at all."""

    EXACT = "exact"
    BOUND = "bound"
    EARLIER = "earlier"
    NOT_REPORTED = "not_reported"
    NO_DATA = "no_data"


class Colour(enum.StrEnum):
    """A cell's colour key: against its target, else (no target) against 市本级 of the same quarter. A bound
    has its own key whatever its status, so that it is never coloured as if it were a value."""

    MET = "met"
    MISSED = "missed"
    UNDECIDED = "undecided"
    BOUND = "bound"
    BETTER_THAN_CITY = "better_than_city"
    WORSE_THAN_CITY = "worse_than_city"
    LEVEL_WITH_CITY = "level_with_city"
    CITY = "city"
    NO_TARGET = "no_target"
    NOT_REPORTED = "not_reported"
    NO_DATA = "no_data"


STATUS_COLOURS = {Status.MET: Colour.MET, Status.MISSED: Colour.MISSED, Status.UNDECIDED: Colour.UNDECIDED}
REFERENCE_COLOURS = {Direction.BETTER: Colour.BETTER_THAN_CITY, Direction.WORSE: Colour.WORSE_THAN_CITY,
                     Direction.UNCHANGED: Colour.LEVEL_WITH_CITY}
# How urgent a colour is: a unit's cells sorted this way give its severity (the phone's list of units).
SEVERITY = (Colour.MISSED, Colour.WORSE_THAN_CITY, Colour.NOT_REPORTED, Colour.UNDECIDED, Colour.BOUND,
            Colour.NO_DATA, Colour.NO_TARGET, Colour.CITY, Colour.LEVEL_WITH_CITY, Colour.BETTER_THAN_CITY,
            Colour.MET)


@dataclass(frozen=True)
class Cell:
    """One indicator × unit of the matrix."""

    indicator_id: str
    indicator_name: str
    region_id: str
    region_name: str
    kind: CellKind
    value: float | None
    value_text: str
    quarter_label: str | None  # the quarter the shown value is of (an earlier one for EARLIER)
    status: Status  # as the claims layer states it
    status_words: str  # its words (formatting.STATUS_NAMES): 达标, 未报送 …
    status_mark: str  # the status with its symbol: "× 未达标"
    colour: Colour
    colour_words: str  # what the colour says: the status, or the comparison with 市本级
    change: Change | None  # 环比, of a value of the quarter only
    change_arrow: str
    change_text: str
    target_text: str
    source: str


@dataclass(frozen=True)
class Column:
    indicator_id: str
    indicator_name: str
    unit: str


@dataclass(frozen=True)
class Unit:
    region_id: str
    region_name: str
    region_level: str


@dataclass(frozen=True)
class Tile:
    """A headline indicator's figure of the quarter (of the widest unit that has one) and its last quarters."""

    indicator_id: str
    indicator_name: str
    region_name: str
    value_text: str
    is_current: bool
    quarter_label: str
    status: Status
    change_arrow: str
    change_text: str
    source: str
    series: pd.DataFrame  # quarter_label, value, value_text: up to TILE_QUARTERS quarters, oldest first


@dataclass(frozen=True)
class AssessmentTile:
    """The provincial assessment's latest reported points and rank up to the quarter, each with its period."""

    points_text: str | None
    is_full: bool
    points_period: str | None
    points_source: str | None
    rank_text: str | None
    rank_period: str | None
    rank_source: str | None


@dataclass(frozen=True)
class Cockpit:
    quarter_index: int
    quarter_label: str
    columns: tuple[Column, ...]
    units: tuple[Unit, ...]
    cells: tuple[Cell, ...]
    tiles: tuple[Tile, ...]
    assessment: AssessmentTile
    urgent: tuple[attention.Finding, ...]

    def cell(self, indicator_id: str, region_id: str) -> Cell:
        return next(cell for cell in self.cells if (cell.indicator_id, cell.region_id) == (indicator_id, region_id))

    def row(self, region_id: str) -> tuple[Cell, ...]:
        return tuple(cell for cell in self.cells if cell.region_id == region_id)


def _missing(value) -> bool:
    return value is None or pd.isna(value)


def _cell(row) -> Cell:
    has_value = not _missing(row.value)
    is_current = has_value and bool(row.is_current)
    is_bound = has_value and row.qualifier not in ("exact", "approx")
    if not has_value:
        kind = CellKind.NO_DATA if row.region_level == CITY_LEVEL else CellKind.NOT_REPORTED
    elif not is_current:
        kind = CellKind.EARLIER
    else:
        kind = CellKind.BOUND if is_bound else CellKind.EXACT
    # A unit without any value of a column: a district is asked for one (未报送, as 区域对比 says); 市本级 is not.
    status = ({CellKind.NO_DATA: Status.NO_DATA, CellKind.NOT_REPORTED: Status.NOT_REPORTED}.get(kind)
              or status_in_quarter(row.status, is_current))
    colour, colour_words = _colour(row, kind, status)
    change = (Change(row.change_vs_previous, row.unit, row.kind, row.better) if is_current else None)
    return Cell(
        indicator_id=row.indicator_id,
        indicator_name=row.indicator_name,
        region_id=row.region_id,
        region_name=row.region_name,
        kind=kind,
        value=float(row.value) if has_value else None,
        value_text=value_text(row.value, row.unit, row.qualifier, row.kind) if has_value else STATUS_NAMES[status],
        quarter_label=row.quarter_label if has_value else None,
        status=status,
        status_words=STATUS_NAMES[status],
        status_mark=STATUS_MARK.get(status, status),
        colour=colour,
        colour_words=colour_words,
        change=change,
        change_arrow=change_arrow(change) if change else "",
        change_text=judged_change_words(change) if change else NO_CHANGE,
        target_text=target_text(row.target_value, row.target_comparator, row.unit, row.kind),
        source=source_text(row.source, row.load_id) if has_value else "—",
    )


def _colour(row, kind: CellKind, status: Status) -> tuple[Colour, str]:
    """The colour key of a cell and the words it stands for."""
    words = STATUS_NAMES[status]
    if kind is CellKind.NO_DATA:
        return Colour.NO_DATA, words
    if kind in (CellKind.NOT_REPORTED, CellKind.EARLIER):
        return Colour.NOT_REPORTED, words
    if kind is CellKind.BOUND:
        return Colour.BOUND, words
    if status in STATUS_COLOURS:
        return STATUS_COLOURS[status], words
    # 无目标: against 市本级 of the same quarter, where the indicator has a better direction.
    if row.region_level == CITY_LEVEL:
        return Colour.CITY, f"{words}（{CITY_LEVEL}为参照）"
    if _missing(row.city_value) or row.city_qualifier not in ("exact", "approx"):
        return Colour.NO_TARGET, words
    against_city = change_between(row.value, row.city_value, row.unit, row.kind, row.better)
    colour = REFERENCE_COLOURS.get(against_city.direction)
    if colour is None:  # no better direction: neither above nor below is good
        return Colour.NO_TARGET, words
    return colour, reference_words(against_city, row.city_name)


def matrix(con: duckdb.DuckDBPyConnection, quarter_index: int) -> tuple[tuple[Column, ...], tuple[Unit, ...],
                                                                       tuple[Cell, ...]]:
    """The matrix of a quarter: its columns (headline indicators with a value of any of its units), its units
    (the districts and 市本级, in region order) and its cells, unit by unit."""
    rows = queries.run(con, "cockpit_matrix", quarter_index=quarter_index)
    columns = tuple(dict.fromkeys(Column(r.indicator_id, r.indicator_name, r.unit) for r in rows.itertuples()))
    units = tuple(dict.fromkeys(Unit(r.region_id, r.region_name, r.region_level) for r in rows.itertuples()))
    return columns, units, tuple(_cell(row) for row in rows.itertuples())


def tiles(con: duckdb.DuckDBPyConnection, quarter_index: int) -> tuple[Tile, ...]:
    """A tile per headline indicator: the 总览 card's figure (facts.headline) and its last TILE_QUARTERS quarters."""
    cards = facts.headline(con, quarter_index)
    series = queries.run(con, "cockpit_tile_series", quarter_index=quarter_index, quarters_shown=TILE_QUARTERS,
                         indicator_ids=cards["indicator_id"].tolist(), region_ids=cards["region_id"].tolist())
    result = []
    for row in cards.itertuples():
        change = Change(row.change_vs_previous if row.is_current else None, row.unit, row.kind, row.better)
        own = series[series["indicator_id"] == row.indicator_id]
        result.append(Tile(
            indicator_id=row.indicator_id,
            indicator_name=row.indicator_name,
            region_name=row.region_name,
            value_text=value_text(row.value, row.unit, row.qualifier, row.kind),
            is_current=bool(row.is_current),
            quarter_label=row.quarter_label,
            status=status_in_quarter(row.status, bool(row.is_current)),
            change_arrow=change_arrow(change),
            change_text=judged_change_words(change),
            source=source_text(row.source, row.load_id),
            series=pd.DataFrame({"quarter_label": own["quarter_label"], "value": own["value"],
                                 "value_text": [value_text(value, row.unit, qualifier, row.kind) for value, qualifier
                                                in zip(own["value"], own["qualifier"], strict=True)]}
                                ).reset_index(drop=True),
        ))
    return tuple(result)


def assessment_tile(con: duckdb.DuckDBPyConnection, quarter_index: int) -> AssessmentTile:
    """The latest reported points and provincial rank up to the quarter, as 总览 shows them."""
    points = assessment.reported_points(con)
    ranks = assessment.reported_ranks(con)
    points = points[points["quarter_index"] <= quarter_index]
    ranks = ranks[ranks["quarter_index"] <= quarter_index]
    latest_points = None if points.empty else points.iloc[-1]
    latest_rank = None if ranks.empty else ranks.iloc[-1]
    return AssessmentTile(
        points_text=None if latest_points is None else points_fraction(latest_points["points"],
                                                                       latest_points["max_points"]),
        is_full=latest_points is not None and bool(latest_points["points"] >= latest_points["max_points"]),
        points_period=None if latest_points is None else latest_points["period_label"],
        points_source=None if latest_points is None else source_text(latest_points["source"],
                                                                      latest_points["load_id"]),
        rank_text=None if latest_rank is None else rank_text(int(latest_rank["rank"])),
        rank_period=None if latest_rank is None else latest_rank["period_label"],
        rank_source=None if latest_rank is None else source_text(latest_rank["source"], latest_rank["load_id"]),
    )


def urgent(con: duckdb.DuckDBPyConnection, quarter_index: int) -> tuple[attention.Finding, ...]:
    """需关注's first URGENT_SHOWN findings, worst first: misses, wide gaps under 市本级, the largest worsenings,
    then who has not reported (attention.summary's order)."""
    found = attention.findings(con, quarter_index, shown_per_finding=URGENT_SHOWN)
    return tuple(attention.summary(found)[:URGENT_SHOWN])


def slides_file_name(quarter_index: int) -> str:
    """导出幻灯片's file: 领导驾驶舱_2025Q1.pptx."""
    return f"领导驾驶舱_{periods.quarter_id(quarter_index)}.pptx"


def cockpit(con: duckdb.DuckDBPyConnection, quarter_index: int) -> Cockpit:
    """Everything the cockpit shows for a quarter."""
    columns, units, cells = matrix(con, quarter_index)
    return Cockpit(quarter_index=quarter_index, quarter_label=periods.quarter_label(quarter_index), columns=columns,
                   units=units, cells=cells, tiles=tiles(con, quarter_index),
                   assessment=assessment_tile(con, quarter_index), urgent=urgent(con, quarter_index))


def units_by_severity(board: Cockpit) -> list[tuple[Unit, tuple[Cell, ...]]]:
    """The units with their cells, the most urgent unit first (its worst cell, then its next, …), each unit's
    cells worst first: the phone's list."""
    def ordered(cells: tuple[Cell, ...]) -> tuple[Cell, ...]:
        return tuple(sorted(cells, key=lambda cell: SEVERITY.index(cell.colour)))

    rows = [(unit, ordered(board.row(unit.region_id))) for unit in board.units]
    return sorted(rows, key=lambda pair: [SEVERITY.index(cell.colour) for cell in pair[1]])


@dataclass(frozen=True)
class CellDetail:
    """What lies behind one cell: its trend and district rank over the quarters, its target, where its value
    comes from, the rectification problems tied to its indicator, and the pages that show it."""

    cell: Cell
    period_label: str | None
    evidence: str
    trend: pd.DataFrame  # quarter_label, value, value_text, change_text: the unit's quarters up to this one
    ranks: pd.DataFrame  # quarter_label, district_rank, rank_text ("第2名/5"): empty for 市本级
    ledger_items: pd.DataFrame  # problem_no, title, status, owner_name, deadline, is_overdue
    districts_url: str
    trends_url: str


def link(page: str, indicator_id: str, region_id: str, quarter_index: int) -> str:
    """A page's URL with the same choice: 'districts?period=2025Q1&indicator=…&region=…'."""
    return f"{page}?" + urlencode({"period": periods.quarter_id(quarter_index), "indicator": indicator_id,
                                   "region": region_id})


def cell_detail(con: duckdb.DuckDBPyConnection, indicator_id: str, region_id: str, quarter_index: int,
                today: dt.date | None = None) -> CellDetail:
    """The detail of one indicator × unit in a quarter (today decides which ledger items are overdue)."""
    row = queries.run(con, "cockpit_matrix", quarter_index=quarter_index)
    row = row[(row["indicator_id"] == indicator_id) & (row["region_id"] == region_id)]
    if row.empty:
        raise KeyError(f"{indicator_id} × {region_id}")
    shown = next(row.itertuples())
    trend = facts.quarter_series(con, indicator_id, (region_id,), quarter_index)
    trend = pd.DataFrame({
        "quarter_label": trend["quarter_label"],
        "value": trend["value"],
        "value_text": [value_text(r.value, r.unit, r.qualifier, r.kind) for r in trend.itertuples()],
        "change_text": [judged_change_words(Change(r.change_vs_previous, r.unit, r.kind, r.better))
                        for r in trend.itertuples()],
    })
    ranks = queries.run(con, "district_ranks", indicator_id=indicator_id, quarter_index=quarter_index)
    ranks = ranks[ranks["region_id"] == region_id]
    ranks = pd.DataFrame({
        "quarter_label": ranks["quarter_label"],
        "district_rank": ranks["district_rank"].astype(int),
        "rank_text": [f"{rank_text(int(r.district_rank))}/{int(r.count_ranked)}" for r in ranks.itertuples()],
    })
    problem_numbers = queries.run(con, "indicator_problems", indicator_id=indicator_id)["problem_no"].tolist()
    items = ledger.working_ledger(con, today or dt.date.today())
    items = items[items["problem_no"].isin(problem_numbers)].assign(
        is_overdue=lambda rows: rows["is_overdue"].fillna(False).astype(bool))
    return CellDetail(
        cell=_cell(shown),
        period_label=None if _missing(shown.period_label) else shown.period_label,
        evidence=evidence_text(shown.evidence, bool(shown.is_derived)) if not _missing(shown.value) else "—",
        trend=trend.reset_index(drop=True),
        ranks=ranks.reset_index(drop=True),
        ledger_items=items[["problem_no", "title", "status", "owner_name", "deadline", "is_overdue"]]
        .reset_index(drop=True),
        districts_url=link("districts", indicator_id, region_id, quarter_index),
        trends_url=link("trends", indicator_id, region_id, quarter_index),
    )



# The cells a text summary names per colour before it only counts the rest.
NAMED_IN_SUMMARY = 5


def matrix_summary(board: Cockpit) -> str:
    """The matrix in words, for a reader who cannot see its colours (the chart's alternative text): how many
    cells of each kind, the most urgent first, naming the first few of each."""
    groups: dict[str, list[Cell]] = {}
    for cell in sorted(board.cells, key=lambda cell: SEVERITY.index(cell.colour)):
        groups.setdefault(cell.colour_words, []).append(cell)
    parts = []
    for words, cells in groups.items():
        named = "、".join(_named(cell) for cell in cells[:NAMED_IN_SUMMARY])
        more = f"等 {len(cells)} 项" if len(cells) > NAMED_IN_SUMMARY else f"{len(cells)} 项"
        parts.append(f"{words} {more}：{named}")
    return (f"{board.quarter_label}，{len(board.units)} 个单位 × {len(board.columns)} 项核心指标。"
            + "；".join(parts) + "。")


def chip_text(cell: Cell) -> str:
    """A cell as a phone's chip: '× 未达标 综合窗口可办事项占比(一窗通办) 93% ↑',
    '○ 未报送 综合窗口可办事项占比(一窗通办)（最近一期：2024年第四季度 96%）'."""
    if cell.kind is CellKind.EARLIER:
        return f"{cell.status_mark} {cell.indicator_name}（最近一期：{cell.quarter_label} {cell.value_text}）"
    if cell.kind in (CellKind.NOT_REPORTED, CellKind.NO_DATA):
        return f"{cell.status_mark} {cell.indicator_name}"
    words = "" if cell.colour_words == cell.status_words else f"（{cell.colour_words}）"
    return f"{cell.status_mark}{words} {cell.indicator_name} {cell.value_text} {cell.change_arrow}".rstrip()


def _named(cell: Cell) -> str:
    if cell.kind is CellKind.EARLIER:
        return f"{cell.region_name} {cell.indicator_name}（最近一期：{cell.quarter_label} {cell.value_text}）"
    if cell.kind in (CellKind.NOT_REPORTED, CellKind.NO_DATA):
        return f"{cell.region_name} {cell.indicator_name}"
    return f"{cell.region_name} {cell.indicator_name} {cell.value_text}"


def tile_summary(tile: Tile) -> str:
    """A tile's figure and trend in words: '… 100%（2025年第一季度，环比持平）；近3个季度：2024年第三季度 100%、…'."""
    change = "" if tile.change_text == NO_CHANGE else f"，环比{tile.change_text}"
    values = "、".join(f"{quarter} {value}" for quarter, value in
                       zip(tile.series["quarter_label"], tile.series["value_text"], strict=True))
    return (f"{tile.region_name} {tile.indicator_name} {tile.value_text}（{tile.quarter_label}{change}）；"
            f"近{len(tile.series)}个季度：{values}")
