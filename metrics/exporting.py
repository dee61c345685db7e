"""The long CSV form of observations and the indicator catalog."""

import io

import duckdb
import pandas as pd

from metrics import queries
from metrics.formatting import plain_number

EXPORT_COLUMNS = [
    "indicator_id",
    "indicator_name",
    "region",
    "period",
    "value",
    "unit",
    "qualifier",
    "source",
    "evidence",
    "period_label",
    "load_id",
]


def observations_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    frame = queries.run(con, "export_observations")
    frame["value"] = frame["value"].map(plain_number)
    frame["load_id"] = frame["load_id"].astype("Int64")
    return frame[EXPORT_COLUMNS]


def to_csv_text(frame: pd.DataFrame) -> str:
    """UTF-8 CSV text with a header; numbers already written exactly."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()
