"""The indicator catalog: names, definitions (口径), units, formulas, owners, notice items."""

import duckdb
import pandas as pd

from metrics.store import queries


def search(con: duckdb.DuckDBPyConnection, text: str | None = None,
           category: str | None = None) -> pd.DataFrame:
    """Indicators whose category and name hold every character of the text in order (so that
    一窗通办占比 finds 综合窗口可办事项占比(一窗通办) of 一窗通办), or whose id, definition or
    notice item contains it."""
    text = "".join((text or "").split()) or None
    return queries.run(con, "indicator_catalog_search", search=text, category=category,
                       pattern=in_order_pattern(text or ""))


def in_order_pattern(text: str) -> str:
    """A LIKE pattern (escape '\\') that matches a text holding every character of text in order."""
    return "%" + "%".join("\\" + char if char in "%_\\" else char for char in text) + "%"
