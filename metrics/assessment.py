"""Provincial assessment results as reported: points per item and quarter, provincial ranks."""

import duckdb
import pandas as pd

from metrics import queries


def reported_points(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return queries.run(con, "assessment_points")


def reported_ranks(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return queries.run(con, "assessment_ranks")


def points_fraction(points: float, max_points: float) -> str:
    """'2/2' for the reader; whole numbers without decimals."""
    def whole(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else f"{x:g}"
    return f"{whole(points)}/{whole(max_points)}"
