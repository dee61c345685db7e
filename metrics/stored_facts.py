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
# Observations recomputed per step when every key is (refresh_all).
REFRESH_BATCH_ROWS = 1_000_000


def _scope(con: duckdb.DuckDBPyConnection) -> None:
    """Add the keys of computed indicators to the touched ones, and copy the observations in their
    range for the scoped rules to read (sql/views.sql, observations_of)."""
    con.execute(queries.query_text("facts_refresh_derived_keys"))
    bounds = queries.run_in_transaction(con, "facts_scope_bounds").iloc[0].to_dict()
    queries.run_script(con, queries.query_text("facts_scope_observations"), bounds)


def touched_violations(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The data tests over the touched keys, as the open transaction sees them."""
    _scope(con)
    return queries.run_in_transaction(con, "integrity_violations_touched")


def checked_refresh(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """touched_violations, and when there are none, refresh, both on one copy of the observations in scope."""
    violations = touched_violations(con)
    if violations.empty:
        queries.run_script(con, queries.query_text("facts_refresh"))
    return violations


def refresh(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the stored facts of the touched keys in the open transaction and clear the list."""
    _scope(con)
    queries.run_script(con, queries.query_text("facts_refresh"))


def refresh_all(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the stored facts of every key in the open transaction, about REFRESH_BATCH_ROWS
    observations at a time: a key's facts depend on its own observations and a computed indicator's on
    its operands' (which every batch that touches them refreshes again), so batches store what one
    step would, in the memory of one batch (10^7 observations at once exceeded a 2 GB memory_limit)."""
    counts = queries.run_in_transaction(con, "observation_count_by_indicator")
    for first, last in indicator_batches(counts["indicator_id"].tolist(), counts["observation_count"].tolist()):
        queries.run_script(con, queries.query_text("facts_refresh_all_keys"),
                           {"first_indicator": first, "last_indicator": last})
        refresh(con)


def indicator_batches(indicator_ids: list[str], counts: list[int]) -> list[tuple[str, str]]:
    """Consecutive ranges of the (sorted) indicators, each of about REFRESH_BATCH_ROWS observations or
    of one indicator that has more."""
    batches, first, rows = [], None, 0
    for indicator_id, count in zip(indicator_ids, counts, strict=True):
        if first is None:
            first = indicator_id
        rows += count
        if rows >= REFRESH_BATCH_ROWS:
            batches.append((first, indicator_id))
            first, rows = None, 0
    if first is not None:
        batches.append((first, indicator_ids[-1]))
    return batches
