"""Two app servers behind nginx over HTTPS, sharing the warehouse and, in PostgreSQL, the accounts store (issue #15):
sign in through the proxy, load a file through the server the proxy chose, see it and the same session on the
other server's own port, kill the first server and stay signed in through the proxy; the audit trail in
PostgreSQL holds each step once. The cluster is the one `make cluster` starts (scripts/cluster.py)."""

import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from support import PASSWORD, TWO_QUARTERS_CSV, chromium

from metrics import accounts
from metrics.accounts.store import transaction
from scripts import cluster

pytestmark = pytest.mark.browser

# The 2024Q3 rows only: every district's one-window share, and the city's rank and push volume.
Q3_CSV = "\n".join(line for line in TWO_QUARTERS_CSV.splitlines() if "2024Q4" not in line) + "\n"
DISTRICTS_Q3 = "/districts?period=2024Q3"


@pytest.fixture(scope="module")
def running():
    # Not under pytest's tmp_path: that is private to root, and PostgreSQL runs as the postgres user.
    directory = Path(tempfile.mkdtemp(prefix="metrics-cluster-"))
    directory.chmod(0o755)
    started = cluster.start(directory, db=directory / "warehouse.duckdb",
                            extra_env={"METRICS_VIEW_LOGIN": "required", "METRICS_LOGIN_DELAY_SECONDS": "0"})
    try:
        store = accounts.PostgresStore(started.postgres.url())
        accounts.add_user(store, "boss", PASSWORD, "admin", actor="test")
        yield started, store
    finally:
        started.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


def answering_server(running_cluster, request_line: str) -> cluster.AppServer:
    """The app server that answered the last completed request_line: the last of the upstreams nginx tried
    for it, as its access log names them."""
    log = (running_cluster.directory / "nginx-access.log").read_text(encoding="utf-8")
    tried = re.findall(rf'"{re.escape(request_line)} HTTP/1.1" 200 upstream=(.+)', log)
    assert tried, log
    port = int(tried[-1].split(", ")[-1].rsplit(":", 1)[1])
    return next(server for server in running_cluster.servers if server.port == port)


def test_sign_in_load_and_failover_through_the_proxy(running, browser, tmp_path):
    from playwright.sync_api import expect

    running_cluster, store = running
    upload = tmp_path / "2024年第三季度.csv"
    upload.write_text(Q3_CSV, encoding="utf-8")
    proxied = browser.new_context(ignore_https_errors=True, viewport={"width": 1440, "height": 1000},
                                  locale="zh-CN")
    direct = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    try:
        page = proxied.new_page()
        page.goto(f"{running_cluster.url}/data_admin")
        page.get_by_label("用户名").fill("boss")
        page.get_by_label("密码", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("heading", name="数据管理")).to_be_visible(timeout=30_000)
        cookie = next(c for c in proxied.cookies() if c["name"] == "metrics_session")
        assert cookie["secure"] and cookie["httpOnly"]  # the servers trusted nginx's X-Forwarded-Proto

        # The upload goes to the server this browser's session sticks to.
        server_a = answering_server(running_cluster, "GET /data_admin")
        server_b = next(server for server in running_cluster.servers if server is not server_a)
        page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(upload))
        expect(page.get_by_text("校验通过。请核对预览后确认载入。")).to_be_visible(timeout=30_000)
        page.get_by_role("button", name="确认载入").click()
        expect(page.get_by_text("已载入文件“2024年第三季度.csv”")).to_be_visible(timeout=60_000)

        # Server B, by its own port, knows the session (PostgreSQL) and shows the load (the shared warehouse).
        direct.add_cookies([{"name": "metrics_session", "value": cookie["value"], "url": server_b.url}])
        on_b = direct.new_page()
        on_b.goto(f"{server_b.url}{DISTRICTS_Q3}")
        expect(on_b.get_by_text("当前用户：boss")).to_be_visible(timeout=30_000)
        expect(on_b.get_by_text("排名表 · 2024年第三季度")).to_be_visible(timeout=30_000)
        expect(on_b.get_by_text("98.1%").first).to_be_attached()

        # Server A dies; a reload through the proxy reaches B, still signed in and seeing the same data.
        server_a.process.kill()
        server_a.process.wait(timeout=20)
        started = time.monotonic()
        page.goto(f"{running_cluster.url}{DISTRICTS_Q3}")
        expect(page.get_by_text("当前用户：boss")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("排名表 · 2024年第三季度")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("98.1%").first).to_be_attached()
        assert time.monotonic() - started < 30
        assert page.get_by_role("button", name="登录").count() == 0
        assert answering_server(running_cluster, f"GET {DISTRICTS_Q3}") is server_b
    finally:
        proxied.close()
        direct.close()

    # Each step is in PostgreSQL once, newest first: the build by `metrics ensure`, the accounts made, the load;
    # and one sign-in session, still live, with the browser's address as nginx forwarded it.
    steps = list(accounts.audit_trail(store)[["action", "target"]].itertuples(index=False, name=None))
    assert steps == [("载入数据", "载入 #2 2024年第三季度.csv"), ("新增账户", "boss"), ("新增账户", "admin"),
                     ("构建数据仓库", "载入 #1 种子数据")]
    with transaction(store) as con:
        sessions = con.execute("select username, client_address, ended_at from sessions").fetchall()
    assert sessions == [("boss", "127.0.0.1", None)]
