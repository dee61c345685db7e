"""Build a fresh warehouse from sql/ and data/seed/, published only when it passes its checks."""

import datetime as dt
import hashlib
from pathlib import Path

import duckdb

from metrics import queries
from metrics.paths import SEED_DIR, SQL_DIR
from metrics.warehouse import WarehouseError, new_version

SEED_TABLES = (
    "regions",
    "periods",
    "indicators",
    "derivations",
    "observations",
    "targets",
    "assessment_schemes",
    "assessment_rules",
    "assessment_rule_steps",
    "assessment_items",
    "problems",
    "problem_indicators",
)


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    for name in ("schema.sql", "views.sql"):
        queries.run_script(con, (SQL_DIR / name).read_text(encoding="utf-8"))


def integrity_violations(con: duckdb.DuckDBPyConnection):
    return queries.run(con, "integrity_violations")


def build(db: Path, seed_dir: Path = SEED_DIR) -> int:
    """Build the warehouse at db; returns the number of seed observations."""
    missing = [t for t in SEED_TABLES if not (seed_dir / f"{t}.csv").is_file()]
    if missing:
        raise WarehouseError(f"种子数据缺少文件：{', '.join(m + '.csv' for m in missing)}")
    observations = seed_dir / "observations.csv"
    params = {table: str(seed_dir / f"{table}.csv") for table in SEED_TABLES}
    params["seed_sha256"] = hashlib.sha256(observations.read_bytes()).hexdigest()
    params["seed_rows"] = sum(1 for _ in observations.open(encoding="utf-8")) - 1
    params["built_at"] = dt.datetime.now().replace(microsecond=0)
    with new_version(db, from_current=False) as con:
        create_schema(con)
        try:
            queries.run_script(con, (SQL_DIR / "load_seed.sql").read_text(encoding="utf-8"), params)
        except duckdb.Error as error:
            raise WarehouseError(f"种子数据无法载入：{error}") from error
        violations = integrity_violations(con)
        if len(violations):
            first = violations.iloc[0]
            raise WarehouseError(
                f"种子数据未通过校验（{len(violations)} 处），如 {first.indicator_id}/"
                f"{first.region_id}/{first.period_id}：{first.problem}"
            )
    return params["seed_rows"]
