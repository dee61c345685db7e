"""The working ledger: entries by the responsible unit's editor, 销号 by admins only, overdue items,
status counts, the Excel layout bureaus use, and the notice's own status where nobody updated."""

import datetime as dt
import io

import openpyxl
import pytest

from metrics import accounts, changes, exporting, ledger
from metrics.ingest.loads import LoadError, rollback
from metrics.store.warehouse import WarehouseError, open_reader

PASSWORD = "correct-horse-9"


@pytest.fixture
def people(fresh_db, tmp_path, monkeypatch):
    store = tmp_path / "accounts.duckdb"
    monkeypatch.setenv("METRICS_ACCOUNTS", str(store))
    roles = {"hr_clerk": ("editor", ("华容区",)), "ec_clerk": ("editor", ("鄂城区",)), "boss": ("admin", ())}
    for name, (role, regions) in roles.items():
        accounts.add_user(store, name, PASSWORD, role, actor="test", scope_regions=regions)
    return fresh_db, store, {name: accounts.Account(name, role, regions) for name, (role, regions) in roles.items()}


def current(db, today=dt.date(2025, 3, 1)):
    con = open_reader(db)
    try:
        return ledger.working_ledger(con, today).set_index("problem_no")
    finally:
        con.close()


def test_the_notice_status_stands_until_someone_updates(seed_con):
    frame = ledger.working_ledger(seed_con, dt.date(2025, 3, 1))
    assert len(frame) == 26
    assert set(frame["status"]) == {"已通报整改"}
    assert set(frame["owner_name"]) == {"市数据局(本局)"}
    assert ledger.status_counts(frame) == {"已通报整改": 26, "逾期": 0}


def test_the_units_editor_adds_progress_and_another_unit_cannot(people):
    db, store, who = people
    changes.update_ledger(db, "ops", 4, owner_region_id="huarong", leader="张副局长", deadline=dt.date(2025, 1, 31),
                          status="整改中", progress="华容区综合窗口改造方案已定稿")
    changes.update_ledger(db, who["hr_clerk"], 4, owner_region_id="huarong", leader="张副局长",
                          deadline=dt.date(2025, 1, 31), status="整改中", progress="12个事项进驻综合窗口")
    row = current(db).loc[4]
    assert (row["owner_name"], row["leader"], row["status"], row["count_updates"], bool(row["is_overdue"])) == (
        "华容区", "张副局长", "整改中", 2, True)
    today = dt.date.today().isoformat()
    assert row["progress_log"] == f"{today} 华容区综合窗口改造方案已定稿；{today} 12个事项进驻综合窗口"
    with pytest.raises(WarehouseError, match="问题4由华容区负责，超出您的填报范围（地区：鄂城区）"):
        changes.update_ledger(db, who["ec_clerk"], 4, owner_region_id="huarong", leader=None, deadline=None,
                              status="已完成", progress="代为填写")
    with pytest.raises(WarehouseError, match="只有管理员可以销号"):
        changes.update_ledger(db, who["hr_clerk"], 4, owner_region_id="huarong", leader=None, deadline=None,
                              status="已销号", progress="已完成")
    with pytest.raises(WarehouseError, match="只有管理员可以更改责任单位"):
        changes.update_ledger(db, who["hr_clerk"], 4, owner_region_id="echeng", leader=None, deadline=None,
                              status="整改中", progress="转交")
    changes.update_ledger(db, who["boss"], 4, owner_region_id="huarong", leader="张副局长", deadline=None,
                          status="已销号", progress="验收合格，销号")
    assert current(db).loc[4, "status"] == "已销号"
    trail = accounts.audit_trail(store)
    assert (trail["action"] == "更新整改台账").sum() == 3  # the refused ones are not recorded


def test_a_ledger_entry_is_a_load_that_cannot_be_undone(people):
    db, _, who = people
    load_id = changes.update_ledger(db, who["boss"], 1, owner_region_id="bureau", leader=None, deadline=None,
                                    status="长期坚持", progress="每月开展中心组学习")
    with pytest.raises(LoadError, match="类型“整改台账”不能在此撤销"):
        rollback(db, load_id, "测试")


def test_the_excel_ledger_has_the_bureaus_columns(people):
    db, _, who = people
    changes.update_ledger(db, who["boss"], 2, owner_region_id="bureau", leader="李局长",
                          deadline=dt.date(2025, 6, 30), status="整改中", progress="修订窗口行为规范")
    data = exporting.xlsx_bytes({"整改台账": ledger.excel_rows(current(db).reset_index())})
    rows = list(openpyxl.load_workbook(io.BytesIO(data))["整改台账"].iter_rows(values_only=True))
    assert rows[0] == ("序号", "问题", "整改措施", "责任单位", "责任领导", "时限", "进展", "状态")
    assert rows[2][0] == 2 and rows[2][3:] == ("市数据局(本局)", "李局长", "2025-06-30",
                                               f"{dt.date.today().isoformat()} 修订窗口行为规范", "整改中")
    assert rows[1][6] == "（通报所载整改情况，见通报二、1）"
