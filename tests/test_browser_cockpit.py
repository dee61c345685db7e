"""驾驶舱 in a real Chromium on the walk of issue #24 (support.walked_warehouse), at 1440×1000 and 390×844: the
laggard (鄂城区's 93% against the 2025 target of ≥ 95%) in its status colour and word, its cell opening the detail
with its value and source, and the meeting-room screen (?mode=screen) taking up a CLI load by itself."""

import os
import subprocess
import sys
import time

import pytest
from support import ROOT, chromium, copied_warehouse, serve
from test_browser import SCREENSHOTS

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1440, "height": 1000}, "phone": {"width": 390, "height": 844}}
MISSED_FILL = "rgb(248, 211, 208)"  # metrics.charts.CELL_FILLS["missed"]
# The matrix's cells in metrics.cockpit's order (unit by unit): 鄂城区's is the second.
LAGGARD_CELL = 1


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


@pytest.fixture(scope="module")
def walk_copy(walk_db, tmp_path_factory):
    return copied_warehouse(walk_db, tmp_path_factory.mktemp("cockpit") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def dashboard(walk_copy):
    yield from serve({"METRICS_DB": str(walk_copy), "METRICS_ACCOUNTS": str(walk_copy.with_name("accounts.duckdb")),
                      "METRICS_VIEW_LOGIN": "open"})


def test_desktop_matrix_shows_the_laggard_and_its_cell_opens_the_detail(dashboard, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport=VIEWPORTS["desktop"], locale="zh-CN")
    try:
        page.goto(f"{dashboard}/cockpit?period=2025Q1")
        matrix = page.locator(".st-key-cockpit_matrix [data-testid=stPlotlyChart]")
        expect(matrix.locator(".main-svg").first).to_be_visible(timeout=60_000)
        laggard = matrix.locator(".scatterlayer .textpoint").nth(LAGGARD_CELL)
        expect(laggard).to_have_text("93% ↑× 未达标")
        fills = matrix.locator(".shapelayer path").evaluate_all(
            "paths => paths.map(path => getComputedStyle(path).fill)")
        assert fills[LAGGARD_CELL] == MISSED_FILL
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "cockpit_matrix_desktop.png"), full_page=True)
        box = matrix.locator(".scatterlayer .point").nth(LAGGARD_CELL).bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        detail = page.locator(".st-key-cockpit_detail")
        expect(detail.get_by_role("heading", name="鄂城区 · 综合窗口可办事项占比(一窗通办)")).to_be_visible(
            timeout=30_000)
        expect(detail.locator("[data-testid=stMetricValue]").first).to_have_text("93%")
        expect(detail.get_by_text("来源：2025年第一季度报表")).to_be_visible()
        expect(detail.get_by_role("link", name="在区域对比中查看")).to_have_attribute(
            "href", "districts?period=2025Q1&indicator=one_window_share&region=echeng")
        # The unit is outlined in the matrix too: its name is bold on the axis.
        expect(matrix.locator(".ytick text").filter(has_text="鄂城区").locator("tspan")).to_have_css(
            "font-weight", "700")
        assert page.locator("[data-testid=stException]").count() == 0
        page.screenshot(path=str(SCREENSHOTS / "cockpit_detail_desktop.png"), full_page=True)
    finally:
        page.close()


def test_phone_lists_units_worst_first_and_a_chip_opens_the_detail(dashboard, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport=VIEWPORTS["phone"], locale="zh-CN")
    try:
        page.goto(f"{dashboard}/cockpit?period=2025Q1")
        units = page.locator(".st-key-cockpit_list [class*=st-key-cockpit_unit_]")
        expect(units.first).to_contain_text("鄂城区", timeout=60_000)
        expect(units.first).to_contain_text("× 未达标 综合窗口可办事项占比(一窗通办) 93% ↑")
        assert page.locator(".st-key-cockpit_matrix").is_hidden()
        # Nothing reaches past the phone's width.
        assert page.evaluate("document.scrollingElement.scrollWidth") <= VIEWPORTS["phone"]["width"]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "cockpit_list_phone.png"), full_page=True)
        units.first.get_by_text("× 未达标 综合窗口可办事项占比(一窗通办) 93% ↑").click()
        detail = page.locator(".st-key-cockpit_detail")
        expect(detail.locator("[data-testid=stMetricValue]").first).to_have_text("93%", timeout=30_000)
        expect(detail.get_by_text("来源：2025年第一季度报表")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "cockpit_detail_phone.png"), full_page=True)
    finally:
        page.close()


LINKONG_2025Q1 = ("指标名称,地区,期间,数值,来源\n"
                  "综合窗口可办事项占比(一窗通办),临空经济区,2025Q1,88.4,临空经济区2025年一季度报表\n")


def test_the_screen_takes_up_a_cli_load_within_ten_seconds(dashboard, walk_copy, browser, tmp_path):
    from playwright.sync_api import expect

    page = browser.new_page(viewport=VIEWPORTS["desktop"], locale="zh-CN")
    try:
        page.goto(f"{dashboard}/cockpit?period=2025Q1&mode=screen")
        matrix = page.locator(".st-key-cockpit_matrix [data-testid=stPlotlyChart]")
        expect(matrix.locator(".scatterlayer .textpoint").nth(5)).to_contain_text("○ 未报送", timeout=60_000)
        assert page.locator("[data-testid=stSidebar]").is_hidden()
        expect(page.get_by_text("需关注")).to_have_count(0)
        before = page.get_by_text("数据截至").first.inner_text()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "cockpit_screen_desktop.png"), full_page=True)
        upload = tmp_path / "临空经济区.csv"
        upload.write_text(LINKONG_2025Q1, encoding="utf-8")
        subprocess.run([sys.executable, "-m", "metrics", "load", str(upload), "--db", str(walk_copy)], cwd=ROOT,
                       env={**os.environ, "METRICS_ACCOUNTS": str(walk_copy.with_name("accounts.duckdb"))},
                       check=True, capture_output=True)
        loaded = time.monotonic()
        expect(matrix.locator(".scatterlayer .textpoint").nth(5)).to_contain_text("88.4%", timeout=10_000)
        assert time.monotonic() - loaded <= 10
        assert page.get_by_text("数据截至").first.inner_text() != before
        page.screenshot(path=str(SCREENSHOTS / "cockpit_screen_after_load_desktop.png"), full_page=True)
    finally:
        page.close()
