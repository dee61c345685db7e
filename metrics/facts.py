"""Observed figures as pages need them: latest values, headline cards, comparisons, series."""

import duckdb
import pandas as pd

from metrics import queries

DISTRICT_LEVELS = ("区", "功能区")


def latest(con: duckdb.DuckDBPyConnection, category: str | None = None,
           region_id: str | None = None) -> pd.DataFrame:
    """Latest value per indicator and region, with target and status."""
    return queries.run(con, "latest_facts", category=category, region_id=region_id)


def headline(con: duckdb.DuckDBPyConnection, region_id: str | None = None) -> pd.DataFrame:
    """One latest figure per headline indicator, in headline order."""
    return queries.run(con, "headline_facts", region_id=region_id)


def comparable_indicators(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Indicators with at least one district value, the best covered first."""
    return queries.run(con, "comparable_indicators")


def region_comparison(con: duckdb.DuckDBPyConnection, indicator_id: str) -> pd.DataFrame:
    """Latest value of one indicator per region; districts carry their rank."""
    return queries.run(con, "region_comparison", indicator_id=indicator_id)


def split_comparison(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Districts (ranked) apart from the reference regions (city, townships, bureau)."""
    is_district = frame["region_level"].isin(DISTRICT_LEVELS)
    return frame[is_district].reset_index(drop=True), frame[~is_district].reset_index(drop=True)


def trend_indicators(con: duckdb.DuckDBPyConnection, category: str | None = None,
                     region_id: str | None = None) -> pd.DataFrame:
    """Indicators observed in the category and region, the most periods first."""
    return queries.run(con, "trend_indicators", category=category, region_id=region_id)


def series(con: duckdb.DuckDBPyConnection, indicator_id: str) -> pd.DataFrame:
    """Every observation of one indicator in time order."""
    return queries.run(con, "indicator_series", indicator_id=indicator_id)


def regions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return queries.run(con, "regions")


def categories(con: duckdb.DuckDBPyConnection) -> list[str]:
    return queries.run(con, "categories")["category"].tolist()


def data_status(con: duckdb.DuckDBPyConnection) -> dict:
    """As-of date of the newest figure and the last recorded change."""
    frame = queries.run(con, "data_status")
    return frame.iloc[0].to_dict() if len(frame) else {}
