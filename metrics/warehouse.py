"""Versioned DuckDB files behind one atomically switched symlink.

A writer copies the current version to a new file, changes it, and then replaces the
symlink; readers open the file the symlink names at the start of a run. Readers never see
half a change and never hold the writer's lock (see DESIGN.md §3).

A version is written under an `incomplete-` name and gets its final name (a hard link) only
once it is checkpointed, so a writer killed at any point leaves files that the next writer,
or `ensure`, recognises and removes. Every `v*.duckdb` file is therefore a version that was
published, or is about to be by the writer that holds the lock.
"""

import contextlib
import errno
import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb

from metrics import engine, queries

# Published versions kept as recovery points for `ensure`. Rollback does not need them: each
# version holds every load's before-images, so any load in it can be undone from it alone.
VERSIONS_KEPT = 4
INCOMPLETE_PREFIX = "incomplete-"
# A version replaced by `build --force`, and a current version found unreadable: never pruned.
KEPT_PREFIX = "kept-"
DAMAGED_PREFIX = "damaged-"
# Tables without which a version cannot serve the dashboard or be loaded into.
REQUIRED_TABLES = ("regions", "periods", "indicators", "observations", "targets", "loads", "load_changes",
                   "load_additions")
PRIVATE_DIRECTORY = 0o700
PRIVATE_FILE = 0o600


class WarehouseError(Exception):
    """A warehouse that is missing, unreadable or could not be changed; the message is Chinese."""


def versions_dir(db: Path) -> Path:
    return db.with_name(db.name + ".versions")


def current_file(db: Path) -> Path:
    """The version file the warehouse path points to now."""
    if db.is_symlink() and not db.exists():
        raise WarehouseError(
            f"数据仓库 {db} 的当前版本 {os.readlink(db)} 缺失，请运行 python -m metrics ensure 从最近的完好版本恢复"
        )
    if not db.exists():
        raise WarehouseError(f"找不到数据仓库 {db}，请先运行 python -m metrics build")
    if db.is_dir():
        raise WarehouseError(f"数据仓库路径 {db} 是一个目录，应为 .duckdb 文件")
    return db.resolve()


def exists(db: Path) -> bool:
    """Whether there is a warehouse here, even one whose current version is missing."""
    return db.is_symlink() or db.exists() or bool(_published_versions(db))


def version_id(db: Path) -> str:
    """A name that changes whenever a new version is published (used as a cache key)."""
    return current_file(db).name


def _is_disk_full(error: BaseException) -> bool:
    if isinstance(error, OSError):
        return error.errno == errno.ENOSPC
    return isinstance(error, duckdb.Error) and "No space left on device" in str(error)


def _connect(path: Path, db: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return engine.connect(path, read_only=read_only)
    except duckdb.Error as error:
        if _is_disk_full(error):
            raise
        if isinstance(error, duckdb.IOException | duckdb.InvalidInputException | duckdb.SerializationException):
            raise WarehouseError(
                f"无法打开数据仓库 {db}：不是有效的 DuckDB 文件或无读取权限"
                + ("" if read_only else "，请运行 python -m metrics ensure 从最近的完好版本恢复")
            ) from error
        raise WarehouseError(f"无法打开数据仓库 {db}：{error}") from error


def open_reader(db: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the current version."""
    return _connect(current_file(db), db, read_only=True)


@contextlib.contextmanager
def writer_lock(db: Path) -> Iterator[None]:
    """Serialise writers across processes; readers never take it."""
    directory = versions_dir(db)
    db.parent.mkdir(mode=PRIVATE_DIRECTORY, parents=True, exist_ok=True)
    directory.mkdir(mode=PRIVATE_DIRECTORY, exist_ok=True)
    directory.chmod(PRIVATE_DIRECTORY)  # also a directory made before versions were private
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
        _remove_crash_leftovers(db)
        final = versions_dir(db) / f"v{time.time_ns()}-{uuid.uuid4().hex[:8]}.duckdb"
        path = final.with_name(INCOMPLETE_PREFIX + final.name)
        try:
            if from_current:
                shutil.copyfile(current_file(db), path)
            con = _connect(path, db, read_only=False)
            path.chmod(PRIVATE_FILE)
            try:
                yield con
                con.execute("checkpoint")
            finally:
                con.close()
        except BaseException as error:
            _remove_version_files(path)
            if _is_disk_full(error):
                raise WarehouseError(f"磁盘空间不足，未写入，数据仓库保持原样：{db.parent}") from error
            raise
        os.link(path, final)
        _publish(db, final)
        path.unlink()
        _prune(db)


def _remove_version_files(path: Path) -> None:
    """A version file, its write-ahead log and its spill directory (metrics.engine)."""
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
    shutil.rmtree(engine.spill_directory(path), ignore_errors=True)


def _remove_crash_leftovers(db: Path) -> None:
    """What killed or failed writers left; the caller holds the writer lock, so no writer is running.

    An `incomplete-` file whose final name exists was killed while publishing: the final name is
    kept if the symlink had already switched to it. No published version has a `.wal` (each is
    checkpointed and closed before publishing, and readers never write), so every `.wal` is an
    orphan; a spill directory is removed only with its incomplete file (a reader may spill too).
    """
    directory = versions_dir(db)
    current = db.resolve() if db.is_symlink() else None
    for leftover in directory.glob(f"{INCOMPLETE_PREFIX}*.duckdb"):
        final = leftover.with_name(leftover.name.removeprefix(INCOMPLETE_PREFIX))
        if final != current:
            _remove_version_files(final)
        _remove_version_files(leftover)
    for log in directory.glob("*.wal"):
        log.unlink()
    spill_root = engine.spill_directory(directory / INCOMPLETE_PREFIX).parent  # where versions spill
    for spill in spill_root.glob(f"{INCOMPLETE_PREFIX}*.tmp"):
        shutil.rmtree(spill, ignore_errors=True)
    for link in db.parent.glob(f".{db.name}.*.tmp"):
        link.unlink()


def _publish(db: Path, path: Path) -> None:
    link = db.with_name(f".{db.name}.{uuid.uuid4().hex[:8]}.tmp")
    os.symlink(os.path.relpath(path, db.parent), link)
    os.replace(link, db)


def _published_versions(db: Path) -> list[Path]:
    """Newest first (names start with the time they were written)."""
    return sorted(versions_dir(db).glob("v*.duckdb"), key=lambda p: p.name, reverse=True)


def _prune(db: Path) -> None:
    """Keep the newest published versions; an open reader keeps its own deleted file until it closes."""
    current = current_file(db)
    for old in _published_versions(db)[VERSIONS_KEPT:]:
        if old != current:
            old.unlink(missing_ok=True)


def _is_intact(path: Path) -> bool:
    """Whether a version file opens and has the tables and rows a warehouse needs."""
    try:
        con = engine.connect(path, read_only=True)
    except duckdb.Error:
        return False
    try:
        tables = set(queries.run(con, "warehouse_tables")["table_name"])
        return set(REQUIRED_TABLES) <= tables and len(queries.run(con, "count_observations")) == 1
    except duckdb.Error:
        return False
    finally:
        con.close()


def recover(db: Path) -> Path | None:
    """Make the current version readable again, never by building over the warehouse.

    Under the writer lock: remove crash leftovers; if the current version is missing or unreadable,
    keep an unreadable one as `damaged-…`, publish the newest intact published version and return
    it. None when the current version is fine; WarehouseError when no intact version is left.
    """
    with writer_lock(db):
        _remove_crash_leftovers(db)
        current = db.resolve()
        if db.exists() and (db.is_dir() or _is_intact(current)):
            current_file(db)  # a directory is refused with its own message
            return None
        if current.exists():
            current.replace(current.with_name(DAMAGED_PREFIX + current.name))
        for candidate in _published_versions(db):
            if _is_intact(candidate):
                _publish(db, candidate)
                return candidate
    raise WarehouseError(
        f"数据仓库 {db} 的当前版本缺失或损坏，{versions_dir(db)} 中也没有完好的版本；"
        "未做任何修改。确认放弃原有数据后可运行 python -m metrics build --force"
    )


def keep_current(db: Path) -> Path | None:
    """Under the writer lock: the current version also as `kept-…`, which pruning never removes."""
    if not db.exists():
        return None
    current = current_file(db)
    kept = versions_dir(db) / (KEPT_PREFIX + current.name)
    if not kept.exists():
        os.link(current, kept)
    return kept
