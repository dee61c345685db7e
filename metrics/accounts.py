"""Accounts, roles, sign-in sessions and the audit trail, in a small DuckDB file beside the warehouse, or in
PostgreSQL ($METRICS_ACCOUNTS_URL) when several app servers must share them.

Every use is one transaction that holds the store's writer lock, waited for a bounded time: for the file, an
exclusive file lock taken before opening it, so that the dashboard and the CLI can both write it and DuckDB's
single-writer lock never reaches a user; in PostgreSQL, a table lock taken first in the transaction. Both shapes
run the same SQL files on the same DuckDB connection type; only the connection and its lock differ.
"""

import contextlib
import datetime as dt
import fcntl
import functools
import hashlib
import os
import re
import secrets
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from metrics import engine, postgres, queries
from metrics.errors import UserFacingError
from metrics.paths import SQL_DIR

ROLE_NAMES = {"viewer": "查看", "editor": "填报", "admin": "管理"}
ROLE_RANK = {"viewer": 0, "editor": 1, "admin": 2}
MAX_FAILED_ATTEMPTS = 5      # failures of one name from one client address before that client must wait
MAX_CLIENT_FAILURES = 20     # failures from one client address, whatever the names, before it must wait
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 10
SESSION_HOURS = 12           # a session ends this long after sign-in, however active
TOUCH_SECONDS = 60           # a session's last-seen time is written at most this often
ACCOUNTS_ENV_VAR = "METRICS_ACCOUNTS"
ACCOUNTS_URL_ENV_VAR = "METRICS_ACCOUNTS_URL"
IDLE_ENV = "METRICS_SESSION_IDLE_MINUTES"
WAIT_ENV = "METRICS_ACCOUNTS_WAIT_SECONDS"
OIDC_ROLE_CLAIM_ENV = "METRICS_OIDC_ROLE_CLAIM"
OIDC_PREFIX = "oidc:"
WRONG = "用户名或密码错误"
THROTTLED = f"登录失败次数过多，请{LOCK_MINUTES}分钟后再试"
USERNAME_CHARACTERS = (2, 32)
_USERNAME_PUNCTUATION = "._-"
# Characters that show nothing yet are not format characters (Cf): fillers, grapheme joiner, variation selectors.
_INVISIBLE = {0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x3164, 0xFFA0,
              *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)}
_HASHER = PasswordHasher()
_DISPLAY_UNSAFE = re.compile(r"[^\w.@ -]|_")


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so that a wrong name costs as much as a wrong
    password; made on first use, so that commands that never sign anyone in do not pay for it."""
    return _HASHER.hash(secrets.token_hex(16))


class AccountError(UserFacingError):
    """A refused account operation; the message is Chinese and safe to show."""


class StoreUnavailable(AccountError):
    """The accounts store could not be locked, opened or written; nothing was changed."""


@dataclass(frozen=True)
class Account:
    username: str  # a local username, or oidc:<issuer>|<sub> for an identity-server user
    role: str
    scope_regions: tuple[str, ...] = ()
    scope_categories: tuple[str, ...] = ()
    must_change_password: bool = False
    display_name: str = ""

    @property
    def name(self) -> str:
        """The name to show: the identity server's name for its users, else the username."""
        return self.display_name or self.username

    def can(self, role: str) -> bool:
        """Whether this account holds at least the given role."""
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    def require(self, role: str) -> "Account":
        """This account, or AccountError unless it holds at least the given role."""
        if not self.can(role):
            raise AccountError(f"需要“{ROLE_NAMES[role]}”权限，当前账户为“{ROLE_NAMES[self.role]}”")
        return self

    def scope_text(self) -> str:
        if self.role != "editor":
            return "全部" if self.role == "admin" else "无"
        parts = []
        if self.scope_regions:
            parts.append("地区：" + "、".join(self.scope_regions))
        if self.scope_categories:
            parts.append("指标类别：" + "、".join(self.scope_categories))
        return "；".join(parts) or "全部"


def _account(user: dict) -> Account:
    return Account(
        username=user["username"],
        role=user["role"],
        scope_regions=tuple(user["scope_regions"]),
        scope_categories=tuple(user["scope_categories"]),
        must_change_password=bool(user["must_change_password"]),
    )


@dataclass(frozen=True)
class Session:
    """A live sign-in session: its number (shown to admins), its account and its CSRF token."""

    session_id: int
    account: Account
    csrf_token: str


class LoginRefused(UserFacingError):
    """A refused login: a message that reveals nothing, and the failures so far (for the delay)."""

    def __init__(self, message: str, failed_attempts: int):
        super().__init__(message)
        self.message = message
        self.failed_attempts = failed_attempts


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
    if os.environ.get(ACCOUNTS_URL_ENV_VAR):
        return PostgresStore(os.environ[ACCOUNTS_URL_ENV_VAR])
    return accounts_file(db)


def accounts_file(db: Path) -> Path:
    """The embedded store: $METRICS_ACCOUNTS, else accounts.duckdb beside the warehouse."""
    if os.environ.get(ACCOUNTS_ENV_VAR):
        return Path(os.environ[ACCOUNTS_ENV_VAR])
    return db.with_name("accounts.duckdb")


def idle_limit() -> dt.timedelta:
    """How long a session may go unused (METRICS_SESSION_IDLE_MINUTES, default 30)."""
    return dt.timedelta(minutes=float(os.environ.get(IDLE_ENV, "30")))


def _wait_seconds() -> float:
    return float(os.environ.get(WAIT_ENV, "10"))


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


@contextlib.contextmanager
def _file_connection(path: Path, wait: float) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store file opened under its lock, which is held until the connection closes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path, wait):
        is_new = not path.exists()  # checked under the lock: only the creator makes the file
        try:
            con = engine.connect(path)
        except duckdb.Error as error:
            raise StoreUnavailable(f"无法打开账户库 {path}：文件被占用或无法读写") from error
        try:
            if is_new:
                os.chmod(path, 0o600)  # password hashes and the audit trail: the owner only
            yield con
        finally:
            con.close()


@contextlib.contextmanager
def _postgres_connection(store: PostgresStore) -> Iterator[duckdb.DuckDBPyConnection]:
    try:
        con = postgres.connect(store.url)
    except postgres.Unreachable as error:
        raise StoreUnavailable(f"无法连接账户库 {store}，请检查 {ACCOUNTS_URL_ENV_VAR} 与数据库服务") from error
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
def _store(store: Store, wait_seconds: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
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


def transaction(store: Store) -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
    """One transaction on the store under its writer lock, for modules that keep their own tables there."""
    return _store(store)


_run = queries.run_in_transaction


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _record(con, actor: str, action: str, target: str, detail: str | None = None,
            count_before: int | None = None, count_after: int | None = None) -> None:
    _run(con, "audit_insert", happened_at=_now(), actor=actor, action=action, target=target,
                detail=detail, count_before=count_before, count_after=count_after)


def _user_count(con) -> int:
    return int(_run(con, "account_count")["count_users"].iloc[0])


def _get(con, username: str) -> dict | None:
    found = _run(con, "account_get", username=username)
    return found.iloc[0].to_dict() if len(found) else None


def _verifies(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


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


def _end_sessions(con, username: str, reason: str) -> None:
    _run(con, "session_end", token_sha256=None, session_id=None, username=username, now=_now(), reason=reason)


def normal_username(name: str) -> str:
    """A user name as the store keeps it, NFKC-normalised: ａｄｍｉｎ is admin."""
    return unicodedata.normalize("NFKC", name)


def _checked_username(name: str) -> str:
    """The name normalised, of letters of any script, marks, digits, and . _ -; never a control, format (zero
    width, bidi) or other invisible character, which would make two names that look alike."""
    name = normal_username(name)
    if hidden := next((c for c in name if unicodedata.category(c) in ("Cc", "Cf") or ord(c) in _INVISIBLE), None):
        raise AccountError("用户名不能包含控制字符、格式字符（如零宽字符、双向文本控制符）或其他不可见字符："
                           f"U+{ord(hidden):04X}")
    shortest, longest = USERNAME_CHARACTERS
    if not shortest <= len(name) <= longest or not all(
            unicodedata.category(c)[0] in "LMN" or c in _USERNAME_PUNCTUATION for c in name):
        raise AccountError(f"用户名只能包含文字、数字、点、下划线或连字符，长度{shortest}–{longest}")
    return name


def _confusable_twin(con, name: str) -> str | None:
    """An existing user name that looks like name (Unicode's confusables, letter case included: admin, Admin,
    аdmin with a Cyrillic а, adm1n)."""
    import confusables  # its tables take 65 ms to load; only adding an account needs them

    return next((other for other in _run(con, "account_names")["username"]
                 if confusables.is_confusable(name, other)), None)


def add_user(store: Store, username: str, password: str, role: str, *, actor: str,
             scope_regions: tuple[str, ...] = (), scope_categories: tuple[str, ...] = (),
             must_change_password: bool = False) -> str:
    """Create an account; an editor is scoped to regions and/or indicator categories. Returns the name as
    stored (normal_username), refused when it looks like an existing one."""
    username = _checked_username(username)
    _check_role(role)
    _check_scope(role, scope_regions, scope_categories)
    _check_password(password)
    with _store(store) as con:
        if _get(con, username):
            raise AccountError(f"用户“{username}”已存在")
        if twin := _confusable_twin(con, username):
            raise AccountError(f"用户名“{username}”与已有账户“{twin}”字形相近，容易混淆，请换一个")
        before = _user_count(con)
        _run(con, "account_insert", username=username, password_hash=_HASHER.hash(password),
                    role=role, scope_regions=list(scope_regions), scope_categories=list(scope_categories),
                    must_change_password=must_change_password, now=_now())
        detail = f"角色 {ROLE_NAMES[role]}，范围 {_scope_detail(role, scope_regions, scope_categories)}"
        _record(con, actor, "新增账户", username, detail, before, before + 1)
    return username


def _existing(con, username: str) -> dict:
    user = _get(con, username)
    if not user:
        raise AccountError(f"用户“{username}”不存在")
    return user


def set_password(store: Store, username: str, password: str, *, actor: str,
                 must_change_password: bool = False) -> None:
    """Set a new password (never the current one); it lifts sign-in locks and ends the account's sessions."""
    _check_password(password)
    with _store(store) as con:
        user = _existing(con, username)
        if _verifies(user["password_hash"], password):
            raise AccountError("新密码不能与当前密码相同")
        _run(con, "account_set_password", username=username, password_hash=_HASHER.hash(password),
                    must_change_password=must_change_password, now=_now())
        _run(con, "account_failures_clear", username=username, client_address=None)
        _end_sessions(con, username, "修改密码")
        count = _user_count(con)
        _record(con, actor, "修改密码", username, None, count, count)


def change_own_password(store: Store, username: str, current: str, new: str, *, client_address: str,
                        user_agent: str = "") -> str:
    """A user's own change: the current password is checked (and throttled) like a sign-in. Every session of
    the account ends; the token of a new one for this browser is returned, so that the user stays signed in here."""
    _check_password(new)
    _check_login(store, username, current, client_address)
    with _store(store) as con:  # the right password: this attempt was counted as a failure until now
        _run(con, "account_failures_clear", username=username, client_address=client_address)
    set_password(store, username, new, actor=username)
    with _store(store) as con:
        return _new_session(con, username, client_address, user_agent)


def set_disabled(store: Store, username: str, disabled: bool, *, actor: str) -> None:
    with _store(store) as con:
        _existing(con, username)
        _run(con, "account_set_disabled", username=username, is_disabled=disabled, now=_now())
        if disabled:
            _end_sessions(con, username, "停用账户")
        count = _user_count(con)
        _record(con, actor, "停用账户" if disabled else "启用账户", username, None, count, count)


def set_role(store: Store, username: str, role: str, *, actor: str, scope_regions: tuple[str, ...] = (),
             scope_categories: tuple[str, ...] = ()) -> None:
    """Change an account's role and scope; its sessions end, so that it signs in again under the new role."""
    _check_role(role)
    _check_scope(role, scope_regions, scope_categories)
    with _store(store) as con:
        before = _existing(con, username)
        _run(con, "account_set_role", username=username, role=role,
                                   scope_regions=list(scope_regions), scope_categories=list(scope_categories),
                                   now=_now())
        _end_sessions(con, username, "修改角色")
        count = _user_count(con)
        detail = (f"{ROLE_NAMES[before['role']]} → {ROLE_NAMES[role]}，"
                  f"范围 {_scope_detail(role, scope_regions, scope_categories)}")
        _record(con, actor, "修改角色", username, detail, count, count)


def list_users(store: Store) -> pd.DataFrame:
    with _store(store) as con:
        return _run(con, "account_list", since=_now() - dt.timedelta(minutes=LOCK_MINUTES))


def bootstrap_admin(store: Store) -> str | None:
    """On a store with no account: create `admin` with a generated one-time password, return it."""
    with _store(store) as con:
        if _user_count(con):
            return None
        password = secrets.token_urlsafe(12)
        _run(con, "account_insert", username="admin", password_hash=_HASHER.hash(password),
                    role="admin", scope_regions=[], scope_categories=[], must_change_password=True,
                    now=_now())
        _record(con, "system", "新增账户", "admin", "首次启动生成一次性密码", 0, 1)
        return password


def _check_login(store: Store, username: str, password: str, client_address: str) -> dict:
    """Decide a login: the account, or LoginRefused with a message that reveals nothing.

    Unknown names, wrong passwords and disabled accounts fail alike, and are counted alike: per name (the
    delay), per name and client address (the lock), per client address (a client trying many names).
    A lock holds only for the client that earned it, so nobody can lock an account out for everyone else.

    The password is checked outside the store's lock (argon2 takes a core for a tenth of a second, and every
    session lookup waits for the lock): the attempt is counted as a failure under the lock first, so that
    attempts running side by side see each other and the limits hold exactly; a success then clears it.
    """
    now = _now()
    with _store(store) as con:
        counts = _run(con, "account_failure_counts", username=username, client_address=client_address,
                      since=now - dt.timedelta(minutes=LOCK_MINUTES)).iloc[0]
        if counts["count_pair"] >= MAX_FAILED_ATTEMPTS or counts["count_client"] >= MAX_CLIENT_FAILURES:
            raise LoginRefused(THROTTLED, int(counts["count_name"]))
        _run(con, "account_failure_insert", username=username, client_address=client_address, now=now)
        _run(con, "account_failures_prune", before=now - dt.timedelta(days=1))
        user = _get(con, username)
    if _verifies(user["password_hash"] if user else _dummy_hash(), password) and user and not user["is_disabled"]:
        return user
    if counts["count_pair"] + 1 == MAX_FAILED_ATTEMPTS:
        record(store, "system", "登录锁定", username,
               f"来自 {client_address} 连续失败 {MAX_FAILED_ATTEMPTS} 次，该地址 {LOCK_MINUTES} 分钟内不能再试")
        raise LoginRefused(THROTTLED, int(counts["count_name"]) + 1)
    raise LoginRefused(WRONG, int(counts["count_name"]) + 1)


def _still_as_checked(con, user: dict) -> bool:
    """The account is as it was when its password was checked outside the lock: not disabled, not given a new
    password since (which ends every session, and so must not be followed by one started with the old)."""
    current = _get(con, user["username"])
    return current is not None and not current["is_disabled"] and current["password_hash"] == user["password_hash"]


def login_delay(failed_attempts: int, base_seconds: float = 0.5) -> float:
    """Seconds to wait before answering a failed login: doubling, at most 8 s."""
    if failed_attempts <= 0:
        return 0.0
    return min(base_seconds * 2 ** (failed_attempts - 1), 8.0)


def _new_session(con, username: str, client_address: str, user_agent: str) -> str:
    token = secrets.token_urlsafe(32)  # 256 bits
    _run(con, "session_insert", token_sha256=_digest(token), username=username,
         csrf_token=secrets.token_urlsafe(32), now=_now(), client_address=client_address[:64],
         user_agent=user_agent[:300])
    return token


def sign_in(store: Store, username: str, password: str, *, client_address: str, user_agent: str) -> str:
    """Check the credentials and start a session; its token, or LoginRefused with a message that reveals nothing.

    Fails closed: a store that cannot be written raises StoreUnavailable and nobody signs in.
    """
    username = normal_username(username[:64])  # ａｄｍｉｎ signs in as admin, as it was stored
    user = _check_login(store, username, password, client_address)
    with _store(store) as con:
        if not _still_as_checked(con, user):
            raise LoginRefused(WRONG, 0)
        _run(con, "account_failures_clear", username=username, client_address=client_address)
        return _new_session(con, user["username"], client_address, user_agent)


def role_from_claims(claims: dict, claim: str | None = None) -> str:
    """The dashboard role an identity server's claim grants; unknown values only view."""
    claim = claim or os.environ.get(OIDC_ROLE_CLAIM_ENV, "role")
    value = claims.get(claim)
    values = value if isinstance(value, list) else [value]
    for role in ("admin", "editor"):
        if role in values:
            return role
    return "viewer"


def _claim_list(value) -> list[str]:
    items = value if isinstance(value, list) else str(value or "").replace("，", ",").split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def oidc_sign_in(store: Store, claims: dict, *, client_address: str, user_agent: str) -> str:
    """Start a session for an identity-server user, keyed by issuer and subject, never by a local name.

    The role comes from the configured claim at every sign-in; an editor's scope from the `regions` and
    `categories` claims (none: every region and category).
    """
    issuer, subject = str(claims.get("iss") or ""), str(claims.get("sub") or "")
    if not issuer or not subject:
        raise AccountError("统一身份认证未提供 iss 与 sub，无法登录")
    identity = f"{OIDC_PREFIX}{issuer}|{subject}"
    name = str(claims.get("name") or claims.get("preferred_username") or claims.get("email") or subject)
    # Shown in Markdown captions: keep letters, digits, spaces and . @ - only, which Markdown leaves alone.
    name = _DISPLAY_UNSAFE.sub("", name)[:64] or subject[:64]
    with _store(store) as con:
        _run(con, "account_oidc_upsert", identity=identity, issuer=issuer, subject=subject, display_name=name,
             role=role_from_claims(claims), scope_regions=_claim_list(claims.get("regions")),
             scope_categories=_claim_list(claims.get("categories")), now=_now())
        return _new_session(con, identity, client_address, user_agent)


def _identity(con, username: str) -> Account | None:
    """The account a session or an actor names, as the store says now; None if gone or disabled."""
    if username.startswith(OIDC_PREFIX):
        found = _run(con, "account_oidc_get", identity=username)
        if found.empty:
            return None
        row = found.iloc[0]
        return Account(username, row["role"], tuple(row["scope_regions"]), tuple(row["scope_categories"]),
                       display_name=row["display_name"])
    user = _get(con, username)
    return None if user is None or user["is_disabled"] else _account(user)


def session(store: Store, token: str | None) -> Session | None:
    """The live session a cookie's token names (its last-seen time refreshed), or None."""
    if not token:
        return None
    now = _now()
    with _store(store) as con:
        found = _run(con, "session_get_live", token_sha256=_digest(token), idle_since=now - idle_limit(),
                     created_since=now - dt.timedelta(hours=SESSION_HOURS))
        if found.empty:
            return None
        row = found.iloc[0]
        account = _identity(con, row["username"])
        if account is None:
            return None
        if now - row["last_seen_at"] >= dt.timedelta(seconds=TOUCH_SECONDS):
            _run(con, "session_touch", token_sha256=_digest(token), now=now)
    return Session(int(row["session_id"]), account, row["csrf_token"])


def end_session(store: Store, token: str, reason: str = "退出登录") -> None:
    with _store(store) as con:
        _run(con, "session_end", token_sha256=_digest(token), session_id=None, username=None, now=_now(),
             reason=reason)


def end_session_by_id(store: Store, session_id: int, *, actor: str) -> None:
    """An admin ends one live session (by the number shown in 账户管理)."""
    with _store(store) as con:
        live = _live_sessions(con)
        target = live[live["session_id"] == session_id]
        if target.empty:
            raise AccountError(f"会话 {session_id} 不存在或已结束")
        _run(con, "session_end", token_sha256=None, session_id=session_id, username=None, now=_now(),
             reason=f"由 {actor} 结束")
        _record(con, actor, "结束会话", str(target.iloc[0]["display_name"]), f"会话 {session_id}",
                len(live), len(live) - 1)


def _live_sessions(con) -> pd.DataFrame:
    now = _now()
    return _run(con, "session_list_live", idle_since=now - idle_limit(),
                created_since=now - dt.timedelta(hours=SESSION_HOURS))


def live_sessions(store: Store) -> pd.DataFrame:
    """Sessions that are neither ended nor expired, most recently active first."""
    with _store(store) as con:
        return _live_sessions(con)


def authorise(store: Store, username: str, role: str) -> Account:
    """Re-read the account from the store and refuse unless it is active and holds the role."""
    with _store(store) as con:
        account = _identity(con, username)
    if account is None:
        raise AccountError("账户不存在或已停用，操作被拒绝")
    return account.require(role)


def record(store: Store, actor: str, action: str, target: str, detail: str | None = None,
           count_before: int | None = None, count_after: int | None = None) -> None:
    """Append one event to the audit trail."""
    with _store(store) as con:
        _record(con, actor, action, target, detail, count_before, count_after)


def audit_trail(store: Store) -> pd.DataFrame:
    with _store(store) as con:
        return _run(con, "audit_list")


class StoreBusy(AccountError):
    """The accounts store stayed locked by another process for the whole wait."""


def reconcile_audit(store: Store, entries: pd.DataFrame, timeout_seconds: float) -> None:
    """Append to the audit trail the journalled warehouse changes it lacks (keyed by change_key).

    Waits for the store at most timeout_seconds, then raises StoreBusy: the change is already
    published, so its caller must neither hang nor fail on the audit copy.
    """
    if entries.empty:
        return
    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            with _store(store, wait_seconds=max(deadline - time.monotonic(), 0)) as con:
                queries.register_frame(con, "journal", entries)
                queries.run_script(con, queries.query_text("audit_reconcile"))
            return
        except StoreUnavailable:  # locked, or held open by a process outside this module; try again
            pass
        if time.monotonic() >= deadline:
            raise StoreBusy(f"账户库 {store} 被其他进程占用，已等待 {timeout_seconds:g} 秒")
        time.sleep(0.1)


# Every table of the store, in accounts_schema.sql's order, with what a person calls it; a fixed list, the only
# identifiers the copy below writes into its SQL.
STORE_TABLES = {"users": "账户", "oidc_identities": "统一身份认证账户", "sessions": "会话",
                "login_failures": "登录失败记录", "audit_events": "审计记录", "audit_reconciled": "已补记的数据变更"}


def migrate(source: Path, target: Store) -> dict[str, int]:
    """Copy every row of the file store source into the empty store target, in one transaction of the target
    while source is locked; the rows per table, after checking that target now holds exactly as many."""
    with _store(source) as src, _store(target) as dst:
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
