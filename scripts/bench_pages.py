"""Benchmark: each page's script run, warm, on the seed warehouse (median and p95 of 20 runs).

Usage: python scripts/bench_pages.py [--runs 20] [--db PATH] [--quarters] [--seed N]
Builds a private seed warehouse unless --db is given; with --quarters, loads into it through the
product's own loader 26 townships and 8 quarters (2023Q1–2024Q4) of every typed indicator for the
5 districts and the 26 townships (about 11,000 rows). Prints a table and writes
bench-results/pages.json (or pages-quarters.json). A rerun in AppTest runs the page file alone (the sidebar of app.py is
not in it); the last row times a whole fresh session through app.py to the 总览 page.
"""

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from metrics import ingest
from metrics.store.build import build
from metrics.store.warehouse import open_reader

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["pages/overview.py", "pages/districts.py", "pages/trends.py", "pages/assessment.py", "pages/reporting.py",
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db")
    parser.add_argument("--quarters", action="store_true", help="8 quarters × 31 units × every indicator")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    db = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "bench.duckdb"
    if not args.db:
        build(db)
    if args.quarters:
        print(f"loaded {load_quarters_fixture(db, args.seed)} rows of 8 quarters")
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
    name = "pages-quarters.json" if args.quarters else "pages.json"
    (out / name).write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
