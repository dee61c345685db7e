"""A large CLI load killed (SIGKILL) at 14 points across its run: the warehouse never shows half a
load, history and the audit trail agree once `ensure` has reconciled them, and after a final good
load every load can still be rolled back, back to the seed."""

import signal
import subprocess
import sys
import time
from pathlib import Path

from support import export_text

from metrics import accounts
from metrics.paths import ROOT
from metrics.store import queries
from metrics.store.warehouse import open_reader, version_id

KILLS = 14
# Enough rows for a load of a few seconds on a shared 2-core machine, so that the kills land in
# every phase (start-up, reading, validation, writing, checking, commit, audit).
ROWS = 50_000
REGIONS = ("鄂州市", "市本级", "鄂城区", "华容区", "梁子湖区", "葛店经开区", "临空经济区", "全市乡镇(街道)",
           "市数据局(本局)")
AUDITED = {"载入数据": "observations", "撤销载入": "rollback"}


def big_file(db: Path, path: Path) -> Path:
    """Count indicators outside any derivation × every region × generated months, value 1."""
    con = open_reader(db)
    try:
        indicators = [row[0] for row in con.execute(
            "select name from indicators where kind = 'count' and indicator_id not in "
            "(select indicator_id from derivations union select operand_id from derivations) order by name"
        ).fetchall()]
    finally:
        con.close()
    months = -(-ROWS // (len(indicators) * len(REGIONS)))
    periods = [f"{1900 + m // 12}-{m % 12 + 1:02d}" for m in range(months)]
    rows = (f"{indicator},{region},{period},1,故障测试" for indicator in indicators for region in REGIONS
            for period in periods)
    with path.open("w", encoding="utf-8") as handle:
        handle.write("指标名称,地区,期间,数值,来源\n")
        handle.writelines(f"{row}\n" for _, row in zip(range(ROWS), rows, strict=False))
    return path


def command(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "metrics", *args, "--db", str(db)]


def run(db: Path, *args: str) -> None:
    done = subprocess.run(command(db, *args), cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def history(db: Path):
    con = open_reader(db)
    try:
        return queries.run(con, "load_history")
    finally:
        con.close()


def assert_history_and_audit_agree(db: Path) -> None:
    """Each applied load is audited once as loaded, each undone one once as undone, nothing else."""
    loads = history(db)
    trail = accounts.audit_trail(accounts.accounts_path(db))
    trail = trail[trail["action"].isin(AUDITED)]
    audited = sorted((AUDITED[action], int(target.split("#")[1].split()[0]))
                     for action, target in zip(trail["action"], trail["target"], strict=True))
    undone = loads[loads["status"] == "rolled_back"]["load_id"]
    expected = sorted([("observations", int(i)) for i in loads[loads["kind"] == "observations"]["load_id"]]
                      + [("rollback", int(i)) for i in undone])
    assert audited == expected


def test_kills_across_a_large_load_never_show_half_a_load(fresh_db, tmp_path, monkeypatch):
    monkeypatch.delenv("METRICS_ACCOUNTS", raising=False)
    seed_export = export_text(fresh_db)
    small = tmp_path / "small.csv"
    small.write_text("指标名称,地区,期间,数值,来源\n一窗通办事项数,华容区,2024Q1,120,季报\n", encoding="utf-8")
    run(fresh_db, "load", str(small))
    before = export_text(fresh_db)
    upload = big_file(fresh_db, tmp_path / "big.csv")

    # Measure the whole load once, to spread the kills over it, and undo it.
    timer = time.monotonic()
    run(fresh_db, "load", str(upload))
    load_seconds = time.monotonic() - timer
    rehearsed = history(fresh_db)["load_id"].max()
    after = export_text(fresh_db)
    run(fresh_db, "rollback", str(rehearsed))
    assert export_text(fresh_db) == before

    committed_before_the_kill = 0
    for kill in range(KILLS):
        version = version_id(fresh_db)
        process = subprocess.Popen(command(fresh_db, "load", str(upload)), cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(load_seconds * (kill + 0.5) / KILLS)
        process.send_signal(signal.SIGKILL)
        process.wait()
        run(fresh_db, "ensure")  # as every `make run` does: reconcile the audit
        assert_history_and_audit_agree(fresh_db)
        exported = export_text(fresh_db)
        if exported != before:  # killed after the commit: the whole load is there, and is undone
            assert version_id(fresh_db) != version
            assert exported == after.replace(f",{rehearsed}\n", f",{history(fresh_db)['load_id'].max()}\n")
            committed_before_the_kill += 1
            run(fresh_db, "rollback", str(history(fresh_db)["load_id"].max()))
            assert export_text(fresh_db) == before
    print(f"load {load_seconds:.2f} s; {committed_before_the_kill} of {KILLS} kills came after the commit")

    run(fresh_db, "load", str(upload))
    final = history(fresh_db).iloc[-1]
    assert (final["kind"], final["rows_inserted"]) == ("observations", ROWS)
    run(fresh_db, "rollback", str(final["load_id"]))
    assert export_text(fresh_db) == before
    run(fresh_db, "rollback", "2")
    assert export_text(fresh_db) == seed_export
    assert_history_and_audit_agree(fresh_db)
