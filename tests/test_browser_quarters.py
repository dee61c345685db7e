"""The quarters in a real Chromium: 总览, 区域对比 and 趋势 on two loaded quarters at desktop and
phone widths (screenshots kept), and user text that shows literally, never as Markdown."""

import subprocess
import sys

import pytest
from support import ROOT, chromium, seeded_warehouse, serve
from test_browser import SCREENSHOTS

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1440, "height": 1000}, "phone": {"width": 390, "height": 844}}
# (url path, text that proves the quarter is shown)
PAGES = [
    ("", "需关注 · 2024年第四季度"),
    ("districts", "2024年第四季度未报送：梁子湖区、葛店经开区"),
    ("trends?indicator=one_window_share&region=huarong", "2024年第三季度"),
]


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


@pytest.fixture(scope="module")
def quarters_dashboard(two_quarters_db, tmp_path_factory):
    yield from serve({
        "METRICS_DB": str(two_quarters_db),
        "METRICS_ACCOUNTS": str(tmp_path_factory.mktemp("accounts") / "accounts.duckdb"),
        "METRICS_VIEW_LOGIN": "open",
    })


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize(("path", "expected"), PAGES)
def test_two_quarters_render_at_desktop_and_phone_width(quarters_dashboard, browser, path, expected,
                                                        viewport):
    from playwright.sync_api import expect

    page = browser.new_page(viewport=VIEWPORTS[viewport], locale="zh-CN")
    try:
        page.goto(f"{quarters_dashboard}/{path}")
        expect(page.get_by_text(expected).first).to_be_visible(timeout=30_000)
        if path:
            expect(page.locator("[data-testid=stPlotlyChart] .main-svg").first).to_be_visible(timeout=30_000)
        assert page.locator("[data-testid=stException]").count() == 0
        assert "period=2024Q4" in page.url
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = path.split("?")[0] or "overview"
        page.screenshot(path=str(SCREENSHOTS / f"quarters_{name}_{viewport}.png"), full_page=True)
    finally:
        page.close()


def test_overview_answers_at_a_glance_without_scrolling(quarters_dashboard, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport=VIEWPORTS["desktop"], locale="zh-CN")
    try:
        page.goto(quarters_dashboard)
        for text in ("无法判定", "需关注 · 2024年第四季度", "梁子湖区 本季度未报送：综合窗口可办事项占比(一窗通办)",
                     "2/2 满分", "第5名"):
            locator = page.get_by_text(text, exact=True).first
            expect(locator).to_be_visible(timeout=30_000)
            box = locator.bounding_box()
            assert box["y"] + box["height"] <= 1000, text
        page.get_by_text("临空经济区 综合窗口可办事项占比(一窗通办) 84%").first.click()
        expect(page.get_by_text("排名表 · 2024年第四季度")).to_be_visible(timeout=30_000)
        assert "region=linkong" in page.url and "indicator=one_window_share" in page.url
    finally:
        page.close()


HOSTILE = ":red[**数据已作废**]![图](x.png)[链接](x)"


def test_user_text_shows_literally_everywhere(browser, tmp_path):
    """A file name, a source and an evidence written as Markdown, Streamlit colour directives,
    an image and a link: each shows as the characters it is, and nothing loads or links."""
    from playwright.sync_api import expect

    db = seeded_warehouse(tmp_path / "warehouse.duckdb")
    upload = tmp_path / f"{HOSTILE}.csv"
    upload.write_text("指标名称,地区,期间,数值,来源,依据\n"
                      f"综合窗口可办事项占比(一窗通办),华容区,2024Q4,98%,{HOSTILE},{HOSTILE}\n", encoding="utf-8")
    loaded = subprocess.run([sys.executable, "-m", "metrics", "load", str(upload), "--db", str(db), "--user", "ops"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert loaded.returncode == 0, loaded.stderr
    for url in serve({"METRICS_DB": str(db), "METRICS_ACCOUNTS": str(tmp_path / "accounts.duckdb"),
                       "METRICS_VIEW_LOGIN": "open"}):
        page = browser.new_page(viewport=VIEWPORTS["desktop"], locale="zh-CN")
        try:
            page.goto(url)
            expect(page.get_by_text(f"载入文件“{HOSTILE}.csv”（第 2 次变更，ops，", exact=False)).to_be_visible(
                timeout=30_000)
            assert page.locator("img[src*='x.png']").count() == 0
            assert page.locator("a[href='x']").count() == 0
            assert page.locator("strong", has_text="数据已作废").count() == 0
            page.screenshot(path=str(SCREENSHOTS / "literal_user_text.png"), full_page=True)
        finally:
            page.close()
