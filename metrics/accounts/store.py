"""The accounts store: a DuckDB file beside the warehouse, or PostgreSQL; one transaction at a time under its
writer lock, its tables laid out on first use, its errors, and the copy of a file store into PostgreSQL."""

import contextlib
import datetime as dt
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from metrics import config
from metrics.errors import UserFacingError
from metrics.paths import SQL_DIR
from metrics.store import engine, postgres, queries


class AccountError(UserFacingError):
    """A refused account operation; the message is Chinese and safe to show."""


class StoreUnavailable(AccountError):
    """The accounts store could not be locked, opened or written; nothing was changed."""


class StoreBusy(AccountError):
    """The accounts store stayed locked by another process for the whole wait."""


@dataclass(frozen=True)
class PostgresStore:
    """The accounts store in a PostgreSQL database, named by a libpq URL; shown (str) without its password, so
    that no message or log line carries it."""

    url: str = field(repr=False)

    def __str__(self) -> str:
        return postgres.redacted(self.url)


Store = Path | PostgresStore
_LAID_OUT: set[Store] = set()  # stores whose tables this process has brought up to date


def accounts_path(db: Path) -> Store:
    """PostgreSQL at $METRICS_ACCOUNTS_URL; else the file store (accounts_file)."""
    url = config.ACCOUNTS_URL.value()
    return PostgresStore(url) if url else accounts_file(db)


def accounts_file(db: Path) -> Path:
    """The embedded store: $METRICS_ACCOUNTS, else accounts.duckdb beside the warehouse."""
    return config.ACCOUNTS.value() or db.with_name("accounts.duckdb")


def _wait_seconds() -> float:
    return config.ACCOUNTS_WAIT_SECONDS.value()


def _busy(store: Store, wait: float) -> StoreUnavailable:
    return StoreUnavailable(f"账户库 {store} 被其他进程占用，{wait:g} 秒内未释放，请稍后重试")


@contextlib.contextmanager
def _locked(path: Path, wait: float) -> Iterator[None]:
    """The store file's lock, waited for at most wait seconds."""
    deadline = time.monotonic() + wait
    descriptor = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise _busy(path, wait) from None
                time.sleep(0.02)
        yield
    finally:
        os.close(descriptor)  # releases the lock


# Per store file, an in-memory DuckDB database of this process into which the file is attached for each
# transaction and detached after it (so that the CLI and other servers can open it in between). A new DuckDB
# database per transaction cost 15–20 ms of CPU (and 100–200 ms on a busy machine): twice in every page run, for
# the sign-in check and the inbox. Attaching a file costs 2–3 ms.
_HOSTS: dict[Path, duckdb.DuckDBPyConnection] = {}
_HOSTS_LOCK = threading.Lock()
ATTACHED = "accounts_file"  # the attached file's name in its host database (one transaction at a time: the lock)


def _host(path: Path) -> duckdb.DuckDBPyConnection:
    with _HOSTS_LOCK:
        if path not in _HOSTS:
            _HOSTS[path] = engine.connect(path, in_memory=True)
        return _HOSTS[path]


@contextlib.contextmanager
def _file_connection(path: Path, wait: float) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store file opened under its lock, which is held until the file is detached again."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path, wait):
        is_new = not path.exists()  # checked under the lock: only the creator makes the file
        host = path.resolve()
        con = _host(host).cursor()
        try:
            con.execute(f"attach {engine.sql_text(path)} as {ATTACHED}")
        except duckdb.Error as error:
            con.close()
            raise StoreUnavailable(f"无法打开账户库 {path}：文件被占用或无法读写") from error
        try:
            con.execute(f"use {ATTACHED}")
            if is_new:
                os.chmod(path, 0o600)  # password hashes and the audit trail: the owner only
            yield con
        finally:
            try:
                con.execute("use memory")
                con.execute(f"detach {ATTACHED}")
            except duckdb.Error:  # a host that cannot let the file go is closed (closing it lets the file go)
                with _HOSTS_LOCK:
                    _HOSTS.pop(host).close()
            finally:
                con.close()


@contextlib.contextmanager
def _postgres_connection(store: PostgresStore) -> Iterator[duckdb.DuckDBPyConnection]:
    try:
        con = postgres.connect(store.url)
    except postgres.Unreachable as error:
        raise StoreUnavailable(f"无法连接账户库 {store}，请检查 {config.ACCOUNTS_URL.name} 与数据库服务") from error
    try:
        yield con
    finally:
        con.close()


def _serialise(con: duckdb.DuckDBPyConnection, store: Store, wait: float, lock: str) -> None:
    """In PostgreSQL, take the writer lock first in the transaction just begun (the file store holds its lock
    already). DuckDB begins PostgreSQL transactions as REPEATABLE READ: their snapshot is taken by the first
    query, so a lock taken by a query would leave the transaction blind to what the previous holder committed.
    LOCK TABLE takes no snapshot; the advisory lock is only for laying out tables, which reads no rows."""
    if not isinstance(store, PostgresStore):
        return
    statement = {"table": "lock table users in exclusive mode", "layout": "select pg_advisory_xact_lock(1515)"}
    # wait and the statement are the code's own values, never user input; a lock_timeout of 0 would wait forever
    locking = (f"call postgres_execute('{postgres.CATALOG}', "
               f"'set local lock_timeout = {max(int(wait * 1000), 1)}; {statement[lock]}')")
    for attempt in (1, 2):
        started = time.monotonic()
        try:
            con.execute(locking)
            return
        except duckdb.Error:
            if time.monotonic() - started >= wait:
                raise _busy(store, wait) from None
            if attempt == 2:
                raise
            # Failed at once: the pooled PostgreSQL connection died (a restarted server). Nothing has been done in
            # this transaction yet, so it starts again on a fresh connection.
            with contextlib.suppress(duckdb.Error):  # a dead connection cannot roll back; DuckDB's side still ends
                con.execute("rollback")
            con.execute("begin transaction")


@contextlib.contextmanager
def transaction(store: Store, wait_seconds: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction on the store under its writer lock, waited for at most wait_seconds
    ($METRICS_ACCOUNTS_WAIT_SECONDS, default 10); its tables are laid out on this process's first use."""
    wait = _wait_seconds() if wait_seconds is None else wait_seconds
    is_postgres = isinstance(store, PostgresStore)
    connection = _postgres_connection(store) if is_postgres else _file_connection(store, wait)
    with connection as con:
        try:
            if store not in _LAID_OUT:
                con.execute("begin transaction")
                _serialise(con, store, wait, "layout")  # two servers laying out a new database at once
                queries.run_script(con, (SQL_DIR / "accounts_schema.sql").read_text(encoding="utf-8"))
                con.execute("commit")
                _LAID_OUT.add(store)
            con.execute("begin transaction")
            _serialise(con, store, wait, "table")
            yield con
            con.execute("commit")
        except duckdb.Error as error:
            with contextlib.suppress(duckdb.Error):
                con.execute("rollback")
            cause = type(error)(postgres.scrubbed(str(error), store.url)) if is_postgres else error
            raise StoreUnavailable(f"账户库 {store} 无法写入（{type(error).__name__}），未做任何更改") from cause
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                con.execute("rollback")
            raise


def timestamp() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


# Every table of the store, in accounts_schema.sql's order, with what a person calls it; a fixed list, the only
# identifiers the copy below writes into its SQL.
STORE_TABLES = {"users": "账户", "oidc_identities": "统一身份认证账户", "sessions": "会话",
                "login_failures": "登录失败记录", "audit_events": "审计记录", "audit_reconciled": "已补记的数据变更"}


def migrate(source: Path, target: Store) -> dict[str, int]:
    """Copy every row of the file store source into the empty store target, in one transaction of the target
    while source is locked; the rows per table, after checking that target now holds exactly as many."""
    with transaction(source) as src, transaction(target) as dst:
        held = {table: _count(dst, table) for table in STORE_TABLES}
        if any(held.values()):
            rows = "、".join(f"{STORE_TABLES[table]} {count} 行" for table, count in held.items() if count)
            raise AccountError(f"目标账户库 {target} 已有数据（{rows}），未复制任何数据；请指定一个空的数据库")
        copied = {}
        for table in STORE_TABLES:
            dst.register("copied_rows", src.execute(f"select * from {table}").fetch_arrow_table())
            dst.execute(f"insert into {table} by name select * from copied_rows")
            dst.unregister("copied_rows")
            copied[table] = _count(src, table)
            if _count(dst, table) != copied[table]:
                raise AccountError(f"复制后{STORE_TABLES[table]}行数不一致（源 {copied[table]} 行，目标 "
                                   f"{_count(dst, table)} 行），已撤销，目标账户库未改动")
        return copied


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchone()[0]  # table: a key of STORE_TABLES
