"""Helpers the tests share (fixtures are in conftest.py)."""

import fcntl
import functools
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from metrics import accounts, exporting, ingest
from metrics.store import warehouse
from metrics.store.warehouse import open_reader

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
LOGS = ROOT / "tests" / "output" / "logs"
PASSWORD = "correct-horse-9"




def export_text(db: Path) -> str:
    """The warehouse's `python -m metrics export` text, to compare states byte for byte."""
    con = open_reader(db)
    try:
        return exporting.to_csv_text(exporting.observations_frame(con))
    finally:
        con.close()


# 2024Q3 for every district and zone, 2024Q4 for three of them: what a second and a third quarter
# of reports look like, loaded through the product's own loader.
TWO_QUARTERS_CSV = """指标名称,地区,期间,数值,限定,来源,依据
综合窗口可办事项占比(一窗通办),华容区,2024Q3,98.1,,2024年第三季度报表,
综合窗口可办事项占比(一窗通办),鄂城区,2024Q3,91.2,,2024年第三季度报表,
综合窗口可办事项占比(一窗通办),梁子湖区,2024Q3,95.5,,2024年第三季度报表,
综合窗口可办事项占比(一窗通办),葛店经开区,2024Q3,95,,2024年第三季度报表,
综合窗口可办事项占比(一窗通办),临空经济区,2024Q3,82.3,,2024年第三季度报表,
综合窗口可办事项占比(一窗通办),市本级,2024Q3,100,,2024年第三季度报表,
综合窗口可办事项占比(一窗通办),华容区,2024Q4,98.6,,2024年第四季度报表,
综合窗口可办事项占比(一窗通办),鄂城区,2024Q4,89.5,,2024年第四季度报表,
综合窗口可办事项占比(一窗通办),临空经济区,2024Q4,84,,2024年第四季度报表,
综合窗口可办事项占比(一窗通办),市本级,2024Q4,100,,2024年第四季度报表,
“互联网+监管”考核全省排名,鄂州市,2024Q3,3,,2024年第三季度报表,
“互联网+监管”考核全省排名,鄂州市,2024Q4,5,,2024年第四季度报表,
监管行为推送数据量,鄂州市,2024Q3,36000000,,2024年第三季度报表,
监管行为推送数据量,鄂州市,2024Q4,39000000,,2024年第四季度报表,
"""


# The walk of issue #24 for a 2025Q1 brief: three quarters of reports, 临空经济区 silent in 2025Q1,
# 鄂城区 below a 2025 target of 95%, and 招投标专项整治排查项目数 (no better direction) down by a third.
WALK_UNITS = ("市本级", "鄂城区", "华容区", "梁子湖区", "葛店经开区", "临空经济区")
BRIEF_WALK_CSV = """指标名称,地区,期间,数值,限定,来源,依据
""" + "".join(
    f"综合窗口可办事项占比(一窗通办),{region},{period},{value},,{label}报表,\n"
    for period, label, values in (
        ("2024Q3", "2024年第三季度", (100, 91.2, 98.1, 95.5, 95, 82.3)),
        ("2024Q4", "2024年第四季度", (100, 94, 98.6, 96, 95, 86.7)),
        ("2025Q1", "2025年第一季度", (100, 93, 98.6, 97, 96, None)))
    for region, value in zip(WALK_UNITS, values, strict=True)
    if value is not None) + "".join(
    f"{name},鄂州市,{period},{value},,{label}报表,\n"
    for name, values in (("“互联网+监管”考核全省排名", (3, 5, 3)),
                         ("监管行为推送数据量", (36000000, 39000000, 42000000)),
                         ("招投标专项整治排查项目数", (86, 96, 64)))
    for (period, label), value in zip((("2024Q3", "2024年第三季度"), ("2024Q4", "2024年第四季度"),
                                       ("2025Q1", "2025年第一季度")), values, strict=True))


def brief_walk_warehouse(db: Path) -> Path:
    """The seed with BRIEF_WALK_CSV loaded and the bureau's 2025 target of ≥ 95% for the one-window share."""
    from metrics.targets import set_bureau_target

    seeded_warehouse(db)
    load_text(db, "2024Q3-2025Q1.csv", BRIEF_WALK_CSV)
    set_bureau_target(db, "one_window_share", None, 2025, 95, ">=", user="测试")
    return db


# The walk of issue #24: three quarters of the districts' reports (2024Q3-2025Q1), in which 临空经济区 sends no
# 2025Q1 value; 华容区's 2025Q1 file is approved and 梁子湖区's returned, so two districts have no 2025Q1 value;
# 互联网+监管 moves from 5th to 3rd; the province reports 2/2 for 2025Q1; then a 2025 target of ≥ 95% for every unit.
WALK_CSV = """指标名称,地区,期间,数值,限定,来源,依据
综合窗口可办事项占比(一窗通办),华容区,2024Q3,98.1,,2024年第三季度报表,
综合窗口可办事项占比(一窗通办),鄂城区,2024Q3,91.2,,2024年第三季度报表,
综合窗口可办事项占比(一窗通办),梁子湖区,2024Q3,95.5,,2024年第三季度报表,
综合窗口可办事项占比(一窗通办),葛店经开区,2024Q3,95,,2024年第三季度报表,
综合窗口可办事项占比(一窗通办),临空经济区,2024Q3,82.3,,2024年第三季度报表,
综合窗口可办事项占比(一窗通办),市本级,2024Q3,100,,2024年第三季度报表,
综合窗口可办事项占比(一窗通办),华容区,2024Q4,98.6,,2024年第四季度报表,
综合窗口可办事项占比(一窗通办),鄂城区,2024Q4,89.5,,2024年第四季度报表,
综合窗口可办事项占比(一窗通办),梁子湖区,2024Q4,96,,2024年第四季度报表,
综合窗口可办事项占比(一窗通办),葛店经开区,2024Q4,96.2,,2024年第四季度报表,
综合窗口可办事项占比(一窗通办),临空经济区,2024Q4,86.7,,2024年第四季度报表,
综合窗口可办事项占比(一窗通办),市本级,2024Q4,100,,2024年第四季度报表,
综合窗口可办事项占比(一窗通办),鄂城区,2025Q1,93,,2025年第一季度报表,
综合窗口可办事项占比(一窗通办),葛店经开区,2025Q1,97.4,,2025年第一季度报表,
综合窗口可办事项占比(一窗通办),市本级,2025Q1,100,,2025年第一季度报表,
“互联网+监管”考核全省排名,鄂州市,2024Q3,3,,2024年第三季度报表,
“互联网+监管”考核全省排名,鄂州市,2024Q4,5,,2024年第四季度报表,
“互联网+监管”考核全省排名,鄂州市,2025Q1,3,,2025年第一季度报表,
“高效办成一件事”考核“一窗通办”指标得分,鄂州市,2025Q1,2,,湖北省2025年一季度考核通报,
监管行为推送数据量,鄂州市,2024Q3,36000000,,2024年第三季度报表,
监管行为推送数据量,鄂州市,2024Q4,39000000,,2024年第四季度报表,
监管行为推送数据量,鄂州市,2025Q1,41000000,,2025年第一季度报表,
"""
WALK_APPROVED = ("指标名称,地区,期间,数值,来源\n"
                 "综合窗口可办事项占比(一窗通办),华容区,2025Q1,98.8%,华容区政务服务中心2025年一季度报表\n").encode()
WALK_RETURNED = ("指标名称,地区,期间,数值,来源\n"
                 "综合窗口可办事项占比(一窗通办),梁子湖区,2025Q1,96.1%,梁子湖区政务服务中心2025年一季度报表\n").encode()
WALK_TARGET = 95.0


def walked_warehouse(folder: Path) -> Path:
    """The seed after the walk of issue #24 (WALK_CSV), its accounts store (accounts.duckdb) beside it holding
    the clerks hrclerk (华容区) and lzhclerk (梁子湖区) and the admin boss, each with PASSWORD."""
    from metrics import changes

    db = seeded_warehouse(folder / "warehouse.duckdb")
    store = db.with_name("accounts.duckdb")
    people = {"hrclerk": ("editor", ("华容区",)), "lzhclerk": ("editor", ("梁子湖区",)), "boss": ("admin", ())}
    for name, (role, regions) in people.items():
        accounts.add_user(store, name, PASSWORD, role, actor="test", scope_regions=regions)
    clerk_hr, clerk_lzh, admin = (accounts.Account(name, role, regions) for name, (role, regions) in people.items())
    changes.load(db, _validated(db, "三个季度报表.csv", WALK_CSV.encode()), admin)
    changes.approve(db, changes.submit(db, _validated(db, "华容区.csv", WALK_APPROVED), WALK_APPROVED, clerk_hr),
                    admin)
    returned = changes.submit(db, _validated(db, "梁子湖区.csv", WALK_RETURNED), WALK_RETURNED, clerk_lzh)
    changes.return_submission(db, returned, admin, "数值与报表不符，请核对")
    changes.set_target(db, admin, "one_window_share", None, 2025, WALK_TARGET, ">=")
    return db


def _validated(db: Path, name: str, content: bytes):
    con = open_reader(db)
    try:
        validation = ingest.validate(con, ingest.read_upload(name, content))
    finally:
        con.close()
    assert validation.ok, validation.errors.to_dict("records")
    return validation


def load_text(db: Path, name: str, text: str) -> ingest.LoadResult:
    """Validate and load a CSV text as a user's file would be, refusing it on any problem."""
    con = open_reader(db)
    try:
        validation = ingest.validate(con, ingest.read_upload(name, text.encode("utf-8")))
    finally:
        con.close()
    assert validation.ok, validation.errors.to_dict("records")
    return ingest.apply(db, validation, user="测试")


@functools.cache
def _seed_build() -> Path:
    """The seed built once per test process; only ever copied."""
    from metrics.store.build import build

    db = Path(tempfile.mkdtemp(prefix="metrics-seed-build-")) / "warehouse.duckdb"
    build(db)
    return db


def seeded_warehouse(db: Path) -> Path:
    """A warehouse at db equal to a build from data/seed/, copied from one build (its lake keeps data
    files by path relative to the folder it is opened from, so a copy is a warehouse of its own)."""
    shutil.copytree(warehouse.lake_dir(_seed_build()), warehouse.lake_dir(db))
    open_reader(db).close()  # attached in this process, as after a build here (the catalog's WAL files exist)
    return db


def copied_warehouse(source: Path, db: Path) -> Path:
    """A warehouse at db equal to source's, with a copy of the accounts store beside source."""
    shutil.copytree(warehouse.lake_dir(source), warehouse.lake_dir(db))
    shutil.copy(source.with_name("accounts.duckdb"), db.with_name("accounts.duckdb"))
    open_reader(db).close()
    return db


def warehouse_and_store(folder: Path, *users: tuple[str, str, tuple[str, ...]]) -> tuple[Path, Path]:
    """A warehouse built from the seed in folder, and an accounts store beside it holding these
    (username, role, regions) accounts, each with PASSWORD."""
    db = seeded_warehouse(folder / "warehouse.duckdb")
    store = folder / "accounts.duckdb"
    for username, role, regions in users:
        accounts.add_user(store, username, PASSWORD, role, actor="test", scope_regions=regions)
    return db, store


def signed_in(monkeypatch, store: Path, username: str, password: str = PASSWORD) -> str:
    """Sign in as the server would and give app.py that session's token.

    AppTest sends no cookies, so st.context.cookies is empty there: the token reader is replaced instead.
    """
    from ui import auth

    token = accounts.sign_in(store, username, password, client_address="127.0.0.1", user_agent="AppTest")
    monkeypatch.setattr(auth, "session_token", lambda: token)
    return token


def store_locked_during(monkeypatch, store: Path, module, name: str) -> None:
    """While module.name runs, another holder has the accounts file store's lock, as another process writing
    the store would: the call's own use of the store waits, then gives up."""
    real = getattr(module, name)

    def locked(*args, **kwargs):
        with open(store.with_name(store.name + ".lock"), "w") as holder:
            fcntl.flock(holder, fcntl.LOCK_EX)
            return real(*args, **kwargs)

    monkeypatch.setattr(module, name, locked)


def follow_ups_done() -> None:
    """Wait until the follow-ups of the changes made on pages so far (file merge, audit copy) have run: a page answers
    before them (ui.common.make_change)."""
    from ui import common

    common.FOLLOW_UPS.submit(lambda: None).result(timeout=60)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SERVER_PIDS: dict[str, int] = {}  # URL -> process of each server serve() runs, for tests that measure it


def serve(env_overrides: dict, script: str = "server.py"):
    """Start `streamlit run server.py` on a free port; yield its URL; stop it.

    The server writes to a log file under tests/output: an undrained pipe would block the server
    once its output filled the pipe's buffer.
    """
    port = free_port()
    env = {**os.environ, **env_overrides}
    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"streamlit-{port}.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
             "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
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
                raise RuntimeError(log_path.read_text(errors="replace")) from None
            time.sleep(0.3)
    SERVER_PIDS[url] = server.pid
    yield url
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        raise RuntimeError(f"streamlit did not stop; its log: {log_path}") from None


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Tests drive several tabs at once: keep the ones in the background running at full speed.
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]


def chromium():
    """Debian's chromium under Playwright (never a downloaded browser); yield it, then close it."""
    import shutil

    import pytest
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `apt-get install chromium fonts-noto-cjk`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def request(url: str, method: str, path: str, headers: dict | None = None, body: str | None = None):
    """One request, redirects not followed: (status, headers as (name, value) pairs, text)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read().decode()
    finally:
        connection.close()


def header(headers, name: str) -> list[str]:
    return [value for key, value in headers if key.lower() == name]
