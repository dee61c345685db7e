"""Benchmark: each page's script run, warm, on the seed warehouse (median and p95 of 20 runs).

Usage: python scripts/bench_pages.py [--runs 20] [--db PATH]
Builds a private seed warehouse unless --db is given; prints a table and writes
bench-results/pages.json. A rerun in AppTest runs the page file alone (the sidebar of app.py is
not in it); the last row times a whole fresh session through app.py to the 总览 page.
"""

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from metrics.build import build

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["pages/overview.py", "pages/districts.py", "pages/trends.py", "pages/assessment.py",
         "pages/ledger.py", "pages/catalog.py"]


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db")
    args = parser.parse_args()
    db = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "bench.duckdb"
    if not args.db:
        build(db)
    os.environ["METRICS_DB"] = str(db)
    os.environ["METRICS_VIEW_LOGIN"] = "open"
    os.environ["METRICS_ACCOUNTS"] = str(db.with_name("bench-accounts.duckdb"))
    results = {}
    print(f"{'page':<24}{'median ms':>12}{'p95 ms':>10}")
    for page in PAGES:
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
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "pages.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
