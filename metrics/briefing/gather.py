"""What a brief is made of, read once from the warehouse for one quarter and optionally one region."""

from dataclasses import dataclass

import duckdb
import pandas as pd

from metrics import assessment, attention, facts, ledger, periods
from metrics.assessment import scoring
from metrics.briefing.model import BriefError, LongTexts
from metrics.formatting import inert
from metrics.store import queries

TRENDS_SHOWN = 4


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
    standing: attention.Standing
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
        standing=attention.status_counts(con, index, region_id),
        status=facts.data_status(con),
        long_texts=long_texts,
    )
