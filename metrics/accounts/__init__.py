"""Accounts, roles, sign-in sessions and the audit trail, in a small DuckDB file beside the warehouse, or in
PostgreSQL ($METRICS_ACCOUNTS_URL) when several app servers must share them.

Every use is one transaction that holds the store's writer lock, waited for a bounded time: for the file, an
exclusive file lock taken before opening it, so that the dashboard and the CLI can both write it and DuckDB's
single-writer lock never reaches a user; in PostgreSQL, a table lock taken first in the transaction. Both shapes
run the same SQL files on the same DuckDB connection type; only the connection and its lock differ.

store, users, sessions, oidc and audit hold the parts; callers use the names exported here.
"""

from metrics.accounts.audit import audit_trail, counted, reconcile_audit, record
from metrics.accounts.oidc import oidc_sign_in, role_from_claims
from metrics.accounts.sessions import (
    MAX_CLIENT_FAILURES,
    MAX_FAILED_ATTEMPTS,
    SESSION_HOURS,
    THROTTLED,
    WRONG,
    LoginRefused,
    Session,
    authorise,
    change_own_password,
    end_session,
    end_session_by_id,
    idle_limit,
    live_sessions,
    login_delay,
    session,
    sign_in,
)
from metrics.accounts.store import (
    STORE_TABLES,
    AccountError,
    PostgresStore,
    Store,
    StoreBusy,
    StoreUnavailable,
    accounts_file,
    accounts_path,
    migrate,
    transaction,
)
from metrics.accounts.users import (
    LOCK_MINUTES,
    MIN_PASSWORD_LENGTH,
    OIDC_PREFIX,
    ROLE_DUTIES,
    ROLE_NAMES,
    Account,
    add_user,
    bootstrap_admin,
    list_users,
    normal_username,
    set_disabled,
    set_password,
    set_role,
)

__all__ = ["Account", "AccountError", "LOCK_MINUTES", "LoginRefused", "MAX_CLIENT_FAILURES",
           "MAX_FAILED_ATTEMPTS", "MIN_PASSWORD_LENGTH", "OIDC_PREFIX", "PostgresStore", "ROLE_DUTIES", "ROLE_NAMES",
           "SESSION_HOURS",
           "STORE_TABLES", "Session", "Store", "StoreBusy", "StoreUnavailable", "THROTTLED", "WRONG", "accounts_file",
           "accounts_path", "add_user", "audit_trail", "authorise", "bootstrap_admin", "change_own_password",
           "counted", "end_session", "end_session_by_id", "idle_limit", "list_users", "live_sessions", "login_delay",
           "migrate", "normal_username", "oidc_sign_in", "reconcile_audit", "record", "role_from_claims", "session",
           "set_disabled", "set_password", "set_role", "sign_in", "transaction"]
