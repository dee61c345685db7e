"""The facts pages read, stored and kept by every change for the (indicator, region) keys it touched.

A change lists the keys it touches in refresh_keys inside its own transaction (the load, rollback,
target and seed SQL do); `refresh` then recomputes the stored tables for those keys from the rules
in sql/views.sql, so that the rules have one definition and the tables always equal them.
"""

import duckdb
import pandas as pd

from metrics import queries

# Tables of sql/views.sql whose rows and columns are the rules': an upgrade lays them out afresh.
STORED_TABLES = ("stored_observation_facts", "stored_quarter_facts", "newest_quarter_facts")


def _add_derived_keys(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(queries.query_text("facts_refresh_derived_keys"))


def touched_violations(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The data tests over the touched keys, as the open transaction sees them."""
    _add_derived_keys(con)
    return queries.run_in_transaction(con, "integrity_violations_touched")


def refresh(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the stored facts of the touched keys in the open transaction and clear the list."""
    _add_derived_keys(con)
    queries.run_script(con, queries.query_text("facts_refresh"))


def refresh_all(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the stored facts of every key in the open transaction."""
    con.execute(queries.query_text("facts_refresh_all_keys"))
    refresh(con)
