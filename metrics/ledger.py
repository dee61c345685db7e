"""The rectification ledger: the 26 problems of the notice and the figures linked to them."""

import duckdb
import pandas as pd

from metrics import queries


def problems(con: duckdb.DuckDBPyConnection, category: str | None = None) -> pd.DataFrame:
    return queries.run(con, "problems", category=category)


def problem_facts(con: duckdb.DuckDBPyConnection, problem_no: int) -> pd.DataFrame:
    """Latest figures of the indicators linked to one problem."""
    return queries.run(con, "problem_facts", problem_no=int(problem_no))
