"""Observed figures as pages need them: latest values, headline cards, comparisons, series."""

import duckdb
import pandas as pd

from metrics import claims
from metrics.formatting import readable_facts
from metrics.store import queries

DISTRICT_LEVELS = ("区", "功能区")
# The indicator 区域对比 opens with, and how many regions 趋势 draws until others are chosen.
DEFAULT_COMPARISON = "one_window_share"
TREND_REGIONS_SHOWN = 8

def as_of(con: duckdb.DuckDBPyConnection, quarter_index: int, category: str | None = None,
          region_id: str | None = None, row_limit: int | None = None) -> pd.DataFrame:
    """Per indicator and region: the quarter's value, else the latest before it (is_current
    false), with target, status, 环比 and 同比; the first row_limit rows (all when None), each
    with the count of all (total_rows)."""
    return queries.run(con, "period_facts", quarter_index=quarter_index, category=category,
                       region_id=region_id, row_limit=row_limit)


def as_of_with_table(con: duckdb.DuckDBPyConnection, quarter_index: int, category: str | None = None,
                     region_id: str | None = None, row_limit: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """as_of, and the same rows as the 总览 table and its download show them (readable_facts, with each
    row's reporting quarter): one query for both. A page asks for the rows it shows (a province has
    tens of thousands) and its download for all of them, when clicked."""
    latest = as_of(con, quarter_index, category, region_id, row_limit)
    table = readable_facts(latest)
    table.insert(3, "报告季度", latest["quarter_label"] + latest["is_current"].map({True: "", False: "（非本期）"}))
    return latest, table


def headline(con: duckdb.DuckDBPyConnection, quarter_index: int, region_id: str | None = None) -> pd.DataFrame:
    """One figure per headline indicator for the quarter, in headline order."""
    return queries.run(con, "headline_facts", quarter_index=quarter_index, region_id=region_id)


def comparable_indicators(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Indicators with at least one district value, the best covered first."""
    return queries.run(con, "comparable_indicators")


def region_comparison(con: duckdb.DuckDBPyConnection, indicator_id: str, quarter_index: int) -> pd.DataFrame:
    """One indicator in one quarter for every district (ranked, or 未报送 with its latest earlier
    value beside it) and for the reference regions that hold a value of the quarter.

    A reporting district's place (metrics.claims.places) is district_rank to district_rank_worst, equal where
    the values decide it, and none for an indicator without a better direction or for an undecided bound.
    Districts come first, by place (without a better direction: by value, highest first), then the others by
    their order."""
    frame = queries.run(con, "region_comparison", indicator_id=indicator_id, quarter_index=quarter_index)
    reported = frame["is_district"] & frame["value"].notna()
    found = claims.places(frame.loc[reported, "value"].tolist(), frame.loc[reported, "qualifier"].tolist(),
                          frame["better"].iloc[0] if len(frame) else "none")
    frame["district_rank"] = pd.Series([place.best if place else None for place in found],
                                       index=frame.index[reported], dtype="float64")
    frame["district_rank_worst"] = pd.Series([place.worst if place else None for place in found],
                                             index=frame.index[reported], dtype="float64")
    frame["unreported"] = ~reported
    frame["by_value"] = -frame["value"]
    order = (["unreported", "district_rank", "district_rank_worst"]
             if len(frame) and claims.has_better_direction(frame["better"].iloc[0]) else ["unreported", "by_value"])
    return (frame.sort_values([*order, "region_order"], kind="stable", na_position="last")
            .drop(columns=["unreported", "by_value"]).reset_index(drop=True))


def split_comparison(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Districts with a value (ranked), districts without one (未报送), and the reference regions
    (city, townships, bureau)."""
    is_district = frame["region_level"].isin(DISTRICT_LEVELS)
    reported = frame["value"].notna()
    return (frame[is_district & reported].reset_index(drop=True),
            frame[is_district & ~reported].reset_index(drop=True),
            frame[~is_district].reset_index(drop=True))


def trend_indicators(con: duckdb.DuckDBPyConnection, category: str | None = None,
                     region_id: str | None = None) -> pd.DataFrame:
    """Indicators observed in the category and region, the most periods first."""
    return queries.run(con, "trend_indicators", category=category, region_id=region_id)


def series_regions(con: duckdb.DuckDBPyConnection, indicator_id: str, quarter_index: int | None = None,
                   region_id: str | None = None) -> pd.DataFrame:
    """The regions (region_id, region_name) with a value of one indicator up to a quarter, in order."""
    return queries.run(con, "indicator_regions", indicator_id=indicator_id, quarter_index=quarter_index,
                       region_id=region_id)


def series(con: duckdb.DuckDBPyConnection, indicator_id: str, region_ids: tuple[str, ...] | None = None,
           quarter_index: int | None = None) -> pd.DataFrame:
    """Every observation of one indicator in time order (of some regions, up to a quarter), with its
    reporting quarter and its place on a dated axis (plotted_at)."""
    return queries.run(con, "indicator_series", indicator_id=indicator_id,
                       region_ids=None if region_ids is None else list(region_ids), quarter_index=quarter_index)


def quarter_series(con: duckdb.DuckDBPyConnection, indicator_id: str, region_ids: tuple[str, ...] | None = None,
                   quarter_index: int | None = None) -> pd.DataFrame:
    """One indicator's value per region and reporting quarter (of some regions, up to a quarter),
    with 环比 and 同比."""
    return queries.run(con, "quarter_series", indicator_id=indicator_id,
                       region_ids=None if region_ids is None else list(region_ids), quarter_index=quarter_index)


def regions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return queries.run(con, "regions")


def categories(con: duckdb.DuckDBPyConnection) -> list[str]:
    return queries.run(con, "categories")["category"].tolist()


def data_status(con: duckdb.DuckDBPyConnection) -> dict:
    """The number of observations, of them the documents' (documents: their names and dates), and the last
    recorded change."""
    frame = queries.run(con, "data_status")
    return frame.iloc[0].to_dict() if len(frame) else {}
