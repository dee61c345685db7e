"""Every page in a real headless Chromium against `streamlit run`; screenshots are kept."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "tests" / "output" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# (url path, text that proves the page shows the notice's figures, does it draw a chart)
PAGES = [
    ("", "综合窗口可办事项占比(一窗通办)", False),
    ("districts", "华容区", True),
    ("trends", "“高效办成一件事”考核“一窗通办”指标得分趋势", True),
    ("assessment", "2023年第一季度 2/2分", True),
    ("ledger", "共 26 个问题", False),
    ("catalog", "指标口径", False),
]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def dashboard(seed_db, tmp_path_factory):
    port = _free_port()
    env = {
        **os.environ,
        "METRICS_DB": str(seed_db),
        "METRICS_ACCOUNTS": str(tmp_path_factory.mktemp("accounts") / "accounts.duckdb"),
        "METRICS_VIEW_LOGIN": "open",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError(server.stdout.read().decode(errors="replace")) from None
            time.sleep(0.3)
    yield url
    server.terminate()
    server.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `apt-get install chromium fonts-noto-cjk`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


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
        expect(page.get_by_text("数据截至 2024年07月26日")).to_be_visible(timeout=30_000)
        assert page.locator("[data-testid=stException]").count() == 0
        assert page.locator("[data-testid=stAlertContentError]").count() == 0
        assert page.get_by_role("button", name="Deploy").count() == 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{path or 'overview'}.png"), full_page=True)
    finally:
        page.close()
