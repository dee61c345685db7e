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


def test_test_fast_leaves_out_what_starts_kaleido_or_a_mail_server_and_the_property_test():
    files = ("tests/test_briefing.py", "tests/test_notify.py", "tests/test_claims_property.py")
    fast, full = collected("-m", "not slow", *files), collected(*files)
    left_out = sorted(set(full) - set(fast))
    assert [test for test in left_out if "test_claims_property.py" in test] == [
        "tests/test_claims_property.py::test_every_surface_says_the_same_of_a_key"]
    assert "tests/test_briefing.py::test_cli_writes_the_brief" in left_out
    assert "tests/test_briefing.py::test_captions_are_plain_text" in left_out  # uses the module's kaleido briefs
    assert "tests/test_notify.py::test_an_answer_reaches_the_inbox_the_robot_and_the_mailbox_once" in left_out
    assert "tests/test_briefing.py::test_note_marks_are_ranges_not_runs" in fast
    assert "tests/test_notify.py::test_subscriptions_are_checked" in fast
