"""Who is using this session: the signed-in account, idle expiry, and role checks for pages."""

import datetime as dt
import os

import streamlit as st

from metrics import accounts
from metrics.paths import resolve_db

SESSION_KEY = "account"
ACTIVITY_KEY = "last_activity"
VIEW_LOGIN_ENV = "METRICS_VIEW_LOGIN"
IDLE_ENV = "METRICS_SESSION_IDLE_MINUTES"
OIDC_ROLE_CLAIM_ENV = "METRICS_OIDC_ROLE_CLAIM"
LOGIN_DELAY_ENV = "METRICS_LOGIN_DELAY_SECONDS"


ROUTED_KEY = "routed_through_app"


def mark_routed() -> None:
    """app.py says that this session has been through it (and so through its navigation)."""
    st.session_state[ROUTED_KEY] = True


def ensure_routed() -> None:
    """Send a page that runs without app.py back through it.

    Until app.py has called st.navigation once in a process, Streamlit serves a URL such as
    /assessment by running pages/assessment.py on its own, which would skip the login and the
    per-role navigation. A new session that comes that way has not been through app.py yet.
    """
    if not st.session_state.get(ROUTED_KEY):
        st.switch_page("app.py")


def store_path():
    return accounts.accounts_path(resolve_db())


def view_requires_login() -> bool:
    """Viewing needs a login unless METRICS_VIEW_LOGIN=open (changing data always does)."""
    return os.environ.get(VIEW_LOGIN_ENV, "required").strip().lower() != "open"


def login_delay_base() -> float:
    """Seconds of the first failed-login delay (it doubles per failure); tests set 0."""
    return float(os.environ.get(LOGIN_DELAY_ENV, "0.5"))


def idle_limit() -> dt.timedelta:
    return dt.timedelta(minutes=float(os.environ.get(IDLE_ENV, "30")))


def current_account() -> accounts.Account | None:
    """The signed-in account, or None; an idle session is signed out."""
    account = st.session_state.get(SESSION_KEY)
    now = dt.datetime.now()
    if account is not None:
        last = st.session_state.get(ACTIVITY_KEY, now)
        if now - last > idle_limit():
            sign_out()
            st.session_state["expired"] = True
            return None
    st.session_state[ACTIVITY_KEY] = now
    return account


def sign_in(account: accounts.Account) -> None:
    st.session_state[SESSION_KEY] = account
    st.session_state[ACTIVITY_KEY] = dt.datetime.now()
    st.session_state.pop("expired", None)


def sign_out() -> None:
    st.session_state.pop(SESSION_KEY, None)
    st.session_state.pop(ACTIVITY_KEY, None)


def require(role: str) -> accounts.Account:
    """Stop the page unless the store still says this session's account holds the role."""
    account = st.session_state.get(SESSION_KEY)
    if account is None:
        st.error("请先登录。", icon=":material/lock:")
        st.stop()
    try:
        return accounts.authorise(store_path(), account.username, role)
    except accounts.AccountError as error:
        st.error(str(error), icon=":material/block:")
        st.stop()


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def role_from_claims(claims: dict, claim: str | None = None) -> str:
    """The dashboard role an identity server's claim grants; unknown values only view."""
    claim = claim or os.environ.get(OIDC_ROLE_CLAIM_ENV, "role")
    value = claims.get(claim)
    values = value if isinstance(value, list) else [value]
    for role in ("admin", "editor"):
        if role in values:
            return role
    return "viewer"


def flash(message: str) -> None:
    """A message to show once on the next run (a rerun would wipe anything drawn now)."""
    st.session_state["flash"] = message


def show_flash() -> None:
    if message := st.session_state.pop("flash", None):
        st.toast(message, icon=":material/check_circle:")
