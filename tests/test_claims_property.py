"""Property: the same (indicator, unit, quarter) reads the same on every surface that renders it.

Hypothesis generates small warehouses (quarters with gaps, units that do not report, targets of every
comparator, bounds, ranks, indicators with and without a better direction, notice and file provenance)
into one in-memory DuckDB laid out with the warehouse's own schema and rules (sql/views.sql), so that
status and change come from the SQL the pages read. Each surface is then rendered from the functions it
renders through — 总览 (cards, counts, 需关注), 区域对比, 趋势 (tables and chart hovers), the briefing and
the CLI's reminder — and their claims are compared."""

import itertools
import re

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics import assessment, attention, charts, facts, periods
from metrics.briefing import compose, gather, model
from metrics.briefing.summary import summary_clauses
from metrics.claims import NOTICE_LOAD_ID, Change, Status
from metrics.formatting import (
    STANDING_ORDER,
    STATUS_MARK,
    STATUS_NAMES,
    change_words,
    delta_text,
    judged_change_words,
    place_text,
    readable_facts,
    source_text,
    target_text,
    value_text,
)
from metrics.paths import SEED_DIR
from metrics.store import queries, warehouse
from ui import common

DISTRICTS = ("echeng", "huarong", "liangzihu", "gedian", "linkong")
REGIONS = ("city_level", *DISTRICTS)
# 2024Q1 … 2025Q1: a year-ago quarter exists for the last one.
QUARTERS = tuple(range(2024 * 4, 2025 * 4 + 1))
KINDS = {
    "rate": ("%", (50.0, 80.0, 86.7, 93.0, 95.0, 100.0)),
    "count": ("个", (0.0, 64.0, 86.0, 102.0, 34270000.0)),
    "rank": ("名", (1.0, 2.0, 3.0, 5.0)),
}
NAMES = ("甲项指标", "乙项指标")
QUALIFIERS = ("exact",) * 5 + ("approx", "at_least", "all_at_least", "more_than", "at_most")
# Provenance: the notice's item (load 1), a department's report, the bureau's own check.
SOURCES = ((NOTICE_LOAD_ID, "二、4 整改情况 二是"), (2, "2024年第三季度报表"), (3, "本局核实记录"))
COMPARATORS = (">=", ">", "<=", "<", "=")
MARK_STATUS = {mark: STATUS_NAMES[status] for status, mark in STATUS_MARK.items()}


def database() -> duckdb.DuckDBPyConnection:
    """An in-memory database with the warehouse's tables and rules, the seed's regions and quarters."""
    con = duckdb.connect(":memory:")
    for statement in warehouse._macro_statements():
        con.execute(statement)
    con.execute(f"insert into regions select * from read_csv('{SEED_DIR / 'regions.csv'}')")
    con.execute("""
        insert into periods
        select y || 'Q' || q, 'quarter', make_date(y, q * 3 - 2, 1), last_day(make_date(y, q * 3, 1)),
               y || '年第' || ['一', '二', '三', '四'][q] || '季度'
        from range(2024, 2026) as years(y), range(1, 5) as quarters(q)""")
    con.execute("""insert into loads values (1, 'seed', '种子数据', '0', 0, 0, 0, 'build', '2024-07-26', 'ok', null)""")
    con.execute("set threads = 1")  # a few dozen rows: one thread plans and runs them faster
    return con


@pytest.fixture(scope="module")
def con():
    con = database()
    yield con
    con.close()


@pytest.fixture(scope="module")
def assessed(con) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reported scores and ranks: none in these warehouses, whose indicators no scheme scores."""
    return assessment.reported_points(con), assessment.reported_ranks(con)


@st.composite
def indicator(draw, number: int) -> dict:
    kind = draw(st.sampled_from(sorted(KINDS)))
    unit, values = KINDS[kind]
    better = draw(st.sampled_from(("higher", "lower", "none")))
    temporal = "flow" if kind == "count" and draw(st.booleans()) else draw(st.sampled_from(("level", "stock")))
    # Quarters without any value of the indicator, and units that never report it, as well as single misses.
    first = draw(st.integers(0, len(QUARTERS) - 2))
    quarters = set(QUARTERS[first:draw(st.integers(first + 2, len(QUARTERS)))])
    if len(quarters) > 2 and draw(st.booleans()):
        quarters.discard(draw(st.sampled_from(sorted(quarters))))  # a quarter nobody reported in
    regions = set(REGIONS) - draw(st.sets(st.sampled_from(REGIONS), max_size=len(REGIONS) - 1))
    cells = {}
    for region in sorted(regions):
        for quarter in sorted(quarters):
            if draw(st.integers(0, 4)) == 0:
                continue
            load_id, source = draw(st.sampled_from(SOURCES))
            cells[region, quarter] = (draw(st.sampled_from(values)), draw(st.sampled_from(QUALIFIERS)), load_id,
                                      source)
    target = None
    if draw(st.integers(0, 2)):  # two in three indicators have a target, most of them for every unit
        target = (draw(st.sampled_from((None, None, None, *DISTRICTS))),
                  draw(st.sampled_from((None, None, 2024, 2025))),
                  draw(st.sampled_from(values)), draw(st.sampled_from(COMPARATORS)))
    return {"indicator_id": f"p{number}", "name": NAMES[number], "kind": kind, "unit": unit, "better": better,
            "temporal": temporal, "headline": number if draw(st.booleans()) or number == 0 else None,
            "cells": cells, "target": target}


@st.composite
def warehouses(draw) -> list[dict]:
    return [draw(indicator(number)) for number in range(len(NAMES))]


def fill(con: duckdb.DuckDBPyConnection, drawn: list[dict]) -> None:
    """The drawn warehouse in place of the last one."""
    con.execute("begin")
    for table in ("indicators", "observations", "targets", "stored_quarter_facts", "newest_quarter_facts"):
        con.execute(f"delete from {table}")
    for item in drawn:
        con.execute("insert into indicators values (?, ?, ?, ?, ?, ?, '测试类', '口径', null, '市数据局', null, ?)",
                    [item["indicator_id"], item["name"], item["unit"], item["kind"], item["temporal"],
                     item["better"], item["headline"]])
        rows = [(item["indicator_id"], region, periods.quarter_id(quarter), value, qualifier, source, "原文",
                 load_id) for (region, quarter), (value, qualifier, load_id, source) in item["cells"].items()]
        if rows:
            con.executemany("insert into observations values (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        if item["target"]:
            region, year, value, comparator = item["target"]
            con.execute("insert into targets values (?, ?, null, ?, ?, ?, 'bureau', '本局设定', null, null)",
                        [item["indicator_id"], region, year, value, comparator])
    # The stored facts are the rules' rows (metrics/store/stored_facts.py), filled here from the rules' views at once
    # in half the time of a scoped refresh; the surfaces compared read only the quarter facts.
    con.execute("insert into stored_quarter_facts select * from quarter_facts")
    con.execute("""insert into newest_quarter_facts select * from stored_quarter_facts
                   qualify row_number() over (partition by indicator_id, region_id order by quarter_index desc) = 1""")
    con.execute("commit")


# ---------------------------------------------------------------------------------------------
# Each surface's claims: {(indicator_id, region_id, quarter_index): {"status": …, "环比": …, …}}


def _words(text: str) -> str:
    """A change as judged_change_words wrote it, without its judgement: the words every surface shares."""
    return text.split("，")[0]


def table_claims(frame: pd.DataFrame, table: pd.DataFrame) -> dict:
    """readable_facts rows (总览's table, 区域对比, 趋势) keyed by their own quarter."""
    return {(row.indicator_id, row.region_id, int(row.quarter_index)): {
                "status": shown["状态"], "环比": shown["环比"], "同比": shown["同比"], "来源": shown["来源"]}
            for row, (_, shown) in zip(frame.itertuples(), table.iterrows(), strict=True)
            if pd.notna(row.value)}


def card_claims(cards: pd.DataFrame, quarter_index: int) -> dict:
    """总览's cards as pages/overview.py draws them."""
    claims = {}
    for _, row in cards.iterrows():
        previous = Change(row["change_vs_previous"] if row["is_current"] else None, row["unit"], row["kind"],
                          row["better"])
        year_ago = Change(row["change_vs_year_ago"], row["unit"], row["kind"], row["better"])
        delta = common.metric_delta(previous)
        claims[row["indicator_id"], row["region_id"], quarter_index] = {
            "status": STATUS_NAMES[row["status"]] if row["is_current"] else "未报送",
            "环比": delta["delta"] or "—",
            "环比判断": delta.get("delta_color", "gray"),
            "同比": judged_change_words(year_ago) if row["is_current"] and year_ago.direction is not None else "—",
            "来源": source_text(row["source"], row["load_id"]),
        }
    return claims


def hover_source(point: list[str]) -> str:
    """The 来源 a chart's hover (charts.HOVER) shows for a point of charts._hover_data."""
    return charts.HOVER.split("来源：")[1].split("<")[0].replace("%{customdata[4]}", point[4])


def agree(name_a: str, a: dict, name_b: str, b: dict, fields: tuple[str, ...]) -> None:
    for key in a.keys() & b.keys():
        for field in fields:
            if field in a[key] and field in b[key]:
                assert a[key][field] == b[key][field], (key, field, name_a, a[key][field], name_b, b[key][field])


def brief_data(con: duckdb.DuckDBPyConnection, quarter_index: int, quarters: pd.DataFrame, headline: pd.DataFrame,
               latest: pd.DataFrame, findings: pd.DataFrame, assessed: tuple) -> gather.BriefData:
    """What briefing.gather reads for the parts of a brief that state claims (summary, 核心指标, 区域对比, notes),
    reusing the frames the pages read: gather itself also reads the scoring rules, the ledger and the trend
    series for the other sections, which would treble the time of an example."""
    previous = facts.as_of(con, quarter_index - 1)
    nothing = pd.DataFrame()
    return gather.BriefData(
        quarter_index=quarter_index, region_id=None, region_name=None, quarters=quarters,
        headline=headline, facts=latest, previous_facts=previous[previous["is_current"]], findings=findings,
        comparison=gather._comparison(con, quarter_index), series=(), points=assessed[0], ranks=assessed[1],
        checks=nothing, stake=nothing, problems=nothing,
        units=queries.run(con, "quarter_units", quarter_index=quarter_index),
        standing=attention.status_counts(con, quarter_index), status={},
        long_texts=model.LongTexts())


# ---------------------------------------------------------------------------------------------


NUMBER = re.compile(r"\d+(?:\.\d+)?")
RANK_WORDS = re.compile(r"第\d+(?:–\d+)?名")
COUNTED = re.compile(f"({'|'.join(sorted(STATUS_NAMES.values(), key=len, reverse=True))})(\\d+)项")
# How a bound reads (formatting.QUALIFIER_PREFIX): never one end of a change.
BOUND_SIGNS = ("≥", ">", "≤", "均")


def realisations(value: float, qualifier: str) -> tuple[float, ...]:
    """Values a qualified figure may stand for: a bound at its edge and far beyond it."""
    return {"at_least": (value, value + 1000), "all_at_least": (value, value + 1000),
            "more_than": (value + 0.001, value + 1000), "at_most": (value, value - 1000)}.get(qualifier, (value,))


def assert_places_hold(districts: pd.DataFrame, better: str) -> None:
    """区域对比's places are claims the data support: none without a better direction, and each stated place (or
    range) holds the unit's competition rank in every way its bounds and the others' may be realised."""
    if better == "none":
        assert districts["district_rank"].isna().all(), districts
        return
    sign = 1 if better == "higher" else -1
    for values in itertools.product(*(realisations(v, q) for v, q in zip(districts["value"], districts["qualifier"],
                                                                       strict=True))):
        for own, best, worst in zip(values, districts["district_rank"], districts["district_rank_worst"],
                                    strict=True):
            if pd.notna(best):
                rank = 1 + sum(sign * other > sign * own for other in values)
                assert best <= rank <= worst, (values, own, best, worst)


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(drawn=warehouses(), pick=st.integers(0, len(QUARTERS) - 1))
def test_every_surface_says_the_same_of_a_key(con, assessed, drawn, pick):
    fill(con, drawn)
    held = periods.reporting_quarters(con)
    if held.empty:
        return
    quarter_index = int(sorted(held["quarter_index"])[pick % len(held)])
    indicators = {item["indicator_id"]: item for item in drawn}

    # 总览
    cards = facts.headline(con, quarter_index)
    cards_said = card_claims(cards, quarter_index)
    latest, overview_table = facts.as_of_with_table(con, quarter_index)
    overview_said = table_claims(latest, overview_table)
    findings = attention.findings(con, quarter_index)
    attention_said = attention.summary(findings)

    # 区域对比 and 趋势, for every indicator
    districts_said, trends_said, hovers = {}, {}, {}
    for indicator_id in indicators:
        comparison = facts.region_comparison(con, indicator_id, quarter_index)
        districts, missing, references = facts.split_comparison(comparison)
        assert_places_hold(districts, indicators[indicator_id]["better"])
        if len(districts):
            title = charts.region_bars(districts, missing, references, "本期").layout.title.text
            assert ("排名" in title) == (indicators[indicator_id]["better"] != "none"), title
        rows = pd.concat([districts, missing], ignore_index=True).assign(indicator_id=indicator_id,
                                                                        quarter_index=quarter_index)
        districts_said |= table_claims(rows, readable_facts(rows))
        for point in charts._hover_data(districts, "region_name"):  # 区域对比's bars, as they hover
            region_id = districts.loc[districts["region_name"] == point[0], "region_id"].iloc[0]
            hovers[indicator_id, region_id, quarter_index] = {"来源": hover_source(point)}
        series = facts.quarter_series(con, indicator_id, None, quarter_index)
        trends_said |= table_claims(series, readable_facts(series))

    # 简报 and the CLI
    data = brief_data(con, quarter_index, held, cards, latest, findings, assessed)
    notes = model.Notes()
    headline_rows = compose._headline_table(data.headline, notes).rows
    brief_said = {}
    for (_, row), cells in zip(data.headline.iterrows(), headline_rows, strict=True):
        brief_said[row["indicator_id"], row["region_id"], quarter_index] = {
            "status": MARK_STATUS.get(cells[5], cells[5]), "环比": cells[6], "同比": cells[7]}
    comparison_rows = [] if data.comparison is None else compose._comparison_blocks(data, notes, None)[1].rows
    summary = "".join(clause.text for clause in summary_clauses(data))
    noted = {(row["indicator_id"], row["region_id"], periods.quarter_index(row["period_id"])): label
             for label, (_, rows) in notes.sources.items() for row in rows.values()}

    # The same key reads the same everywhere.
    agree("趋势", trends_said, "总览表", overview_said, ("status", "环比", "同比", "来源"))
    agree("区域对比", districts_said, "趋势", trends_said, ("status", "环比", "同比", "来源"))
    agree("区域对比图", hovers, "区域对比", districts_said, ("来源",))
    agree("简报", brief_said, "总览卡片", cards_said, ("status", "同比"))
    agree("总览卡片", cards_said, "趋势", trends_said, ("来源", "同比"))
    for key, card in cards_said.items():
        if card["status"] != "未报送":
            assert card["status"] == trends_said[key]["status"], (key, card, trends_said[key])
            assert card["环比"] == _words(trends_said[key]["环比"]), (key, card, trends_said[key])
            assert _words(brief_said[key]["环比"]) == card["环比"], (key, card, brief_said[key])
            judgement = trends_said[key]["环比"].split("，")[1:]
            assert card["环比判断"] == {("改善",): "green", ("变差",): "red"}.get(tuple(judgement), "gray"), (key, card)
    for key, source in noted.items():  # the brief's notes name each value's source as the pages do
        assert source == trends_said[key]["来源"], (key, source, trends_said[key])
    if data.comparison is not None:  # the brief's ranking table and 区域对比's
        indicator_id = data.comparison["indicator_id"].iloc[0]
        ranked = facts.split_comparison(data.comparison)[0]
        has_rank = indicators[indicator_id]["better"] != "none"
        for row, cells in zip(ranked.itertuples(), comparison_rows, strict=False):
            said = districts_said[indicator_id, row.region_id, quarter_index]
            place = place_text(row.district_rank, row.district_rank_worst) or "—"
            # Without a better direction the table has no 名次 column, and no cell names a place.
            named = cells[1:] if has_rank else cells
            assert len(named) == 5 and (not has_rank or cells[0] == place), (cells, row)
            assert MARK_STATUS.get(cells[-2], cells[-2]) == said["status"]
            assert not any(RANK_WORDS.search(cell) for cell in (named[0], *named[2:])), cells  # but a rank's value

    # 需关注 and the CLI name exactly the quarter's misses and worsenings.
    current = latest[latest["is_current"]]
    missed = {(row.indicator_id, row.region_id) for row in current.itertuples() if row.status == Status.MISSED}
    assert {(item.indicator_id, item.region_id) for item in attention_said if item.finding == "below_target"} == missed
    for item in attention_said:
        key = (item.indicator_id, item.region_id, quarter_index)
        if item.finding == "worse":
            said = trends_said[key]["环比"]
            assert said.endswith("变差") and _words(said) in item.text, (item.text, said)
        if item.finding == "not_reported":
            assert districts_said.get(key) is None, item.text

    # 总览's counts (its cards state attention.status_counts) and the briefing's count sentence: one count.
    standing = attention.status_counts(con, quarter_index)
    counted = summary_clauses(data)[0].text
    said_counts = {status: int(count) for status, count in COUNTED.findall(counted)}
    assert {status: said_counts.get(STATUS_NAMES[status], 0) for status in STANDING_ORDER} == {
        status: standing.counts.get(status, 0) for status in STANDING_ORDER}, (counted, standing)
    silent = findings.loc[findings["finding"] == "not_reported"].sort_values("region_order")["region_name"]
    assert standing.unreported == tuple(dict.fromkeys(silent)), (standing, silent)
    if standing.unreported:
        assert f"（{'、'.join(standing.unreported)}）" in counted, counted

    # Every number the briefing's summary states is in the data of its quarter (or the previous one, for 环比):
    # a value, a target, a change, a gap, or a count of the rows.
    said_of_period = [periods.quarter_label(quarter_index), periods.quarter_label(quarter_index - 1),
                      f"{attention.REFERENCE_GAP_POINTS:g}", *map(str, range(len(latest) + len(DISTRICTS) + 1)),
                      *map(str, standing.counts.values())]
    for row in pd.concat([current, data.previous_facts]).itertuples():
        said_of_period += [value_text(row.value, row.unit, row.qualifier, row.kind),
                           target_text(row.target_value, row.target_comparator, row.unit, row.kind),
                           change_words(Change(row.change_vs_previous, row.unit, row.kind, row.better))]
    said_of_period += [delta_text(row.reference_value, row.value, row.unit, row.kind) for row in findings.itertuples()
                       if row.finding == "below_reference"]
    numbers = set(NUMBER.findall(" ".join(said_of_period)))
    assert set(NUMBER.findall(summary)) <= numbers, (set(NUMBER.findall(summary)) - numbers, summary)

    # Every change the briefing states is between two comparable, different values, each written with its own
    # qualifier ('由约95%变为93%', never '由95%…' for 约95%).
    stated = {(value_text(row.previous_value, row.unit, row.previous_qualifier, row.kind),
               value_text(row.value, row.unit, row.qualifier, row.kind)) for row in cards.itertuples()}
    stated |= {(value_text(row.reference_value, row.unit, row.reference_qualifier, row.kind),
                value_text(row.value, row.unit, row.qualifier, row.kind)) for row in findings.itertuples()
               if row.finding == "worse"}
    for before, after in re.findall(r"由([^由]+?)变为([^，；。]+)", summary):
        assert before != after, summary
        assert not before.startswith(BOUND_SIGNS) and not after.startswith(BOUND_SIGNS), summary
        assert (before, after) in stated, (before, after, summary)
    assert summary.count("持平") == summary.count("持平，仍为"), summary  # an equal value, said once as such
