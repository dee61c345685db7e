"""Time a quarter's brief, Word and PDF, against the 10 s budget of issue #11.

    .venv/bin/python scripts/bench_brief.py [--db PATH] [--period 2024Q3] [--runs 3]

cold: `python -m metrics brief` as a new process, as a user runs it and as 总览's button runs it (in a
process group of its own, so that it can be cancelled) — Python start-up, reading the warehouse,
Chromium start-up for the charts, typesetting, the atomic write. warm: the same brief again in one
process whose kaleido server is already up. Without --db it builds the seed warehouse in a temporary
folder. Exits 1 when a cold median is over the budget.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from metrics.briefing import images, model, output  # noqa: E402
from metrics.store.build import build  # noqa: E402
from metrics.store.warehouse import open_reader  # noqa: E402

BUDGET_SECONDS = 10.0


def cold(db: Path, period: str, fmt: str, out: Path) -> tuple[float, float]:
    """Wall seconds, and CPU seconds of the process and its Chromium (what a busy machine cannot inflate)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "metrics", "brief", "--db", str(db), "--period", period,
                    "--format", fmt, "--out", str(out)], cwd=ROOT, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def warm(db: Path, period: str, fmt: str) -> float:
    started = time.perf_counter()
    con = open_reader(db)
    try:
        output.brief_bytes(con, period, None, fmt)
    finally:
        con.close()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="数据仓库(默认在临时目录中从种子数据构建)")
    parser.add_argument("--period", default="2024Q3")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(args.db) if args.db else Path(folder) / "warehouse.duckdb"
        if not args.db:
            build(db)
        over = False
        for fmt in model.FORMATS:
            out = Path(folder) / f"brief.{fmt}"
            cold_runs = [cold(db, args.period, fmt, out) for _ in range(args.runs)]
            cold_times = [wall for wall, _ in cold_runs]
            warm(db, args.period, fmt)  # starts the kaleido server
            warm_times = [warm(db, args.period, fmt) for _ in range(args.runs)]
            median = statistics.median(cold_times)
            over |= median > BUDGET_SECONDS
            print(f"{fmt:5s} cold median {median:5.2f} s (max {max(cold_times):5.2f} s, CPU "
                  f"{statistics.median(cpu for _, cpu in cold_runs):4.2f} s, {out.stat().st_size / 1024:.0f} KiB)"
                  f" · warm median {statistics.median(warm_times):5.2f} s · budget {BUDGET_SECONDS:.0f} s")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: other work on the machine "
              "stretches wall times, not CPU times")
        images.stop_chart_server()
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
