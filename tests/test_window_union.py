"""Issue #29 item 3: DuckDB fails at random on an unpartitioned window aggregate over a UNION ALL with an
empty branch, and the internal error invalidates the database (scripts/repro_window_union.py). Both runs
are subprocesses: the same race sometimes ends in a segmentation fault."""

import subprocess
import sys

from support import ROOT

SCRIPT = str(ROOT / "scripts" / "repro_window_union.py")
INTERNAL_ERROR = "INTERNAL Error: Attempted to access index 0 within vector of size 0"


def repro(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, SCRIPT, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_duckdb_still_fails_on_the_reduced_shape():
    """The DuckDB this project pins has the bug: when an upgrade fixes it, this fails, and period_facts.sql
    and ingest_stored_rows.sql may count with a window again."""
    done = repro("--duckdb-only", "--seconds", "20")
    lines = done.stdout.splitlines()
    assert lines[0] == "duckdb 1.4.4"
    # A segmentation fault (-11) is the same race ending worse.
    assert done.returncode == -11 or (done.returncode, lines[1].split(" failed: ")[1]) == (1, INTERNAL_ERROR)


def test_overview_over_random_townships_never_meets_it():
    """总览's query for random (quarter, township) pairs on 40 townships × 480 months × 7 rates: on the
    window over the union it failed within the first hundred calls."""
    done = repro("--months", "480", "--calls", "120")
    assert (done.returncode, done.stdout.splitlines()) == (0, ["duckdb 1.4.4", "no failure"]), done.stderr
