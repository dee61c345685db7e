"""Sign-in over HTTP in a real Chromium and over plain HTTP: reloads, deep links, the cookie, CSRF, revocation,
the Chinese 404, security headers, /healthz and /metrics, against `streamlit run server.py`."""

import re
import subprocess
import sys
import time
from urllib.parse import quote, urlencode, urlsplit

import pytest
from prometheus_client.parser import text_string_to_metric_families
from support import PASSWORD, ROOT, chromium, header, request, serve, warehouse_and_store

from metrics.store.warehouse import lake_dir

pytestmark = pytest.mark.browser

OTHER_INDICATOR = "圈内通办上线事项数"
OTHER_ID = "circle_items_online"  # in the URL an indicator is its code
# The extra indicator's district values are of 2023Q4: the page compares within one quarter.
DISTRICTS_2023Q4 = "/districts?period=2023Q4"
DELAY = 0.2  # seconds of the first failed sign-in's slow-down on this server
TOKEN = "scrape-token-for-tests"
COOKIE_SECRET = "cookie-secret-for-tests-only"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A login-only dashboard whose warehouse has a second indicator by district (for the URL's parameter)."""
    folder = tmp_path_factory.mktemp("site")
    viewers = ("viewer1", "changer", "cookie", "renewer")
    db, store = warehouse_and_store(folder, *[(name, "viewer", ()) for name in viewers])
    extra = folder / "extra.csv"
    extra.write_text(f"指标名称,地区,期间,数值,来源\n{OTHER_INDICATOR},华容区,2023Q4,200,测试\n"
                     f"{OTHER_INDICATOR},鄂城区,2023Q4,300,测试\n", encoding="utf-8")
    loaded = subprocess.run([sys.executable, "-m", "metrics", "load", str(extra), "--db", str(db)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert loaded.returncode == 0, loaded.stderr
    env = {"METRICS_DB": str(db), "METRICS_ACCOUNTS": str(store), "METRICS_VIEW_LOGIN": "required",
           "METRICS_LOGIN_DELAY_SECONDS": str(DELAY), "METRICS_PROMETHEUS_TOKEN": TOKEN,
           "STREAMLIT_SERVER_COOKIE_SECRET": COOKIE_SECRET}
    for url in serve(env):
        yield url, db


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


def sign_in_form(url: str) -> tuple[str, str]:
    """The CSRF cookie and the form's token, as a browser gets them from GET /auth/login."""
    _, headers, text = request(url, "GET", "/auth/login")
    cookie = next(c.split(";")[0] for c in header(headers, "set-cookie") if c.startswith("metrics_csrf="))
    return cookie, re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)


def post_sign_in(url: str, username: str, password: str, csrf: bool = True, extra: dict | None = None):
    cookie, token = sign_in_form(url)
    form = {"username": username, "password": password, "next": "/"}
    if csrf:
        form["csrf_token"] = token
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, **(extra or {})}
    return request(url, "POST", "/auth/login", headers, urlencode(form))


def timed_failure(url: str, username: str) -> float:
    """Seconds to fetch the form and have a wrong password for username refused (the slow-down included)."""
    start = time.monotonic()
    status, _, text = post_sign_in(url, username, "wrong-password")
    assert status == 401 and "用户名或密码错误" in text
    return time.monotonic() - start


def fill_sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()


def test_sign_in_on_districts_then_reload_stays_on_the_page_and_indicator(site, browser):
    from playwright.sync_api import expect

    url, _ = site
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    blocked = []
    page.on("console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text
            else None)
    try:
        page.goto(f"{url}{DISTRICTS_2023Q4}")
        assert urlsplit(page.url).path == "/auth/login"
        fill_sign_in(page, "viewer1")
        expect(page.get_by_role("heading", name="区域对比")).to_be_visible(timeout=30_000)
        page.locator("[data-testid=stSelectbox]").filter(has_text="指标").last.click()
        page.get_by_role("option", name=OTHER_INDICATOR).click()
        expect(page).to_have_url(f"{url}{DISTRICTS_2023Q4}&indicator={OTHER_ID}", timeout=30_000)
        page.reload()
        expect(page.get_by_text("当前用户：viewer1")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("heading", name="区域对比")).to_be_visible()
        expect(page.get_by_role("combobox", name="指标", exact=True)).to_have_value(OTHER_INDICATOR)
        expect(page.locator("[data-testid=stPlotlyChart] .main-svg").first).to_be_visible(timeout=30_000)
        assert page.url == f"{url}{DISTRICTS_2023Q4}&indicator={OTHER_ID}"
        assert page.locator("[data-testid=stException]").count() == 0
        # Only the page icon Streamlit fetches from a font CDN is refused; everything of the app's own loads.
        assert [text for text in blocked if "fonts.gstatic.com" not in text] == []
    finally:
        context.close()


def test_deep_link_without_cookie_signs_in_and_lands_on_the_link(site, browser):
    from playwright.sync_api import expect

    url, _ = site
    link = f"{url}{DISTRICTS_2023Q4}&indicator={OTHER_ID}"
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(link)
        assert page.url == f"{url}/auth/login?next={quote(f'{DISTRICTS_2023Q4}&indicator={OTHER_ID}', safe='')}"
        assert context.cookies() == [] or all(c["name"] != "metrics_session" for c in context.cookies())
        fill_sign_in(page, "viewer1")
        expect(page.get_by_role("combobox", name="指标", exact=True)).to_have_value(OTHER_INDICATOR,
                                                                                 timeout=30_000)
        assert page.url == link
    finally:
        context.close()


def test_session_cookie_is_httponly_samesite_and_new_at_every_sign_in(site, browser):
    from playwright.sync_api import expect

    url, _ = site
    context = browser.new_context(locale="zh-CN")
    planted = {"name": "metrics_session", "value": "fixed-by-an-attacker", "url": url}
    context.add_cookies([planted])
    page = context.new_page()
    try:
        page.goto(url)
        fill_sign_in(page, "cookie")
        expect(page.get_by_text("当前用户：cookie")).to_be_visible(timeout=30_000)
        first = next(c for c in context.cookies() if c["name"] == "metrics_session")
        assert (first["httpOnly"], first["sameSite"], first["secure"], first["path"]) == (True, "Lax", False, "/")
        assert first["value"] != "fixed-by-an-attacker" and len(first["value"]) >= 43
        assert "metrics_session" not in page.evaluate("document.cookie")
        page.get_by_role("link", name="我的账户").click()
        page.get_by_role("button", name="退出登录").click()
        expect(page.get_by_role("button", name="登录")).to_be_visible(timeout=30_000)
        assert all(c["name"] != "metrics_session" for c in context.cookies())
        fill_sign_in(page, "cookie")
        expect(page.get_by_text("当前用户：cookie")).to_be_visible(timeout=30_000)
        second = next(c for c in context.cookies() if c["name"] == "metrics_session")
        assert second["value"] != first["value"]
    finally:
        context.close()


def test_secure_cookie_and_hsts_behind_an_https_proxy(site):
    url, _ = site
    status, headers, _ = post_sign_in(url, "viewer1", PASSWORD, extra={"X-Forwarded-Proto": "https"})
    assert status == 303
    cookie = next(c for c in header(headers, "set-cookie") if c.startswith("metrics_session="))
    assert "; HttpOnly" in cookie and "; SameSite=lax" in cookie and "; Secure" in cookie
    assert header(headers, "strict-transport-security") == ["max-age=31536000; includeSubDomains"]


def test_sign_in_post_without_the_csrf_token_is_refused(site):
    url, _ = site
    status, headers, text = post_sign_in(url, "viewer1", PASSWORD, csrf=False)
    assert status == 403
    assert "登录表单已失效（缺少安全校验码），请重新输入。" in text
    assert not [c for c in header(headers, "set-cookie") if c.startswith("metrics_session=")]
    status, headers, _ = post_sign_in(url, "viewer1", PASSWORD)
    assert status == 303 and header(headers, "location") == ["/"]


def test_password_change_keeps_this_browser_signed_in_and_signs_out_other_devices(site, browser):
    from playwright.sync_api import expect

    url, _ = site
    desktop = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    first, second, other_device = desktop.new_page(), desktop.new_page(), phone.new_page()
    try:
        for page in (first, other_device):
            page.goto(url)
            fill_sign_in(page, "changer")
            expect(page.get_by_text("总览", exact=True).first).to_be_visible(timeout=30_000)
        second.goto(f"{url}/trends")
        expect(second.locator("[data-testid=stPlotlyChart] .main-svg").first).to_be_visible(timeout=60_000)
        first.get_by_role("link", name="我的账户").click()
        first.get_by_role("link", name="修改密码").click()
        first.get_by_label("当前密码", exact=True).fill(PASSWORD)
        first.get_by_label("新密码（至少10个字符，不能与当前密码相同）").fill("changed-in-tab-1")
        first.get_by_label("再次输入新密码").fill("changed-in-tab-1")
        first.get_by_role("button", name="修改密码").click()
        expect(first.get_by_text("密码已修改。其他设备上的登录已结束，须用新密码重新登录。")).to_be_visible(
            timeout=30_000)
        expect(first.get_by_text("当前用户：changer")).to_be_visible(timeout=30_000)
        assert urlsplit(first.url).path == "/"
        # The other device's next action asks it to sign in again.
        other_device.goto(f"{url}/assessment")
        expect(other_device.get_by_text("登录已结束（已退出、超时，或账户有变更），请重新登录。")).to_be_visible(
            timeout=60_000)
        assert urlsplit(other_device.url).path == "/auth/login"
        # Another tab of this browser reopens under the renewed session at its next action, without signing in.
        second.bring_to_front()
        second.get_by_role("link", name="省级考核").click()
        # A leader's landing page (ui.navigation): the renewed session opens there.
        expect(second.get_by_role("heading", name="驾驶舱")).to_be_visible(timeout=60_000)
        expect(second.get_by_text("当前用户：changer")).to_be_visible(timeout=30_000)
        assert second.get_by_role("button", name="登录").count() == 0
    finally:
        desktop.close()
        phone.close()


def password_form(url: str, cookie: str) -> str:
    """The CSRF token of the password form, as the signed-in browser of cookie gets it."""
    status, _, text = request(url, "GET", "/auth/password", {"Cookie": cookie})
    assert status == 200
    return re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)


def post_password(url: str, cookie: str, form: dict):
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    return request(url, "POST", "/auth/password", headers, urlencode(form))


def test_password_change_over_http_refuses_each_bad_form_then_renews_the_session(site):
    url, _ = site
    _, headers, _ = post_sign_in(url, "renewer", PASSWORD)
    cookie = next(c.split(";")[0] for c in header(headers, "set-cookie") if c.startswith("metrics_session="))
    token = password_form(url, cookie)
    good = {"csrf_token": token, "current": PASSWORD, "new": "renewed-pass-1", "repeat": "renewed-pass-1"}
    refusals = [
        ({**good, "csrf_token": "forged"}, 403, "修改密码的请求缺少安全校验码，已拒绝，请重新输入。"),
        ({**good, "repeat": "renewed-pass-2"}, 400, "两次输入的新密码不一致。"),
        ({**good, "new": "short", "repeat": "short"}, 400, "密码至少需要10个字符"),
        ({**good, "current": "wrong-password"}, 401, "当前密码不正确：用户名或密码错误"),
    ]
    for form, status, message in refusals:
        answer = post_password(url, cookie, form)
        assert (answer[0], message in answer[2]) == (status, True), answer[2]
    assert request(url, "GET", "/auth/password", {"Cookie": cookie})[0] == 200  # still signed in
    status, headers, _ = post_password(url, cookie, good)
    assert (status, header(headers, "location")) == (303, ["/?notice=password_changed"])
    renewed = next(c.split(";")[0] for c in header(headers, "set-cookie") if c.startswith("metrics_session="))
    assert renewed != cookie
    assert header(request(url, "GET", "/auth/password", {"Cookie": cookie})[1], "location") == [
        "/auth/login?next=%2Fauth%2Fpassword"]
    assert request(url, "GET", "/auth/password", {"Cookie": renewed})[0] == 200
    assert post_sign_in(url, "renewer", "renewed-pass-1")[0] == 303


@pytest.mark.parametrize("path", ["/no-such-page", "/districts/extra", "/index.html"])
def test_unknown_path_shows_the_chinese_404_page(site, browser, path):
    url, _ = site
    page = browser.new_page(locale="zh-CN")
    try:
        response = page.goto(url + path)
        assert response.status == 404
        assert page.get_by_role("heading", name="页面不存在").is_visible()
        assert page.get_by_role("link", name="返回总览").get_attribute("href") == "/"
        assert page.get_by_text("Page not found").count() == 0
    finally:
        page.close()


@pytest.mark.parametrize("path", ["/", "/auth/login", "/no-such-page", "/healthz"])
def test_security_headers_on_every_answer(site, path):
    url, _ = site
    status, headers, _ = request(url, "GET", path)
    assert status in (200, 303, 404)
    csp = header(headers, "content-security-policy")[0]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "'unsafe-eval'" not in csp
    assert header(headers, "x-content-type-options") == ["nosniff"]
    assert header(headers, "referrer-policy") == ["same-origin"]
    assert header(headers, "x-frame-options") == ["DENY"]
    assert header(headers, "strict-transport-security") == []  # plain HTTP
    assert header(headers, "server") == []


def test_healthz_is_503_while_the_warehouse_is_missing(site):
    url, db = site
    assert request(url, "GET", "/healthz")[:1] == (200,)
    away = db.with_name("moved-away")
    lake_dir(db).rename(away)
    try:
        status, _, text = request(url, "GET", "/healthz")
        assert status == 503
        assert text.startswith("数据仓库不可读：找不到数据仓库 warehouse.duckdb，")  # anyone may ask: no server path
    finally:
        away.rename(lake_dir(db))
    assert request(url, "GET", "/healthz")[0::2] == (200, "ok")


def scrape(url: str, headers: dict | None = None) -> dict[str, float]:
    status, _, text = request(url, "GET", "/metrics", headers)
    assert status == 200
    return {sample.name + str(sorted(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def test_metrics_parse_and_count_a_failed_sign_in(site, browser):
    from playwright.sync_api import expect

    url, _ = site
    page = browser.new_page(locale="zh-CN")
    try:
        page.goto(f"{url}/trends")
        fill_sign_in(page, "viewer1")
        expect(page.locator("[data-testid=stPlotlyChart] .main-svg").first).to_be_visible(timeout=30_000)
    finally:
        page.close()
    before = scrape(url)
    known = [timed_failure(url, "viewer1")]
    after = scrape(url)
    assert after["dashboard_failed_sign_ins_total[]"] == before["dashboard_failed_sign_ins_total[]"] + 1
    known.append(timed_failure(url, "viewer1"))
    unknown = [timed_failure(url, "nobody-here") for _ in range(2)]
    # The slow-down doubles alike whether the name exists or not (load on the machine only adds to it).
    print(f"refused in {known} s (known name), {unknown} s (unknown name)")
    for first, second in (known, unknown):
        assert first >= DELAY and second >= 2 * DELAY
    assert after["dashboard_loads_total[('kind', 'observations')]"] == 1
    assert after["dashboard_rollbacks_total[]"] == 0
    assert after["dashboard_live_sessions[]"] >= 1
    assert after["dashboard_warehouse_last_load_id[]"] == 2
    assert [key for key in after if key.startswith("dashboard_warehouse_info[")] != []
    assert after["dashboard_page_run_seconds_count[('page', '趋势')]"] >= 1
    assert after["dashboard_page_run_seconds_sum[('page', '趋势')]"] > 0


def test_metrics_only_for_loopback_or_the_bearer_token(site):
    url, _ = site
    outside = {"X-Forwarded-For": "203.0.113.9"}
    assert request(url, "GET", "/metrics", outside)[0] == 403
    assert request(url, "GET", "/metrics", {**outside, "Authorization": "Bearer wrong"})[0] == 403
    assert "dashboard_failed_sign_ins_total[]" in scrape(url, {**outside, "Authorization": f"Bearer {TOKEN}"})


def oidc_cookie(url: str, **claims) -> str:
    """The identity cookie Streamlit's st.login sets after an identity server's callback, signed as it does."""
    import json

    from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

    payload = json.dumps({"origin": url, "is_logged_in": True, "iss": "https://idp.example", **claims})
    return "_streamlit_user=" + create_signed_value(COOKIE_SECRET, "_streamlit_user", payload).decode()


def test_oidc_sign_in_becomes_a_session_keyed_by_issuer_and_subject(site):
    """An identity-server user named like the local admin gets the role of its own claim, nothing more."""
    url, _ = site
    status, headers, _ = request(url, "GET", "/auth/login?next=%2Ftrends",
                                 {"Cookie": oidc_cookie(url, sub="u-1", preferred_username="boss", role="viewer")})
    assert (status, header(headers, "location")) == (303, ["/trends"])
    session = session_cookie(headers)
    assert request(url, "GET", "/users", {"Cookie": session})[0] == 403
    assert request(url, "GET", "/trends", {"Cookie": session})[0] == 200
    forged = oidc_cookie(url, sub="u-1", role="admin").replace("_streamlit_user=", "_streamlit_user=x")
    assert request(url, "GET", "/auth/login", {"Cookie": forged})[0] == 200  # a bad signature: the form
    editor = request(url, "GET", "/auth/login", {"Cookie": oidc_cookie(url, sub="e-2", role="editor")})[1]
    session = session_cookie(editor)
    assert request(url, "GET", "/data_admin", {"Cookie": session})[0] == 200
    # st.login's own start of the flow still answers: Streamlit's handler sends a bad provider home.
    assert request(url, "GET", "/auth/login?provider=not-a-signed-token")[:1] == (302,)


def session_cookie(headers) -> str:
    return next(c.split(";")[0] for c in header(headers, "set-cookie") if c.startswith("metrics_session="))


def test_logout_needs_the_session_csrf_token_and_ends_the_session(site):
    from metrics import accounts

    url, db = site
    store = db.with_name("accounts.duckdb")
    cookie = session_cookie(post_sign_in(url, "viewer1", PASSWORD)[1])
    form = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    assert request(url, "POST", "/auth/logout", form, urlencode({"csrf_token": "guess"}))[0] == 403
    assert request(url, "GET", "/trends", {"Cookie": cookie})[0] == 200
    csrf = accounts.session(store, cookie.split("=", 1)[1]).csrf_token
    status, headers, _ = request(url, "POST", "/auth/logout", form, urlencode({"csrf_token": csrf}))
    assert (status, header(headers, "location")) == (303, ["/auth/login"])
    assert any(c.startswith('metrics_session=""') for c in header(headers, "set-cookie"))
    assert header(request(url, "GET", "/trends", {"Cookie": cookie})[1], "location") == [
        "/auth/login?next=%2Ftrends&ended=1"]


def test_oidc_logout_also_clears_the_identity_cookie(site):
    from metrics import accounts

    url, db = site
    identity = oidc_cookie(url, sub="u-9", name="王五", role="viewer")
    cookie = session_cookie(request(url, "GET", "/auth/login", {"Cookie": identity})[1])
    csrf = accounts.session(db.with_name("accounts.duckdb"), cookie.split("=", 1)[1]).csrf_token
    status, headers, _ = request(url, "POST", "/auth/logout", {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"{cookie}; {identity}"},
        urlencode({"csrf_token": csrf}))
    assert status == 303
    assert any(c.startswith('_streamlit_user=""') for c in header(headers, "set-cookie"))
