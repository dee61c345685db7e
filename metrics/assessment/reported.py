"""Provincial assessment results as reported: points per item and quarter, provincial ranks."""

import duckdb
import pandas as pd

from metrics.store import queries


def reported_points(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return queries.run(con, "assessment_points")


def reported_ranks(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return queries.run(con, "assessment_ranks")

