"""Benchmark: each page's script run, warm, on the seed warehouse (median and p95 of 20 runs).

Usage: python scripts/bench_pages.py [--runs 20] [--db PATH] [--quarters] [--seed N] [--server [--views 4]]
Builds a private seed warehouse unless --db is given; with --quarters, loads into it through the
product's own loader 26 townships and 8 quarters (2023Q1–2024Q4) of every typed indicator for the
5 districts and the 26 townships (about 11,000 rows). Prints a table and writes
bench-results/pages.json (or pages-quarters.json). A rerun in AppTest runs the page file alone (the sidebar of app.py is
not in it); the last row times a whole fresh session through app.py to the 总览 page.

With --server: a real server (`streamlit run server.py`) and a real Chromium (Debian's, through Playwright: `make
install-test`), signed in as a leader (a viewer account), click through the navigation; per page the wall time from
the click until the page has run and drawn its charts, and the server process's CPU time over the view (median of
--views warm views). Then what a leader waits for beyond one view: sign-in → 驾驶舱 (a leader's landing page), a new
browser's first chart (Navigation and Resource Timing: bytes transferred, resources loaded twice), and the first leader
after a CLI load.
Writes bench-results/pages-server.json (or pages-server-quarters.json).
"""

import argparse
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.testing.v1 import AppTest

from metrics import accounts, ingest
from metrics.store.build import build
from metrics.store.warehouse import open_reader
from scripts import cluster
from ui import navigation

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["pages/overview.py", "pages/cockpit.py", "pages/districts.py", "pages/trends.py", "pages/assessment.py",
         "pages/reporting.py", "pages/ledger.py", "pages/catalog.py"]


def time_page(page: str, runs: int) -> list[float]:
    test = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    test.run()
    test.switch_page(page).run()  # warm: caches filled, modules imported
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        test.run()
        timings.append((time.perf_counter() - start) * 1000)
        if test.exception:
            raise RuntimeError(f"{page}: {test.exception[0].value}")
    return timings


def time_fresh_session(runs: int) -> list[float]:
    AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()  # warm the caches
    timings = []
    for _ in range(runs):
        test = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        start = time.perf_counter()
        test.run()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


DISTRICTS = ["鄂城区", "华容区", "梁子湖区", "葛店经开区", "临空经济区"]
TOWNSHIPS = [f"测试乡镇{number:02d}" for number in range(1, 27)]
QUARTERS = [f"{year}Q{quarter}" for year in (2023, 2024) for quarter in range(1, 5)]


def _load(db: Path, name: str, text: str) -> None:
    con = open_reader(db)
    try:
        validation = ingest.validate(con, ingest.read_upload(name, text.encode("utf-8")))
    finally:
        con.close()
    if not validation.ok:
        raise RuntimeError(validation.errors.head().to_string())
    ingest.apply(db, validation, user="bench")


def load_quarters_fixture(db: Path, seed: int) -> int:
    """26 townships, then 8 quarters of every typed indicator for every district and township,
    values drawn from a seeded generator within each kind's valid range; returns the rows loaded."""
    generator = random.Random(seed)
    parents = [DISTRICTS[number % len(DISTRICTS)] for number in range(len(TOWNSHIPS))]
    _load(db, "乡镇.csv", "地区编码,地区名称,级别,上级地区,排序\n" + "".join(
        f"bench_town_{number:02d},{name},乡镇街道,{parent},\n"
        for number, (name, parent) in enumerate(zip(TOWNSHIPS, parents, strict=True), start=1)))
    con = open_reader(db)
    try:
        indicators = con.execute("select indicator_id, kind from indicators where formula is null").fetchall()
        parts = dict(con.execute(
            "select n.operand_id, d.operand_id from derivations as n join derivations as d "
            "on d.indicator_id = n.indicator_id and d.role = 'denominator' where n.role = 'numerator'").fetchall())
        maxima = dict(con.execute("select points_indicator_id, max_points from assessment_items "
                                  "where points_indicator_id is not null").fetchall())
    finally:
        con.close()
    rows = []
    for quarter in QUARTERS:
        for unit in DISTRICTS + TOWNSHIPS:
            values = {}
            for indicator_id, kind in indicators:
                if kind == "rate":
                    values[indicator_id] = round(generator.uniform(50, 100), 2)
                elif kind == "rank":
                    values[indicator_id] = generator.randint(1, 17)
                elif kind == "score":
                    values[indicator_id] = generator.choice([0, maxima.get(indicator_id, 2)])
                else:
                    values[indicator_id] = generator.randint(1000, 5000)
            for part, whole in parts.items():
                values[part] = values[whole] * 4 // 5
            rows += [f"{indicator_id},{unit},{quarter},{value},基准测试" for indicator_id, value in values.items()]
    _load(db, "基准测试数据.csv", "指标编码,地区,期间,数值,来源\n" + "\n".join(rows) + "\n")
    return len(rows)


LEADER = "bench-leader"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# The pages a leader reads, as the navigation names them.
LEADER_PAGES = [page.title for page in (*navigation.VIEW, *navigation.LEDGER)]
# The charts a view shows are drawn (a chart in a tab not chosen is drawn only when its tab is).
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid=stPlotlyChart]')]
  .every(chart => chart.offsetParent === null || chart.querySelector('.main-svg'))"""
FIRST_CHART = """() => document.querySelector('[data-testid=stPlotlyChart] .main-svg') ? performance.now() : null"""
TRANSFERS = """() => {
  const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
  const names = entries.map(entry => entry.name);
  return {bytes: entries.reduce((sum, entry) => sum + entry.transferSize, 0),
          decoded: entries.reduce((sum, entry) => sum + entry.decodedBodySize, 0),
          requests: entries.length,
          twice: [...new Set(names.filter((name, i) => names.indexOf(name) !== i))]};
}"""
# After a view, before the server's CPU is read again: the tail of the run's messages on the websocket.
SETTLE_SECONDS = 0.5


class RunWatch:
    """Counts the script runs a page's server has finished, from the script_finished messages on its websocket: the
    end of a view is read from what the server sent, not guessed from the page's look."""

    def __init__(self, page):
        self.page = page
        self.finished = 0
        page.on("websocket", lambda socket: socket.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        if isinstance(payload, bytes) and ForwardMsg.FromString(payload).WhichOneof("type") == "script_finished":
            self.finished += 1

    def wait_after(self, finished_before: int) -> None:
        """Until a run has finished since finished_before was read, and its charts are drawn."""
        deadline = time.monotonic() + 120
        while self.finished <= finished_before:
            if time.monotonic() > deadline:
                raise TimeoutError("no script run finished within 120 s")
            self.page.wait_for_timeout(10)
        self.page.wait_for_function(CHARTS_DRAWN, timeout=120_000)


def _sign_in(browser, url: str, password: str) -> tuple[RunWatch, float]:
    """A new browser's page signed in as the leader, on 驾驶舱 (a viewer's landing page); the seconds from the sign-in
    click to it drawn."""
    page = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN").new_page()
    watch = RunWatch(page)
    page.goto(f"{url}/auth/login")
    page.get_by_label("用户名").fill(LEADER)
    page.get_by_label("密码", exact=True).fill(password)
    started = time.perf_counter()
    page.get_by_role("button", name="登录").click()
    watch.wait_after(0)
    page.get_by_role("heading", name="驾驶舱").first.wait_for(timeout=120_000)
    return watch, time.perf_counter() - started


def _view(watch: RunWatch, title: str, pid: int) -> tuple[float, float]:
    """Click a page in the navigation: (wall ms until it is drawn, server CPU ms over the view)."""
    finished = watch.finished
    cpu_before = cluster.cpu_seconds(pid)
    started = time.perf_counter()
    watch.page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    watch.wait_after(finished)
    wall = time.perf_counter() - started
    time.sleep(SETTLE_SECONDS)
    return wall * 1000, (cluster.cpu_seconds(pid) - cpu_before) * 1000


def _first_chart(browser, url: str, cookies: list) -> dict:
    """A new browser (empty HTTP cache) with the leader's session opening 区域对比: milliseconds from its navigation's
    start to the first chart drawn, and what it transferred."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    try:
        context.add_cookies(cookies)
        page = context.new_page()
        page.goto(f"{url}/districts")
        shown = page.wait_for_function(FIRST_CHART, timeout=120_000).json_value()
        page.wait_for_load_state("networkidle")
        return {"first_chart_ms": round(shown), **page.evaluate(TRANSFERS)}
    finally:
        context.close()


def _cli_load(db: Path, env: dict) -> None:
    """A new quarter of one indicator for the five districts through `python -m metrics load`, as an operator would."""
    csv = db.with_name("新季度.csv")
    csv.write_text("指标编码,地区,期间,数值,来源\n" + "".join(
        f"one_window_share,{name},2025Q1,{90 + number},基准测试\n" for number, name in enumerate(DISTRICTS)),
        encoding="utf-8")
    subprocess.run([sys.executable, "-m", "metrics", "load", str(csv), "--user", "bench"], cwd=ROOT,
                   env={**os.environ, **env}, check=True, stdout=subprocess.DEVNULL)


def measure_server(db: Path, views: int, after_load_wait: float) -> dict:
    """The server mode's figures (see the module's docstring)."""
    from playwright.sync_api import sync_playwright

    directory = Path(tempfile.mkdtemp(prefix="bench-server-"))
    store = directory / "accounts.duckdb"
    password = secrets.token_urlsafe(12)
    accounts.add_user(store, LEADER, password, "viewer", actor="基准测试")
    env = {"METRICS_DB": str(db), "METRICS_ACCOUNTS": str(store)}
    server = cluster.start_app_server(directory, env)
    results: dict = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            watch, first_sign_in = _sign_in(browser, server.url, password)
            for title in LEADER_PAGES:  # warm: every page once, its caches filled
                _view(watch, title, server.process.pid)
            timings = {title: [] for title in LEADER_PAGES}
            for _ in range(views):
                for title in LEADER_PAGES:
                    timings[title].append(_view(watch, title, server.process.pid))
            for title, measured in timings.items():
                results[title] = {"views": views, "wall_ms": round(statistics.median(w for w, _ in measured)),
                                  "server_cpu_ms": round(statistics.median(c for _, c in measured))}
            results["sign_in_first_s"] = round(first_sign_in, 2)
            results["sign_in_warm_s"] = round(_sign_in(browser, server.url, password)[1], 2)
            results["first_chart"] = _first_chart(browser, server.url, watch.page.context.cookies())
            _cli_load(db, env)
            time.sleep(after_load_wait)
            results["sign_in_after_cli_load_s"] = round(_sign_in(browser, server.url, password)[1], 2)
            results["after_load_wait_s"] = after_load_wait
            browser.close()
    finally:
        server.process.terminate()
        server.process.wait(timeout=30)
    return results


def print_server_table(results: dict) -> None:
    pages = [title for title in LEADER_PAGES if title in results]
    print("| page | " + " | ".join(pages) + " |")
    print("|---|" + "---|" * len(pages))
    print("| server CPU per view (ms) | " + " | ".join(str(results[t]["server_cpu_ms"]) for t in pages) + " |")
    print("| wall per view (ms) | " + " | ".join(str(results[t]["wall_ms"]) for t in pages) + " |")
    chart = results["first_chart"]
    print(f"\nsign-in → 驾驶舱: first {results['sign_in_first_s']} s, warm {results['sign_in_warm_s']} s; "
          f"first leader {results['after_load_wait_s']:g} s after a CLI load: {results['sign_in_after_cli_load_s']} s")
    print(f"new browser → first chart (区域对比): {chart['first_chart_ms']} ms, {chart['requests']} requests, "
          f"{chart['bytes'] / 2**20:.2f} MiB transferred ({chart['decoded'] / 2**20:.2f} MiB decoded), "
          f"loaded twice: {', '.join(chart['twice']) or 'none'}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db")
    parser.add_argument("--quarters", action="store_true", help="8 quarters × 31 units × every indicator")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pages", nargs="+", help="time only these pages (by file name: cockpit overview)")
    parser.add_argument("--server", action="store_true", help="a real server and a signed-in Chromium")
    parser.add_argument("--views", type=int, default=4, help="server mode: measured views per page")
    parser.add_argument("--after-load-wait", type=float, default=10.0,
                        help="server mode: seconds between a CLI load and the next leader's sign-in")
    args = parser.parse_args()
    db = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "bench.duckdb"
    if not args.db:
        build(db)
    if args.quarters:
        print(f"loaded {load_quarters_fixture(db, args.seed)} rows of 8 quarters")
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    suffix = "-quarters" if args.quarters else ""
    if args.server:
        results = measure_server(db, args.views, args.after_load_wait)
        print_server_table(results)
        (out / f"pages-server{suffix}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False),
                                                        encoding="utf-8")
        return
    os.environ["METRICS_DB"] = str(db)
    os.environ["METRICS_VIEW_LOGIN"] = "open"
    os.environ["METRICS_ACCOUNTS"] = str(db.with_name("bench-accounts.duckdb"))
    results = {}
    print(f"{'page':<24}{'median ms':>12}{'p95 ms':>10}")
    for page in [page for page in PAGES if not args.pages or Path(page).stem in args.pages]:
        timings = sorted(time_page(page, args.runs))
        median = statistics.median(timings)
        p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
        results[page] = {"runs": args.runs, "median_ms": round(median, 1), "p95_ms": round(p95, 1)}
        print(f"{page:<24}{median:>12.1f}{p95:>10.1f}")
    timings = sorted(time_fresh_session(args.runs))
    median, p95 = statistics.median(timings), timings[max(0, round(0.95 * len(timings)) - 1)]
    results["app.py → 总览 (fresh session)"] = {"runs": args.runs, "median_ms": round(median, 1),
                                              "p95_ms": round(p95, 1)}
    print(f"{'app.py → 总览 (new)':<24}{median:>12.1f}{p95:>10.1f}")
    (out / f"pages{suffix}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
