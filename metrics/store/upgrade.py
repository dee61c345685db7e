"""Bring a warehouse that an earlier release built up to this release's schema, in one transaction;
and move a warehouse of an earlier format, or the embedded one into the shared catalog.

A release may add tables and change the rules (the views and macros of sql/views.sql), and with them the
stored facts derived from the rules. `ensure` compares the warehouse's schema fingerprint with this
release's and, when they differ, commits one change with the missing tables added (a new reference
table with its rows from data/seed/), the rules replaced and every stored fact recomputed. Loaded data
are never changed: base tables are only ever added, and the state before the upgrade stays readable as
the snapshot before it.
"""

from pathlib import Path

import duckdb

from metrics import config
from metrics.paths import SEED_DIR
from metrics.store import build, engine, journal, queries, stored_facts, warehouse
from metrics.store.warehouse import WarehouseError, new_version, open_reader


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
        count_before = journal.observation_count(con)
        # The stored facts' columns are the rules', and the change list is empty between changes: both are
        # laid out afresh.
        for table in (*stored_facts.STORED_TABLES, "refresh_keys"):
            warehouse.drop(con, table)
        existing = set(queries.run_in_transaction(con, "warehouse_tables")["table_name"])
        build.create_schema(con)
        _complete(con, existing, db, actor, "升级数据仓库",
                  f"结构升级到 {build.schema_fingerprint()}，重新计算全部指标结果", count_before)
    return True


def _complete(con: duckdb.DuckDBPyConnection, existing: set[str], db: Path, actor: str, action: str, detail: str,
              count_before: int) -> None:
    """What an upgrade and a migration end with, in their transaction: the reference tables the warehouse
    lacked, every stored fact recomputed, this release's schema recorded, and the journal entry."""
    _fill_missing_reference_tables(con, existing)
    stored_facts.refresh_all(con)
    build.record_schema(con)
    latest_load = int(queries.run_in_transaction(con, "load_next_id")["load_id"].iloc[0]) - 1
    journal.write(con, load_id=latest_load, actor=actor, action=action, target=str(db), detail=detail,
                  count_before=count_before)


def _fill_missing_reference_tables(con: duckdb.DuckDBPyConnection, existing: set[str]) -> None:
    """Reference data that came with a table this warehouse lacked, from data/seed/."""
    for table in build.SEED_TABLES:
        if table not in existing:
            con.execute(f"insert into {table} by name select * from read_csv($path, header = true, "
                        "all_varchar = true)", {"path": str(SEED_DIR / f"{table}.csv")})


# Derived tables a migration recomputes rather than copies.
RECOMPUTED = (*stored_facts.STORED_TABLES, "refresh_keys", "schema_release")


def migrate_legacy(db: Path, *, actor: str = "system") -> tuple[int, int]:
    """Copy a warehouse of the versioned-file format (its current version, with every load's history and
    before-images) into a new lake beside it, in one transaction, and check that every table arrived
    whole; the old files are left as they were. Returns the tables and observations copied."""
    legacy = db.resolve()
    try:
        source = engine.connect(legacy, read_only=True)
    except duckdb.Error as error:
        raise WarehouseError(f"旧格式数据仓库 {db} 无法打开，未迁移：{type(error).__name__}") from error
    try:
        return _copy_warehouse(db, source, actor, f"从旧格式 {legacy.name}")
    finally:
        source.close()


def migrate_to_shared(db: Path, *, actor: str = "system") -> tuple[int, int]:
    """Copy the embedded warehouse (its SQLite-catalogued lake, with every load's history) into the empty
    shared catalog of $METRICS_CATALOG_URL, in one transaction, checking every table's rows."""
    if not warehouse.catalog_url():
        raise WarehouseError(f"请先设置 {config.CATALOG_URL.name} 为共享目录库(PostgreSQL)的连接串")
    if warehouse.exists(db):
        raise WarehouseError(f"共享目录库 {warehouse.catalog_name(db)} 中已有数据仓库，未复制任何数据；"
                             "请指定一个空的数据库")
    source = open_reader(db, embedded=True)
    try:
        return _copy_warehouse(db, source, actor, f"从本机目录库 {warehouse.catalog_file(db)}")
    finally:
        source.close()


def _copy_warehouse(db: Path, source: duckdb.DuckDBPyConnection, actor: str, origin: str) -> tuple[int, int]:
    """Every base table of source into a new warehouse at db (derived tables recomputed), each table's
    rows checked, journalled; the tables and observations copied."""
    tables = set(queries.run(source, "warehouse_tables")["table_name"])
    copied = {}
    with new_version(db, from_current=False) as con:
        build.create_schema(con)
        lake_tables = set(queries.run_in_transaction(con, "warehouse_tables")["table_name"])
        for table in sorted((tables & lake_tables) - set(RECOMPUTED)):  # names from both catalogs
            rows = source.execute(f'select * from "{table}"').fetch_arrow_table()
            con.register("copied_rows", rows)
            con.execute(f'insert into "{table}" by name select * from copied_rows')
            con.unregister("copied_rows")
            arrived = con.execute(f'select count(*) from "{table}"').fetchone()[0]
            if arrived != rows.num_rows:
                raise WarehouseError(f"迁移数据仓库时表 {table} 行数不符（{rows.num_rows} → {arrived}），未迁移")
            copied[table] = arrived
        _complete(con, tables, db, actor, "迁移数据仓库",
                  f"{origin}迁移 {len(copied)} 张表，观测值 {copied.get('observations', 0)} 条",
                  copied.get("observations", 0))
    return len(copied), copied.get("observations", 0)
