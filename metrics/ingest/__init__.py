"""Quarterly data loading: the calls the 数据载入 page and `python -m metrics load` make.

read_upload → validate → apply; history and rollback; template_bytes for the Excel template.
"""

import ctypes
import gc
import sys
from pathlib import Path

import duckdb
import pyarrow as pa

from metrics.ingest.files import ROW, ParsedFile, problem_table, problems_frame, read_upload
from metrics.ingest.loads import (
    ConflictError,
    LoadError,
    LoadResult,
    apply,
    history,
    rollback,
    rollback_preview,
    undoable,
)
from metrics.ingest.validation import Progress, Validation, conflict_table, problem_lines, validate
from metrics.store.warehouse import WarehouseError, open_reader

__all__ = [
    "ConflictError",
    "LoadError",
    "LoadResult",
    "ParsedFile",
    "Progress",
    "ROW",
    "Validation",
    "apply",
    "check_file",
    "conflict_table",
    "history",
    "problem_lines",
    "problem_table",
    "problems_frame",
    "read_upload",
    "rollback",
    "rollback_preview",
    "template_bytes",
    "undoable",
    "validate",
]


def template_bytes(con: duckdb.DuckDBPyConnection) -> bytes:
    """The Excel template (metrics.ingest.template), imported when asked for: openpyxl's writer is 0.1 s of
    imports that reading and loading a file do not need."""
    from metrics.ingest import template

    return template.template_bytes(con)


def check_file(db: Path, path: Path, kind: str | None = None, max_mb: float | None = None) -> Validation:
    """Read and validate a file on disk (the command line's: a CSV is limited by its size alone) against the
    current warehouse version; the memory that reading it took is handed back before the caller writes."""
    validation = _validated_file(db, path, kind, max_mb)
    _release_free_memory()
    return validation


def _validated_file(db: Path, path: Path, kind: str | None, max_mb: float | None) -> Validation:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise WarehouseError(f"无法读取文件 {path}：{error.strerror}") from error
    parsed = read_upload(path.name, data, kind=kind, max_mb=max_mb, bounded=False)
    con = open_reader(db)
    try:
        return validate(con, parsed)
    finally:
        con.close()


def _release_free_memory() -> None:
    """Return to the system what a file's parsing left free: glibc and Arrow keep freed memory for reuse,
    about 400 MB after a 10^6-row file, which would otherwise stay resident beside the DuckDB memory the
    load's write then takes."""
    gc.collect()
    pa.default_memory_pool().release_unused()
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None) if sys.platform.startswith("linux") else None
    if trim:  # glibc's; other C libraries return freed memory by themselves or not at all
        trim(0)
