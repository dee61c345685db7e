"""The indicator catalog: names, definitions (口径), units, formulas, owners, notice items."""

import duckdb
import pandas as pd

from metrics import queries


def search(con: duckdb.DuckDBPyConnection, text: str | None = None,
           category: str | None = None) -> pd.DataFrame:
    """Indicators whose name, id, definition or notice item contains the text."""
    text = (text or "").strip() or None
    return queries.run(con, "indicator_catalog_search", search=text, category=category)
