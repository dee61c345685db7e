"""The layers make test-fast leaves out: a test on PostgreSQL is slow however it reaches the server."""

import subprocess
import sys

from support import ROOT


def collected(*args: str) -> list[str]:
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_test_fast_leaves_out_the_accounts_tests_on_postgresql_and_keeps_those_on_the_file():
    """test_auth's store fixture asks for PostgreSQL as its "postgres" parameter, not by name."""
    fast = collected("-m", "not slow", "tests/test_auth.py")
    assert [test for test in fast if "[postgres" in test] == []
    assert len([test for test in fast if "[file" in test]) == 38
