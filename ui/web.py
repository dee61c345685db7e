"""The HTTP side, served through st.App: sign-in and sign-out, the page gate, health and Prometheus
endpoints, and the security headers on every response.

A page's URL is answered only when the session's navigation (ui/navigation.py) holds that page: a visitor
without a session goes to the sign-in page and comes back to the same URL with its query afterwards; an unknown
path gets a Chinese 404 page instead of Streamlit's English "Page not found" dialog.
"""

import asyncio
import base64
import functools
import gzip
import hashlib
import html
import ipaddress
import mimetypes
import os
import re
import secrets
import string
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit

import streamlit as st
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from streamlit.proto.BackMsg_pb2 import BackMsg

from metrics import accounts, config
from metrics.paths import resolve_db
from metrics.store import WarehouseError, missing_files_text, open_reader
from ui import auth, common, navigation, telemetry

CSRF_COOKIE = "metrics_csrf"
STREAMLIT_STATIC = Path(st.__file__).parent / "static"
# First path segments that are not pages: Streamlit's own routes and files, and ours.
NOT_PAGES = {"_stcore", "media", "component", "app", "auth", "oauth2callback", "healthz", "metrics"} | {
    path.name for path in STREAMLIT_STATIC.iterdir() if path.name != "index.html"
}
PAGE_NAMES = {page.url_path for page in navigation.ALL_PAGES}


def _inline_script_hashes() -> str:
    """CSP sources for the inline scripts the app runs: those of Streamlit's index.html (it has one,
    a prerender flag) and the one that closes the sidebar on a phone after a navigation."""
    text = (STREAMLIT_STATIC / "index.html").read_text(encoding="utf-8")
    scripts = [*re.findall(r"<script>(.*?)</script>", text, flags=re.S), common.CLOSE_SIDEBAR_SCRIPT]
    return " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'" for body in scripts
    )


CSP = "; ".join([
    "default-src 'self'",
    f"script-src 'self' {_inline_script_hashes()}",
    "style-src 'self' 'unsafe-inline'",  # Streamlit's components style themselves at run time
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class ProxySettingError(ValueError):
    """METRICS_TRUSTED_PROXIES names something that is not an address or a network; the message is Chinese."""


@functools.cache
def _trusted_networks(setting: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for part in filter(None, (part.strip() for part in setting.split(","))):
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ProxySettingError(f"{config.TRUSTED_PROXIES.name} 中的“{part}”不是 IP 地址或网段（应写作 "
                                    "172.30.0.10 或 172.30.0.0/24，多个用逗号分隔；不接受主机名）") from None
    return tuple(networks)


def trusted_networks() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """The proxies whose X-Forwarded-For/-Proto count: METRICS_TRUSTED_PROXIES, addresses or networks
    (default loopback, where a reverse proxy on the same machine connects from)."""
    return _trusted_networks(config.TRUSTED_PROXIES.value())


def check_trusted_proxies() -> None:
    """At start-up: a setting that names a host would never match any peer; stop with one line instead."""
    try:
        trusted_networks()
    except ProxySettingError as error:
        print(f"错误：{error}", file=sys.stderr)
        raise SystemExit(1) from None


def _is_trusted_proxy(peer: str) -> bool:
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in trusted_networks())


def client_of(scope) -> tuple[str, bool]:
    """The client's address and whether it came over HTTPS; X-Forwarded-For/-Proto count only from a trusted
    proxy (trusted_networks). The peer is the TCP peer itself: server.py turns off uvicorn's own rewriting."""
    peer = scope["client"][0] if scope.get("client") else ""
    https = scope.get("scheme") in ("https", "wss")
    if _is_trusted_proxy(peer):
        headers = Headers(scope=scope)
        if forwarded := headers.get("x-forwarded-for"):
            peer = forwarded.split(",")[-1].strip()
        if proto := headers.get("x-forwarded-proto"):
            https = proto.split(",")[0].strip().lower() == "https"
    return peer, https


def _store():
    return auth.store_path()


def safe_next(value: str | None) -> str:
    """A same-origin path to return to after signing in; anything else is the overview."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")) or any(c < " " for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith("/auth/"):
        return "/"
    return value


_PAGE = string.Template("""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title · 政务服务指标看板</title>
<style>
body { margin: 0; background: #f5f6f8; color: #1f2430;
       font-family: "Source Sans Pro", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }
main { max-width: 26rem; margin: 8vh auto; background: #fff; border: 1px solid #e3e5ea; border-radius: .6rem;
       padding: 2rem 2.2rem; }
.brand { color: #6b7080; font-size: .9rem; margin: 0 0 .3rem; }
h1 { font-size: 1.6rem; margin: 0 0 1.2rem; }
label { display: block; margin: .9rem 0 .3rem; font-size: .95rem; }
input[type=text], input[type=password] { box-sizing: border-box; width: 100%; padding: .55rem .7rem;
       border: 1px solid #cfd3dc; border-radius: .4rem; font-size: 1rem; background: #f5f6f8; }
button, .button { display: inline-block; margin-top: 1.3rem; padding: .55rem 1.2rem; border: 0; border-radius: .4rem;
       background: #b3261e; color: #fff; font-size: 1rem; cursor: pointer; text-decoration: none; }
.secondary { background: #fff; color: #1f2430; border: 1px solid #cfd3dc; }
.alert { padding: .7rem .9rem; border-radius: .4rem; margin-bottom: 1rem; }
.error { background: #fdecea; color: #7d1a14; }
.info { background: #e8f0fe; color: #1a3e7d; }
hr { border: 0; border-top: 1px solid #e3e5ea; margin: 1.5rem 0; }
</style></head>
<body><main><p class="brand">鄂州市数据局 · 政务服务指标看板</p><h1>$title</h1>$body</main></body></html>
""")


def _html(title: str, body: str, status: int = 200) -> HTMLResponse:
    """One of our own pages; title is ours, every value in body is escaped by the caller."""
    return HTMLResponse(_PAGE.substitute(title=title, body=body), status_code=status,
                        headers={"cache-control": "no-store"})


def _alert(kind: str, message: str) -> str:
    return f'<div class="alert {kind}" role="alert">{html.escape(common.without_server_paths(message))}</div>'


def not_found() -> HTMLResponse:
    return _html("页面不存在", '<p>您要打开的页面不存在，可能是网址有误或页面已调整。</p>'
                 '<a class="button" href="/">返回总览</a>', 404)


def forbidden() -> HTMLResponse:
    return _html("无权访问", '<p>您的账户无权打开此页面。如需权限，请联系管理员。</p>'
                 '<a class="button" href="/">返回总览</a>', 403)


def _sign_in_url(target: str, ended: bool = False) -> str:
    return f"/auth/login?next={quote(target, safe='')}" + ("&ended=1" if ended else "")


def _set_session_cookie(response: Response, token: str, https: bool) -> None:
    response.set_cookie(auth.COOKIE, token, max_age=accounts.SESSION_HOURS * 3600, path="/", httponly=True,
                        samesite="lax", secure=https)


def _clear_session_cookie(response: Response) -> Response:
    response.delete_cookie(auth.COOKIE, path="/", httponly=True, samesite="lax")
    return response


# The same, as a header to add to a response Streamlit writes.
_CLEAR_COOKIE = next(h for h in _clear_session_cookie(Response()).raw_headers if h[0] == b"set-cookie")


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def _oidc_claims(request: Request, https: bool) -> dict:
    """The identity Streamlit's st.login stored in its signed cookie after the identity server's callback
    (only Streamlit, holding the cookie secret, can have signed it)."""
    # Streamlit has no public reader for its identity cookie; these are the functions its websocket uses.
    from streamlit.web.server.starlette.starlette_server_config import USER_COOKIE_NAME
    from streamlit.web.server.starlette.starlette_websocket import (
        _get_signed_cookie_with_chunks,
        _parse_decoded_user_cookie,
    )

    raw = _get_signed_cookie_with_chunks(dict(request.cookies), USER_COOKIE_NAME)
    if not raw:
        return {}
    claims = _parse_decoded_user_cookie(raw, f"{'https' if https else 'http'}://{request.url.netloc}")
    return claims if claims.get("is_logged_in") else {}


def _sign_in_page(request: Request, next_path: str, message: str | None = None, status: int = 200) -> Response:
    """The form; its CSRF token is also in a cookie that only this path receives (double submit)."""
    csrf = request.cookies.get(CSRF_COOKIE) or ""
    if not re.fullmatch(r"[A-Za-z0-9_-]{43}", csrf):
        csrf = secrets.token_urlsafe(32)
    body = ""
    if message:
        body += _alert("error", message)
    elif request.query_params.get("ended"):
        body += _alert("info", "登录已结束（已退出、超时，或账户有变更），请重新登录。")
    body += f"""<form method="post" action="/auth/login">
<input type="hidden" name="csrf_token" value="{html.escape(csrf)}">
<input type="hidden" name="next" value="{html.escape(next_path)}">
<label for="username">用户名</label><input id="username" name="username" type="text" autocomplete="username" required>
<label for="password">密码</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">登录</button></form>"""
    if _oidc_configured():
        from streamlit.user_info import generate_login_redirect_url

        body += (f'<hr><a class="button secondary" href="{html.escape(generate_login_redirect_url("default"))}">'
                 "使用统一身份认证登录</a>")
    response = _html("登录", body, status)
    response.set_cookie(CSRF_COOKIE, csrf, path="/auth/login", httponly=True, samesite="strict",
                        secure=client_of(request.scope)[1])
    return response


async def _oidc_login(request: Request) -> Response:
    """Streamlit's own GET /auth/login, which starts st.login's identity-server flow."""
    from streamlit.web.server.starlette.starlette_auth_routes import create_auth_routes

    route = next(r for r in create_auth_routes("") if r.path == "/auth/login")
    return await route.endpoint(request)


async def login_form(request: Request) -> Response:
    if request.query_params.get("provider"):
        return await _oidc_login(request)
    next_path = safe_next(request.query_params.get("next"))
    address, https = client_of(request.scope)
    try:
        found = await run_in_threadpool(accounts.session, _store(), request.cookies.get(auth.COOKIE))
        claims = _oidc_claims(request, https) if found is None else {}
        if claims:
            token = await run_in_threadpool(accounts.oidc_sign_in, _store(), claims, client_address=address,
                                            user_agent=request.headers.get("user-agent", ""))
            response = RedirectResponse(next_path, status_code=303)
            _set_session_cookie(response, token, https)
            return response
    except accounts.AccountError as error:
        return _sign_in_page(request, next_path, str(error), 503)
    if found is not None:
        return RedirectResponse(next_path, status_code=303)
    response = _sign_in_page(request, next_path)
    if request.cookies.get(auth.COOKIE):
        _clear_session_cookie(response)
    return response


# Password checks (argon2: a core and 64 MiB each) run at most this many at once; the others wait on the event
# loop, not in the thread pool that every page's session lookup also needs.
PARALLEL_PASSWORD_CHECKS = os.cpu_count() or 2
PASSWORD_QUEUE_SECONDS = 10.0  # like the accounts store's own wait: an answer well before a client gives up
_password_checks = asyncio.Semaphore(PARALLEL_PASSWORD_CHECKS)


async def _check_password(function, *args, **kwargs):
    """function (a sign-in or a password change) in the thread pool once a password check is free."""
    try:
        await asyncio.wait_for(_password_checks.acquire(), PASSWORD_QUEUE_SECONDS)
    except TimeoutError:
        raise accounts.AccountError("同时登录的人数过多，请稍后重试") from None
    try:
        return await run_in_threadpool(function, *args, **kwargs)
    finally:
        _password_checks.release()


async def login_submit(request: Request) -> Response:
    form = await request.form()
    next_path = safe_next(str(form.get("next") or "/"))
    cookie = request.cookies.get(CSRF_COOKIE) or ""
    if not cookie or not secrets.compare_digest(cookie, str(form.get("csrf_token") or "")):
        telemetry.FAILED_SIGN_INS.inc()
        return _sign_in_page(request, next_path, "登录表单已失效（缺少安全校验码），请重新输入。", 403)
    address, https = client_of(request.scope)
    try:
        token = await _check_password(
            accounts.sign_in, _store(), str(form.get("username") or "").strip(), str(form.get("password") or ""),
            client_address=address, user_agent=request.headers.get("user-agent", ""))
    except accounts.LoginRefused as refused:
        telemetry.FAILED_SIGN_INS.inc()
        base = config.LOGIN_DELAY_SECONDS.value()
        await asyncio.sleep(accounts.login_delay(refused.failed_attempts, base))
        return _sign_in_page(request, next_path, refused.message, 401)
    except accounts.AccountError as error:  # the store cannot be written: nobody signs in
        telemetry.FAILED_SIGN_INS.inc()
        return _sign_in_page(request, next_path, str(error), 503)
    if old := request.cookies.get(auth.COOKIE):
        await run_in_threadpool(accounts.end_session, _store(), old, "重新登录")
    response = RedirectResponse(next_path, status_code=303)
    _set_session_cookie(response, token, https)
    response.delete_cookie(CSRF_COOKIE, path="/auth/login")
    return response


async def logout(request: Request) -> Response:
    """End this browser's session; the form carries the session's CSRF token."""
    form = await request.form()
    token = request.cookies.get(auth.COOKIE)
    if not token:
        # No cookie came: a form posted from another site (SameSite=Lax holds the cookie back), or a browser that
        # is signed out already. Clearing cookies here would sign a victim's browser out of a session that lives on.
        return RedirectResponse("/auth/login", status_code=303)
    try:
        found = await run_in_threadpool(accounts.session, _store(), token)
        if found is not None:
            if not secrets.compare_digest(found.csrf_token, str(form.get("csrf_token") or "")):
                return _html("无法退出", _alert("error", "退出请求缺少安全校验码，已拒绝。") +
                             '<a class="button" href="/">返回总览</a>', 403)
            await run_in_threadpool(accounts.end_session, _store(), token)
    except accounts.AccountError as error:
        return _html("无法退出", _alert("error", str(error)), 503)
    response = RedirectResponse("/auth/login", status_code=303)
    _clear_session_cookie(response)
    for name in request.cookies:  # st.login's identity, which would sign the browser straight in again
        if name.startswith("_streamlit_user"):
            response.delete_cookie(name, path="/")
    return response


PASSWORD_PATH = "/auth/password"
NEW_PASSWORD_LABEL = f"新密码（至少{accounts.MIN_PASSWORD_LENGTH}个字符，不能与当前密码相同）"


def _password_page(found: accounts.Session, message: str | None = None, status: int = 200) -> Response:
    """The form to change one's own password; it carries the session's CSRF token, like signing out."""
    body = _alert("error", message) if message else ""
    if found.account.must_change_password:
        body += _alert("info", "您正在使用一次性密码，请先设置新密码。")
    body += f"""<p>用户名：{html.escape(found.account.username)}</p>
<form method="post" action="{PASSWORD_PATH}">
<input type="hidden" name="csrf_token" value="{html.escape(found.csrf_token)}">
<label for="current">当前密码</label>
<input id="current" name="current" type="password" autocomplete="current-password" required>
<label for="new">{html.escape(NEW_PASSWORD_LABEL)}</label>
<input id="new" name="new" type="password" autocomplete="new-password" required>
<label for="repeat">再次输入新密码</label>
<input id="repeat" name="repeat" type="password" autocomplete="new-password" required>
<button type="submit">修改密码</button></form>"""
    if not found.account.must_change_password:
        body += '<hr><a class="button secondary" href="/account">返回我的账户</a>'
    return _html("修改密码", body, status)


async def _password_session(request: Request) -> tuple[accounts.Session | None, Response | None]:
    """The session that may change its password here, or the response for a browser that has none."""
    try:
        found = await run_in_threadpool(accounts.session, _store(), request.cookies.get(auth.COOKIE))
    except accounts.AccountError as error:
        return None, _html("暂时无法使用", _alert("error", str(error)), 503)
    if found is None:
        return None, RedirectResponse(_sign_in_url(PASSWORD_PATH), status_code=303)
    if found.account.username.startswith(accounts.OIDC_PREFIX):
        return None, _html("修改密码", _alert("info", "此账户由统一身份认证登录，密码在身份认证系统中管理。")
                           + '<a class="button" href="/">返回总览</a>')
    return found, None


async def password_form(request: Request) -> Response:
    found, refusal = await _password_session(request)
    return refusal or _password_page(found)


async def password_submit(request: Request) -> Response:
    """Change the password; every session of the account ends and this browser gets a new one, then 总览."""
    found, refusal = await _password_session(request)
    if refusal:
        return refusal
    form = await request.form()
    if not secrets.compare_digest(found.csrf_token, str(form.get("csrf_token") or "")):
        return _password_page(found, "修改密码的请求缺少安全校验码，已拒绝，请重新输入。", 403)
    new = str(form.get("new") or "")
    if new != str(form.get("repeat") or ""):
        return _password_page(found, "两次输入的新密码不一致。", 400)
    address, https = client_of(request.scope)
    try:
        token = await _check_password(
            accounts.change_own_password, _store(), found.account.username, str(form.get("current") or ""), new,
            client_address=address, user_agent=request.headers.get("user-agent", ""))
    except accounts.LoginRefused as refused:
        base = config.LOGIN_DELAY_SECONDS.value()
        await asyncio.sleep(accounts.login_delay(refused.failed_attempts, base))
        return _password_page(found, f"当前密码不正确：{refused.message}", 401)
    except accounts.AccountError as error:
        return _password_page(found, str(error), 400)
    response = RedirectResponse(f"/?{auth.NOTICE_PARAM}={auth.PASSWORD_CHANGED}", status_code=303)
    _set_session_cookie(response, token, https)
    return response


def _health_problems() -> list[str]:
    problems = []
    try:
        open_reader(resolve_db()).close()
        missing = missing_files_text(resolve_db(), with_paths=False)
        if missing:
            problems.append(missing)
    except WarehouseError as error:
        problems.append(f"数据仓库不可读：{error}")
    try:
        accounts.live_sessions(_store())
    except accounts.AccountError as error:
        problems.append(f"账户库不可读：{error}")
    return problems


async def healthz(request: Request) -> Response:
    problems = await run_in_threadpool(_health_problems)
    answer = common.without_server_paths("；".join(problems)) if problems else "ok"  # anyone may ask
    return PlainTextResponse(answer, status_code=503 if problems else 200,
                             headers={"cache-control": "no-store"})


def _metrics_allowed(request: Request) -> bool:
    """Loopback clients, or a bearer token equal to $METRICS_PROMETHEUS_TOKEN."""
    address, _ = client_of(request.scope)
    try:
        if ipaddress.ip_address(address).is_loopback:
            return True
    except ValueError:
        pass
    token = config.PROMETHEUS_TOKEN.value()
    given = request.headers.get("authorization", "")
    return bool(token) and secrets.compare_digest(given.encode(), f"Bearer {token}".encode())


async def prometheus(request: Request) -> Response:
    if not _metrics_allowed(request):
        return PlainTextResponse("forbidden", status_code=403)
    body = await run_in_threadpool(generate_latest, telemetry.REGISTRY)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


ROUTES = [
    Route("/auth/login", login_form, methods=["GET"]),
    Route("/auth/login", login_submit, methods=["POST"]),
    Route("/auth/logout", logout, methods=["POST"]),
    Route(PASSWORD_PATH, password_form, methods=["GET"]),
    Route(PASSWORD_PATH, password_submit, methods=["POST"]),
    Route("/healthz", healthz, methods=["GET"]),
    Route("/metrics", prometheus, methods=["GET"]),
]


async def _gate(request: Request, name: str) -> tuple[Response | None, bool]:
    """The response for a page's URL when the session may not open it there (None: Streamlit serves it), and
    whether the browser holds the cookie of a session that has ended (to be cleared)."""
    token = request.cookies.get(auth.COOKIE)
    try:
        found = await run_in_threadpool(accounts.session, _store(), token)
    except accounts.AccountError as error:
        return _html("暂时无法使用", _alert("error", str(error)), 503), False
    account = found.account if found else None
    view_open = not auth.view_requires_login()
    reachable = navigation.url_paths(account, view_open)
    query = f"?{request.url.query}" if request.url.query else ""
    ended = bool(token) and found is None
    if account is not None and account.must_change_password:
        response = RedirectResponse(PASSWORD_PATH, status_code=303)
    elif account is None and not view_open:
        response = RedirectResponse(_sign_in_url(request.url.path + query, ended), status_code=303)
    elif name == "":
        response = None
    elif name not in reachable:
        if account is None:
            response = RedirectResponse(_sign_in_url(request.url.path + query, ended), status_code=303)
        else:
            response = forbidden()
    elif reachable[name] == "":  # the default page, asked for by its own name
        response = RedirectResponse("/" + query, status_code=303)
    else:
        response = None
    if response is not None and ended:
        _clear_session_cookie(response)
    return response, ended


def _without_clear_cache(receive):
    """Drop the websocket's clear_cache command: it would empty every session's caches, and nobody needs it."""
    async def filtered():
        while True:
            message = await receive()
            data = message.get("bytes") if message["type"] == "websocket.receive" else None
            if data:
                try:
                    if BackMsg.FromString(data).WhichOneof("type") == "clear_cache":
                        continue
                except Exception:  # not a BackMsg: let Streamlit answer it as it would
                    pass
            return message
    return filtered


UPLOAD_ROUTE = ("_stcore", "upload_file")  # Streamlit's PUT/DELETE /_stcore/upload_file/{session}/{file}
UPLOAD_ROLE = "editor"  # the role of 数据管理 and 通报导入, the pages with a file uploader
_uploads_in_flight: dict[str, int] = {}  # Streamlit session -> bytes of the uploads it is sending now


def _upload_limit(setting: config.Setting) -> int:
    return int(setting.value() * 2**20)


def _refuse_upload(message: str, status: int) -> PlainTextResponse:
    return PlainTextResponse(message, status_code=status, headers={"cache-control": "no-store"})


async def _upload_refusal(request: Request, streamlit_session: str) -> Response | None:
    """Streamlit's upload route keeps files in the server's memory, and is open to anyone with a websocket; here
    it takes a file only from a signed-in account that may upload, into the Streamlit session that this same
    cookie opened, and only while the session's and the server's uploads stay within their limits."""
    from streamlit.runtime import Runtime

    token = request.cookies.get(auth.COOKIE)
    try:
        found = await run_in_threadpool(accounts.session, _store(), token)
    except accounts.AccountError as error:
        return _refuse_upload(common.without_server_paths(str(error)), 503)
    if found is None:
        return _refuse_upload("上传文件须先登录。", 403)
    if not found.account.can(UPLOAD_ROLE):
        return _refuse_upload(f"当前账户为“{accounts.ROLE_NAMES[found.account.role]}”，无权上传文件。", 403)
    runtime = Runtime.instance()
    client = runtime.get_client(streamlit_session)
    opened_with = client.client_context.cookies.get(auth.COOKIE) if client is not None else None
    if not opened_with or not secrets.compare_digest(opened_with.encode(), token.encode()):
        return _refuse_upload("上传的页面会话不属于当前登录，已拒绝。请刷新页面后重新上传。", 403)
    if request.method != "PUT":
        return None
    try:
        size = int(request.headers["content-length"])
    except (KeyError, ValueError):
        return _refuse_upload("上传请求须注明文件大小（Content-Length）。", 411)
    files = runtime.uploaded_file_mgr.file_storage
    held = {session: sum(len(file.data) for file in list(stored.values())) for session, stored in list(files.items())}
    session_total = held.get(streamlit_session, 0) + _uploads_in_flight.get(streamlit_session, 0) + size
    server_total = sum(held.values()) + sum(_uploads_in_flight.values()) + size
    if session_total > _upload_limit(config.UPLOAD_SESSION_MB):
        return _refuse_upload("本页面已上传的文件合计超过上限，请刷新页面后再上传。", 413)
    if server_total > _upload_limit(config.UPLOAD_SERVER_MB):
        return _refuse_upload("服务器正在处理的上传文件过多，请稍后再试。", 503)
    return None


async def _guard_upload(app, scope, receive, send) -> None:
    """Streamlit's upload route behind _upload_refusal; the size of an accepted upload counts toward the limits
    until Streamlit has stored it (then it counts as a stored file)."""
    request = Request(scope)
    segments = scope["path"].strip("/").split("/")
    streamlit_session = segments[2] if len(segments) == 4 else ""
    refusal = await _upload_refusal(request, streamlit_session)
    if refusal is not None:
        await refusal(scope, receive, send)
        return
    size = int(request.headers.get("content-length") or 0) if scope["method"] == "PUT" else 0
    _uploads_in_flight[streamlit_session] = _uploads_in_flight.get(streamlit_session, 0) + size
    try:
        await app(scope, receive, send)
    finally:
        _uploads_in_flight[streamlit_session] -= size
        if not _uploads_in_flight[streamlit_session]:
            del _uploads_in_flight[streamlit_session]


def _drop_files_of_closed_sessions() -> None:
    """Streamlit keeps a session's uploaded files until the session is shut down, which for a closed websocket
    happens only when somebody asks for the session after its reconnection window: drop them at the close."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return
    runtime = Runtime.instance()
    for streamlit_session in list(runtime.uploaded_file_mgr.file_storage):
        if not runtime.is_active_session(streamlit_session):
            runtime.uploaded_file_mgr.remove_session_files(streamlit_session)


class Guard:
    """Security headers on every response, the page gate for GET of a page's URL, the upload gate, and the
    websocket filter."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket":
            try:
                await self.app(scope, _without_clear_cache(receive), send)
            finally:
                _drop_files_of_closed_sessions()
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        _, https = client_of(scope)
        extra: list[tuple[bytes, bytes]] = []

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), *SECURITY_HEADERS, *([HSTS] if https else []), *extra]
                message = {**message, "headers": headers}
            await send(message)

        segments = scope["path"].strip("/").split("/")
        if tuple(segments[:2]) == UPLOAD_ROUTE and scope["method"] != "OPTIONS":
            await _guard_upload(self.app, scope, receive, send_with_headers)
            return
        if scope["method"] in ("GET", "HEAD") and segments[0] not in NOT_PAGES:
            name = segments[0] if len(segments) == 1 else None
            if name not in PAGE_NAMES and name != "":
                await not_found()(scope, receive, send_with_headers)
                return
            response, ended = await _gate(Request(scope), name)
            if response is not None:
                await response(scope, receive, send_with_headers)
                return
            if ended:
                extra.append(_CLEAR_COOKIE)
        await self.app(scope, receive, send_with_headers)


# Streamlit's bundles under /static/ are content-hashed (a new release has new names), and Streamlit serves them
# with a year's immutable Cache-Control but uncompressed (8.9 MiB for a new browser's first page): here each is
# compressed once per process and kept, so that no request pays for gzip again.
STATIC_BUNDLES = STREAMLIT_STATIC / "static"
STATIC_PREFIX = "/static/"
STATIC_CACHE_CONTROL = "public, immutable, max-age=31536000"
# Kinds of file that shrink; images and woff2 fonts are compressed already.
COMPRESSIBLE = {".js", ".mjs", ".css", ".json", ".map", ".svg", ".txt", ".html", ".ttf", ".otf", ".wasm"}


def _accepts_gzip(scope) -> bool:
    for part in Headers(scope=scope).get("accept-encoding", "").split(","):
        name, _, quality = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            return quality.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _static_bundle(path: str) -> Path | None:
    """The file of Streamlit's static tree that a /static/… path names, when it is one worth compressing."""
    if not path.startswith(STATIC_PREFIX) or Path(path).suffix.lower() not in COMPRESSIBLE:
        return None
    try:
        file = (STATIC_BUNDLES / path[len(STATIC_PREFIX):]).resolve()
        return file if file.is_relative_to(STATIC_BUNDLES.resolve()) and file.is_file() else None
    except (OSError, ValueError):  # a NUL or an over-long name: not a file of ours
        return None


@functools.cache
def _gzipped(file: Path) -> bytes:
    return gzip.compress(file.read_bytes(), compresslevel=9, mtime=0)


class CompressedStatic:
    """GET or HEAD of one of Streamlit's static bundles by a browser that takes gzip: the bundle compressed (once per
    process), with the year's immutable Cache-Control; anything else goes to Streamlit as it came."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        file = None
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and _accepts_gzip(scope):
            file = _static_bundle(scope["path"])
        if file is None:
            await self.app(scope, receive, send)
            return
        body = await run_in_threadpool(_gzipped, file)
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        await Response(body, media_type=kind, headers={
            "content-encoding": "gzip", "vary": "Accept-Encoding", "cache-control": STATIC_CACHE_CONTROL,
        })(scope, receive, send)


MIDDLEWARE = [Middleware(Guard), Middleware(CompressedStatic)]
