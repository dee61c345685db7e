"""Scale benchmark (issue #14): pages, hand-written SQL, pandas and loads on synthetic warehouses.

    python -m scripts.bench_scale [--sizes 1e6,1e7] [--with-1e8] [--seed N] [--runs N]
                                  [--timeout S] [--out bench-results/scale.md] [--keep DIR]

Each size is a warehouse of 300 indicators × 100 quarters × R regions (R = ⌈size / 30,000⌉): the seed
warehouse from the product's own build, then, inside the product's writer (metrics.store.warehouse.new_version,
one transaction, integrity check and journal as a load does), one 测试市, its 测试县 and 测试乡镇 with a
parent each, 300 indicators of every kind, 3 all-region targets and every observation, inserted by
set-based SQL over range(): value n comes from an integer mix of n and --seed, so the same seed gives the
same bytes on any DuckDB version. --keep DIR keeps the warehouses for the next run, one per size, seed
and committed GENERATED_BY (so a warehouse another branch built is never reused).

Per page: cold (its first run in a fresh process, on the warehouse just opened, with the modules already
imported) and warm p50/p95 over --runs reruns, each page run as scripts/bench_pages.py runs it (the page file
alone, without app.py's sidebar), capped at --timeout seconds and --memory-gib of address space, with its peak
RSS. Beside 总览, 区域对比 and 趋势: the same answer by a hand-written query on the base tables, and by pandas on a
frame of every observation held in memory (loading it is not timed), and by pandas reading the warehouse's
Parquet files with pyarrow each time (what an analyst would do instead; the read is timed);
tests/test_bench_scale.py checks that the four give the same rows and values (for 区域对比, every column the page
reads). Then a 10-row load into every size and a 1M-row load into the 10^7 warehouse (else the largest), by
`python -m metrics load` in a fresh process on a copy of the warehouse, in the export's format; a file refused
by the upload cap is reported so and loaded again with METRICS_MAX_UPLOAD_MB raised.
Writes a Markdown table to --out and the same figures as JSON beside it.
"""

import argparse
import compileall
import datetime as dt
import hashlib
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import streamlit

from metrics import facts, periods
from metrics.exporting import EXPORT_COLUMNS
from metrics.formatting import QUALIFIER_LABEL
from metrics.ingest import loads
from metrics.ingest.normalise import quarter
from metrics.store import build as building
from metrics.store import journal, queries, stored_facts, warehouse
from metrics.store.warehouse import WarehouseError, disk_bytes, new_version, open_reader
from scripts.bench_pages import PAGES, ROOT

INDICATORS, QUARTERS = 300, 100
LAST_QUARTER = (2025, 4)
SIZES = {"1e6": 10**6, "1e7": 10**7, "1e8": 10**8}
LOAD_ROWS = (10, 1_000_000)
# Each indicator's kind, temporal, better and unit, by indicator number modulo 5 (ROW_SQL draws the
# values in the same order: rates 50–100, flows 0–4999, stocks 1000–9999, durations 0–100, ranks 1–17).
KINDS = [("rate", "level", "higher", "%"), ("count", "flow", "higher", "件"), ("count", "stock", "none", "项"),
         ("duration", "level", "lower", "天"), ("rank", "level", "lower", "名")]
# All-region targets (indicator number, comparator, value, annual?): a standing rate target, an annual
# target of a flow (checked at each quarter against k/4 of it) and a standing duration target.
TARGETS = [(0, ">=", 60, False), (101, ">=", 10_000, True), (203, "<=", 50, False)]
HEADLINES = 4
PAGE_NAMES = {"pages/overview.py": "总览", "pages/districts.py": "区域对比", "pages/trends.py": "趋势",
              "pages/assessment.py": "省级考核", "pages/reporting.py": "报送情况", "pages/ledger.py": "整改台账",
              "pages/catalog.py": "指标口径"}
TREND_REGIONS = 8  # what the 趋势 page preselects
EXACT_QUALIFIERS = ("exact", "approx")  # a change is computed only between two such values
EXTRA_RUNS = 5  # raw SQL and pandas: median of this many runs, after one untimed


class Shape:
    """indicators × quarters × regions, with the regions' hierarchy: one city, then districts (about one
    in twelve), then townships, each under a district in turn."""

    def __init__(self, indicators: int, quarters: int, regions: int):
        if regions < 3:
            raise ValueError("at least 3 regions: a city, a district and a township")
        self.indicators, self.quarters, self.regions = indicators, quarters, regions
        self.districts = max(1, (regions - 1) // 12)

    @classmethod
    def of_size(cls, size: int) -> "Shape":
        return cls(INDICATORS, QUARTERS, math.ceil(size / (INDICATORS * QUARTERS)))

    @property
    def rows(self) -> int:
        return self.indicators * self.quarters * self.regions

    @property
    def first_quarter_index(self) -> int:
        year, number = LAST_QUARTER
        return year * 4 + number - 1 - (self.quarters - 1)

    def quarter_ids(self) -> list[str]:
        return [periods.quarter_id(self.first_quarter_index + p) for p in range(self.quarters)]

    def indicator_id(self, number: int) -> str:
        return f"bench_i{number + 1:03d}"


# Indicator i and region r by number: r = 0 is the city, 1…districts its districts, the rest townships.
INDICATOR_ID_SQL = "'bench_i' || lpad((i + 1)::varchar, 3, '0')"
INDICATOR_NAME_SQL = "'测试指标' || lpad((i + 1)::varchar, 3, '0')"
REGION_ID_SQL = """case when r = 0 then 'bench_city'
    when r <= $districts then 'bench_d' || lpad(r::varchar, 3, '0')
    else 'bench_t' || lpad((r - $districts)::varchar, 5, '0') end"""
REGION_NAME_SQL = """case when r = 0 then '测试市'
    when r <= $districts then '测试县' || lpad(r::varchar, 3, '0')
    else '测试乡镇' || lpad((r - $districts)::varchar, 5, '0') end"""

# Row n of the generated grid (period-major, as quarterly loads would lay it down: quarter, then
# indicator, then region); rows past the warehouse's last quarter are the loads' new quarters.
ROW_SQL = f"""
with grid as (
    select
        n,
        n // ($regions * $indicators) as p,
        (n // $regions) % $indicators as i,
        n % $regions as r,
        (n * 1103515245 + $seed * 2654435761 + 12345) % 2147483648 as x0
    from range($start, $start + $count) as t(n)
),
mixed as (
    select *, ((xor(x0, x0 >> 13)) * 1103515245) % 2147483648 as x1 from grid
),
valued as (
    select *, xor(x1, x1 >> 16) / 2147483648.0 as u from mixed
)
select
    {INDICATOR_ID_SQL} as indicator_id,
    {REGION_ID_SQL} as region_id,
    {REGION_NAME_SQL} as region_name,
    (($first_quarter + p) // 4)::varchar || 'Q' || (($first_quarter + p) % 4 + 1)::varchar as period_id,
    case i % 5
        when 0 then round(50 + u * 50, 2)
        when 1 then floor(u * 5000)
        when 2 then floor(1000 + u * 9000)
        when 3 then round(u * 100, 1)
        else 1 + floor(u * 17)
    end::double as value,
    {INDICATOR_NAME_SQL} as indicator_name,
    $units[i % 5 + 1] as unit
from valued
order by n
"""


def _row_params(shape: Shape, seed: int, start: int, count: int) -> dict:
    return {"regions": shape.regions, "indicators": shape.indicators, "districts": shape.districts,
            "first_quarter": shape.first_quarter_index, "seed": seed, "start": start, "count": count,
            "units": [unit for *_, unit in KINDS]}


def _insert_reference_rows(con: duckdb.DuckDBPyConnection, shape: Shape, load_id: int) -> None:
    con.execute(
        f"""insert into regions by name
        select
            {REGION_ID_SQL} as region_id,
            {REGION_NAME_SQL} as name,
            case when r = 0 then '市' when r <= $districts then '区' else '乡镇街道' end as level,
            case
                when r = 0 then null
                when r <= $districts then 'bench_city'
                else 'bench_d' || lpad(((r - $districts - 1) % $districts + 1)::varchar, 3, '0')
            end as parent_id,
            100 + r as sort_order
        from range($regions) as t(r)""",
        {"regions": shape.regions, "districts": shape.districts},
    )
    quarters = [quarter(int(qid[:4]), int(qid[-1])) for qid in shape.quarter_ids()]
    con.register("bench_periods", pd.DataFrame([vars(period) for period in quarters]))
    con.execute("insert into periods by name select * from bench_periods "
                "where period_id not in (select period_id from periods)")
    con.execute(
        f"""insert into indicators by name
        select
            {INDICATOR_ID_SQL} as indicator_id,
            {INDICATOR_NAME_SQL} as name,
            $units[i % 5 + 1] as unit,
            $kinds[i % 5 + 1] as kind,
            $temporals[i % 5 + 1] as temporal,
            $betters[i % 5 + 1] as better,
            '测试类别' || (i % 6 + 1) as category,
            '基准测试合成指标' as definition,
            '基准测试' as owner,
            case when i < $headlines then 100 + i end as headline_order
        from range($indicators) as t(i)""",
        {"indicators": shape.indicators, "headlines": HEADLINES, "kinds": [k[0] for k in KINDS],
         "temporals": [k[1] for k in KINDS], "betters": [k[2] for k in KINDS], "units": [k[3] for k in KINDS]},
    )
    year = LAST_QUARTER[0]
    for number, comparator, value, annual in TARGETS:
        if number < shape.indicators:
            con.execute("insert into targets (indicator_id, year, value, comparator, basis, source, note, load_id) "
                        "values (?, ?, ?, ?, 'bureau', '基准测试', '合成目标', ?)",
                        [shape.indicator_id(number), year if annual else None, value, comparator, load_id])


INSERT_CHUNK_ROWS = 10_000_000  # observations per insert while generating
# The generator's DuckDB memory_limit (the product's default is metrics.config.MEMORY_LIMIT).
GENERATE_MEMORY_LIMIT = os.environ.get("BENCH_SCALE_GENERATE_MEMORY", "4GB")


def generate(db: Path, shape: Shape, seed: int) -> None:
    """The seed warehouse, then the synthetic rows in one new version, as a load of kind 'seed'."""
    building.build(db)
    with new_version(db, from_current=True) as con:
        con.execute(f"set memory_limit = '{GENERATE_MEMORY_LIMIT}'")
        count_before = journal.observation_count(con)
        load_id = int(queries.run_in_transaction(con, "load_next_id").iloc[0]["load_id"])
        name = f"scripts/bench_scale.py {shape.indicators}×{shape.quarters}×{shape.regions} seed={seed}"
        con.execute("insert into loads values (?, 'seed', ?, ?, ?, ?, 0, 'bench', ?, 'applied', '基准测试合成数据')",
                    [load_id, name, f"seed-{seed}", shape.rows, shape.rows, dt.datetime(2026, 1, 1)])
        _insert_reference_rows(con, shape, load_id)
        # In chunks of rows, each in row order, so the table is laid down in the same order as by one insert:
        # one insert of 10^8 rows ran out of the 4 GB memory limit (its ORDER BY).
        for start in range(0, shape.rows, INSERT_CHUNK_ROWS):
            con.execute(f"insert into observations select indicator_id, region_id, period_id, value, 'exact', "
                        f"'基准测试', null, {load_id} from ({ROW_SQL})",
                        _row_params(shape, seed, start, min(INSERT_CHUNK_ROWS, shape.rows - start)))
        stored_facts.refresh_all(con)
        violations = building.integrity_violations(con)
        if len(violations):
            raise WarehouseError(f"generated rows break {len(violations)} rules: {violations.head()}")
        journal.write(con, load_id=load_id, actor="bench", action="载入数据", target=f"载入 #{load_id} {name}",
                      detail=f"新增 {shape.rows} 行", count_before=count_before)


def write_load_file(path: Path, shape: Shape, seed: int, start: int, count: int) -> None:
    """Rows start… of the grid (past the warehouse: new quarters) as a CSV in the export's format."""
    con = duckdb.connect()
    try:
        con.execute("set memory_limit = '2GB'")
        columns = {"indicator_id": "indicator_id", "indicator_name": "indicator_name", "region": "region_name",
                   "period": "period_id", "value": "value", "unit": "unit", "qualifier": "'exact'",
                   "source": "'基准测试'", "evidence": "''", "period_label": "''", "load_id": "''"}
        select = ", ".join(f"{columns[name]} as {name}" for name in EXPORT_COLUMNS)
        con.execute(f"copy (select {select} from ({ROW_SQL})) to '{path}' (header)",
                    _row_params(shape, seed, shape.rows + start, count))
    finally:
        con.close()


# The committed files that decide a generated warehouse's rows: --keep reuses a warehouse only while they
# are unchanged (a change elsewhere in metrics/ leaves the rows as they were: regenerating 10^8 takes 23 min).
GENERATED_BY = ("sql", "metrics/store/build.py", "metrics/store/stored_facts.py", "scripts/bench_scale.py")


def product_version() -> str:
    """The committed GENERATED_BY, so that --keep never reuses a warehouse another branch built."""
    found = subprocess.run(["git", "rev-parse", *(f"HEAD:{path}" for path in GENERATED_BY)], cwd=ROOT,
                           capture_output=True, text=True)
    return hashlib.sha256(found.stdout.encode()).hexdigest()[:10] if found.returncode == 0 else "nogit"


def warehouse_for(size: int, shape: Shape, seed: int, folder: Path) -> tuple[Path, str]:
    """The warehouse of this size and seed in folder, generated unless a complete one is there; with
    how long generating it took."""
    db = folder / f"scale-{size:.0e}-seed{seed}-{product_version()}" / "warehouse.duckdb"
    if warehouse.exists(db):
        con = open_reader(db)
        try:
            if journal.observation_count(con) > shape.rows:
                print(f"  reusing {db}", flush=True)
                return db, "reused (--keep)"
        finally:
            con.close()
        warehouse.forget(db)
        shutil.rmtree(db.parent)
    started = time.perf_counter()
    generate(db, shape, seed)
    took = f"{time.perf_counter() - started:.1f} s"
    print(f"  generated {shape.rows:,} rows in {took} ({disk_bytes(db) / 2**30:.2f} GiB)", flush=True)
    return db, took


# ---- pages ---------------------------------------------------------------------------------------

PREIMPORT = ("plotly.graph_objects", "metrics.assessment", "metrics.attention", "metrics.charts", "metrics.facts",
             "metrics.targets", "metrics.reporting", "metrics.ledger", "metrics.catalog", "ui.common", "ui.auth",
             "ui.briefing", "ui.navigation", "ui.reminders", "ui.telemetry")


def page_child(page: str, runs: int, indicator: str) -> None:
    """In a fresh process: one cold run of the page, then warm reruns; one JSON line each, as they end."""
    import importlib

    from streamlit.testing.v1 import AppTest

    from ui import auth

    for module in PREIMPORT:
        importlib.import_module(module)
    AppTest.from_string("import streamlit as st\nst.write('ready')").run()  # the runtime's own first run
    test = AppTest.from_file(str(ROOT / "app.py"), default_timeout=10_000)
    test.query_params["indicator"] = indicator
    # Routed already, as a session is once it has been through app.py: AppTest then runs the page file
    # alone, cold and warm alike (as scripts/bench_pages.py times it; the sidebar of app.py is not in it).
    test.session_state[auth.ROUTED_KEY] = True
    test.switch_page(page)
    for number in range(runs + 1):
        started = time.perf_counter()
        test.run()
        seconds = time.perf_counter() - started
        if test.exception:
            print(json.dumps({"error": str(test.exception[0].value)}, ensure_ascii=False), flush=True)
            return
        print(json.dumps({"cold" if number == 0 else "warm": seconds}), flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(share * len(ordered)) - 1)]


def _peak_rss_kib(pid: int, command: list[str], done: threading.Event, peak: list[int]) -> None:
    """Poll the process's VmHWM (its own high-water mark, which starts afresh at exec) until it ends.
    Not ru_maxrss: Linux keeps that across exec, so a child's figure was at least what this process
    held when it forked (2.9 GiB after generating a warehouse)."""
    launched = "\0".join(command).encode()
    while not done.is_set():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                execed = cmdline.read().rstrip(b"\0") == launched
            if execed:
                with open(f"/proc/{pid}/status", encoding="utf-8") as status:
                    for line in status:
                        if line.startswith("VmHWM:"):
                            peak[0] = max(peak[0], int(line.split()[1]))
        except (OSError, ValueError):
            pass
        done.wait(0.02)


def run_measured(command: list[str], env: dict, timeout: float | None, memory_gib: float) -> dict:
    """A command in a fresh process, its address space capped at memory_gib (the machine is shared),
    killed after timeout seconds: its output, exit status, wall time and peak RSS (VmHWM, polled)."""
    def cap() -> None:
        limit = int(memory_gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    with tempfile.TemporaryFile("w+", encoding="utf-8") as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output, preexec_fn=cap)
        killer = threading.Timer(timeout, process.kill) if timeout else None
        if killer:
            killer.start()
        done, peak = threading.Event(), [0]
        watcher = threading.Thread(target=_peak_rss_kib, args=(process.pid, command, done, peak), daemon=True)
        watcher.start()
        _, status, _ = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        watcher.join()
        if killer:
            killer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read()
    return {"output": text, "exit": process.returncode, "seconds": seconds, "peak_rss_mib": peak[0] / 1024,
            "timed_out": bool(timeout) and seconds >= timeout}


def time_page(db: Path, page: str, args, indicator: str) -> dict:
    env = {**os.environ, "METRICS_DB": str(db), "METRICS_VIEW_LOGIN": "open",
           "METRICS_ACCOUNTS": str(db.with_name("bench-accounts.duckdb"))}
    command = [sys.executable, "-m", "scripts.bench_scale", "--page", page, "--runs", str(args.runs),
               "--indicator", indicator]
    run = run_measured(command, env, args.timeout, args.memory_gib)
    lines = [json.loads(line) for line in run["output"].splitlines() if line.startswith("{")]
    result = {"timeout_s": args.timeout, "timed_out": run["timed_out"], "peak_rss_mib": run["peak_rss_mib"]}
    for line in lines:
        if "error" in line:
            result["error"] = line["error"]
        if "cold" in line:
            result["cold_s"] = line["cold"]
    if "error" in result or (run["exit"] and not run["timed_out"]):
        # The page's message is redacted (showErrorDetails = "none"); its log on stderr is not.
        logged = [line for line in run["output"].splitlines() if line.strip() and not line.startswith("{")]
        memory = any(sign in run["output"] for sign in ("MemoryError", "Out of Memory", "bad_alloc"))
        result["error"] = f"内存超限 >{args.memory_gib:g} GiB" if memory else (logged or ["?"])[-1][-200:]
    warm = [line["warm"] * 1000 for line in lines if "warm" in line]
    if warm:
        result |= {"warm_runs": len(warm), "warm_p50_ms": statistics.median(warm),
                   "warm_p95_ms": percentile(warm, 0.95)}
    return result


# ---- the same answers by hand-written SQL and by pandas -----------------------------------------

QUARTER_INDEX_SQL = "year(p.end_date) * 4 + quarter(p.end_date) - 1"
QUARTERS_CTE = (f"with quarters as (select p.period_id, p.end_date, {QUARTER_INDEX_SQL} as quarter_index "
                "from periods as p)")
RAW_SQL = {
    # Per indicator and region: the latest value up to the quarter, with the previous quarter's (环比).
    "pages/overview.py": f"""{QUARTERS_CTE},
        placed as (
            select o.indicator_id, o.region_id, o.value, q.quarter_index
            from observations as o join quarters as q using (period_id)
            where q.quarter_index <= $quarter_index
        ),
        latest as (
            select indicator_id, region_id, max(quarter_index) as quarter_index,
                   arg_max(value, quarter_index) as value
            from placed group by indicator_id, region_id
        )
        select latest.*, previous.value as previous_value
        from latest left join placed as previous
            on previous.indicator_id = latest.indicator_id and previous.region_id = latest.region_id
            and previous.quarter_index = latest.quarter_index - 1""",
    # One indicator in one quarter, everything the page shows of it, as region_comparison answers it: every
    # district (a 未报送 one with its latest earlier value) and every other region that holds a value, the
    # reporting districts ranked among themselves, each value with its labels, 环比 and 同比 (only between two
    # values that are not bounds) and its status against the most specific target. The indicator is a rate
    # (a level with a standing target): each quarter holds one value per region and no year-to-date milestone.
    "pages/districts.py": f"""{QUARTERS_CTE},
        labelled as (
            select q.*, p.label as period_label,
                   year(q.end_date) || '年第' || ['一', '二', '三', '四'][quarter(q.end_date)] || '季度'
                       as quarter_label
            from quarters as q join periods as p using (period_id)
        ),
        units as (
            select region_id, name as region_name, level as region_level, sort_order as region_order,
                   level in ('区', '功能区') as is_district
            from regions
        ),
        facts as materialized (
            select o.region_id, o.value, o.qualifier, o.source, o.evidence, o.load_id, o.period_id, l.period_label,
                   l.end_date, l.quarter_index, l.quarter_label, u.is_district
            from observations as o join labelled as l using (period_id) join units as u using (region_id)
            where o.indicator_id = $indicator_id
              and (l.quarter_index in ($quarter_index, $quarter_index - 1, $quarter_index - 4)
                   or (u.is_district and l.quarter_index < $quarter_index))
        ),
        target as (
            select region_id, value as target_value, comparator as target_comparator
            from targets
            where indicator_id = $indicator_id and period_id is null
              and (year is null or year = $quarter_index // 4)
            qualify row_number() over (partition by region_id order by year is null) = 1
        ),
        current as (
            select f.*, coalesce(own.target_value, every.target_value) as target_value,
                   coalesce(own.target_comparator, every.target_comparator) as target_comparator
            from facts as f
            left join target as own on own.region_id = f.region_id
            left join target as every on every.region_id is null
            where f.quarter_index = $quarter_index
        ),
        earlier as (
            select region_id, value as earlier_value, qualifier as earlier_qualifier,
                   quarter_label as earlier_quarter_label, period_label as earlier_period_label
            from facts
            where is_district and quarter_index < $quarter_index and region_id not in (select region_id from current)
            qualify row_number() over (partition by region_id order by quarter_index desc) = 1
        ),
        shown as (
            select u.*, c.value, c.qualifier, c.source, c.evidence, c.load_id, c.period_id, c.period_label, c.end_date,
                   c.quarter_label, c.target_value, c.target_comparator,
                   case when c.period_id is not null
                       then target_status(c.value, c.qualifier, c.target_value, c.target_comparator) end as status
            from units as u left join current as c using (region_id)
            where u.is_district or c.value is not null
        )
        select i.indicator_id, i.name as indicator_name, i.unit, i.kind, i.better, s.*,
               previous.value as previous_value, previous.quarter_label as previous_quarter_label,
               case when s.qualifier in ('exact', 'approx') and previous.qualifier in ('exact', 'approx')
                    then round(s.value - previous.value, 6) end as change_vs_previous,
               year_ago.value as year_ago_value, year_ago.quarter_label as year_ago_quarter_label,
               case when s.qualifier in ('exact', 'approx') and year_ago.qualifier in ('exact', 'approx')
                    then round(s.value - year_ago.value, 6) end as change_vs_year_ago,
               case when s.is_district and s.value is not null and i.better <> 'none' then
                   rank() over (partition by s.is_district and s.value is not null
                                order by case when i.better = 'lower' then s.value else -s.value end) end
                   as region_rank,
               region_rank as region_rank_worst,  -- exact values only: every place is decided
               e.earlier_value, e.earlier_qualifier, e.earlier_quarter_label, e.earlier_period_label
        from shown as s
        cross join (select * from indicators where indicator_id = $indicator_id) as i
        left join facts as previous
            on previous.region_id = s.region_id and previous.quarter_index = $quarter_index - 1
            and s.period_id is not null
        left join facts as year_ago
            on year_ago.region_id = s.region_id and year_ago.quarter_index = $quarter_index - 4
            and s.period_id is not null
        left join earlier as e on e.region_id = s.region_id""",
    # One indicator's quarterly series for the preselected regions, with 环比.
    "pages/trends.py": f"""{QUARTERS_CTE}
        select o.region_id, q.quarter_index, o.value,
               o.value - lag(o.value) over (partition by o.region_id order by q.end_date) as change_vs_previous
        from observations as o join quarters as q using (period_id)
        where o.indicator_id = $indicator_id and o.region_id in (select unnest($regions))
        order by o.region_id, q.quarter_index""",
}


def observation_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every observation with its reporting quarter, ids as categoricals, read in batches."""
    categories = {column: con.execute(f"select {column} from {table} order by 1").df()[column].tolist()
                  for column, table in (("indicator_id", "indicators"), ("region_id", "regions"))}
    reader = con.sql(f"select o.indicator_id, o.region_id, o.value, o.qualifier, {QUARTER_INDEX_SQL} as quarter_index "
                     "from observations as o join periods as p using (period_id)").fetch_record_batch(1_000_000)
    parts = []
    for batch in reader:
        part = batch.to_pandas()
        for column, known in categories.items():
            part[column] = pd.Categorical(part[column], categories=known)
        part["qualifier"] = pd.Categorical(part["qualifier"], categories=list(QUALIFIER_LABEL))
        part["quarter_index"] = part["quarter_index"].astype("int32")
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


# What an analyst would do instead of the app: read the warehouse's Parquet files with pyarrow and compute the
# answer in pandas, every time (the read is timed). The files are those the catalog lists for the snapshot, each
# with its delete file (a DuckLake delete or a rolled-back load leaves the deleted rows in the data file).
OBSERVATION_COLUMNS = ["indicator_id", "region_id", "period_id", "value", "qualifier"]
CATEGORY_COLUMNS = ["indicator_id", "region_id", "qualifier"]


def lake_files(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str | None]]:
    """The Parquet data files of table in the connection's snapshot, each with its delete file (or None)."""
    listed = con.execute("select data_file, delete_file from ducklake_list_files(current_database(), ?)",
                         [table]).fetchall()
    return [(data_file, delete_file) for data_file, delete_file in listed]


def read_lake_table(files: list[tuple[str, str | None]], columns: list[str],
                    where: pc.Expression | None = None) -> pa.Table:
    """The live rows of a table's files that match where: a data file's deleted positions are dropped before
    where applies (a filter pushed down would lose the positions), where is pushed down into the other files."""
    dictionaries = [column for column in columns if column in CATEGORY_COLUMNS]
    parts = []
    for data_file, delete_file in files:
        if delete_file is None:
            parts.append(pq.read_table(data_file, columns=columns, filters=where, read_dictionary=dictionaries))
            continue
        rows = pq.read_table(data_file, columns=columns, read_dictionary=dictionaries)
        deleted = pq.read_table(delete_file, columns=["file_path", "pos"])
        positions = pc.filter(deleted["pos"], pc.equal(deleted["file_path"], data_file))
        rows = rows.filter(pc.invert(pc.is_in(pa.array(range(rows.num_rows), pa.int64()), value_set=positions)))
        parts.append(rows if where is None else rows.filter(where))
    return pa.concat_tables(parts, promote_options="permissive")


def parquet_frame(con: duckdb.DuckDBPyConnection, indicator_id: str | None = None) -> pd.DataFrame:
    """observation_frame's columns read from the warehouse's Parquet files (of one indicator, or every one)."""
    where = pc.field("indicator_id") == indicator_id if indicator_id else None
    observations = read_lake_table(lake_files(con, "observations"), OBSERVATION_COLUMNS, where).to_pandas()
    quarters = read_lake_table(lake_files(con, "periods"), ["period_id", "end_date"]).to_pandas()
    end = pd.to_datetime(quarters["end_date"])
    quarters = pd.Series((end.dt.year * 4 + end.dt.quarter - 1).astype("int32").to_numpy(),
                         index=quarters["period_id"].astype(str))
    periods_of = observations.pop("period_id").astype(str)
    return observations.assign(quarter_index=periods_of.map(quarters).to_numpy())


def pandas_parquet_answer(con: duckdb.DuckDBPyConnection, page: str, params: dict) -> pd.DataFrame:
    """RAW_SQL's answer for the page by pandas, reading the Parquet files it needs first (总览: every observation;
    区域对比 and 趋势: the indicator's, the filter pushed down into the files)."""
    indicator_id = None if page == "pages/overview.py" else params["indicator_id"]
    return pandas_answer(parquet_frame(con, indicator_id), page, params)


def pandas_answer(frame: pd.DataFrame, page: str, params: dict) -> pd.DataFrame:
    """RAW_SQL's answer for the page, computed by pandas on the frame of every observation."""
    keys = ["indicator_id", "region_id"]
    if page == "pages/overview.py":
        placed = frame[frame["quarter_index"] <= params["quarter_index"]]
        latest = placed.loc[placed.groupby(keys, observed=True)["quarter_index"].idxmax()]
        previous = placed.assign(quarter_index=placed["quarter_index"] + 1).rename(columns={"value": "previous_value"})
        return latest.merge(previous, how="left", on=[*keys, "quarter_index"])
    if page == "pages/districts.py":
        return _pandas_comparison(frame, params)
    rows = frame[(frame["indicator_id"] == params["indicator_id"]) & frame["region_id"].isin(params["regions"])]
    rows = rows.sort_values(["region_id", "quarter_index"])
    return rows.assign(change_vs_previous=rows.groupby("region_id", observed=True)["value"].diff())


def _pandas_comparison(frame: pd.DataFrame, params: dict) -> pd.DataFrame:
    """区域对比's values by pandas: the quarter's value of every region that holds one and of every district,
    环比 and 同比 (between two exact values), the districts' rank and a 未报送 district's latest earlier value."""
    quarter, districts = params["quarter_index"], params["districts"]
    of_indicator = frame[frame["indicator_id"] == params["indicator_id"]]

    def in_quarter(index: int, prefix: str = "") -> pd.DataFrame:
        rows = of_indicator[of_indicator["quarter_index"] == index][["region_id", "value", "qualifier"]]
        return rows.astype({"region_id": str}).add_prefix(prefix).rename(columns={f"{prefix}region_id": "region_id"})

    rows = in_quarter(quarter)
    for name, back in (("previous", 1), ("year_ago", 4)):
        rows = rows.merge(in_quarter(quarter - back, f"{name}_"), on="region_id", how="left")
        comparable = rows["qualifier"].isin(EXACT_QUALIFIERS) & rows[f"{name}_qualifier"].isin(EXACT_QUALIFIERS)
        rows[f"change_vs_{name}"] = (rows["value"] - rows[f"{name}_value"]).round(6).where(comparable)
    missing = sorted(set(districts) - set(rows["region_id"]))
    rows = pd.concat([rows, pd.DataFrame({"region_id": missing, "value": float("nan")})], ignore_index=True)
    history = of_indicator[of_indicator["region_id"].isin(missing) & (of_indicator["quarter_index"] < quarter)]
    earlier = history.loc[history.groupby("region_id", observed=True)["quarter_index"].idxmax()]
    rows = rows.merge(earlier[["region_id", "value"]].astype({"region_id": str})
                      .rename(columns={"value": "earlier_value"}), on="region_id", how="left")
    return rows.assign(region_rank=rows["value"].where(rows["region_id"].isin(districts))
                       .rank(ascending=False, method="min"))


# The app's own query function for the same answer, as the page calls it through ui.common.data (here
# directly on a reader connection, without Streamlit's cache): 总览's table of every indicator and region
# (facts.as_of; its cards, facts.headline, are a subset of those rows), 区域对比's comparison and 趋势's
# quarterly table (facts.quarter_series) for the regions the page preselects.
APP_QUERIES = {
    "pages/overview.py": lambda con, params: facts.as_of(con, params["quarter_index"]),
    "pages/districts.py": lambda con, params: facts.region_comparison(con, params["indicator_id"],
                                                                      params["quarter_index"]),
    "pages/trends.py": lambda con, params: facts.quarter_series(con, params["indicator_id"],
                                                                tuple(params["regions"]), params["quarter_index"]),
}


def median_seconds(function) -> tuple[float, int]:
    """Median of EXTRA_RUNS timed calls after one untimed; with the answer's row count."""
    rows = len(function())
    timings = []
    for _ in range(EXTRA_RUNS):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), rows


def answer_params(con: duckdb.DuckDBPyConnection, shape: Shape) -> dict:
    """What the pages show by default: the last quarter, the first indicator (given to 区域对比 and 趋势
    as ?indicator=), and the regions 趋势 preselects (the first in sort order)."""
    regions = con.execute("select region_id from regions where region_id like 'bench_%' order by sort_order "
                          "limit ?", [TREND_REGIONS]).df()["region_id"].tolist()
    districts = con.execute("select region_id from regions where level in ('区', '功能区')").df()["region_id"]
    return {"quarter_index": shape.first_quarter_index + shape.quarters - 1, "indicator_id": shape.indicator_id(0),
            "regions": regions, "districts": districts.tolist()}


def answers(db: Path, shape: Shape, pages: list[str]) -> dict:
    con = open_reader(db)
    try:
        params = answer_params(con, shape)
        results = {}
        for page, sql in RAW_SQL.items():
            if page not in pages:
                continue
            used = {name: value for name, value in params.items() if f"${name}" in sql}
            seconds, rows = median_seconds(lambda sql=sql, used=used: con.execute(sql, used).df())
            results[page] = {"raw_ms": seconds * 1000, "raw_rows": rows}
            app = APP_QUERIES[page]
            seconds, rows = median_seconds(lambda app=app: app(con, params))
            results[page] |= {"app_ms": seconds * 1000, "app_rows": rows}
        frame = observation_frame(con)
        for page in results:
            seconds, rows = median_seconds(lambda page=page, frame=frame: pandas_answer(frame, page, params))
            results[page] |= {"pandas_ms": seconds * 1000, "pandas_rows": rows}
            seconds, rows = median_seconds(lambda page=page: pandas_parquet_answer(con, page, params))
            results[page] |= {"parquet_ms": seconds * 1000, "parquet_rows": rows}
        return results
    finally:
        con.close()


# ---- loads ---------------------------------------------------------------------------------------

CAP_RAISED_MB = 1024  # METRICS_MAX_UPLOAD_MB for a retry of a file the default cap refuses


def time_load(db: Path, csv_path: Path, memory_gib: float, max_upload_mb: int | None = None) -> dict:
    """`python -m metrics load` in a fresh process: wall time, peak RSS and its last message."""
    env = dict(os.environ)
    if max_upload_mb:
        env["METRICS_MAX_UPLOAD_MB"] = str(max_upload_mb)
    command = [sys.executable, "-m", "metrics", "load", str(csv_path), "--db", str(db), "--user", "bench"]
    run = run_measured(command, env, None, memory_gib)
    lines = run["output"].strip().splitlines()
    result = {"file_mib": csv_path.stat().st_size / 2**20, "seconds": run["seconds"], "exit": run["exit"],
              "peak_rss_mib": run["peak_rss_mib"], "message": lines[-1] if lines else ""}
    if max_upload_mb:
        result["max_upload_mb"] = max_upload_mb
    if run["exit"] and "MiB，超过上限" in result["message"]:  # uploads' size cap, not DuckDB's memory limit
        result["refused"] = "size cap"
    return result


def time_loads(db: Path, shape: Shape, args, counts: list[int], folder: Path) -> list[dict]:
    """Each load into the warehouse, each file the grid's rows after the last one's (new quarters); a file
    the default upload cap refuses is tried again with the cap raised. The loads are rolled back after,
    so that a kept warehouse (--keep) stays the size it was generated at."""
    results, start, applied = [], 0, []
    for count in counts:
        csv_path = folder / f"load-{count}.csv"
        write_load_file(csv_path, shape, args.seed, start, count)
        tries = [time_load(db, csv_path, args.memory_gib)]
        if tries[0].get("refused"):
            tries.append(time_load(db, csv_path, args.memory_gib, CAP_RAISED_MB))
        for result in tries:
            took = result.get("refused") or f"{result['seconds']:.2f} s"
            print(f"  load {count:,} rows ({result['file_mib']:.1f} MiB): {took}, "
                  f"peak RSS {result['peak_rss_mib']:.0f} MiB — {result['message']}", flush=True)
            results.append({"rows": count, **result})
            if not result["exit"]:
                applied.append(int(load_history(db)["load_id"].max()))
        start += count
        csv_path.unlink()
    for load_id in reversed(applied):
        loads.rollback(db, load_id, "bench")
    return results


def load_history(db: Path) -> pd.DataFrame:
    con = open_reader(db)
    try:
        return queries.run(con, "load_history")
    finally:
        con.close()


# ---- report --------------------------------------------------------------------------------------

def machine() -> dict:
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        model = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "?")
    with open("/proc/meminfo", encoding="utf-8") as info:
        ram_kib = int(next(line.split()[1] for line in info if line.startswith("MemTotal")))
    return {"nproc": os.cpu_count(), "ram_gib": round(ram_kib / 2**20, 1), "cpu": model,
            "python": platform.python_version(), "duckdb": duckdb.__version__, "streamlit": streamlit.__version__,
            "pandas": pd.__version__, "load_average": round(os.getloadavg()[0], 1),
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def _ratio(a: float | None, b: float | None) -> str:
    if not (a and b):
        return "—"
    return f"{a / b:.1f}×" if a / b >= 1 else f"{a / b:.2g}×"


def page_cells(page: dict) -> list[str]:
    if "cold_s" not in page:
        cold = f"超时 >{page['timeout_s']:.0f} s" if page["timed_out"] else f"错误：{page.get('error', '?')}"
        return [cold, "—", "—", f"{page['peak_rss_mib']:.0f} MiB"]
    warm = [_ms(page.get("warm_p50_ms")), _ms(page.get("warm_p95_ms"))]
    if page["timed_out"]:
        warm = [f"{cell} (n={page.get('warm_runs', 0)}, 超时)" for cell in warm]
    return [_ms(page["cold_s"] * 1000), *warm, f"{page['peak_rss_mib']:.0f} MiB"]


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [
        "# 规模基准 · scripts/bench_scale.py",
        "",
        f"{m['date']}；{m['nproc']} 核 {m['cpu']}，内存 {m['ram_gib']} GiB，开始时负载 {m['load_average']}；"
        f"Python {m['python']}，DuckDB {m['duckdb']}，Streamlit {m['streamlit']}，pandas {m['pandas']}；"
        f"git {report['commit']}；seed {report['seed']}，"
        f"warm 重跑 {report['runs']} 次，每页上限 {report['timeout']:.0f} s。",
        "",
        "cold：页面在新打开的仓库版本上的第一次运行(新进程，模块已导入；同 scripts/bench_pages.py，只运行页面文件，"
        "不含 app.py 侧栏)；warm：同一会话重跑的 p50/p95；峰值 RSS：该页面进程的 VmHWM(每 20 ms 读一次；地址空间上限 "
        f"{report['memory_gib']:g} GiB)。app 查询、原生 SQL 与 pandas：同一答案(总览：每个指标×地区截至本期的最新值"
        "及上一季度值，app 为 facts.as_of；区域对比：一个指标一个季度页面所示的全部内容——各区及有值地区的数值、标签、"
        "目标与达标状态、环比、同比、各区排名、未报送区的最近一期数值(pandas 算其中的数值各列)，app 为 "
        "facts.region_comparison；趋势：一个指标前 8 个地区的季度序列及环比，app 为 facts.quarter_series)"
        f"{EXTRA_RUNS} 次的中位数(先跑一次不计时)；app 查询在读连接(open_reader)上直接调用，不经 Streamlit 缓存；"
        "pandas 的数据已在内存，载入不计时；pandas(读 Parquet)：分析人员不用看板时的做法，每次用 pyarrow "
        "读仓库在该快照的 Parquet 文件(目录列出的数据文件，删除文件所删的行除去；区域对比、趋势只读该指标的行，"
        "条件下推到文件)再由 pandas 算同一答案，读取计时。app查询/SQL = app 查询 ÷ 原生 SQL(目标 ≤ 1.5×)；"
        "pandas/app查询 = pandas ÷ app 查询；pandas(读 Parquet)/app查询 = 读 Parquet 的 pandas ÷ app 查询"
        "(目标 ≥ 10×)；cold/SQL = 页面 cold ÷ 原生 SQL；"
        "warm/SQL = 页面 warm p50 ÷ 原生 SQL。",
        "",
        "| 页面 | 规模 | cold | warm p50 | warm p95 | 峰值 RSS | app 查询 | 原生 SQL | pandas | pandas(读 Parquet) "
        "| app查询/SQL | pandas/app查询 | pandas(读 Parquet)/app查询 | cold/SQL | warm/SQL |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for size in report["sizes"]:
        for page, result in size["pages"].items():
            answer = size["answers"].get(page, {})
            cold_ms = result["cold_s"] * 1000 if "cold_s" in result else None
            warm = result.get("warm_p50_ms")
            lines.append("| " + " | ".join([
                PAGE_NAMES[page], size["label"], *page_cells(result), _ms(answer.get("app_ms")),
                _ms(answer.get("raw_ms")), _ms(answer.get("pandas_ms")), _ms(answer.get("parquet_ms")),
                _ratio(answer.get("app_ms"), answer.get("raw_ms")),
                _ratio(answer.get("pandas_ms"), answer.get("app_ms")),
                _ratio(answer.get("parquet_ms"), answer.get("app_ms")),
                _ratio(cold_ms, answer.get("raw_ms")), _ratio(warm, answer.get("raw_ms"))]) + " |")
    lines += ["", "| 载入(python -m metrics load) | 仓库规模 | 文件 | 耗时 | 峰值 RSS | 结果 |",
              "|---|---|---|---|---|---|"]
    for size in report["sizes"]:
        for load in size["loads"]:
            what = f"{load['rows']:,} 行" + (f"(METRICS_MAX_UPLOAD_MB={load['max_upload_mb']})"
                                            if "max_upload_mb" in load else "")
            took = "refused: size cap" if load.get("refused") else f"{load['seconds']:.2f} s"
            lines.append(f"| {what} | {size['label']} | {load['file_mib']:.1f} MiB | {took} | "
                         f"{load['peak_rss_mib']:.0f} MiB | {load['message'].replace('|', '/')} |")
    lines += ["", "| 规模 | 观测值 | 地区(市/县/乡镇) | 生成 | 文件 | 测完时负载(1/5/15 分钟) |",
              "|---|---|---|---|---|---|"]
    for size in report["sizes"]:
        lines.append(f"| {size['label']} | {size['rows']:,} | {size['regions']} (1/{size['districts']}/"
                     f"{size['regions'] - 1 - size['districts']}) | {size['generate']} | {size['file_gib']:.2f} GiB | "
                     f"{' / '.join(map(str, size['load_average']))} |")
    return "\n".join(lines) + "\n"


def git_commit() -> str:
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return found.stdout.strip() or "?"


def run_size(label: str, size: int, args, folder: Path, load_counts: list[int]) -> dict:
    shape = Shape.of_size(size)
    print(f"{label}: {shape.indicators} indicators × {shape.quarters} quarters × {shape.regions} regions "
          f"= {shape.rows:,} observations", flush=True)
    db, generated = warehouse_for(size, shape, args.seed, folder)
    pages = {}
    for page in args.page_files:
        pages[page] = time_page(db, page, args, shape.indicator_id(0))
        print(f"  {PAGE_NAMES[page]}: cold / warm p50 / p95 / peak RSS = {' / '.join(page_cells(pages[page]))}",
              flush=True)
    found = {} if args.no_answers else answers(db, shape, args.page_files)
    for page, answer in found.items():
        print(f"  {PAGE_NAMES[page]}: app query {_ms(answer['app_ms'])} ({answer['app_rows']} rows), "
              f"raw SQL {_ms(answer['raw_ms'])} ({answer['raw_rows']} rows), "
              f"pandas {_ms(answer['pandas_ms'])} ({answer['pandas_rows']} rows), "
              f"pandas from Parquet {_ms(answer['parquet_ms'])} ({answer['parquet_rows']} rows)", flush=True)
    with tempfile.TemporaryDirectory(dir=folder) as load_folder:
        load_results = time_loads(db, shape, args, load_counts, Path(load_folder))
    return {"label": label, "rows": shape.rows, "regions": shape.regions, "districts": shape.districts,
            "generate": generated, "file_gib": disk_bytes(db) / 2**30, "pages": pages,
            "answers": found, "loads": load_results, "load_average": [round(x, 1) for x in os.getloadavg()]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e6,1e7", help="comma-separated: 1e6, 1e7")
    parser.add_argument("--with-1e8", action="store_true", help="also 10^8 observations (hours, tens of GiB)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=300, help="seconds per page (cold and warm runs)")
    parser.add_argument("--out", default=str(ROOT / "bench-results" / "scale.md"))
    parser.add_argument("--memory-gib", type=float, default=8,
                        help="address-space cap of each page run and load (the machine is shared)")
    parser.add_argument("--keep", help="keep the generated warehouses here and reuse them")
    parser.add_argument("--pages", help="comma-separated page names or files (default: every page), "
                                        "e.g. 总览,区域对比,趋势")
    parser.add_argument("--no-answers", action="store_true", help="skip the app query, raw SQL and pandas timings")
    parser.add_argument("--load-rows", default=",".join(map(str, LOAD_ROWS)),
                        help="comma-separated loads to time: the first into every size, the rest into the 10^7 "
                             "warehouse (else the largest); e.g. 10 for the 10-row load alone")
    parser.add_argument("--page", help=argparse.SUPPRESS)
    parser.add_argument("--indicator", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.page:
        page_child(args.page, args.runs, args.indicator)
        return
    by_name = {name: page for page, name in PAGE_NAMES.items()}
    chosen = [name.strip() for name in (args.pages or "").split(",") if name.strip()]
    args.page_files = [by_name.get(name, name) for name in chosen] or list(PAGES)
    if any(page not in PAGES for page in args.page_files):
        parser.error(f"unknown pages in {args.pages!r}: choose from {', '.join(PAGE_NAMES.values())}")
    load_rows = [int(float(count)) for count in args.load_rows.split(",") if count.strip()]
    labels = [label.strip() for label in args.sizes.split(",") if label.strip()]
    if args.with_1e8 and "1e8" not in labels:
        labels.append("1e8")
    unknown = [label for label in labels if label not in SIZES]
    if unknown:
        parser.error(f"unknown sizes {unknown}: choose from {', '.join(SIZES)}")
    # The product's modules byte-compiled, as an install leaves them: a process that may not write them
    # (PYTHONDONTWRITEBYTECODE, set on some machines) would otherwise compile them again in every timed run.
    for package in ("metrics", "ui"):
        compileall.compile_dir(ROOT / package, quiet=1)
    report = {"machine": machine(), "commit": git_commit(), "seed": args.seed, "runs": args.runs,
              "timeout": args.timeout, "memory_gib": args.memory_gib, "sizes": []}
    print(json.dumps(report["machine"], ensure_ascii=False), flush=True)
    # The 1M-row load goes into the 10^7 warehouse when there is one, else into the largest.
    big = "1e7" if "1e7" in labels else max(labels, key=SIZES.get)
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for label in sorted(labels, key=SIZES.get):
            counts = load_rows if label == big else load_rows[:1]
            report["sizes"].append(run_size(label, SIZES[label], args, folder, counts))
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(markdown(report), encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(markdown(report))


if __name__ == "__main__":
    main()
