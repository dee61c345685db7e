"""Every change journals itself in the version it publishes; the audit trail is copied from the
journal, once per change, even after a kill between publishing and auditing or with the accounts
store locked by another process."""

import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import export_text

from metrics import accounts, ingest
from metrics.cli import main
from metrics.store import journal

QUARTER = "指标名称,地区,期间,数值,来源\n一窗通办事项数,华容区,2024年第一季度,120,季报\n"


def audited(db: Path) -> list[list]:
    trail = accounts.audit_trail(accounts.accounts_path(db))
    return trail[["actor", "action", "target", "detail", "count_before", "count_after"]].values.tolist()


def test_a_change_published_without_its_audit_entry_gets_it_once_at_start(fresh_db, tmp_path):
    (tmp_path / "q.csv").write_text(QUARTER, encoding="utf-8")
    # ingest.apply publishes without copying to the audit, as a kill right after publishing would.
    result = ingest.apply(fresh_db, ingest.check_file(fresh_db, tmp_path / "q.csv"), user="张三")
    assert main(["ensure", "--db", str(fresh_db)]) == 0
    assert main(["ensure", "--db", str(fresh_db)]) == 0
    assert audited(fresh_db)[1:] == [
        ["张三", "载入数据", "载入 #2 q.csv", result.note, 58, 59],
        ["system", "构建数据仓库", "载入 #1 种子数据", "种子数据 58 条观测值", 0, 58],
    ] and audited(fresh_db)[0][1] == "新增账户"  # the first admin, which ensure creates


HOLDERS = {
    # the store's own file lock, held as a stuck process of this module would
    "file lock": "import fcntl; f = open({lock!r}, 'w'); fcntl.flock(f, fcntl.LOCK_EX)",
    # DuckDB's lock, held by a process that opened the store directly
    "duckdb lock": "import duckdb; con = duckdb.connect({store!r})",
}


@pytest.mark.parametrize("holder", sorted(HOLDERS))
def test_a_locked_accounts_store_delays_the_audit_but_not_the_answer(fresh_db, tmp_path, monkeypatch, capsys,
                                                                    holder):
    store = accounts.accounts_path(fresh_db)
    main(["ensure", "--db", str(fresh_db)])  # the store exists, as on a running server
    before = export_text(fresh_db)
    (tmp_path / "q.csv").write_text(QUARTER, encoding="utf-8")
    code = HOLDERS[holder].format(lock=str(store) + ".lock", store=str(store))
    holding = subprocess.Popen([sys.executable, "-c", code + "; print('held', flush=True); import time; "
                                "time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holding.stdout.readline() == "held\n"
        monkeypatch.setattr(journal, "AUDIT_WAIT_SECONDS", 1.0)
        capsys.readouterr()
        started = time.monotonic()
        assert main(["load", str(tmp_path / "q.csv"), "--db", str(fresh_db), "--user", "张三"]) == 0
        assert time.monotonic() - started < 10
        assert capsys.readouterr().err == (
            "注意：载入 #2（新增 1 行，修改 0 行，不变 0 行；新建期间 1 个）已生效；"
            f"但账户库 {store} 被其他进程占用，已等待 1 秒，审计记录暂未写入，"
            "将在下次变更或运行 python -m metrics ensure 时从数据仓库的变更日志补记\n"
        )
        assert export_text(fresh_db) != before
    finally:
        holding.kill()
        holding.wait()
    assert main(["ensure", "--db", str(fresh_db)]) == 0
    assert [row[1:3] for row in audited(fresh_db)].count(["载入数据", "载入 #2 q.csv"]) == 1


def test_a_locked_accounts_store_is_one_line_for_commands_that_need_it(fresh_db, capsys):
    store = accounts.accounts_path(fresh_db)
    main(["ensure", "--db", str(fresh_db)])
    holding = subprocess.Popen([sys.executable, "-c", HOLDERS["duckdb lock"].format(store=str(store))
                                + "; print('held', flush=True); import time; time.sleep(60)"],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert holding.stdout.readline() == "held\n"
        capsys.readouterr()
        assert main(["user", "list", "--db", str(fresh_db)]) == 2
        assert capsys.readouterr().err == f"错误：无法打开账户库 {store}：文件被占用或无法读写\n"
    finally:
        holding.kill()
        holding.wait()


def test_every_error_a_person_reads_has_one_root_and_a_pending_audit_is_no_failure():
    from metrics import changes, errors
    from metrics.briefing import model as briefing
    from metrics.ingest import loads, xlsx
    from metrics.store.warehouse import WarehouseError

    shown = (WarehouseError, loads.LoadError, loads.ConflictError, briefing.BriefError, accounts.AccountError,
             accounts.StoreUnavailable, accounts.StoreBusy, accounts.LoginRefused, xlsx.UploadRefused)
    assert [error.__name__ for error in shown if not issubclass(error, errors.UserFacingError)] == []
    assert issubclass(changes.AuditPending, errors.DoneButPending)
    assert not issubclass(changes.AuditPending, WarehouseError)
    assert changes.AuditPending("载入已生效", result=7).result == 7
