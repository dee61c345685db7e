"""Every page in a real headless Chromium against `streamlit run`; screenshots are kept."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support import PASSWORD, chromium, export_text, header, request, serve, warehouse_and_store

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "tests" / "output" / "screenshots"

# (url path, text that proves the page shows the notice's figures, does it draw a chart)
PAGES = [
    ("", "综合窗口可办事项占比(一窗通办)", False),
    ("districts", "华容区", True),
    ("trends", "“高效办成一件事”考核“一窗通办”指标得分趋势", True),
    ("assessment", "2023年第一季度 2/2分", True),
    ("reporting", "报送矩阵", False),
    ("ledger", "共 26 个问题", False),
    ("catalog", "指标口径", False),
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def dashboard(seed_db, tmp_path_factory):
    yield from serve({
        "METRICS_DB": str(seed_db),
        "METRICS_ACCOUNTS": str(tmp_path_factory.mktemp("accounts") / "accounts.duckdb"),
        "METRICS_VIEW_LOGIN": "open",
    })


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


@pytest.mark.parametrize(("path", "expected", "has_chart"), PAGES)
def test_page_renders_figures_without_error(dashboard, browser, path, expected, has_chart):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    try:
        page.goto(f"{dashboard}/{path}")
        expect(page.get_by_text(expected).first).to_be_visible(timeout=30_000)
        if has_chart:
            expect(page.locator("[data-testid=stPlotlyChart] .main-svg").first).to_be_visible(
                timeout=30_000
            )
        expect(page.get_by_text("最近完整数据期：2024年第三季度")).to_be_visible(timeout=30_000)
        assert page.locator("[data-testid=stException]").count() == 0
        assert page.locator("[data-testid=stAlertContentError]").count() == 0
        assert page.get_by_role("button", name="Deploy").count() == 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{path or 'overview'}.png"), full_page=True)
    finally:
        page.close()


@pytest.mark.parametrize(
    ("path", "status", "location"),
    [
        ("/", 200, None),
        ("/districts?indicator=x", 200, None),
        ("/overview?a=1", 303, "/?a=1"),  # the default page lives at "/"
        ("/users", 303, "/auth/login?next=%2Fusers"),  # viewing is open, managing is not
        ("/data_admin", 303, "/auth/login?next=%2Fdata_admin"),
        ("/nowhere", 404, None),
    ],
)
def test_open_viewing_gate_answers_each_url(dashboard, path, status, location):
    answer, headers, _ = request(dashboard, "GET", path)
    assert (answer, header(headers, "location")) == (status, [location] if location else [])


def test_streamlit_run_app_py_still_serves_viewing(seed_db, tmp_path, browser):
    """Without server.py there are no sign-in routes, but the page script runs as before."""
    from playwright.sync_api import expect

    for url in serve({"METRICS_DB": str(seed_db), "METRICS_ACCOUNTS": str(tmp_path / "accounts.duckdb"),
                      "METRICS_VIEW_LOGIN": "open"}, script="app.py"):
        page = browser.new_page(locale="zh-CN")
        try:
            page.goto(url)
            expect(page.get_by_text("综合窗口可办事项占比(一窗通办)").first).to_be_visible(timeout=30_000)
            assert page.locator("[data-testid=stException]").count() == 0
        finally:
            page.close()


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    """A dashboard that requires login, on a warehouse of its own that tests may load into."""
    db, store = warehouse_and_store(tmp_path_factory.mktemp("secured"), ("viewer1", "viewer", ()),
                                    ("hr_editor", "editor", ("华容区",)), ("boss", "admin", ()))
    for url in serve({"METRICS_DB": str(db), "METRICS_ACCOUNTS": str(store), "METRICS_VIEW_LOGIN": "required",
                       "METRICS_LOGIN_DELAY_SECONDS": "0"}):
        yield url, db


def _sign_in(browser, url: str, username: str):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    page.goto(url)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("当前用户：" + username)).to_be_visible(timeout=30_000)
    return page


def _nav_titles(page) -> set[str]:
    links = page.locator("[data-testid=stSidebarNav] a")
    # Each link's text is its icon's ligature name, then its title on the last line.
    return {links.nth(i).inner_text().strip().splitlines()[-1] for i in range(links.count())}


VIEW_TITLES = {"总览", "驾驶舱", "区域对比", "趋势", "省级考核", "报送情况", "整改台账", "指标口径", "我的账户"}


def test_without_login_only_login_is_reachable_even_by_url(secured, browser):
    """The first request to a fresh server is a page's own URL: Streamlit would run that page file
    without app.py; the page must send it back through the login."""
    from playwright.sync_api import expect

    url, _ = secured
    page = browser.new_page(locale="zh-CN")
    try:
        for path in ("assessment", "districts", "", "data_admin", "users", "overview"):
            page.goto(f"{url}/{path}")
            expect(page.get_by_role("button", name="登录")).to_be_visible(timeout=30_000)
            assert page.get_by_text("数据管理").count() == 0
            assert page.get_by_text("华容区").count() == 0
    finally:
        page.close()


@pytest.mark.parametrize(
    ("username", "extra"),
    [("viewer1", {"督办"}), ("hr_editor", {"督办", "数据管理", "通报导入", "审核"}),
     ("boss", {"督办", "数据管理", "通报导入", "审核", "账户管理", "审计日志"})],
)
def test_each_role_sees_exactly_its_pages_in_the_browser(secured, browser, username, extra):
    url, _ = secured
    page = _sign_in(browser, url, username)
    try:
        assert _nav_titles(page) == VIEW_TITLES | extra
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"signed_in_{username}.png"))
    finally:
        page.close()


def test_cli_load_while_a_session_is_open_shows_new_figures_without_error(secured, browser):
    from playwright.sync_api import expect

    url, db = secured
    page = _sign_in(browser, url, "viewer1")
    try:
        page.get_by_role("link", name="区域对比").click()
        expect(page.get_by_text("97.47%").first).to_be_visible(timeout=30_000)
        upload = db.parent / "live.csv"
        upload.write_text("指标名称,地区,期间,数值,来源\n综合窗口可办事项占比(一窗通办),华容区,asof-notice,99.5%,测试更正\n",
                          encoding="utf-8")
        loaded = subprocess.run(
            [sys.executable, "-m", "metrics", "load", str(upload), "--replace", "--db", str(db),
             "--user", "ops"],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )
        assert loaded.returncode == 0, loaded.stderr
        page.get_by_role("link", name="总览").click()
        page.get_by_role("link", name="区域对比").click()
        expect(page.get_by_text("99.5%").first).to_be_visible(timeout=30_000)
        assert page.locator("[data-testid=stException]").count() == 0
        assert page.get_by_text("Could not set lock").count() == 0
        assert page.get_by_text("connection is busy").count() == 0
    finally:
        page.close()


def test_viewer_cannot_open_data_management_by_url(secured, browser):
    """The viewer stays signed in on a typed URL, and the server refuses the page in Chinese."""
    from playwright.sync_api import expect

    url, _ = secured
    page = _sign_in(browser, url, "viewer1")
    try:
        assert page.get_by_role("link", name="数据管理").count() == 0
        response = page.goto(f"{url}/data_admin")
        assert response.status == 403
        expect(page.get_by_text("您的账户无权打开此页面。如需权限，请联系管理员。")).to_be_visible()
        assert page.locator("[data-testid=stFileUploader]").count() == 0
        page.get_by_role("link", name="返回总览").click()
        expect(page.get_by_text("当前用户：viewer1")).to_be_visible(timeout=30_000)
    finally:
        page.close()


def test_scoped_editor_upload_rejects_the_row_outside_scope(secured, browser, tmp_path):
    from playwright.sync_api import expect

    url, db = secured
    before = export_text(db)
    upload = tmp_path / "区报表.csv"
    upload.write_bytes(("指标名称,地区,期间,数值,来源\n"
                        "综合窗口可办事项占比(一窗通办),华容区,2025Q1,98%,区报表\n"
                        "综合窗口可办事项占比(一窗通办),鄂城区,2025Q1,91%,区报表\n").encode("gb18030"))
    page = _sign_in(browser, url, "hr_editor")
    try:
        page.get_by_role("link", name="数据管理").click()
        page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(upload))
        expect(page.get_by_text("文件有 1 处问题，未载入")).to_be_visible(timeout=30_000)
        # The table is drawn on a canvas; its cells are in the DOM for screen readers.
        expect(page.get_by_text("超出您的填报范围（地区：华容区）")).to_be_attached(timeout=30_000)
        assert page.get_by_role("button", name="确认载入").count() == 0
        page.screenshot(path=str(SCREENSHOTS / "editor_rejected_row.png"), full_page=True)
    finally:
        page.close()
    assert export_text(db) == before


def test_first_start_one_time_password_then_new_password(tmp_path, browser):
    """As a new user would: `ensure` prints the admin's one-time password once; signing in with it
    leads only to 我的账户 until a new password is set, then to every page."""
    import re

    from playwright.sync_api import expect

    db = tmp_path / "warehouse.duckdb"
    env = {**os.environ, "METRICS_ACCOUNTS": str(tmp_path / "accounts.duckdb")}
    first = subprocess.run([sys.executable, "-m", "metrics", "ensure", "--db", str(db)], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    one_time = re.search(r"一次性密码 (\S+)", first.stderr).group(1)
    again = subprocess.run([sys.executable, "-m", "metrics", "ensure", "--db", str(db)], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert "一次性密码" not in again.stderr
    for url in serve({"METRICS_DB": str(db), "METRICS_ACCOUNTS": env["METRICS_ACCOUNTS"],
                       "METRICS_LOGIN_DELAY_SECONDS": "0"}):
        page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
        try:
            page.goto(url)
            page.get_by_label("用户名").fill("admin")
            page.get_by_label("密码", exact=True).fill(one_time)
            page.get_by_role("button", name="登录").click()
            # A one-time password leads to the password form, whatever page is asked for.
            expect(page.get_by_text("您正在使用一次性密码，请先设置新密码。")).to_be_visible(timeout=30_000)
            assert urlsplit(page.url).path == "/auth/password"
            session = next(c for c in page.context.cookies() if c["name"] == "metrics_session")
            status, headers, _ = request(url, "GET", "/trends", {"Cookie": f"metrics_session={session['value']}"})
            assert (status, header(headers, "location")) == (303, ["/auth/password"])
            page.get_by_label("当前密码", exact=True).fill(one_time)
            page.get_by_label("新密码（至少10个字符，不能与当前密码相同）").fill("a-new-secret-2025")
            page.get_by_label("再次输入新密码").fill("a-new-secret-2025")
            page.get_by_role("button", name="修改密码").click()
            # Still signed in, on 总览, with a confirmation; the one-time password's session is over.
            expect(page.get_by_text("密码已修改。其他设备上的登录已结束，须用新密码重新登录。")).to_be_visible(timeout=30_000)
            expect(page.get_by_role("heading", name="总览")).to_be_visible(timeout=30_000)
            assert "notice" not in urlsplit(page.url).query
            expect(page.get_by_role("link", name="账户管理")).to_be_visible(timeout=30_000)
            assert _nav_titles(page) == VIEW_TITLES | {"督办", "数据管理", "通报导入", "审核", "账户管理", "审计日志"}
        finally:
            page.close()
