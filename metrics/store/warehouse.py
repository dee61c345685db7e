"""The warehouse: a DuckLake (Parquet data files and a catalog) in `<warehouse path>.lake/`.

Embedded (the default), the catalog is a SQLite file in that directory. Shared (METRICS_CATALOG_URL, a
PostgreSQL URL), the catalog is in PostgreSQL and the directory is the data path every server mounts;
nothing else differs.

Every change is one DuckLake transaction, made under a file lock that serialises writers across
processes; a committed change is a new snapshot. A reader attaches the snapshot that was current
when it opened, so that all it reads belongs to one published state: readers never see half a
change and never wait for a writer (ARCHITECTURE.md). A change writes only the rows it changes — no
copy of the warehouse — and a rollback restores the exact prior rows from the load's before-images.

The lake holds the tables and the views; DuckLake stores no macros, so each process keeps the rules
(the macros of sql/views.sql) in its in-memory catalog, compiled once against an empty copy of the
schema, and every cursor looks up names in its snapshot first and in memory second.
"""

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import logging
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import duckdb

from metrics import config
from metrics.errors import UserFacingError
from metrics.paths import SQL_DIR
from metrics.store import engine, postgres, queries

LAKE_SUFFIX = ".lake"
CATALOG_NAME = "catalog.sqlite"
DATA_DIRECTORY = "data"
# The attachment writers use, and from which a reader learns the current snapshot.
LATEST = "lake"
# Snapshots a process keeps attached for its readers (a page run reads one, a load makes the next).
# More than the dashboard keeps connections to (ui/common.py, 4), since a reader whose snapshot is let go
# fails; few, since in a shared catalog every attachment holds PostgreSQL connections of its own (32 per
# server ran a 100-connection PostgreSQL out of connections under scripts/load_test.py).
PINNED_KEPT = 8
# Warehouses a process keeps open (the dashboard has one; a test run opens many in turn).
LAKES_KEPT = 8
# Schema files whose statements lay out a warehouse; the macros among them live in each process.
SCHEMA_FILES = ("schema.sql", "change_log.sql", "views.sql")
# A table that most changes append a row or a few to (loads, change_log, load_additions) gets a file per
# change, and every read of it opens them all: after 166 changes a 10-row load into 10^8 observations read
# 166 one-row files of loads and as many of change_log (merged: 1.83 -> 1.71 s). After a change, a table
# with more files than this is merged, when it is small enough to rewrite in a moment.
MERGE_AFTER_FILES = 32
MERGE_AT_MOST_BYTES = 4 * 2**20
# A data file no catalog row refers to was written by a change that was killed or failed in its commit (a change
# that fails before it is rolled back, files and all). Removed only under the writer lock, so that no change is
# writing, and only when older than this, far longer than any change takes (a 10^6-row load: about a minute), in
# case a writer on another server of a shared catalog does not see this server's lock.
ORPHAN_AGE_SECONDS = 3600
# Tables without which a warehouse cannot serve the dashboard or be loaded into.
REQUIRED_TABLES = ("regions", "periods", "indicators", "observations", "targets", "loads", "load_changes",
                   "load_additions")
PRIVATE_DIRECTORY = 0o700
PRIVATE_FILE = 0o600
_LOG = logging.getLogger(__name__)
T = TypeVar("T")


class WarehouseError(UserFacingError):
    """A warehouse that is missing, unreadable or could not be changed; the message is Chinese."""


class EmptyWarehouse(WarehouseError):
    """A lake whose catalog holds no tables: nothing to read, and nothing a build would lose."""

    def __init__(self, db: Path, problem: str):
        super().__init__(_refusal(db, problem))


def lake_dir(db: Path) -> Path:
    return db.with_name(db.name + LAKE_SUFFIX)


def catalog_file(db: Path) -> Path:
    return lake_dir(db) / CATALOG_NAME


def data_path(db: Path) -> str:
    """Where the lake's data files are, as DuckLake is told (a directory, with its slash)."""
    return str(lake_dir(db) / DATA_DIRECTORY) + "/"


def catalog_url() -> str | None:
    """The shared catalog's PostgreSQL URL, or None for the embedded SQLite catalog."""
    return config.CATALOG_URL.value()


def catalog_target(db: Path, url: str | None) -> str:
    return f"ducklake:postgres:{url}" if url else f"ducklake:sqlite:{catalog_file(db)}"


def catalog_name(db: Path) -> str:
    """The catalog as messages name it: a shared one without its password."""
    url = catalog_url()
    return postgres.redacted(url) if url else str(catalog_file(db))


def exists(db: Path) -> bool:
    """Whether there is a warehouse here (in this release's format or an earlier one's, or data files
    whose catalog is gone); in a shared catalog, whether it has been built."""
    if catalog_url():
        return _has_tables(db)
    return catalog_file(db).exists() or is_legacy(db) or _data_file_count(db) > 0


def _data_file_count(db: Path) -> int:
    return sum(1 for path in (lake_dir(db) / DATA_DIRECTORY).rglob("*") if path.is_file())


def _catalog_problem(db: Path) -> str | None:
    """Why the embedded catalog is no record of this warehouse's data (one Chinese clause), or None: a
    DuckLake catalog, or no catalog and no data. Read only: the catalog file is left byte for byte."""
    catalog = catalog_file(db)
    if not catalog.exists():
        count = _data_file_count(db)
        return f"目录库 {catalog} 不存在，而 {lake_dir(db) / DATA_DIRECTORY} 中有 {count} 个数据文件" if count else None
    if catalog.stat().st_size == 0:
        return f"目录库 {catalog} 是空文件(0 字节)"
    try:
        with contextlib.closing(sqlite3.connect(f"{catalog.resolve().as_uri()}?mode=ro", uri=True)) as con:
            tables = {name for (name,) in con.execute("select name from sqlite_master where type = 'table'")}
    except sqlite3.OperationalError:  # unreadable or busy, not shown to be foreign: the caller's own error stands
        return None
    except sqlite3.DatabaseError:
        return f"目录库 {catalog} 不是 SQLite 数据库"
    if "ducklake_metadata" not in tables:
        return f"目录库 {catalog} 中没有 DuckLake 的元数据表"
    return None


def _unopenable(db: Path, problem: str) -> WarehouseError:
    return WarehouseError(_refusal(db, problem))


def _refusal(db: Path, problem: str) -> str:
    return (f"数据仓库 {db} 不可用：{problem}；未做任何修改，请从备份恢复 {lake_dir(db)}，"
            "确认放弃原有数据后可运行 python -m metrics build --force")


def is_legacy(db: Path) -> bool:
    """A warehouse of the releases before DuckLake: versioned DuckDB files behind a symlink at db."""
    return not catalog_url() and not catalog_file(db).exists() and (db.is_symlink() or db.is_file())


def _has_tables(db: Path) -> bool:
    try:
        con = open_reader(db)
    except EmptyWarehouse:
        return False
    try:
        return "loads" in set(queries.run(con, "warehouse_tables")["table_name"])
    finally:
        con.close()


def _is_disk_full(error: BaseException) -> bool:
    if isinstance(error, OSError):
        return error.errno == errno.ENOSPC
    # DuckDB's own files say ENOSPC; the SQLite catalog says "disk is full".
    return isinstance(error, duckdb.Error) and ("No space left on device" in str(error)
                                                or "disk is full" in str(error))


def _macro_statements() -> list[str]:
    """The rules, with the empty schema they are compiled against, as each process lays them out."""
    statements = []
    for name in SCHEMA_FILES:
        statements += queries.split_statements((SQL_DIR / name).read_text(encoding="utf-8"))
    return statements


def lake_statements() -> list[str]:
    """The statements that lay out a lake or bring one up to this release: tables and views, no macros."""
    return [statement for statement in _macro_statements()
            if not statement.lower().startswith("create or replace macro")]


def spill_name(db: Path) -> Path:
    """What names this process's spill directory for a warehouse (engine.spill_directory): one per
    warehouse and process, since DuckDB numbers its spill files the same way in every instance."""
    digest = hashlib.sha256(str(lake_dir(db).resolve()).encode()).hexdigest()[:8]
    return lake_dir(db) / f"{db.name}-{digest}-{os.getpid()}"


class _Lake:
    """One warehouse as a process holds it: a base connection with the rules, the latest attachment
    for writers, and the snapshots its readers have pinned."""

    def __init__(self, db: Path, url: str | None, *, create: bool = False):
        self.db = db
        self.url = url
        self.lock = threading.Lock()
        self.pinned: OrderedDict[int, str] = OrderedDict()
        self.laid_out = False
        self.base = engine.connect(spill_name(db), in_memory=True,
                                   extensions=("ducklake", "postgres" if url else "sqlite"))
        try:
            for statement in _macro_statements():
                self.base.execute(statement)
            self.base.execute(self.attach_statement(LATEST, "" if create else self.existing_only))
        except duckdb.Error as error:
            self.base.close()
            if _is_disk_full(error) or isinstance(error, duckdb.OutOfMemoryException):
                raise
            if url:
                raise WarehouseError(f"无法连接数据仓库的共享目录库 {postgres.redacted(url)}："
                                     f"{postgres.scrubbed(str(error).splitlines()[0], url)}") from None
            if problem := _catalog_problem(db):
                raise _unopenable(db, problem) from error
            raise WarehouseError(f"无法打开数据仓库 {db}：不是有效的 DuckLake 目录或无读取权限") from error

    @property
    def existing_only(self) -> str:
        """The ATTACH option that opens only a catalog that is a DuckLake already: DuckLake would otherwise
        lay out a new, empty one in a catalog file that is empty or not its own, and every query would then
        read the rules' empty tables. (A shared catalog is laid out by attaching to an empty database.)"""
        return "" if self.url else ", create_if_not_exists false"

    def attach_statement(self, alias: str, options: str = "") -> str:
        """The data files are where the catalog is, wherever the directory was moved or restored to
        (DuckLake records the data path it was made with, and the files' paths relative to it)."""
        return (f"attach {engine.sql_text(catalog_target(self.db, self.url))} as {alias} "
                f"(data_path {engine.sql_text(data_path(self.db))}, override_data_path true{options})")

    def cursor(self, alias: str) -> duckdb.DuckDBPyConnection:
        return engine.reading(self.base.cursor(), alias, f"{alias}.main,memory.main")

    def snapshot(self) -> int:
        """The current snapshot, once the lake has been seen to hold tables: a catalog with none (a first
        build killed before it committed, or a new one in place of the old) would have every query read the
        rules' empty copies in memory, and show an empty warehouse as a working one."""
        snapshot = int(self.base.execute(f"select id from {LATEST}.current_snapshot()").fetchone()[0])
        if not self.laid_out:
            cursor = self.cursor(LATEST)
            try:
                self.laid_out = not queries.run(cursor, "warehouse_tables").empty
            finally:
                cursor.close()
            if not self.laid_out:
                raise EmptyWarehouse(self.db, f"目录库 {catalog_name(self.db)} 中没有任何数据表")
        return snapshot

    def pin(self, snapshot: int) -> str:
        """The attachment of a snapshot, made once; the oldest beyond PINNED_KEPT is let go."""
        if snapshot in self.pinned:
            self.pinned.move_to_end(snapshot)
            return self.pinned[snapshot]
        alias = f"snapshot_{snapshot}"
        self.base.execute(self.attach_statement(alias, f", snapshot_version {snapshot}, read_only{self.existing_only}"))
        self.pinned[snapshot] = alias
        while len(self.pinned) > PINNED_KEPT:
            _, oldest = self.pinned.popitem(last=False)
            self.base.execute(f"detach {oldest}")
        return alias


_LAKES: OrderedDict[tuple[Path, str | None], _Lake] = OrderedDict()
_LAKES_LOCK = threading.Lock()


def _lake(db: Path, *, embedded: bool = False, create: bool = False) -> _Lake:
    url = None if embedded else catalog_url()
    key = (lake_dir(db).resolve(), url)
    with _LAKES_LOCK:
        if key in _LAKES:
            _LAKES.move_to_end(key)
            return _LAKES[key]
        if not url and not catalog_file(db).exists():
            _refuse_missing(db)
        lake_dir(db).mkdir(mode=PRIVATE_DIRECTORY, parents=True, exist_ok=True)  # a shared one's data path
        lake = _LAKES[key] = _Lake(db, url, create=create)
        while len(_LAKES) > LAKES_KEPT:
            _LAKES.popitem(last=False)  # not closed: open cursors keep its database until they go
        return lake


def is_invalidated(error: BaseException) -> bool:
    """Whether DuckDB has invalidated the database the error came from: after an internal error every later
    statement on any of its connections fails ("database has been invalidated"), until it is opened again."""
    return isinstance(error, duckdb.InternalException | duckdb.FatalException)


def is_usable(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether a reader's database is still usable, not invalidated (a cheap statement on a cursor of its own,
    since con may be shared by threads)."""
    try:
        with contextlib.closing(con.cursor()) as probe:
            probe.execute("select 1")
        return True
    except duckdb.Error as error:
        return not is_invalidated(error)


def _using_lake(db: Path, use: Callable[[_Lake], T], *, embedded: bool = False, create: bool = False) -> T:
    """use(lake) under the lake's lock. A lake whose database DuckDB has invalidated (a failed query of any
    reader did it) is let go and use runs once more on the warehouse opened afresh, so that one failed query
    costs its own page run, not every later one."""
    lake = _lake(db, embedded=embedded, create=create)
    try:
        with lake.lock:
            return use(lake)
    except duckdb.Error as error:
        if not is_invalidated(error):
            raise
        _LOG.warning("数据仓库的 DuckDB 实例已失效，重新打开：%s", str(error).splitlines()[0])
        with _LAKES_LOCK:
            key = next((key for key, held in _LAKES.items() if held is lake), None)
            if key is not None:
                del _LAKES[key]
    lake = _lake(db, embedded=embedded, create=create)
    with lake.lock:
        return use(lake)


def _refuse_missing(db: Path) -> None:
    """Say why there is no lake to open: no warehouse, a directory where the path should be, or a
    warehouse of the earlier format (which `ensure` migrates) or a file that is none; or data files
    whose catalog is gone (a new catalog would hide them)."""
    if problem := _catalog_problem(db):
        raise _unopenable(db, problem)
    if db.is_dir():
        raise WarehouseError(f"数据仓库路径 {db} 是一个目录，应为 .duckdb 文件")
    if not is_legacy(db):
        raise WarehouseError(f"找不到数据仓库 {db}，请先运行 python -m metrics build")
    try:
        engine.connect(db.resolve(), read_only=True).close()
    except duckdb.Error as error:
        raise WarehouseError(f"无法打开数据仓库 {db}：不是有效的 DuckDB 文件或无读取权限") from error
    raise WarehouseError(f"数据仓库 {db} 是旧版本的格式，请运行 python -m metrics ensure 迁移到当前格式")


def forget(db: Path) -> None:
    """Let go of this process's hold on a warehouse, so that the next use opens it afresh (with the
    configuration of then); cursors already open keep reading what they read."""
    with _LAKES_LOCK:
        _LAKES.pop((lake_dir(db).resolve(), catalog_url()), None)


def _readable(lake: _Lake, snapshot: int | None) -> int:
    """The snapshot asked for, or the current one; either way only from a lake seen to hold tables (_Lake.snapshot)."""
    current = lake.snapshot()
    return current if snapshot is None else snapshot


def open_reader(db: Path, snapshot: int | None = None, *, embedded: bool = False) -> duckdb.DuckDBPyConnection:
    """A read-only view of the warehouse as it is now (or as it was at an earlier snapshot), unchanged
    by later commits; embedded: the one of the SQLite catalog even where a shared one is configured."""
    if (embedded or not catalog_url()) and not catalog_file(db).exists():  # moved or removed meanwhile
        forget(db)
    try:
        return _using_lake(db, lambda lake: lake.cursor(lake.pin(_readable(lake, snapshot))), embedded=embedded)
    except duckdb.OutOfMemoryException:
        raise
    except duckdb.Error as error:
        raise WarehouseError(f"无法读取数据仓库 {db}" + ("" if snapshot is None else f" 的快照 {snapshot}")
                             + f"：{type(error).__name__}") from error


def read_once(db: Path) -> duckdb.DuckDBPyConnection:
    """A cursor for one statement on the warehouse as it is now. Unlike open_reader's, two statements
    may read two versions; it attaches no snapshot of its own (25-50 ms at 10^8 observations)."""
    return _using_lake(db, lambda lake: lake.cursor(LATEST))


VERSION_PREFIX = "snapshot-"


def version_id(db: Path) -> str:
    """A name that changes with every committed change (used as a cache key)."""
    return f"{VERSION_PREFIX}{current_snapshot(db)}"


def open_version(db: Path, version: str) -> duckdb.DuckDBPyConnection:
    """A read-only view of the snapshot that version_id named, whatever was committed since: the queries of one
    page run read the state pinned at its start, not a newer one that a change committed meanwhile."""
    return open_reader(db, int(version.removeprefix(VERSION_PREFIX)))


@contextlib.contextmanager
def writer_lock(db: Path, *, wait: bool = True) -> Iterator[bool]:
    """Serialise writers across processes; readers never take it. With wait=False, the block runs at
    once and is told whether it holds the lock (False: another writer does)."""
    directory = lake_dir(db)
    db.parent.mkdir(mode=PRIVATE_DIRECTORY, parents=True, exist_ok=True)
    directory.mkdir(mode=PRIVATE_DIRECTORY, exist_ok=True)
    directory.chmod(PRIVATE_DIRECTORY)
    with open(directory / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def merge_small_tables(db: Path) -> list[str]:
    """Merge the files of every table with more than MERGE_AFTER_FILES files and at most MERGE_AT_MOST_BYTES
    of data; the tables merged. The rows, and what every earlier snapshot reads, stay as they were. Skipped
    while another writer holds the lock (the next change merges), and never an error: the change it follows
    is published already."""
    with writer_lock(db, wait=False) as holding:
        if not holding:
            return []
        con = _using_lake(db, lambda lake: lake.cursor(LATEST))
        try:
            tables = queries.run_in_transaction(con, "warehouse_tables_to_merge", catalog=LATEST,
                                                more_than_files=MERGE_AFTER_FILES,
                                                at_most_bytes=MERGE_AT_MOST_BYTES)["table_name"].tolist()
            for table in tables:
                con.execute(queries.query_text("warehouse_merge_table"), {"catalog": LATEST, "table": table})
            return tables
        except duckdb.Error as error:
            _LOG.warning("合并小表的数据文件未完成（不影响已发布的变更）：%s", str(error).splitlines()[0])
            return []
        finally:
            con.close()


def remove_orphan_files(db: Path) -> int:
    """Remove the files in the lake's data directory that no snapshot refers to and that are older than
    ORPHAN_AGE_SECONDS; how many. Skipped while another writer holds the lock, and never an error (a later
    change or `ensure` removes them)."""
    with writer_lock(db, wait=False) as holding:
        if not holding:
            return 0
        con = _using_lake(db, lambda lake: lake.cursor(LATEST))
        try:
            removed = queries.run_in_transaction(con, "warehouse_remove_orphan_files", catalog=LATEST,
                                                 older_than_seconds=ORPHAN_AGE_SECONDS)
        except duckdb.Error as error:
            _LOG.warning("清理未引用的数据文件未完成：%s", str(error).splitlines()[0])
            return 0
        finally:
            con.close()
        if len(removed):
            _LOG.warning("已删除 %d 个未被任何快照引用的数据文件（中断或失败的写入留下）", len(removed))
        return len(removed)


def _create_catalog(db: Path) -> None:
    """An empty catalog in WAL mode, so that readers in other processes read while a writer commits."""
    (lake_dir(db) / DATA_DIRECTORY).mkdir(mode=PRIVATE_DIRECTORY, exist_ok=True)
    catalog = sqlite3.connect(catalog_file(db))
    try:
        catalog.execute("pragma journal_mode = wal")
    finally:
        catalog.close()
    catalog_file(db).chmod(PRIVATE_FILE)


@contextlib.contextmanager
def new_version(db: Path, *, from_current: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection inside one write transaction, committed (a new snapshot) only if the block succeeds.

    from_current=False starts from an empty warehouse: whatever the lake holds is dropped in the same
    transaction, and stays readable as the snapshot before it.
    """
    with writer_lock(db):
        create = not from_current and not catalog_url() and not catalog_file(db).exists()
        if create:
            if problem := _catalog_problem(db):
                raise _unopenable(db, problem)
            forget(db)
            _create_catalog(db)
        con = _using_lake(db, lambda lake: lake.cursor(LATEST), create=create)
        try:
            con.execute("begin transaction")
            if not from_current:
                _drop_everything(con)
            yield con
            con.execute("commit")
        except BaseException as error:
            with contextlib.suppress(duckdb.Error):
                con.execute("rollback")
            if _is_disk_full(error):
                raise WarehouseError(f"磁盘空间不足，未写入，数据仓库保持原样：{db.parent}") from error
            raise
        finally:
            con.close()


def _drop_everything(con: duckdb.DuckDBPyConnection) -> None:
    for view in queries.run_in_transaction(con, "warehouse_views")["view_name"]:
        drop(con, view, kind="view")
    for table in queries.run_in_transaction(con, "warehouse_tables")["table_name"]:
        drop(con, table)


def drop(con: duckdb.DuckDBPyConnection, name: str, *, kind: str = "table") -> None:
    """Drop a table or view of the lake itself, never the rules' empty copy in memory that an unqualified
    name would reach once the lake has none. (Names are the product's own: identifiers cannot be bound.)"""
    catalog = con.execute("select current_database()").fetchone()[0]
    con.execute(f'drop {kind} if exists "{catalog}".main."{name}"')


def damage(db: Path) -> str | None:
    """Why the warehouse cannot serve the dashboard or be loaded into (one Chinese line that says what to
    do), or None when it opens and has the tables and rows it needs and every data file they are in."""
    try:
        con = open_reader(db)
    except WarehouseError as error:
        return str(error)
    try:
        if missing := missing_files_text(db, with_paths=True):
            return f"{missing}；未做任何修改"
        tables = set(queries.run(con, "warehouse_tables")["table_name"])
        if set(REQUIRED_TABLES) <= tables and len(queries.run(con, "count_observations")) == 1:
            return None
    except duckdb.Error:
        pass
    finally:
        con.close()
    return _refusal(db, "缺少数据表")


def set_aside_unopenable(db: Path) -> Path | None:
    """Move an embedded catalog that is no DuckLake's, with the data files, out of the lake's way (into
    abandoned-<time>/ in the lake directory), so that a forced build starts afresh and nothing is lost or
    left behind referenced by nothing; the directory, or None when the catalog opens or there is none."""
    with writer_lock(db):
        if catalog_url() or not _catalog_problem(db):
            return None
        forget(db)
        aside = lake_dir(db) / f"abandoned-{dt.datetime.now():%Y%m%d-%H%M%S}"
        aside.mkdir(mode=PRIVATE_DIRECTORY)
        catalog = catalog_file(db)
        for path in (catalog, catalog.with_name(catalog.name + "-wal"), catalog.with_name(catalog.name + "-shm"),
                     lake_dir(db) / DATA_DIRECTORY):
            if path.exists():
                path.rename(aside / path.name)
        return aside


def missing_files(db: Path) -> list[Path]:
    """The data and delete files the current snapshot reads that are not on disk (deleted or lost)."""
    con = read_once(db)
    try:
        paths = queries.run_in_transaction(con, "warehouse_current_files", data_path=data_path(db))["path"]
    finally:
        con.close()
    return [Path(path) for path in paths if not os.path.exists(path)]


def missing_files_text(db: Path, *, with_paths: bool) -> str | None:
    """One line on the current snapshot's missing files (None: none is missing); with_paths for an operator
    (the CLI), without for a page."""
    missing = missing_files(db)
    if not missing:
        return None
    if with_paths:
        return (f"数据仓库 {db} 缺少 {len(missing)} 个数据文件（如 {os.path.relpath(missing[0], lake_dir(db))}），"
                f"已被删除或丢失，无法读取；请从备份恢复 {lake_dir(db)}")
    return f"数据仓库缺少 {len(missing)} 个数据文件（已被删除或丢失），无法读取；请管理员从备份恢复数据目录"


def page_failure_text(db: Path, error: duckdb.Error) -> str:
    """What a page says, in one line and without a server path, when reading the warehouse failed."""
    _LOG.error("页面读取数据仓库失败：%s", str(error).splitlines()[0])
    if is_invalidated(error):
        return "数据仓库查询出现内部错误，本页未能显示；请刷新页面重试"
    if isinstance(error, duckdb.OutOfMemoryException):
        return "内存不足，本页未能显示；请缩小筛选范围后重试"
    with contextlib.suppress(duckdb.Error, WarehouseError):
        missing = missing_files_text(db, with_paths=False)
        if missing:
            return missing
    return f"读取数据仓库出错（{type(error).__name__}），本页未能显示"


def current_snapshot(db: Path) -> int:
    return _using_lake(db, _Lake.snapshot)


def disk_bytes(db: Path) -> int:
    """What the warehouse takes on disk: its catalog and every data file, current or kept for history."""
    return sum(path.stat().st_size for path in lake_dir(db).rglob("*") if path.is_file())
