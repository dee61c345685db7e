"""Accounts, roles and the audit trail, in a small DuckDB file beside the warehouse.

Every use opens the file briefly under an exclusive file lock, so the dashboard and the CLI
can both write it without DuckDB's single-writer lock ever reaching a user.
"""

import contextlib
import datetime as dt
import fcntl
import os
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from metrics import queries
from metrics.paths import SQL_DIR

ROLE_NAMES = {"viewer": "查看", "editor": "填报", "admin": "管理"}
ROLE_RANK = {"viewer": 0, "editor": 1, "admin": 2}
MAX_FAILED_ATTEMPTS = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 10
ACCOUNTS_ENV_VAR = "METRICS_ACCOUNTS"
_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,32}$")
_HASHER = PasswordHasher()
# Verified against when the user does not exist, so that a wrong name costs as much as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


class AccountError(Exception):
    """A refused account operation; the message is Chinese and safe to show."""


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    scope_regions: tuple[str, ...] = ()
    scope_categories: tuple[str, ...] = ()
    must_change_password: bool = False

    def can(self, role: str) -> bool:
        """Whether this account holds at least the given role."""
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    def scope_text(self) -> str:
        if self.role != "editor":
            return "全部" if self.role == "admin" else "无"
        parts = []
        if self.scope_regions:
            parts.append("地区：" + "、".join(self.scope_regions))
        if self.scope_categories:
            parts.append("指标类别：" + "、".join(self.scope_categories))
        return "；".join(parts)


def _account(user: dict) -> Account:
    return Account(
        username=user["username"],
        role=user["role"],
        scope_regions=tuple(user["scope_regions"]),
        scope_categories=tuple(user["scope_categories"]),
        must_change_password=bool(user["must_change_password"]),
    )


class LoginRefused(Exception):
    """A refused login: a message that reveals nothing, and the failures so far (for the delay)."""

    def __init__(self, message: str, failed_attempts: int):
        super().__init__(message)
        self.message = message
        self.failed_attempts = failed_attempts


def accounts_path(db: Path) -> Path:
    """$METRICS_ACCOUNTS, else accounts.duckdb beside the warehouse."""
    if os.environ.get(ACCOUNTS_ENV_VAR):
        return Path(os.environ[ACCOUNTS_ENV_VAR])
    return db.with_name("accounts.duckdb")


@contextlib.contextmanager
def _store(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        is_new = not path.exists()  # checked under the lock: only the creator lays out the tables
        con = duckdb.connect(str(path))
        try:
            if is_new:
                queries.run_script(con, (SQL_DIR / "accounts_schema.sql").read_text(encoding="utf-8"))
            con.execute("begin transaction")
            yield con
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        finally:
            con.close()
            fcntl.flock(lock, fcntl.LOCK_UN)


_run = queries.run_in_transaction


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _record(con, actor: str, action: str, target: str, detail: str | None = None,
            count_before: int | None = None, count_after: int | None = None) -> None:
    _run(con, "audit_insert", happened_at=_now(), actor=actor, action=action, target=target,
                detail=detail, count_before=count_before, count_after=count_after)


def _user_count(con) -> int:
    return int(_run(con, "account_count")["count_users"].iloc[0])


def _get(con, username: str) -> dict | None:
    found = _run(con, "account_get", username=username)
    return found.iloc[0].to_dict() if len(found) else None


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少需要{MIN_PASSWORD_LENGTH}个字符")


def _check_role(role: str) -> None:
    if role not in ROLE_NAMES:
        raise AccountError(f"未知角色“{role}”，可选：viewer(查看)、editor(填报)、admin(管理)")


def _check_scope(role: str, scope_regions: tuple[str, ...], scope_categories: tuple[str, ...]) -> None:
    if role == "editor" and not scope_regions and not scope_categories:
        raise AccountError("填报账户必须指定可填报的地区或指标类别")


def _scope_detail(role: str, scope_regions: tuple[str, ...], scope_categories: tuple[str, ...]) -> str:
    return Account("", role, scope_regions, scope_categories).scope_text()


def add_user(path: Path, username: str, password: str, role: str, *, actor: str,
             scope_regions: tuple[str, ...] = (), scope_categories: tuple[str, ...] = (),
             must_change_password: bool = False) -> None:
    """Create an account; an editor is scoped to regions and/or indicator categories."""
    if not _USERNAME.match(username):
        raise AccountError("用户名只能包含字母、数字、点、下划线或连字符，长度2–32")
    _check_role(role)
    _check_scope(role, scope_regions, scope_categories)
    _check_password(password)
    with _store(path) as con:
        if _get(con, username):
            raise AccountError(f"用户“{username}”已存在")
        before = _user_count(con)
        _run(con, "account_insert", username=username, password_hash=_HASHER.hash(password),
                    role=role, scope_regions=list(scope_regions), scope_categories=list(scope_categories),
                    must_change_password=must_change_password, now=_now())
        detail = f"角色 {ROLE_NAMES[role]}，范围 {_scope_detail(role, scope_regions, scope_categories)}"
        _record(con, actor, "新增账户", username, detail, before, before + 1)


def _existing(con, username: str) -> dict:
    user = _get(con, username)
    if not user:
        raise AccountError(f"用户“{username}”不存在")
    return user


def set_password(path: Path, username: str, password: str, *, actor: str,
                 must_change_password: bool = False) -> None:
    """Set a new password; it also lifts a lock."""
    _check_password(password)
    with _store(path) as con:
        _existing(con, username)
        _run(con, "account_set_password", username=username, password_hash=_HASHER.hash(password),
                    must_change_password=must_change_password, now=_now())
        count = _user_count(con)
        _record(con, actor, "修改密码", username, None, count, count)


def set_disabled(path: Path, username: str, disabled: bool, *, actor: str) -> None:
    with _store(path) as con:
        _existing(con, username)
        _run(con, "account_set_disabled", username=username, is_disabled=disabled, now=_now())
        count = _user_count(con)
        _record(con, actor, "停用账户" if disabled else "启用账户", username, None, count, count)


def set_role(path: Path, username: str, role: str, *, actor: str, scope_regions: tuple[str, ...] = (),
             scope_categories: tuple[str, ...] = ()) -> None:
    _check_role(role)
    _check_scope(role, scope_regions, scope_categories)
    with _store(path) as con:
        before = _existing(con, username)
        _run(con, "account_set_role", username=username, role=role,
                                   scope_regions=list(scope_regions), scope_categories=list(scope_categories),
                                   now=_now())
        count = _user_count(con)
        detail = (f"{ROLE_NAMES[before['role']]} → {ROLE_NAMES[role]}，"
                  f"范围 {_scope_detail(role, scope_regions, scope_categories)}")
        _record(con, actor, "修改角色", username, detail, count, count)


def list_users(path: Path) -> pd.DataFrame:
    with _store(path) as con:
        return _run(con, "account_list")


def bootstrap_admin(path: Path) -> str | None:
    """On a store with no account: create `admin` with a generated one-time password, return it."""
    with _store(path) as con:
        if _user_count(con):
            return None
        password = secrets.token_urlsafe(12)
        _run(con, "account_insert", username="admin", password_hash=_HASHER.hash(password),
                    role="admin", scope_regions=[], scope_categories=[], must_change_password=True,
                    now=_now())
        _record(con, "system", "新增账户", "admin", "首次启动生成一次性密码", 0, 1)
        return password


def authenticate(path: Path, username: str, password: str) -> Account:
    """The account for these credentials, or LoginRefused with a message that reveals nothing."""
    refusal = None
    with _store(path) as con:
        refusal, user = _check_login(con, username, password)
    if refusal:
        raise refusal
    return _account(user)


def _check_login(con, username: str, password: str) -> tuple[LoginRefused | None, dict | None]:
    """Decide a login and record a failure; returns rather than raises so that the failure commits."""
    wrong = "用户名或密码错误"
    user = _get(con, username)
    if user is None:
        with contextlib.suppress(VerificationError, InvalidHashError):
            _HASHER.verify(_DUMMY_HASH, password)
        return LoginRefused(wrong, 1), None
    now = _now()
    locked_until = user["locked_until"]
    if pd.notna(locked_until) and locked_until > now:
        message = f"连续登录失败次数过多，账户已锁定至 {locked_until:%H:%M}"
        return LoginRefused(message, user["failed_attempts"]), None
    try:
        _HASHER.verify(user["password_hash"], password)
    except (VerificationError, InvalidHashError):
        attempts = int(user["failed_attempts"]) + 1
        lock = now + dt.timedelta(minutes=LOCK_MINUTES) if attempts >= MAX_FAILED_ATTEMPTS else None
        _run(con, "account_login_failed", username=username, locked_until=lock, now=now)
        if lock:
            _record(con, username, "账户锁定", username, f"连续失败 {attempts} 次")
            return LoginRefused(f"连续登录失败次数过多，账户已锁定至 {lock:%H:%M}", attempts), None
        return LoginRefused(wrong, attempts), None
    if user["is_disabled"]:
        return LoginRefused("账户已停用，请联系管理员", 0), None
    _run(con, "account_login_succeeded", username=username)
    return None, user


def login_delay(failed_attempts: int, base_seconds: float = 0.5) -> float:
    """Seconds to wait before answering a failed login: doubling, at most 8 s."""
    if failed_attempts <= 0:
        return 0.0
    return min(base_seconds * 2 ** (failed_attempts - 1), 8.0)


def authorise(path: Path, username: str, role: str) -> Account:
    """Re-read the account from the store and refuse unless it is active and holds the role."""
    with _store(path) as con:
        user = _get(con, username)
    if user is None or user["is_disabled"]:
        raise AccountError("账户不存在或已停用，操作被拒绝")
    account = _account(user)
    if not account.can(role):
        raise AccountError(f"需要“{ROLE_NAMES[role]}”权限，当前账户为“{ROLE_NAMES[account.role]}”")
    return account


def record(path: Path, actor: str, action: str, target: str, detail: str | None = None,
           count_before: int | None = None, count_after: int | None = None) -> None:
    """Append one event to the audit trail."""
    with _store(path) as con:
        _record(con, actor, action, target, detail, count_before, count_after)


def audit_trail(path: Path) -> pd.DataFrame:
    with _store(path) as con:
        return _run(con, "audit_list")


class StoreBusy(AccountError):
    """The accounts store stayed locked by another process for the whole wait."""


def reconcile_audit(path: Path, entries: pd.DataFrame, timeout_seconds: float) -> None:
    """Append to the audit trail the journalled warehouse changes it lacks (keyed by change_key).

    Waits for the store at most timeout_seconds, then raises StoreBusy: the change is already
    published, so its caller must neither hang nor fail on the audit copy.
    """
    if entries.empty:
        return
    deadline = time.monotonic() + timeout_seconds
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        # Probe the lock without blocking; _store then takes it (another process may slip in
        # between, but only for one of this module's short operations).
        with open(path.with_name(path.name + ".lock"), "w") as probe:
            try:
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(probe, fcntl.LOCK_UN)
                is_free = True
            except BlockingIOError:
                is_free = False
        if is_free:
            try:
                with _store(path) as con:
                    con.register("journal", entries)
                    queries.run_script(con, queries.query_text("audit_reconcile"))
                return
            except duckdb.IOException as error:  # held open by a process outside this module
                if "Could not set lock" not in str(error):
                    raise
        if time.monotonic() >= deadline:
            raise StoreBusy(f"账户库 {path} 被其他进程占用，已等待 {timeout_seconds:g} 秒")
        time.sleep(0.1)
