"""Sign-in and sessions: credentials checked and throttled, sessions started, looked up, ended and listed,
and an account re-read before each privileged action."""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import pandas as pd

from metrics import config
from metrics.accounts.audit import record, record_event
from metrics.accounts.store import AccountError, Store, timestamp, transaction
from metrics.accounts.users import (
    LOCK_MINUTES,
    OIDC_PREFIX,
    Account,
    check_password,
    dummy_hash,
    get_user,
    normal_username,
    set_password,
    verifies,
)
from metrics.errors import UserFacingError
from metrics.store.queries import run_in_transaction as _run

MAX_FAILED_ATTEMPTS = 5      # failures of one name from one client address before that client must wait
MAX_CLIENT_FAILURES = 20     # failures from one client address, whatever the names, before it must wait
SESSION_HOURS = 12           # a session ends this long after sign-in, however active
TOUCH_SECONDS = 60           # a session's last-seen time is written at most this often
WRONG = "用户名或密码错误"
THROTTLED = f"登录失败次数过多，请{LOCK_MINUTES}分钟后再试"


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


def idle_limit() -> dt.timedelta:
    """How long a session may go unused (METRICS_SESSION_IDLE_MINUTES, default 30)."""
    return dt.timedelta(minutes=config.SESSION_IDLE_MINUTES.value())


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def change_own_password(store: Store, username: str, current: str, new: str, *, client_address: str,
                        user_agent: str = "") -> str:
    """A user's own change: the current password is checked (and throttled) like a sign-in. Every session of
    the account ends; the token of a new one for this browser is returned, so that the user stays signed in here."""
    check_password(new)
    _check_login(store, username, current, client_address)
    with transaction(store) as con:  # the right password: this attempt was counted as a failure until now
        _run(con, "account_failures_clear", username=username, client_address=client_address)
    set_password(store, username, new, actor=username)
    with transaction(store) as con:
        return new_session(con, username, client_address, user_agent)


def _check_login(store: Store, username: str, password: str, client_address: str) -> dict:
    """Decide a login: the account, or LoginRefused with a message that reveals nothing.

    Unknown names, wrong passwords and disabled accounts fail alike, and are counted alike: per name (the
    delay), per name and client address (the lock), per client address (a client trying many names).
    A lock holds only for the client that earned it, so nobody can lock an account out for everyone else.

    The password is checked outside the store's lock (argon2 takes a core for a tenth of a second, and every
    session lookup waits for the lock): the attempt is counted as a failure under the lock first, so that
    attempts running side by side see each other and the limits hold exactly; a success then clears it.
    """
    now = timestamp()
    with transaction(store) as con:
        counts = _run(con, "account_failure_counts", username=username, client_address=client_address,
                      since=now - dt.timedelta(minutes=LOCK_MINUTES)).iloc[0]
        if counts["count_pair"] >= MAX_FAILED_ATTEMPTS or counts["count_client"] >= MAX_CLIENT_FAILURES:
            raise LoginRefused(THROTTLED, int(counts["count_name"]))
        _run(con, "account_failure_insert", username=username, client_address=client_address, now=now)
        _run(con, "account_failures_prune", before=now - dt.timedelta(days=1))
        user = get_user(con, username)
    if verifies(user["password_hash"] if user else dummy_hash(), password) and user and not user["is_disabled"]:
        return user
    if counts["count_pair"] + 1 == MAX_FAILED_ATTEMPTS:
        record(store, "system", "登录锁定", username,
               f"来自 {client_address} 连续失败 {MAX_FAILED_ATTEMPTS} 次，该地址 {LOCK_MINUTES} 分钟内不能再试")
        raise LoginRefused(THROTTLED, int(counts["count_name"]) + 1)
    raise LoginRefused(WRONG, int(counts["count_name"]) + 1)


def _still_as_checked(con, user: dict) -> bool:
    """The account is as it was when its password was checked outside the lock: not disabled, not given a new
    password since (which ends every session, and so must not be followed by one started with the old)."""
    current = get_user(con, user["username"])
    return current is not None and not current["is_disabled"] and current["password_hash"] == user["password_hash"]


def login_delay(failed_attempts: int, base_seconds: float = 0.5) -> float:
    """Seconds to wait before answering a failed login: doubling, at most 8 s."""
    if failed_attempts <= 0:
        return 0.0
    return min(base_seconds * 2 ** (failed_attempts - 1), 8.0)


def new_session(con, username: str, client_address: str, user_agent: str) -> str:
    token = secrets.token_urlsafe(32)  # 256 bits
    _run(con, "session_insert", token_sha256=_digest(token), username=username,
         csrf_token=secrets.token_urlsafe(32), now=timestamp(), client_address=client_address[:64],
         user_agent=user_agent[:300])
    return token


def sign_in(store: Store, username: str, password: str, *, client_address: str, user_agent: str) -> str:
    """Check the credentials and start a session; its token, or LoginRefused with a message that reveals nothing.

    Fails closed: a store that cannot be written raises StoreUnavailable and nobody signs in.
    """
    username = normal_username(username[:64])  # ａｄｍｉｎ signs in as admin, as it was stored
    user = _check_login(store, username, password, client_address)
    with transaction(store) as con:
        if not _still_as_checked(con, user):
            raise LoginRefused(WRONG, 0)
        _run(con, "account_failures_clear", username=username, client_address=client_address)
        return new_session(con, user["username"], client_address, user_agent)


def _identity(con, username: str) -> Account | None:
    """The account a session or an actor names, as the store says now; None if gone or disabled."""
    if username.startswith(OIDC_PREFIX):
        found = _run(con, "account_oidc_get", identity=username)
        if found.empty:
            return None
        row = found.iloc[0]
        return Account(username, row["role"], tuple(row["scope_regions"]), tuple(row["scope_categories"]),
                       display_name=row["display_name"])
    user = get_user(con, username)
    return None if user is None or user["is_disabled"] else _account(user)


def session(store: Store, token: str | None) -> Session | None:
    """The live session a cookie's token names (its last-seen time refreshed), or None."""
    if not token:
        return None
    now = timestamp()
    with transaction(store) as con:
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
    with transaction(store) as con:
        _run(con, "session_end", token_sha256=_digest(token), session_id=None, username=None, now=timestamp(),
             reason=reason)


def end_session_by_id(store: Store, session_id: int, *, actor: str) -> None:
    """An admin ends one live session (by the number shown in 账户管理)."""
    with transaction(store) as con:
        live = _live_sessions(con)
        target = live[live["session_id"] == session_id]
        if target.empty:
            raise AccountError(f"会话 {session_id} 不存在或已结束")
        _run(con, "session_end", token_sha256=None, session_id=session_id, username=None, now=timestamp(),
             reason=f"由 {actor} 结束")
        record_event(con, actor, "结束会话", str(target.iloc[0]["display_name"]), f"会话 {session_id}",
                len(live), len(live) - 1)


def _live_sessions(con) -> pd.DataFrame:
    now = timestamp()
    return _run(con, "session_list_live", idle_since=now - idle_limit(),
                created_since=now - dt.timedelta(hours=SESSION_HOURS))


def live_sessions(store: Store) -> pd.DataFrame:
    """Sessions that are neither ended nor expired, most recently active first."""
    with transaction(store) as con:
        return _live_sessions(con)


def authorise(store: Store, username: str, role: str) -> Account:
    """Re-read the account from the store and refuse unless it is active and holds the role."""
    with transaction(store) as con:
        account = _identity(con, username)
    if account is None:
        raise AccountError("账户不存在或已停用，操作被拒绝")
    return account.require(role)
