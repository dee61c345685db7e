"""Bring a warehouse that an earlier release built up to this release's schema, as a new version.

A release may add tables and change the rules (the views and macros of sql/views.sql), and with them the
stored facts derived from the rules. `ensure` compares the warehouse's schema fingerprint with this
release's and, when they differ, publishes a new version with the missing tables added (a new reference
table with its rows from data/seed/), the rules replaced and every stored fact recomputed. Loaded data
are never changed: base tables are only ever added, and the version before the upgrade stays a recovery
point.
"""

from pathlib import Path

import duckdb

from metrics import build, journal, queries, stored_facts
from metrics.paths import SEED_DIR
from metrics.warehouse import new_version, open_reader


def _recorded(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        found = queries.run(con, "schema_release_latest")
    except duckdb.CatalogException:  # built before releases were recorded
        return None
    return found["fingerprint"].iloc[0] if len(found) else None


def upgrade(db: Path, *, actor: str = "system") -> bool:
    """Upgrade the warehouse when its schema is not this release's; whether it did."""
    con = open_reader(db)
    try:
        if _recorded(con) == build.schema_fingerprint():
            return False
    finally:
        con.close()
    with new_version(db, from_current=True) as con:
        con.execute("begin transaction")
        count_before = journal.observation_count(con)
        # The stored facts' columns are the rules', and the change list is empty between changes: both are
        # laid out afresh. (Table names are this module's constants: identifiers cannot be bound.)
        for table in (*stored_facts.STORED_TABLES, "refresh_keys"):
            con.execute(f"drop table if exists {table}")
        existing = set(queries.run_in_transaction(con, "warehouse_tables")["table_name"])
        build.create_schema(con)
        for table in build.SEED_TABLES:  # reference data that came with a table this warehouse lacked
            if table not in existing:
                con.execute(f"insert into {table} by name select * from read_csv($path, header = true, "
                            "all_varchar = true)", {"path": str(SEED_DIR / f"{table}.csv")})
        stored_facts.refresh_all(con)
        build.record_schema(con)
        latest_load = int(queries.run_in_transaction(con, "load_next_id")["load_id"].iloc[0]) - 1
        journal.write(con, load_id=latest_load, actor=actor, action="升级数据仓库", target=str(db),
                      detail=f"结构升级到 {build.schema_fingerprint()}，重新计算全部指标结果",
                      count_before=count_before)
        con.execute("commit")
    return True
