"""The record of each warehouse change: written in the change's own transaction, copied to the audit trail.

A change and its journal row are committed together in one transaction, so no change is ever
committed without its record. The accounts store's audit trail is a copy, made right after the
change and again at every start (idempotent, keyed by change_key): a kill, or a store locked by
another process, between committing and copying only delays the audit entry.
"""

import datetime as dt
import uuid
from pathlib import Path

import duckdb

from metrics import accounts
from metrics.paths import SQL_DIR
from metrics.store import queries
from metrics.store.warehouse import read_once

AUDIT_WAIT_SECONDS = 10.0


def observation_count(con: duckdb.DuckDBPyConnection) -> int:
    """Observations as the connection's open transaction sees them."""
    return int(queries.run_in_transaction(con, "count_observations")["count_observations"].iloc[0])


def write(con: duckdb.DuckDBPyConnection, *, load_id: int, actor: str, action: str, target: str,
          detail: str | None, count_before: int) -> None:
    """Journal a change inside the caller's transaction, before it commits."""
    queries.run_script(con, (SQL_DIR / "change_log.sql").read_text(encoding="utf-8"))
    con.execute(queries.query_text("change_log_insert"), {
        "change_key": uuid.uuid4().hex, "load_id": int(load_id), "actor": actor, "action": action,
        "target": target, "detail": detail, "count_before": int(count_before),
        "happened_at": dt.datetime.now().replace(microsecond=0),
    })


def reconcile(db: Path) -> None:
    """Copy the current version's journal rows that the audit trail lacks into it.

    Raises accounts.StoreBusy when the accounts store stays locked for AUDIT_WAIT_SECONDS.
    """
    con = read_once(db)
    try:
        entries = queries.run_in_transaction(con, "change_log_list")
    except duckdb.CatalogException:
        return  # built before the journal existed, and not changed since
    finally:
        con.close()
    accounts.reconcile_audit(accounts.accounts_path(db), entries, AUDIT_WAIT_SECONDS)
