"""Time and measure loading 1,000,000 long-format rows: validate, then apply.

    .venv/bin/python scripts/bench_load.py [--rows N]

Builds a private warehouse in a temporary folder, adds 26 townships through the loader itself,
writes a CSV in the export's long format (every loadable indicator × region × generated month)
and loads it. Peak memory is the process's ru_maxrss, so the apply figure includes what
validation still holds — as on the page, where the validation lives until the load is done.
"""

import argparse
import io
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from metrics import ingest  # noqa: E402
from metrics.exporting import EXPORT_COLUMNS  # noqa: E402
from metrics.ingest.normalise import month  # noqa: E402
from metrics.store import queries
from metrics.store.build import build  # noqa: E402
from metrics.store.warehouse import open_reader  # noqa: E402

DISTRICTS = ("echeng", "huarong", "liangzihu", "gedian", "linkong")
TOWNSHIPS = 26
MAX_UPLOAD_MB = 500  # the generated file is larger than the 50 MiB an upload may be


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def add_townships(db: Path) -> None:
    rows = [
        f"town_{n:02d},试点乡镇{n:02d},乡镇街道,{DISTRICTS[n % len(DISTRICTS)]},{100 + n}"
        for n in range(1, TOWNSHIPS + 1)
    ]
    text = "地区编码,地区名称,级别,上级地区,排序\n" + "\n".join(rows) + "\n"
    parsed = ingest.read_upload("townships.csv", text.encode("utf-8"))
    con = open_reader(db)
    try:
        validation = ingest.validate(con, parsed)
    finally:
        con.close()
    assert validation.ok, validation.errors
    ingest.apply(db, validation, user="bench")


def generate_csv(db: Path, target_rows: int) -> bytes:
    """Valid rows: rates within 0–100, ranks ≥ 1, scores within their cap, parts below wholes."""
    con = open_reader(db)
    try:
        indicators = queries.run(con, "ingest_indicators")
        regions = queries.run(con, "ingest_regions")
        parts = set(
            con.execute("select operand_id from derivations where role = 'numerator'").df().operand_id
        )
    finally:
        con.close()
    indicators = indicators[~indicators.is_derived.astype(bool)]
    months = math.ceil(target_rows / (len(indicators) * len(regions)))
    periods = [month(2000 + m // 12, m % 12 + 1).period_id for m in range(months)]
    grid = pd.MultiIndex.from_product(
        [indicators.indicator_id, regions.name, periods], names=["indicator_id", "region", "period"]
    ).to_frame(index=False)[:target_rows]
    info = indicators.set_index("indicator_id").loc[grid.indicator_id]
    rng = np.random.default_rng(2024)
    noise = rng.random(len(grid))
    kind = info.kind.to_numpy()
    value = np.select(
        [kind == "rate", kind == "rank", kind == "score"],
        [
            np.round(noise * 100, 2),
            np.floor(noise * 17) + 1,
            np.round(noise * info.max_points.fillna(10).to_numpy(), 1),
        ],
        default=np.where(grid.indicator_id.isin(parts), np.floor(noise * 500), 500 + np.floor(noise * 500)),
    )
    frame = grid.assign(
        indicator_name=info.name.to_numpy(),
        value=value,
        unit=info.unit.to_numpy(),
        qualifier="exact",
        source="基准测试",
        evidence="",
        period_label="",
        load_id="",
    )[EXPORT_COLUMNS]
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def measure(db: Path, csv_path: Path) -> None:
    """Read, validate and apply one file, in a process of its own so that ru_maxrss is the load's."""
    data = csv_path.read_bytes()
    started = time.perf_counter()
    parsed = ingest.read_upload(csv_path.name, data, max_mb=MAX_UPLOAD_MB)
    read_seconds = time.perf_counter() - started
    con = open_reader(db)
    try:
        validation = ingest.validate(con, parsed)
    finally:
        con.close()
    validate_seconds = time.perf_counter() - started
    assert validation.ok, validation.errors.head(20)
    print(
        f"读取+校验：{validate_seconds:.1f} s(其中读取 {read_seconds:.1f} s)，"
        f"内存峰值 {peak_mib():.0f} MiB，{len(validation.rows)} 行有效"
    )
    started = time.perf_counter()
    result = ingest.apply(db, validation, user="bench")
    apply_seconds = time.perf_counter() - started
    print(f"写入：{apply_seconds:.1f} s，内存峰值 {peak_mib():.0f} MiB(含校验结果)，{result.note}")
    print(f"合计：{validate_seconds + apply_seconds:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--measure", nargs=2, metavar=("DB", "CSV"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(Path(args.measure[0]), Path(args.measure[1]))
        return
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "warehouse.duckdb"
        build(db)
        add_townships(db)
        csv_path = Path(folder) / "bench.csv"
        csv_path.write_bytes(generate_csv(db, args.rows))
        print(f"文件：{args.rows} 行，{csv_path.stat().st_size / 2**20:.1f} MiB")
        subprocess.run([sys.executable, __file__, "--measure", str(db), str(csv_path)], check=True)


if __name__ == "__main__":
    main()
