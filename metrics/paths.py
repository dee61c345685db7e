"""Where the project's files live and which warehouse a command means."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = ROOT / "sql"
SEED_DIR = ROOT / "data" / "seed"
DEFAULT_DB = ROOT / "data" / "warehouse.duckdb"
DB_ENV_VAR = "METRICS_DB"


def resolve_db(explicit: str | os.PathLike | None = None) -> Path:
    """The warehouse path: the explicit one, else $METRICS_DB, else the default under data/."""
    if explicit:
        return Path(explicit)
    if os.environ.get(DB_ENV_VAR):
        return Path(os.environ[DB_ENV_VAR])
    return DEFAULT_DB
