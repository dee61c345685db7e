"""Build a fresh warehouse from sql/ and data/seed/, published only when it passes its checks."""

import datetime as dt
import hashlib
from pathlib import Path

import duckdb

from metrics.paths import SEED_DIR, SQL_DIR
from metrics.store import journal, queries, stored_facts, warehouse
from metrics.store.warehouse import WarehouseError, new_version

SEED_TABLES = (
    "regions",
    "periods",
    "indicators",
    "indicator_aliases",
    "derivations",
    "observations",
    "targets",
    "assessment_schemes",
    "assessment_rules",
    "assessment_rule_steps",
    "assessment_items",
    "problems",
    "problem_indicators",
    "reporting_rules",
    "source_documents",
)



def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Lay out a warehouse, or add to one what an earlier release lacked: every statement is idempotent."""
    for statement in warehouse.lake_statements():
        con.execute(statement)


def schema_fingerprint() -> str:
    """This release's schema: a hash of the files that lay out a warehouse (the ones the lake keeps, so that a
    file added to the layout is part of the fingerprint)."""
    digest = hashlib.sha256()
    for name in warehouse.SCHEMA_FILES:
        digest.update((SQL_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def record_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Note, in the open transaction, that the warehouse has this release's schema."""
    queries.run_in_transaction(con, "schema_release_insert", fingerprint=schema_fingerprint(),
                               applied_at=dt.datetime.now().replace(microsecond=0))


def integrity_violations(con: duckdb.DuckDBPyConnection):
    return queries.run_in_transaction(con, "integrity_violations")


def _replaced(db: Path, force: bool) -> tuple[int | None, int]:
    """Under the writer lock: refuse to build over loaded data unless forced.

    Returns the snapshot that keeps what is replaced (None when nothing is lost) and its observation count.
    """
    if not warehouse.exists(db) or warehouse.is_legacy(db):
        return None, 0
    try:
        con = warehouse.open_reader(db)
    except warehouse.EmptyWarehouse:
        return None, 0  # a first build killed before it committed
    except WarehouseError as error:
        if not force:
            raise WarehouseError(f"{error}；构建会替换它，确认放弃请加 --force") from error
        return None, 0
    try:
        count_loads = int((queries.run(con, "load_history")["kind"] != "seed").sum())
        count_observations = journal.observation_count(con)
    except duckdb.Error:
        count_loads, count_observations = 0, 0  # a lake without the load tables: nothing loaded to lose
    finally:
        con.close()
    if not count_loads:
        return None, count_observations
    if not force:
        raise WarehouseError(
            f"数据仓库 {db} 已有 {count_loads} 次载入，重建会以种子数据替换；确认请加 --force(原版本会保留)"
        )
    return warehouse.current_snapshot(db), count_observations


def build(db: Path, seed_dir: Path = SEED_DIR, *, force: bool = False, actor: str = "system") -> int:
    """Build the warehouse at db; returns the number of seed observations.

    Over a warehouse with loads only when forced: what is replaced stays readable as the snapshot before.
    """
    missing = [t for t in SEED_TABLES if not (seed_dir / f"{t}.csv").is_file()]
    if missing:
        raise WarehouseError(f"种子数据缺少文件：{', '.join(m + '.csv' for m in missing)}")
    observations = seed_dir / "observations.csv"
    params = {table: str(seed_dir / f"{table}.csv") for table in SEED_TABLES}
    params["seed_sha256"] = hashlib.sha256(observations.read_bytes()).hexdigest()
    params["seed_rows"] = sum(1 for _ in observations.open(encoding="utf-8")) - 1
    params["built_at"] = dt.datetime.now().replace(microsecond=0)
    with new_version(db, from_current=False) as con:
        kept, count_before = _replaced(db, force)
        create_schema(con)
        try:
            queries.run_script(con, (SQL_DIR / "load_seed.sql").read_text(encoding="utf-8"), params)
        except duckdb.Error as error:
            raise WarehouseError(f"种子数据无法载入：{error}") from error
        stored_facts.refresh_all(con)
        record_schema(con)
        violations = integrity_violations(con)
        if len(violations):
            first = violations.iloc[0]
            raise WarehouseError(
                f"种子数据未通过校验（{len(violations)} 处），如 {first.indicator_id}/"
                f"{first.region_id}/{first.period_id}：{first.problem}"
            )
        detail = f"种子数据 {params['seed_rows']} 条观测值"
        if kept:
            detail += f"；原版本(含载入)保留为快照 {kept}"
        journal.write(con, load_id=1, actor=actor, action="重建数据仓库" if kept else "构建数据仓库",
                      target="载入 #1 种子数据", detail=detail, count_before=count_before)
    return params["seed_rows"]
