"""The facts pages read, stored and kept by every change for the (indicator, region) keys it touched.

A change lists the keys it touches in refresh_keys inside its own transaction (the load, rollback,
target and seed SQL do); `refresh` then recomputes the stored tables for those keys from the rules
in sql/views.sql, so that the rules have one definition and the tables always equal them.
"""

import contextlib
from collections.abc import Iterator

import duckdb
import pandas as pd

from metrics.store import queries

# Tables of sql/views.sql whose rows and columns are the rules': an upgrade lays them out afresh.
STORED_TABLES = ("stored_observation_facts", "stored_quarter_facts", "newest_quarter_facts")
# The tables besides the observations that the rules read. While a change of up to COPIED_UP_TO_KEYS keys
# computes, each is read from an in-memory copy (_scope): DuckLake looks a table's files up in its catalog
# at every read (2-5 ms), and the rules read these about 60 times per change (10-row load into 10^8
# observations: the data tests and the facts 0.52 s -> 0.10 s). A larger change costs its rows rather than
# the lookups, and the copies' exact sizes led DuckDB to plans beyond the memory limit (1M-row load into
# 10^7: the quarter facts of 100,000 keys took more than 1.5 GB).
RULE_TABLES = ("indicators", "periods", "regions", "derivations", "targets", "assessment_schemes",
               "assessment_items", "refresh_keys")
COPIED_UP_TO_KEYS = 10_000
# Observations recomputed per step when every key is (refresh_all).
REFRESH_BATCH_ROWS = 1_000_000


@contextlib.contextmanager
def _scope(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Inside the block the scoped rules read in-memory copies, as the open transaction sees them, of
    the observations in the touched range (sql/views.sql, observations_of) and, for a change of up to
    COPIED_UP_TO_KEYS keys, of RULE_TABLES.

    A copy is a temporary table of the same name, which DuckDB resolves before the lake's in the
    rules' views and macros alike. They are dropped when the block ends; when it fails, the caller's
    transaction is rolled back and its cursor closed, and they go with it."""
    con.execute(queries.query_text("facts_refresh_derived_keys"))
    bounds = queries.run_in_transaction(con, "facts_scope_bounds").iloc[0].to_dict()
    copied = RULE_TABLES if bounds.pop("touched_keys") <= COPIED_UP_TO_KEYS else ()
    catalog = con.execute("select current_database()").fetchone()[0]
    for table in copied:  # fixed names; the catalog is the one the product attached
        con.execute(f'create temp table {table} as select * from "{catalog}".main.{table}')
    queries.run_script(con, queries.query_text("facts_scope_observations"), bounds)
    yield
    for table in (*copied, "scoped_observations"):
        con.execute(f"drop table temp.main.{table}")


def checked_refresh(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The data tests over the touched keys, as the open transaction sees them, and when none fails,
    refresh, both on one copy of what the rules read."""
    with _scope(con):
        violations = queries.run_in_transaction(con, "integrity_violations_touched")
        if violations.empty:
            queries.run_script(con, queries.query_text("facts_refresh"))
    if violations.empty:
        con.execute(queries.query_text("facts_refresh_keys_clear"))
    return violations


def refresh(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the stored facts of the touched keys in the open transaction and clear the list."""
    with _scope(con):
        queries.run_script(con, queries.query_text("facts_refresh"))
    con.execute(queries.query_text("facts_refresh_keys_clear"))


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
