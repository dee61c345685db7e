"""Who is using this session: the account of the sign-in cookie, and role checks for pages.

Signing in and out happens over plain HTTP (ui/web.py): the server sets an HttpOnly cookie whose token names a
session in the accounts store. Every run here looks that session up again, so that a session ended anywhere
(sign-out, password or role change, a disabled account, an admin, expiry) is over at the tab's next action.
"""

from urllib.parse import urlsplit

import streamlit as st

from metrics import accounts, config
from metrics.paths import resolve_db
from ui import common, navigation

COOKIE = "metrics_session"
SESSION_KEY = "signed_in_session"


ROUTED_KEY = "routed_through_app"
RESUME_KEY = "page_before_routing"


def mark_routed() -> None:
    """app.py says that this session has been through it (and so through its navigation)."""
    st.session_state[ROUTED_KEY] = True


def ensure_routed() -> None:
    """Send a page that runs without app.py back through it.

    Until app.py has called st.navigation once in a process, Streamlit serves a URL such as
    /assessment by running pages/assessment.py on its own, which would skip the login and the
    per-role navigation. A new session that comes that way has not been through app.py yet: it goes
    there, and app.py then opens the page it asked for, with its query parameters (resume_routed).
    """
    if not st.session_state.get(ROUTED_KEY):
        st.session_state[RESUME_KEY] = (urlsplit(st.context.url or "").path.strip("/"), st.query_params.to_dict())
        st.switch_page("app.py")
    # The page reads the snapshot current as it starts, also when it runs without app.py.
    common.pin_version()


def resume_routed(account: accounts.Account | None) -> None:
    """In app.py after st.navigation: open the page asked for before the session had been through app.py,
    if this session's navigation holds it."""
    if resumed := st.session_state.pop(RESUME_KEY, None):
        name, params = resumed
        if name in navigation.url_paths(account, not view_requires_login()):
            st.switch_page(f"pages/{name}.py", query_params=params)


def store_path():
    return accounts.accounts_path(resolve_db())


def view_requires_login() -> bool:
    """Viewing needs a login unless METRICS_VIEW_LOGIN=open (changing data always does)."""
    return config.VIEW_LOGIN.value().lower() != "open"


def session_token() -> str | None:
    """The sign-in cookie the browser sent when this session's connection opened."""
    token = st.context.cookies.get(COOKIE)
    return token if isinstance(token, str) else None  # AppTest's stand-in runtime answers with a mock


def current_account() -> accounts.Account | None:
    """Look up this browser's session afresh (app.py, at the start of every run) and return its account.

    A session that has ended sends the tab back to sign in. The pages of this run use the answer through
    require() and current_session(): the lookup has just re-read the account's role and state from the store.
    """
    token = session_token()
    try:
        found = accounts.session(store_path(), token)
    except accounts.AccountError as error:
        st.error(common.without_server_paths(str(error)), icon=":material/error:")
        st.stop()
    if token and found is None:
        st.info("登录已失效，正在返回登录页…", icon=":material/timer_off:")
        # st.logout sends the browser to /auth/logout and then to "/", where the server sees the ended
        # session, clears its cookie and shows the sign-in page.
        st.logout()
        st.stop()
    st.session_state[SESSION_KEY] = found
    return found.account if found else None


def current_session() -> accounts.Session | None:
    """The session app.py found at the start of this run."""
    return st.session_state.get(SESSION_KEY)


def require(role: str) -> accounts.Account:
    """Stop the page unless this run's session belongs to an account that holds the role."""
    found = current_session()
    if found is None:
        st.error("请先登录。", icon=":material/lock:")
        st.stop()
    try:
        return found.account.require(role)
    except accounts.AccountError as error:
        st.error(str(error), icon=":material/block:")
        st.stop()


def flash(message: str) -> None:
    """A message to show once on the next run (a rerun would wipe anything drawn now)."""
    st.session_state["flash"] = message


# Messages the server's own routes leave for the page they redirect to, by a fixed key in the URL.
NOTICE_PARAM = "notice"
PASSWORD_CHANGED = "password_changed"
NOTICES = {PASSWORD_CHANGED: "密码已修改。其他设备上的登录已结束，须用新密码重新登录。"}


def show_flash() -> None:
    if notice := st.query_params.get(NOTICE_PARAM):
        del st.query_params[NOTICE_PARAM]
        st.session_state["flash"] = NOTICES.get(notice)
    if message := st.session_state.pop("flash", None):
        st.toast(message, icon=":material/check_circle:")
