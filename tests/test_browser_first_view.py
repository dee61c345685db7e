"""What the first view costs on a real server: Streamlit's static bundles go out gzipped with a year's cache
lifetime, and a snapshot made by the CLI has its default views warmed before the first leader asks."""

import gzip
import http.client
import os
import re
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
from support import ROOT, TWO_QUARTERS_CSV, chromium, seeded_warehouse, serve
from test_browser_auth import scrape

from metrics.store import warehouse
from ui.web import STATIC_BUNDLES

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return seeded_warehouse(tmp_path_factory.mktemp("first-view") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def dashboard(db):
    yield from serve({"METRICS_DB": str(db), "METRICS_ACCOUNTS": str(db.with_name("accounts.duckdb")),
                      "METRICS_VIEW_LOGIN": "open"})


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


def raw_get(url: str, path: str, headers: dict) -> tuple[dict[str, str], bytes]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        assert response.status == 200
        return {name.lower(): value for name, value in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_static_bundles_go_out_gzipped_with_a_year_of_cache(dashboard):
    _, page = raw_get(dashboard, "/", {})
    script = re.search(r'src="\./static/(js/index\.[\w-]+\.js)"', page.decode()).group(1)
    on_disk = (STATIC_BUNDLES / script).read_bytes()

    headers, body = raw_get(dashboard, f"/static/{script}", {"Accept-Encoding": "gzip, deflate, br"})
    assert (headers["content-encoding"], headers["cache-control"], headers["vary"]) == (
        "gzip", "public, immutable, max-age=31536000", "Accept-Encoding")
    assert headers["content-type"] in ("application/javascript", "text/javascript")
    assert gzip.decompress(body) == on_disk and len(body) < len(on_disk) / 2
    assert "content-security-policy" in headers

    headers, body = raw_get(dashboard, f"/static/{script}", {})  # a client that takes no gzip gets the file itself
    assert "content-encoding" not in headers and body == on_disk
    assert headers["cache-control"] == "public, immutable, max-age=31536000"


def wait_for(condition, seconds: float = 90):
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)
    return found


def warmed(url: str) -> str | None:
    return next((key for key in scrape(url) if key.startswith("dashboard_warmed_info[")), None)


def test_a_cli_load_is_warmed_before_the_first_leader_asks(dashboard, db, browser, tmp_path):
    """A load by the CLI (another process): the server sees the new snapshot by itself and warms its default views,
    so that the first view of 总览 after it computes no data call of its own."""
    from playwright.sync_api import expect

    wait_for(lambda: warmed(dashboard) == f"dashboard_warmed_info[('version', '{warehouse.version_id(db)}')]")
    csv = tmp_path / "三季度.csv"
    csv.write_text(TWO_QUARTERS_CSV, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "metrics", "load", str(csv), "--user", "运维"], cwd=ROOT, check=True,
                   env={**os.environ, "METRICS_DB": str(db), "METRICS_ACCOUNTS": str(db.with_name("accounts.duckdb"))},
                   capture_output=True)
    loaded = f"dashboard_warmed_info[('version', '{warehouse.version_id(db)}')]"
    wait_for(lambda: warmed(dashboard) == loaded)
    cold_before = scrape(dashboard)["dashboard_page_cold_calls_total[]"]

    page = browser.new_page(locale="zh-CN", viewport={"width": 1440, "height": 1000})
    try:
        page.goto(dashboard)
        expect(page.get_by_text("需关注 · 2024年第四季度")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("目标与预测")).to_be_visible(timeout=60_000)
        page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000)
        assert page.locator("[data-testid=stException]").count() == 0
    finally:
        page.close()
    assert scrape(dashboard)["dashboard_page_cold_calls_total[]"] == cold_before
