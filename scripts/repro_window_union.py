"""Issue #29 item 3: DuckDB's "INTERNAL Error: Attempted to access index 0 within vector of size 0".

    python scripts/repro_window_union.py [--towns 40] [--months 2400] [--rates 7] [--calls 600] [--seed 1]
    python scripts/repro_window_union.py --duckdb-only [--seconds 60]

The shape: an unpartitioned window aggregate (count(*) over ()) over a UNION ALL one of whose branches is
empty while the other's filtered scan runs on more than one thread. It fails at random, a few times in a
thousand, and the internal error invalidates the whole database instance: every later statement on any
of its connections fails ("database has been invalidated"). DuckDB 1.4.4 and 1.4.5 both fail (1.4.5's
extensions are not published, so it could not be pinned anyway). sql/queries/period_facts.sql had it
(facts_as_of's union when no key has a newer quarter, filtered to one township); it now counts from a
materialized CTE, and metrics.store.warehouse reopens an invalidated instance.

Without --duckdb-only: a warehouse of towns × months × rates monthly observations (40 × 2400 × 7 ≈ 670k,
as in the issue), then facts.as_of_with_table over random (quarter, township) pairs, as 总览 asks; prints
the call that failed, or that none did. --duckdb-only: the same shape on a plain in-memory DuckDB, until
it fails or --seconds pass (tests/test_window_union.py runs both, small).
"""

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from metrics import facts
from metrics.store import build as building
from metrics.store import queries, stored_facts
from metrics.store.warehouse import new_version, open_reader

# The shape, on a table of 'rate' i × 'town' r × quarter q laid down quarter by quarter.
REDUCTION_ROWS = """select 'rate' || i as indicator_id, 'town' || r as region_id, 7600 + q as quarter_index
from range(7) a(i), range(40) b(r), range(800) c(q) order by q, i, r"""
REDUCTION_QUERY = """select indicator_id, count(*) over () from (
    select indicator_id from facts where region_id = 'nowhere'
    union all
    select indicator_id from facts where quarter_index <= 7641 and region_id = 'town1')"""
REDUCTION_THREADS = 8  # more threads than cores make the race come sooner (2 cores: within ~5 s)


def first_failure(con: duckdb.DuckDBPyConnection, query: str, seconds: float) -> tuple[int, str] | None:
    """Run query until it fails or seconds pass: the run that failed and its error's first line."""
    deadline, run = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        run += 1
        try:
            con.execute(query).fetchall()
        except duckdb.Error as error:
            return run, str(error).splitlines()[0]
    return None


def invalidate(con: duckdb.DuckDBPyConnection, seconds: float) -> tuple[int, str] | None:
    """Run the shape on con's database (a temporary table of its own) until it fails, which invalidates the
    database, or seconds pass."""
    con.execute(f"set threads = {REDUCTION_THREADS}")
    con.execute(f"create temp table facts as {REDUCTION_ROWS}")
    return first_failure(con, REDUCTION_QUERY, seconds)


def reduction(seconds: float) -> tuple[int, str] | None:
    """The shape on a plain in-memory DuckDB (no DuckLake, no product code)."""
    con = duckdb.connect()
    try:
        return invalidate(con, seconds)
    finally:
        con.close()


def generate(db: Path, towns: int, months: int, rates: int) -> None:
    """The seed warehouse, then towns townships under 鄂城区, rates rate indicators and a value for every
    month from 1900-01 on, in one change."""
    building.build(db)
    rows = towns * months * rates
    with new_version(db, from_current=True) as con:
        load_id = int(queries.run_in_transaction(con, "load_next_id").iloc[0]["load_id"])
        con.execute("insert into loads values (?, 'seed', 'repro_window_union', '-', ?, ?, 0, 'repro', ?, "
                    "'applied', '复现测试')", [load_id, rows, rows, dt.datetime(2026, 1, 1)])
        con.execute("""insert into regions by name
            select 'town' || r as region_id, '测试镇' || r as name, '乡镇街道' as level, 'echeng' as parent_id,
                   200 + r as sort_order
            from range(?) t(r)""", [towns])
        con.execute("""insert into periods by name
            select strftime(make_date(1900 + m // 12, m % 12 + 1, 1), '%Y-%m') as period_id, 'month' as grain,
                   make_date(1900 + m // 12, m % 12 + 1, 1) as start_date,
                   last_day(make_date(1900 + m // 12, m % 12 + 1, 1)) as end_date,
                   (1900 + m // 12) || '年' || (m % 12 + 1) || '月' as label
            from range(?) t(m)
            where strftime(make_date(1900 + m // 12, m % 12 + 1, 1), '%Y-%m') not in (select period_id from periods)""",
                    [months])
        con.execute("""insert into indicators by name
            select 'rate' || i as indicator_id, '测试比率' || i as name, '%' as unit, 'rate' as kind,
                   'level' as temporal, 'higher' as better, '一窗通办' as category, '测试' as definition,
                   '测试' as owner
            from range(?) t(i)""", [rates])
        con.execute("""insert into observations
            select 'rate' || i, 'town' || r, strftime(make_date(1900 + m // 12, m % 12 + 1, 1), '%Y-%m'),
                   round(50 + ((i * 7919 + r * 104729 + m * 1299709) % 5000) / 100.0, 2), 'exact', '复现', null, ?
            from range(?) a(i), range(?) b(r), range(?) c(m)""", [load_id, rates, towns, months])
        stored_facts.refresh_all(con)


def overview_calls(db: Path, towns: int, months: int, calls: int, seed: int) -> tuple[int, str] | None:
    """facts.as_of_with_table for random (quarter, township) pairs within the months, as 总览 asks for them:
    the call that failed and its error's first line, or None."""
    rng = random.Random(seed)
    first_quarter = 1900 * 4
    con = open_reader(db)
    try:
        for call in range(1, calls + 1):
            quarter_index = rng.randrange(first_quarter, first_quarter + months // 3)
            try:
                facts.as_of_with_table(con, quarter_index, None, f"town{rng.randrange(towns)}", 1000)
            except duckdb.Error as error:
                return call, str(error).splitlines()[0]
        return None
    finally:
        con.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duckdb-only", action="store_true")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--towns", type=int, default=40)
    parser.add_argument("--months", type=int, default=2400)
    parser.add_argument("--rates", type=int, default=7)
    parser.add_argument("--calls", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"duckdb {duckdb.__version__}")
    if args.duckdb_only:
        failure = reduction(args.seconds)
    else:
        with tempfile.TemporaryDirectory() as folder:
            db = Path(folder) / "warehouse.duckdb"
            generate(db, args.towns, args.months, args.rates)
            failure = overview_calls(db, args.towns, args.months, args.calls, args.seed)
    print(f"run {failure[0]} failed: {failure[1]}" if failure else "no failure")
    return 1 if failure else 0


if __name__ == "__main__":
    sys.exit(main())
