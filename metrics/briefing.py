"""季度简报: a quarter's briefing for a leadership meeting, as a document model of headings,
paragraphs, tables and charts that metrics.briefing_docx and metrics.briefing_pdf typeset.

Everything in it comes from the warehouse; the summary is a pure function of the data read
(summary_clauses), and says a thing only where the data hold it."""

import os
import shutil
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from html import unescape
from pathlib import Path

import duckdb
import kaleido
import pandas as pd
import plotly.graph_objects as go

from metrics import assessment, attention, charts, facts, ledger, periods, queries, scoring
from metrics.claims import Change, Direction, change_between, status_in_quarter
from metrics.formatting import (
    NO_CHANGE,
    STATUS_MARK,
    delta_text,
    evidence_text,
    inert,
    judged_change_words,
    points_fraction,
    rank_text,
    source_text,
    source_texts,
    target_text,
    value_text,
)
from metrics.warehouse import WarehouseError

BUREAU = "鄂州市数据局"
TITLE = "政务服务指标季度简报"
NOTICE = "鄂州市数据局巡察整改进展通报（2024-07-26）"
CHROMIUM = "/usr/bin/chromium"
# Charts are drawn 800 px wide and scaled 2.5×: 2000 px across a 160 mm text block is ≈ 300 dpi.
CHART_WIDTH = 800
CHART_SCALE = 2.5
TRENDS_SHOWN = 4
STATUS_ORDER = ["达标", "未达标", "无法判定", "无目标"]
FORMATS = ("docx", "pdf")
_CHART_LOCK = threading.Lock()


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
                (str(number), row["indicator_name"], row["region_name"], row["period_label"], _value(row),
                 source_text(row["source"], row.get("load_id")),
                 evidence_text(row.get("evidence"), bool(row.get("is_derived"))))
                for number, row in self.rows.values()
            ),
        )


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _value(row: Mapping) -> str:
    return value_text(row["value"], row["unit"], row["qualifier"], row["kind"])


# ---------------------------------------------------------------------------------------------
# Reading the warehouse


@dataclass(frozen=True)
class BriefData:
    """What a brief is made of, read once for one quarter and optionally one region."""

    quarter_index: int
    region_id: str | None
    region_name: str | None
    quarters: pd.DataFrame
    headline: pd.DataFrame
    facts: pd.DataFrame
    previous_facts: pd.DataFrame
    findings: pd.DataFrame
    comparison: pd.DataFrame | None
    series: tuple[pd.DataFrame, ...]
    points: pd.DataFrame
    ranks: pd.DataFrame
    checks: pd.DataFrame
    stake: pd.DataFrame
    problems: pd.DataFrame
    units: pd.DataFrame
    status: dict
    long_texts: LongTexts

    @property
    def quarter_label(self) -> str:
        return periods.quarter_label(self.quarter_index)


def resolve(con: duckdb.DuckDBPyConnection, quarter_id: str, region: str | None) -> tuple[int, str | None]:
    """The quarter index and region id a brief is asked for, or BriefError in one line."""
    index = periods.quarter_index(quarter_id)
    if index is None:
        raise BriefError(f"期间“{quarter_id}”格式不对，应写作 2024Q3 这样的季度")
    quarters = periods.reporting_quarters(con)
    if index not in set(quarters["quarter_index"]):
        held = "、".join(quarters["quarter_id"]) or "无"
        raise BriefError(f"{periods.quarter_label(index)}在数据仓库中没有数据（有数据的季度：{held}）")
    if region is None:
        return index, None
    regions = facts.regions(con)
    match = regions[(regions["region_id"] == region) | (regions["name"] == region)]
    if match.empty:
        known = "、".join(f"{row.region_id}（{row.name}）" for row in regions.itertuples())
        raise BriefError(inert(f"未知地区“{region}”（可选：{known}）"))  # one line, whatever the names hold
    return index, str(match["region_id"].iloc[0])


def _in_region(frame: pd.DataFrame, region_id: str | None) -> pd.DataFrame:
    return frame if region_id is None else frame[frame["region_id"] == region_id]


def _latest_stake(con: duckdb.DuckDBPyConnection, quarter_index: int, region_id: str | None) -> pd.DataFrame:
    """Points at stake per item and unit at its latest period up to the quarter, with the scored
    observation's indicator, source and evidence (for its note)."""
    quarters = queries.run(con, "period_quarters")
    stake = scoring.points_at_stake(con).merge(quarters, left_on="period", right_on="period_id")
    stake = _in_region(stake[stake["quarter_index"] <= quarter_index], region_id)
    stake = stake.sort_values("end_date", kind="stable").groupby(["scheme", "item", "region_id"]).tail(1)
    items = queries.run(con, "score_items")[["scheme_id", "scheme_name", "item_id", "value_indicator_id"]]
    stake = stake.merge(items, left_on=["scheme", "item"], right_on=["scheme_id", "item_id"])
    if stake.empty:
        return stake
    observed = pd.concat([facts.series(con, indicator_id) for indicator_id in stake["value_indicator_id"].unique()])
    noted = observed[["indicator_id", "indicator_name", "kind", "region_id", "region_name", "region_order",
                      "period_id", "source", "evidence"]]
    stake = stake.merge(noted, left_on=["value_indicator_id", "region_id", "period_id"],
                        right_on=["indicator_id", "region_id", "period_id"])
    return stake.sort_values(["scheme", "item", "region_order"], kind="stable").reset_index(drop=True)


def _key_series(con: duckdb.DuckDBPyConnection, headline: pd.DataFrame, quarter_index: int,
                region_id: str | None) -> tuple[pd.DataFrame, ...]:
    """The first TRENDS_SHOWN headline indicators whose values up to the quarter span two quarters."""
    counts = queries.run(con, "indicator_quarter_counts", quarter_index=quarter_index, region_id=region_id)
    spanning = set(counts.loc[counts["count_quarters"] >= 2, "indicator_id"])
    shown = []
    for indicator_id in [name for name in headline["indicator_id"] if name in spanning][:TRENDS_SHOWN]:
        rows = facts.series(con, indicator_id)
        shown.append(_in_region(rows[rows["quarter_index"] <= quarter_index], region_id).reset_index(drop=True))
    return tuple(shown)


def _comparison(con: duckdb.DuckDBPyConnection, quarter_index: int) -> pd.DataFrame | None:
    """The quarter's comparison of the best-covered indicator that districts reported in it."""
    for indicator_id in facts.comparable_indicators(con)["indicator_id"]:
        frame = facts.region_comparison(con, indicator_id, quarter_index)
        if frame[frame["is_district"]]["value"].notna().any():
            return frame
    return None


def gather(con: duckdb.DuckDBPyConnection, quarter_id: str, region: str | None = None) -> BriefData:
    """Everything a brief of the quarter (and region) shows, read from the warehouse; its long texts
    cut to TEXT_SHOWN (LongTexts)."""
    index, region_id = resolve(con, quarter_id, region)
    long_texts = LongTexts()
    bounded = long_texts.frame
    regions = bounded(facts.regions(con)).set_index("region_id")
    headline = bounded(facts.headline(con, index, region_id=region_id))
    points = bounded(assessment.reported_points(con))
    ranks = bounded(assessment.reported_ranks(con))
    previous = bounded(facts.as_of(con, index - 1))
    comparison = _comparison(con, index)
    return BriefData(
        quarter_index=index,
        region_id=region_id,
        region_name=regions.loc[region_id, "name"] if region_id else None,
        quarters=periods.reporting_quarters(con),
        headline=headline,
        facts=bounded(facts.as_of(con, index)),
        previous_facts=previous[previous["is_current"]],
        findings=bounded(_in_region(attention.findings(con, index), region_id)),
        comparison=None if comparison is None else bounded(comparison),
        series=tuple(bounded(series) for series in _key_series(con, headline, index, region_id)),
        points=points[points["quarter_index"] <= index],
        ranks=ranks[ranks["quarter_index"] <= index],
        checks=bounded(scoring.reported_check(con)),
        stake=bounded(_latest_stake(con, index, region_id)),
        problems=bounded(ledger.problems(con)),
        units=bounded(_in_region(queries.run(con, "quarter_units", quarter_index=index), region_id)),
        status=facts.data_status(con),
        long_texts=long_texts,
    )


# ---------------------------------------------------------------------------------------------
# The summary: sentences that state only what the rows hold


def _count_clause(quarter_label: str, headline: pd.DataFrame) -> Clause:
    current = headline[headline["is_current"]]
    counts = current["status"].value_counts()
    shown = [status for status in STATUS_ORDER if status in ("达标", "未达标") or counts.get(status, 0)]
    if current.empty:
        return Clause(f"本期（{quarter_label}）{len(headline)}项核心指标均无本期数值，表中列其最近一期数值。")
    tally = "、".join(f"{status}{int(counts.get(status, 0))}项" for status in shown)
    rest = len(headline) - len(current)
    tail = f"；其余{rest}项本期无数值，表中列其最近一期数值" if rest else ""
    return Clause(f"本期（{quarter_label}）{len(headline)}项核心指标中，{len(current)}项有本期数值，"
                  f"其中{tally}{tail}。")


def _gap_clauses(findings: pd.DataFrame, now: Mapping, city: Mapping) -> list[Clause]:
    """Per indicator: the units below target, and those well below 市本级."""
    gaps = findings[findings["finding"].isin(["below_target", "below_reference"])]
    clauses = []
    for _, rows in gaps.groupby("indicator_id", sort=False):
        parts, sources = [], []
        for row in rows.itertuples():
            value = value_text(row.value, row.unit, row.qualifier, row.kind)
            sources.append(now[(row.indicator_id, row.region_id)])
            if row.finding == "below_target":
                parts.append(f"{row.region_name}{value}，未达到目标"
                             f"（{target_text(row.target_value, row.target_comparator, row.unit, row.kind)}）")
            else:
                sources.append(city[row.indicator_id])
                gap = delta_text(row.reference_value, row.value, row.unit, row.kind).lstrip("+")
                parts.append(f"{row.region_name}{value}，低于{row.reference_name}"
                             f"（{value_text(row.reference_value, row.unit, kind=row.kind)}）{gap}")
        clauses.append(Clause(f"{rows['indicator_name'].iloc[0]}：{'；'.join(parts)}。", tuple(sources)))
    return clauses


def _change_part(subject: str, before: float, now: float, qualifier: str, change: Change) -> str:
    """'…由91.2%变为89.5%（下降1.7个百分点，变差）'; two equal values are no change: '…保持100%'."""
    now_text = value_text(now, change.unit, qualifier, change.kind)
    if change.direction is Direction.UNCHANGED:
        return f"{subject}保持{now_text}"
    return (f"{subject}由{value_text(before, change.unit, kind=change.kind)}变为{now_text}"
            f"（{judged_change_words(change)}）")


def _change_clause(quarter_index: int, headline: pd.DataFrame, findings: pd.DataFrame,
                   quarters: pd.DataFrame, now: Mapping, before: Mapping) -> Clause:
    """较上季度 only where a value of the previous quarter exists; otherwise say why there is none."""
    previous = periods.quarter_label(quarter_index - 1)
    changed = headline[headline["is_current"] & headline["change_vs_previous"].notna()]
    keys = ["indicator_id", "region_id"]
    listed = findings.set_index(keys).index.isin(changed.set_index(keys).index)
    worse = findings[(findings["finding"] == "worse").to_numpy() & ~listed].head(attention.WORSE_SHOWN)
    items = [(row["region_name"], row["indicator_name"], row["previous_value"], row["value"], row["qualifier"],
              Change(row["change_vs_previous"], row["unit"], row["kind"], row["better"]),
              (row["indicator_id"], row["region_id"])) for _, row in changed.iterrows()]
    items += [(row.region_name, row.indicator_name, row.reference_value, row.value, row.qualifier,
               change_between(row.value, row.reference_value, row.unit, row.kind, row.better),
               (row.indicator_id, row.region_id)) for row in worse.itertuples()]
    if not items:
        if quarter_index - 1 not in set(quarters["quarter_index"]):
            return Clause(f"数据仓库中没有上一季度（{previous}）的数据，本期不作环比比较。")
        return Clause(f"本期核心指标与上一季度（{previous}）没有可比的数值，不作环比比较。")
    parts = [_change_part(region + name, before, now, qualifier, change)
             for region, name, before, now, qualifier, change, _ in items]
    return Clause(f"较上季度（{previous}）：{'；'.join(parts)}。",
                  tuple(row for *_, key in items for row in (before[key], now[key])))


def _assessment_note(row: Mapping, value_column: str) -> dict:
    """A reported score or rank as a note row: its observation is the points or rank indicator."""
    is_points = value_column == "points"
    return {"indicator_id": f"{row['scheme_id']}:{row['item_id']}:{value_column}", "region_id": row["region_name"],
            "period_id": row["period_id"], "indicator_name": row["item_name"] if is_points else row["scheme_name"],
            "region_name": row["region_name"], "period_label": row["period_label"], "value": row[value_column],
            "unit": "分" if is_points else "名", "qualifier": "exact", "kind": "score" if is_points else "rank",
            "source": row["source"], "evidence": row["evidence"], "load_id": row["load_id"]}


def _assessment_clause(points: pd.DataFrame, ranks: pd.DataFrame) -> Clause | None:
    latest_points = points.groupby(["scheme_id", "item_id"], sort=False).tail(1).to_dict("records")
    latest_ranks = ranks.groupby("scheme_id", sort=False).tail(1).to_dict("records")
    parts = [f"{row['scheme_name']}中{row['item_name']}得分{points_fraction(row['points'], row['max_points'])}"
             f"（{row['period_label']}{'，满分' if row['points'] >= row['max_points'] else ''}）"
             for row in latest_points]
    parts += [f"{row['scheme_name']}全省{rank_text(int(row['rank']))}（{row['period_label']}）" for row in latest_ranks]
    if not parts:
        return None
    return Clause(f"省级考核：{'；'.join(parts)}。", (*(_assessment_note(row, "points") for row in latest_points),
                                                  *(_assessment_note(row, "rank") for row in latest_ranks)))


def _no_gap_clause(units: pd.DataFrame, findings: pd.DataFrame) -> Clause:
    """No unit below target or far below 市本级: said of all units only when all of them reported."""
    unreported = dict.fromkeys([*units.loc[units["count_indicators"] == 0, "region_name"],
                                *findings.loc[findings["finding"] == "not_reported", "region_name"]])
    if not unreported:
        return Clause("本期没有低于目标或低于市本级10个百分点以上的单位。")
    return Clause(f"本期已报送的数值中没有低于目标或低于市本级10个百分点以上的；{'、'.join(unreported)}"
                  "有指标未报送，无法判断其是否达标。")


def _reporting_clause(units: pd.DataFrame, findings: pd.DataFrame) -> Clause:
    silent = units[units["count_indicators"] == 0]
    missing = findings[findings["finding"] == "not_reported"]
    parts = []
    if silent.empty and missing.empty:
        who = units["region_name"].iloc[0] if len(units) == 1 else f"{len(units)}个区（功能区）均"
        return Clause(f"本期{who}有报送，没有缺报的指标。")
    if len(silent):
        parts.append(f"{len(units)}个区（功能区）中{len(silent)}个本期没有任何数值：{'、'.join(silent['region_name'])}")
    partial = missing[~missing["region_id"].isin(silent["region_id"])]
    for region_name, rows in partial.groupby("region_name", sort=False):
        parts.append(f"{region_name}未报送{'、'.join(rows['indicator_name'])}")
    return Clause(f"报送情况：{'；'.join(parts)}。")


def summary_clauses(data: BriefData) -> list[Clause]:
    """The summary paragraph as clauses, from the rows the brief holds and nothing else."""
    now = {(row["indicator_id"], row["region_id"]): row for row in data.facts.to_dict("records")}
    before = {(row["indicator_id"], row["region_id"]): row for row in data.previous_facts.to_dict("records")}
    city = {key[0]: row for key, row in now.items() if row["region_level"] == "市本级" and row["is_current"]}
    gaps = _gap_clauses(data.findings, now, city)
    clauses = [_count_clause(data.quarter_label, data.headline)]
    clauses += gaps or [_no_gap_clause(data.units, data.findings)]
    clauses.append(_change_clause(data.quarter_index, data.headline, data.findings, data.quarters, now, before))
    if (scored := _assessment_clause(data.points, data.ranks)) is not None:
        clauses.append(scored)
    clauses.append(_reporting_clause(data.units, data.findings))
    return clauses


# ---------------------------------------------------------------------------------------------
# Charts


def _captioned(figure: go.Figure, details: str) -> tuple[go.Figure, str]:
    """The chart without its title, and a caption of title, period and sources in its place (the
    title as text: without its line break and with the characters charts.label escaped)."""
    caption = f"{unescape(figure.layout.title.text.replace('<br>', ''))}{details}"
    figure.update_layout(title_text="", margin_t=40)
    return figure, caption


def _sources(rows: pd.DataFrame) -> str:
    """The distinct sources of a chart's values, each as every surface words it (source_text)."""
    return "；".join(dict.fromkeys(source_texts(rows[rows["source"].notna()])))


def _chart_figures(data: BriefData) -> list[tuple[go.Figure, str]]:
    """The district ranking and the key trends, from the pages' builders, with captions that
    carry each chart's period and sources."""
    shown = []
    if data.comparison is not None:
        districts, missing, references = facts.split_comparison(data.comparison)
        figure = charts.region_bars(districts, missing, references, data.quarter_label, highlight=data.region_id)
        shown.append(_captioned(figure, f"。来源：{_sources(districts)}"))
    for series in data.series:
        first, last = int(series["quarter_index"].min()), int(series["quarter_index"].max())
        shown.append(_captioned(charts.trend_lines(series),
                                f"（{periods.quarter_label(first)}至{periods.quarter_label(last)}）。"
                                f"来源：{_sources(series)}"))
    return shown


def start_chart_server() -> None:
    """Start the process's kaleido server (Chromium boots in the background) unless it runs."""
    browser = os.environ.setdefault("BROWSER_PATH", CHROMIUM)
    if shutil.which(browser) is None:
        # kaleido's server thread would die on start and leave its caller waiting forever.
        raise BriefError(f"找不到 Chromium（{browser}），无法绘制图表：请安装 chromium 或设置 BROWSER_PATH")
    with _CHART_LOCK:
        kaleido.start_sync_server(mathjax=False, silence_warnings=True)


def chart_images(figures: list[go.Figure]) -> list[bytes]:
    """PNG at print resolution through kaleido and the system Chromium, on one kaleido server per
    process (a cold start costs seconds; stop_chart_server ends it). The server answers one caller
    at a time: its queue hands results back in order, so concurrent callers would swap them."""
    start_chart_server()
    with _CHART_LOCK:
        return [kaleido.calc_fig_sync(figure, opts={"format": "png", "width": CHART_WIDTH,
                                                    "height": figure.layout.height, "scale": CHART_SCALE})
                for figure in figures]


def stop_chart_server() -> None:
    with _CHART_LOCK:
        kaleido.stop_sync_server(silence_warnings=True)


# ---------------------------------------------------------------------------------------------
# The document


def _headline_table(headline: pd.DataFrame, notes: Notes) -> Table:
    rows = []
    for _, row in headline.iterrows():
        period = row["period_label"] + ("" if row["is_current"] else "（非本期）")
        previous, year_ago = (
            judged_change_words(Change(row[column], row["unit"], row["kind"], row["better"])) if row["is_current"]
            else NO_CHANGE for column in ("change_vs_previous", "change_vs_year_ago"))
        status = status_in_quarter(row["status"], row["is_current"])
        rows.append((row["indicator_name"], row["region_name"], _value(row), period,
                     target_text(row["target_value"], row["target_comparator"], row["unit"], row["kind"]),
                     STATUS_MARK.get(status, status), previous, year_ago, notes.mark(row)))
    return Table(("指标", "地区", "数值", "期间", "目标", "状态", "环比", "同比", "注"), tuple(rows))


def _comparison_blocks(data: BriefData, notes: Notes, figure: Figure | None) -> list:
    if data.comparison is None:
        return [Paragraph(((f"{data.quarter_label}没有各区（功能区）报送的可比指标，不作区域排名。", ()),))]
    districts, missing, references = facts.split_comparison(data.comparison)
    rows = [(rank_text(int(row["district_rank"])), row["region_name"], _value(row), row["period_label"],
             STATUS_MARK.get(row["status"], row["status"]), notes.mark(row)) for _, row in districts.iterrows()]
    rows += [("—", row["region_name"], "未报送", data.quarter_label, "—", "") for _, row in missing.iterrows()]
    rows += [("参照", row["region_name"], _value(row), row["period_label"],
              STATUS_MARK.get(row["status"], row["status"]), notes.mark(row)) for _, row in references.iterrows()]
    return [figure, Table(("名次", "单位", "数值", "期间", "状态", "注"), tuple(rows))]


def _assessment_blocks(data: BriefData, notes: Notes) -> list:
    checks = data.checks.set_index(["scheme", "item", "period"])["status"]
    rows = [(row["scheme_name"], row["item_name"], row["period_label"],
             points_fraction(row["points"], row["max_points"]),
             checks.get((row["scheme_id"], row["item_id"], row["period_id"]), "—"),
             notes.mark(_assessment_note(row, "points"))) for row in data.points.to_dict("records")]
    rows += [(row["scheme_name"], "全省排名", row["period_label"], rank_text(int(row["rank"])), "—",
              notes.mark(_assessment_note(row, "rank"))) for row in data.ranks.to_dict("records")]
    blocks = [Heading("（一）得分与排名", 2)]
    if rows:
        blocks.append(Table(("考核", "项目", "期间", "得分/名次", "按规则核对", "注"), tuple(rows)))
    else:
        blocks.append(Paragraph((("截至本期没有省级考核的上报得分或排名。", ()),)))
    blocks.append(Heading("（二）提分空间", 2))
    if data.stake.empty:
        blocks.append(Paragraph((("截至本期没有可按规则计分的数值。", ()),)))
    for (scheme_name, item_name), rows in data.stake.groupby(["scheme_name", "item_name"], sort=False):
        blocks.append(Paragraph(((f"{scheme_name} · {item_name}", ()),), small=True))
        blocks.append(Table(("单位", "期间", "现值", "按规则计分", "距下一档", "注"), tuple(
            (row["region"], row["period_label"], _value(row),
             "无法判定" if pd.isna(row["computed_points"]) else points_fraction(row["computed_points"],
                                                                             row["max_points"]),
             row["action"], notes.mark(row)) for row in rows.to_dict("records"))))
    latest = data.points.groupby(["scheme_id", "item_id"]).tail(1)
    assumptions = dict.fromkeys(
        [*(f"{row.item_name}：{row.rule_partial_note}" for row in latest.itertuples()
           if row.rule_is_partial and isinstance(row.rule_partial_note, str)),
         *(note for note in data.stake["assumption"] if note),
         *(f"{row.item_name}（{row.period_label}）：{row.caveat}" for row in data.checks.itertuples()
           if row.caveat and row.period in set(latest["period_id"]))])
    blocks.append(Heading("（三）计分假设与说明", 2))
    blocks += [Paragraph(((f"{number}. {text}", ()),), small=True) for number, text in
               enumerate(assumptions, start=1)] or [Paragraph((("无。", ()),), small=True)]
    return blocks


def _ledger_blocks(problems: pd.DataFrame) -> list:
    counts = problems.groupby(["category", "status"], sort=False).size().reset_index(name="count")
    rows = tuple((row.category, row.status, f"{row.count}个") for row in counts.itertuples())
    by_status = "、".join(f"“{status}”{count}个" for status, count in problems["status"].value_counts().items())
    return [
        Paragraph(((f"通报列出问题{len(problems)}个，整改状态：{by_status}。", ()),)),
        Table(("类别", "整改状态", "问题数"), rows),
        Paragraph((("通报没有给出各问题的整改时限，因此无法列出逾期或临近到期的事项。", ()),), small=True),
    ]


def _reporting_blocks(data: BriefData) -> list:
    held = data.quarters[data.quarters["quarter_index"] == data.quarter_index].iloc[0]
    rows = tuple((row.region_name, "已报送" if row.count_indicators else "未报送", f"{row.count_indicators}项")
                 for row in data.units.itertuples())
    missing = data.findings[data.findings["finding"] == "not_reported"]
    lines = [f"{data.quarter_label}：{int(held['count_reported'])}/{int(held['count_units'])}个区（功能区）有数值；"
             f"{periods.completeness(data.quarters).text()}。"]
    lines += [f"{region_name}未报送：{'、'.join(unit_rows['indicator_name'])}（其他单位本期已报送）。"
              for region_name, unit_rows in missing.groupby("region_name", sort=False)]
    return [*(Paragraph(((line, ()),)) for line in lines), Table(("单位", "本期报送", "有数值的指标"), rows)]


def build_document(data: BriefData, images: list[bytes] | None = None) -> Document:
    """The brief as headings, paragraphs, tables and figures; images: the PNGs of
    _chart_figures in order (rendered through chart_images when not given)."""
    figures = _chart_figures(data)
    pngs = images if images is not None else chart_images([figure for figure, _ in figures])
    placed = [Figure(png, f"图{number}  {caption}")
              for number, ((_, caption), png) in enumerate(zip(figures, pngs, strict=True), start=1)]
    notes = Notes()
    clauses = summary_clauses(data)
    scope = f"{data.region_name} · " if data.region_name else ""
    blocks = [
        Heading("一、总体情况"),
        *(Paragraph(((clause.text, notes.refs(clause.sources)),)) for clause in clauses),
        Heading("二、核心指标"),
        _headline_table(data.headline, notes),
        Paragraph((("环比为较上一季度、同比为较上年同季度的变化，比率以百分点计；“—”为无可比数值。"
                    "非本期的指标列其最近一期数值并注明期间。", ()),), small=True),
        Heading("三、区域对比"),
        *_comparison_blocks(data, notes, placed[0] if data.comparison is not None else None),
        Heading("四、重点指标趋势"),
        *(placed[1:] if data.comparison is not None else placed),
    ]
    if not data.series:
        blocks.append(Paragraph((("截至本期，没有跨两个季度以上的核心指标数值，不作趋势图。", ()),)))
    blocks += [Heading("五、省级考核"), *_assessment_blocks(data, notes),
               Heading("六、整改情况"), *_ledger_blocks(data.problems),
               Heading("七、报送情况"), *_reporting_blocks(data),
               Heading("附：数据来源"),
               Paragraph(((f"注号对应下表。“来源”为{NOTICE}的条目，或载入文件所注的来源；"
                           "“计算”为由所列数字计算所得。", ()),), small=True),
               notes.table()]
    blocks = [data.long_texts.table(block) if isinstance(block, Table) else block for block in blocks
              if block is not None]
    blocks += data.long_texts.blocks()
    as_of = data.facts[data.facts["is_current"]]["end_date"].max()
    as_of_text = f"{as_of.year}年{as_of.month}月{as_of.day}日" if pd.notna(as_of) else "本期无数值"
    status = data.status
    return _inert(Document(
        masthead=BUREAU,
        title=TITLE,
        subtitle=f"{scope}{data.quarter_label}",
        facts_line=f"数据截至：{as_of_text}　数据版本：第{status['load_id']}次载入（{status['loaded_at']:%Y-%m-%d}）",
        header=f"{BUREAU}　{TITLE}　{scope}{data.quarter_label}",
        blocks=tuple(blocks),
        file_stem=file_stem(data.quarter_index, data.region_name),
    ))


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


def _inert(document: Document) -> Document:
    """Every text of the document on one line and without bidi controls (formatting.inert): a name
    with U+202E would otherwise turn the brief's own sentence after it backwards."""
    return replace(document, masthead=inert(document.masthead), title=inert(document.title),
                   subtitle=inert(document.subtitle), facts_line=inert(document.facts_line),
                   header=inert(document.header), blocks=tuple(map(_inert_block, document.blocks)))


def renderer(fmt: str):
    """The typesetter of a format, imported on first use (WeasyPrint's import alone takes a second)."""
    if fmt == "docx":
        from metrics import briefing_docx
        return briefing_docx.render
    from metrics import briefing_pdf
    return briefing_pdf.render


def render(document: Document, fmt: str) -> bytes:
    """The document typeset as .docx or .pdf bytes."""
    return renderer(fmt)(document)


def check_writable(out: Path) -> None:
    """Fail before the work when the output's folder is missing or closed to us."""
    folder = out.resolve().parent
    if not folder.is_dir():
        raise BriefError(f"无法写入 {out}：目录 {folder} 不存在")
    if out.is_dir():
        raise BriefError(f"无法写入 {out}：这是一个目录")
    if not os.access(folder, os.W_OK):
        raise BriefError(f"无法写入 {out}：没有目录 {folder} 的写权限")


def write_atomically(data: bytes, out: Path) -> None:
    """Write to a temporary file beside out and rename it, so that no half-written brief remains."""
    check_writable(out)
    handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.resolve().parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(name, 0o644)
        os.replace(name, out)
    except OSError as error:
        Path(name).unlink(missing_ok=True)
        raise BriefError(f"无法写入 {out}：{error.strerror}") from error


def brief_bytes(con: duckdb.DuckDBPyConnection, quarter_id: str, region: str | None, fmt: str) -> tuple[str, bytes]:
    """The file name and bytes of a brief, as the CLI writes it and 总览 serves it."""
    if fmt not in FORMATS:
        raise BriefError(f"未知的简报格式“{fmt}”（可选：docx、pdf）")
    resolve(con, quarter_id, region)  # bad input fails before Chromium starts
    start_chart_server()  # Chromium boots while the typesetter is imported and the warehouse read
    typeset = renderer(fmt)
    document = build_document(gather(con, quarter_id, region))
    return f"{document.file_stem}.{fmt}", typeset(document)
