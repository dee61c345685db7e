"""Where the project's files live and which warehouse a command means."""

import os
from pathlib import Path

from metrics import config

ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = ROOT / "sql"
SEED_DIR = ROOT / "data" / "seed"
DEFAULT_DB = ROOT / "data" / "warehouse.duckdb"


def resolve_db(explicit: str | os.PathLike | None = None) -> Path:
    """The warehouse path: the explicit one, else $METRICS_DB (metrics.config), else the default under data/."""
    if explicit:
        return Path(explicit)
    return config.DB.value() or DEFAULT_DB
