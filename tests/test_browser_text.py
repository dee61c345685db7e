"""Hostile text in a real Chromium: a region name, an indicator name, a file name, a source and an
evidence that hold HTML (a link, a huge red span), bare URLs, www. names and e-mail addresses, line
breaks that would start a heading and a list, and U+202E. On 总览 and its sidebar, 区域对比, 趋势 and
省级考核 each shows as the characters it is: no link out of the app, nothing drawn huge, no heading or
list, no reversed sentence. And the CSV that a table's own toolbar downloads on 审核 and 审计日志 holds
no formula from a file."""

import re

import pytest
from support import chromium, load_text, seeded_warehouse, serve
from test_browser import SCREENSHOTS
from test_review import submit

from metrics.formatting import inert

pytestmark = pytest.mark.browser

SPAN = '<span style="font-size:60px;color:red">数据已作废</span>'
LINKS = "http://127.0.0.2/x www.example.com a@example.com"
# The name of a district and of an indicator: markup, links, a heading and a list, a bidi override.
NAME = f'{SPAN}<a href="http://127.0.0.2/">链接</a>\n# 标题\n- 列表 {LINKS} \u202e甲乙丙'
FILE_NAME = f"{LINKS}\u202e丁戊.csv"
DESKTOP = {"width": 1440, "height": 1000}
PAGES = [
    ("", "总览"),
    ("districts?indicator=hostile_share&period=2024Q4", "区域对比"),
    ("trends?indicator=hostile_share&region=hostile_town", "趋势"),
    ("assessment", "省级考核"),
]


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


@pytest.fixture(scope="module")
def hostile_dashboard(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile_text")
    db = seeded_warehouse(folder / "warehouse.duckdb")
    load_text(db, "regions.csv", f"地区编码,地区名称,级别,上级地区\nhostile_town,{_quoted(NAME + '区')},区,鄂州市\n")
    load_text(db, "indicators.csv",
              "指标编码,指标名称,单位,类型,时态,方向,类别,口径,责任单位\n"
              f"hostile_share,{_quoted(NAME + '率')},%,比率,水平,越高越好,一窗通办,口径,市数据局\n")
    rows = "".join(f"{indicator},{region},{period},{value}%,{_quoted(NAME)},{_quoted(NAME)}\n"
                   for indicator in ("hostile_share", "one_window_share")
                   for region, value in (("hostile_town", 91), ("huarong", 95))
                   for period in ("2024Q3", "2024Q4"))
    load_text(db, FILE_NAME, f"指标编码,地区,期间,数值,来源,依据\n{rows}")
    yield from serve({"METRICS_DB": str(db), "METRICS_ACCOUNTS": str(folder / "accounts.duckdb"),
                      "METRICS_VIEW_LOGIN": "open"})


# Every link's target, in HTML and in SVG (Plotly draws a chart's links as SVG <a>).
LINK_TARGETS = """() => [...document.querySelectorAll('a')]
  .map(a => a.getAttribute('href') ?? a.getAttribute('xlink:href'))
  .filter(href => href !== null)"""
# Every element whose own style or computed font size draws text 60 px high.
HUGE_TEXT = """() => [...document.querySelectorAll('*')]
  .filter(e => /font-size:\\s*60px/.test(e.getAttribute('style') ?? '')
               || parseFloat(getComputedStyle(e).fontSize) >= 60)
  .map(e => e.outerHTML.slice(0, 200))"""
# Every element with a U+202E in its own text, with a little of that text.
BIDI_OVERRIDES = """() => [...document.querySelectorAll('*')]
  .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.includes('\\u202e')))
  .map(e => e.tagName + ': ' + e.textContent.slice(0, 80))"""
CHART_TEXT = "() => [...document.querySelectorAll('.main-svg')].map(svg => svg.textContent).join('\\n')"


def _outside(targets: list[str], url: str) -> list[str]:
    """Link targets that leave the app: absolute URLs to another origin (relative ones stay)."""
    return [href for href in targets if re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I) and not href.startswith(url)]


def _shown(text: str) -> str:
    """Text as the page shows it after common.plain: inert, with the word joiners that stop GFM's links."""
    return re.sub(r"(?<=:)(?=//)|(?i:(?<=www))(?=\.)|(?<=@)", "\u2060", inert(text))


@pytest.mark.parametrize(("path", "title"), PAGES)
def test_hostile_text_is_drawn_as_its_characters(hostile_dashboard, browser, path, title):
    from playwright.sync_api import expect

    page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    try:
        page.goto(f"{hostile_dashboard}/{path}")
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=30_000)
        if path:
            expect(page.locator("[data-testid=stPlotlyChart] .main-svg").first).to_be_visible(timeout=30_000)
        page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=30_000)
        page.wait_for_timeout(1000)
        assert page.locator("[data-testid=stException]").count() == 0
        assert _outside(page.evaluate(LINK_TARGETS), hostile_dashboard) == []
        assert page.evaluate(HUGE_TEXT) == []
        assert page.locator("h1, h2, h3, h4, h5, h6", has_text="标题").count() == 0
        assert page.locator("li", has_text="列表").count() == 0
        assert page.evaluate(BIDI_OVERRIDES) == []
        if path.startswith(("districts", "trends")):
            # The span's characters on the chart, the indicator's name in its title.
            assert inert(SPAN) in page.evaluate(CHART_TEXT)
            assert inert(NAME + "率") in page.evaluate(CHART_TEXT)
        else:
            # The sidebar names the file of the last change; the app's own words after it read in order.
            sidebar = page.locator("[data-testid=stSidebar]")
            expect(sidebar.get_by_text(f"“{_shown(FILE_NAME)}”（第")).to_be_visible(timeout=30_000)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"hostile_text_{title}.png"), full_page=True)
    finally:
        page.close()


FORMULAS = ('=HYPERLINK("http://127.0.0.2/","点我")', "=cmd|' /C calc'!A0", "@SUM(1+1)", "+1+1")
# Streamlit's table export asks for the File System Access API first; refused, it downloads a blob,
# which Playwright receives.
NO_FILE_PICKER = "window.showSaveFilePicker = () => Promise.reject(new Error('no file picker in the test'));"


@pytest.fixture(scope="module")
def formula_dashboard(tmp_path_factory):
    """A 华容区 clerk's file whose sources are formulas, returned once with a formula as the reason
    and submitted again: 审核 shows the file, 审计日志 the reason."""
    from support import PASSWORD

    from metrics import accounts, changes

    folder = tmp_path_factory.mktemp("formulas")
    db = seeded_warehouse(folder / "warehouse.duckdb")
    store = folder / "accounts.duckdb"
    accounts.add_user(store, "boss", PASSWORD, "admin", actor="test")
    accounts.add_user(store, "hr_clerk", PASSWORD, "editor", actor="test", scope_regions=("华容区",))
    clerk, admin = accounts.Account("hr_clerk", "editor", ("华容区",)), accounts.Account("boss", "admin", ())
    link, command, at, plus = FORMULAS
    data = ("指标名称,地区,期间,数值,来源\n"
            f"综合窗口可办事项占比(一窗通办),华容区,2024Q4,98.1%,{_quoted(link)}\n"
            f"综合窗口可办事项占比(一窗通办),华容区,2024Q3,97%,{_quoted(command)}\n").encode()
    changes.return_submission(db, submit(db, clerk, data, f"{at}.csv"), admin, plus)
    submit(db, clerk, data, f"{at}.csv")
    yield from serve({"METRICS_DB": str(db), "METRICS_ACCOUNTS": str(store), "METRICS_VIEW_LOGIN": "required",
                      "METRICS_LOGIN_DELAY_SECONDS": "0"})


@pytest.mark.parametrize(("title", "expected"), [("审核", FORMULAS[1]), ("审计日志", FORMULAS[3])])
def test_a_tables_own_csv_download_holds_no_formula(formula_dashboard, browser, title, expected):
    import csv

    from playwright.sync_api import expect
    from support import PASSWORD

    page = browser.new_page(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
    try:
        page.add_init_script(NO_FILE_PICKER)
        page.goto(formula_dashboard)
        page.get_by_label("用户名").fill("boss")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("heading", name="总览")).to_be_visible(timeout=30_000)
        page.locator("[data-testid=stSidebarNav] a", has_text=title).click()
        expect(page.get_by_role("heading", name=title, exact=True).first).to_be_visible(timeout=30_000)
        table = page.locator("[data-testid=stDataFrame]").first
        expect(table).to_be_visible(timeout=30_000)
        table.hover()
        with page.expect_download(timeout=30_000) as download:
            table.locator("[data-testid=stElementToolbar] button[aria-label='Download as CSV']").click()
        with open(download.value.path(), encoding="utf-8-sig", newline="") as file:
            cells = [cell for row in csv.reader(file) for cell in row]
        assert f"'{expected}" in cells
        assert [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))] == []
    finally:
        page.close()
