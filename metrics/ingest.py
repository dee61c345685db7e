"""Quarterly data loading: the calls the 数据载入 page and `python -m metrics load` make.

read_upload → validate → apply; history and rollback; template_bytes for the Excel template.
"""

from pathlib import Path

import duckdb

from metrics.loads import (
    ConflictError,
    LoadError,
    LoadResult,
    apply,
    history,
    rollback,
    rollback_preview,
    undoable,
)
from metrics.uploads import ParsedFile, read_upload
from metrics.validation import Progress, Validation, problem_lines, validate
from metrics.warehouse import open_reader

__all__ = [
    "ConflictError",
    "LoadError",
    "LoadResult",
    "ParsedFile",
    "Progress",
    "Validation",
    "apply",
    "check_file",
    "history",
    "problem_lines",
    "read_upload",
    "rollback",
    "rollback_preview",
    "template_bytes",
    "undoable",
    "validate",
]


def template_bytes(con: duckdb.DuckDBPyConnection) -> bytes:
    """The Excel template (metrics.template), imported when asked for: openpyxl's writer is 0.1 s of
    imports that reading and loading a file do not need."""
    from metrics import template

    return template.template_bytes(con)


def check_file(db: Path, path: Path, kind: str | None = None, max_mb: float | None = None) -> Validation:
    """Read and validate a file on disk against the current warehouse version."""
    parsed = read_upload(path.name, path.read_bytes(), kind=kind, max_mb=max_mb)
    con = open_reader(db)
    try:
        return validate(con, parsed)
    finally:
        con.close()
