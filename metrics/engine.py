"""DuckDB connections as the product opens them: with a memory limit and a spill directory from configuration.

Every connection, reader or writer, warehouse version or accounts store, is opened here, so that a
page or a load that needs more than the limit spills to disk instead of growing without bound.
"""

import os
from pathlib import Path

import duckdb

MEMORY_LIMIT_ENV_VAR = "METRICS_MEMORY_LIMIT"
TEMP_DIR_ENV_VAR = "METRICS_TEMP_DIR"
# Per database a process opens; the dashboard holds the current version (and, briefly, the one before).
DEFAULT_MEMORY_LIMIT = "2GB"


def spill_directory(path: Path) -> Path:
    """<file>.tmp beside the database file, or under $METRICS_TEMP_DIR when set (one directory per
    file, so that two databases never share spill files)."""
    spill_root = os.environ.get(TEMP_DIR_ENV_VAR)
    return Path(spill_root) / f"{path.name}.tmp" if spill_root else path.with_name(f"{path.name}.tmp")


def settings(path: Path) -> dict[str, str]:
    """memory_limit ($METRICS_MEMORY_LIMIT, else 2GB) and temp_directory (spill_directory)."""
    return {
        "memory_limit": os.environ.get(MEMORY_LIMIT_ENV_VAR) or DEFAULT_MEMORY_LIMIT,
        "temp_directory": str(spill_directory(path)),
    }


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=read_only, config=settings(path))
