"""Versioned DuckDB files behind one atomically switched symlink.

A writer copies the current version to a new file, changes it, and then replaces the
symlink; readers open the file the symlink names at the start of a run. Readers never see
half a change and never hold the writer's lock (see DESIGN.md §3).
"""

import contextlib
import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb

VERSIONS_KEPT = 4


class WarehouseError(Exception):
    """A warehouse that is missing, unreadable or could not be changed; the message is Chinese."""


def versions_dir(db: Path) -> Path:
    return db.with_name(db.name + ".versions")


def current_file(db: Path) -> Path:
    """The version file the warehouse path points to now."""
    if not db.exists():
        raise WarehouseError(f"找不到数据仓库 {db}，请先运行 python -m metrics build")
    if db.is_dir():
        raise WarehouseError(f"数据仓库路径 {db} 是一个目录，应为 .duckdb 文件")
    return db.resolve()


def version_id(db: Path) -> str:
    """A name that changes whenever a new version is published (used as a cache key)."""
    return current_file(db).name


def open_reader(db: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the current version."""
    path = current_file(db)
    try:
        return duckdb.connect(str(path), read_only=True)
    except (duckdb.IOException, duckdb.InvalidInputException, duckdb.SerializationException) as error:
        raise WarehouseError(f"无法打开数据仓库 {db}：不是有效的 DuckDB 文件或无读取权限") from error
    except duckdb.Error as error:
        raise WarehouseError(f"无法打开数据仓库 {db}：{error}") from error


@contextlib.contextmanager
def writer_lock(db: Path) -> Iterator[None]:
    """Serialise writers across processes; readers never take it."""
    directory = versions_dir(db)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def new_version(db: Path, *, from_current: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    """A writable connection to a fresh version, published only if the block succeeds."""
    with writer_lock(db):
        directory = versions_dir(db)
        path = directory / f"v{time.time_ns()}-{uuid.uuid4().hex[:8]}.duckdb"
        if from_current:
            shutil.copyfile(current_file(db), path)
        try:
            con = duckdb.connect(str(path))
            try:
                yield con
                con.execute("checkpoint")
            finally:
                con.close()
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        _publish(db, path)
        _prune(db)


def _publish(db: Path, path: Path) -> None:
    link = db.with_name(f".{db.name}.{uuid.uuid4().hex[:8]}.tmp")
    os.symlink(os.path.relpath(path, db.parent), link)
    os.replace(link, db)


def _prune(db: Path) -> None:
    """Keep the newest versions; an open reader keeps its own deleted file until it closes."""
    current = current_file(db)
    versions = sorted(versions_dir(db).glob("v*.duckdb"), key=lambda p: p.name, reverse=True)
    for old in versions[VERSIONS_KEPT:]:
        if old != current:
            old.unlink(missing_ok=True)
