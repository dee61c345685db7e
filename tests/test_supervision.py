"""督办 on a figure: a leader asks, the unit's editors answer, the leader sends back or closes; each step a
journalled, audited change; editors read and answer only inside their scope; the bureau's Excel columns."""

import datetime as dt
import io
import shutil

import openpyxl
import pytest
from test_review import CLERK_FILE, submit

from metrics import accounts, changes, cli, exporting, supervision
from metrics.ingest.loads import LoadError, rollback
from metrics.store.warehouse import open_reader
from metrics.supervision import SupervisionError

PASSWORD = "correct-horse-9"
Q3_2024 = 2024 * 4 + 2
ROLES = {
    "leader": ("viewer", (), ()),
    "boss": ("admin", (), ()),
    "hr_clerk": ("editor", ("华容区",), ()),
    "ec_clerk": ("editor", ("鄂城区",), ()),
    "window_clerk": ("editor", (), ("一窗通办",)),   # a department answering for one category everywhere
    "supervision_clerk": ("editor", ("华容区",), ("互联网+监管",)),
}


@pytest.fixture(scope="module")
def store_of_people(tmp_path_factory):
    """The accounts, made once: six password hashes cost seconds on a busy machine."""
    store = tmp_path_factory.mktemp("people") / "accounts.duckdb"
    for name, (role, regions, categories) in ROLES.items():
        accounts.add_user(store, name, PASSWORD, role, actor="test", scope_regions=regions,
                          scope_categories=categories)
    return store


@pytest.fixture
def people(fresh_db, store_of_people, tmp_path, monkeypatch):
    store = tmp_path / "accounts.duckdb"
    shutil.copyfile(store_of_people, store)
    monkeypatch.setenv("METRICS_ACCOUNTS", str(store))
    return fresh_db, store, {name: accounts.Account(name, role, regions, categories)
                             for name, (role, regions, categories) in ROLES.items()}


def ask(db, who, region_id="huarong", content="华容区一窗通办占比为何低于市本级？", days=10):
    return changes.open_supervision(db, who, indicator_id="one_window_share", region_id=region_id,
                                    quarter_index=Q3_2024, content=content,
                                    deadline=dt.date.today() + dt.timedelta(days=days))


def read(db, function, *args):
    con = open_reader(db)
    try:
        return function(con, *args)
    finally:
        con.close()


def test_the_whole_loop_is_journalled_and_audited(people):
    db, store, who = people
    item_id = ask(db, who["leader"])
    changes.supervision_step(db, who["hr_clerk"], item_id, "答复", "已有12个事项进驻综合窗口，下季度补齐")
    changes.supervision_step(db, who["leader"], item_id, "退回", "请写明完成时间")
    changes.supervision_step(db, who["hr_clerk"], item_id, "答复", "2025年1月底前完成")
    changes.supervision_step(db, who["boss"], item_id, "办结", "")
    row = read(db, supervision.item, who["leader"], item_id, dt.date.today())
    today = dt.date.today().isoformat()
    assert (supervision.STATUS_NAMES[row["status"]], row["count_answers"], row["indicator_name"], row["region_name"],
            row["quarter_label"]) == (
        "已办结", 2, "综合窗口可办事项占比(一窗通办)", "华容区", "2024年第三季度")
    assert row["answers"] == (f"{today} hr_clerk：已有12个事项进驻综合窗口，下季度补齐；"
                              f"{today} hr_clerk：2025年1月底前完成")
    steps = read(db, supervision.thread, who["hr_clerk"], item_id)
    assert list(zip(steps["action"], steps["author"], strict=True)) == [
        ("答复", "hr_clerk"), ("退回", "leader"), ("答复", "hr_clerk"), ("办结", "boss")]
    trail = accounts.audit_trail(store)
    steps_audited = trail[trail["target"] == f"督办 #{item_id}"]
    assert sorted(steps_audited["action"]) == sorted(["发起督办", "答复督办", "退回督办", "答复督办", "办结督办"])
    with pytest.raises(SupervisionError, match=f"^督办 #{item_id} 已办结$"):
        changes.supervision_step(db, who["hr_clerk"], item_id, "答复", "补充")


def test_a_step_is_a_load_that_cannot_be_undone(people):
    db, _, who = people
    item_id = ask(db, who["leader"])
    load_id = changes.supervision_step(db, who["hr_clerk"], item_id, "答复", "已整改")
    with pytest.raises(LoadError, match="类型“督办”不能在此撤销"):
        rollback(db, load_id, "测试")


def test_an_editor_of_huarong_can_neither_read_nor_answer_an_item_of_echeng(people):
    db, store, who = people
    echeng = ask(db, who["leader"], region_id="echeng", content="鄂城区请说明")
    huarong = ask(db, who["leader"])
    refused = f"^没有督办 #{echeng}，或不在您的范围内（地区：华容区）$"
    with pytest.raises(SupervisionError, match=refused):
        changes.supervision_step(db, who["hr_clerk"], echeng, "答复", "代答")
    with pytest.raises(SupervisionError, match=refused):
        read(db, supervision.item, who["hr_clerk"], echeng, dt.date.today())
    with pytest.raises(SupervisionError, match=refused):
        read(db, supervision.thread, who["hr_clerk"], echeng)
    assert read(db, supervision.items, who["hr_clerk"], dt.date.today())["item_id"].tolist() == [huarong]
    # A missing number reads the same as another unit's: nothing about other units' items leaks.
    with pytest.raises(SupervisionError, match="^没有督办 #99，或不在您的范围内（地区：华容区）$"):
        read(db, supervision.item, who["hr_clerk"], 99, dt.date.today())
    # Scopes as accounts define them: a category-only editor answers in every unit, a region-and-category
    # editor only where both hold.
    assert read(db, supervision.items, who["window_clerk"], dt.date.today())["item_id"].tolist() == [huarong, echeng]
    assert read(db, supervision.items, who["supervision_clerk"], dt.date.today()).empty
    assert read(db, supervision.items, who["leader"], dt.date.today())["item_id"].tolist() == [huarong, echeng]
    assert (accounts.audit_trail(store)["action"] == "答复督办").sum() == 0


def test_the_store_decides_the_scope_not_the_sessions_copy(people):
    db, store, who = people
    echeng = ask(db, who["leader"], region_id="echeng")
    accounts.set_role(store, "hr_clerk", "editor", actor="test", scope_regions=("华容区",))
    stale = accounts.Account("hr_clerk", "editor", ("鄂城区",))   # what an old session might still believe
    with pytest.raises(SupervisionError, match=f"^没有督办 #{echeng}，或不在您的范围内（地区：华容区）$"):
        changes.supervision_step(db, stale, echeng, "答复", "代答")


def test_who_may_do_what(people):
    db, _, who = people
    with pytest.raises(SupervisionError, match="^只有领导（查看账户）或管理员可以发起督办，填报账户答复督办$"):
        ask(db, who["hr_clerk"])
    item_id = ask(db, who["boss"])
    with pytest.raises(SupervisionError, match="^只有该单位的填报账户可以答复督办$"):
        changes.supervision_step(db, who["leader"], item_id, "答复", "领导代答")
    with pytest.raises(SupervisionError, match="^只有领导（查看账户）或管理员可以办结督办$"):
        changes.supervision_step(db, who["hr_clerk"], item_id, "办结", "")
    with pytest.raises(SupervisionError, match=f"^督办 #{item_id} 尚无新的答复，无法退回$"):
        changes.supervision_step(db, who["leader"], item_id, "退回", "不清楚")


def test_text_is_required_bounded_and_kept_as_written(people):
    db, _, who = people
    with pytest.raises(SupervisionError, match="^请填写督办内容$"):
        ask(db, who["leader"], content="  \n ")
    with pytest.raises(SupervisionError, match="^督办内容最多 500 个字，现有 501 个字$"):
        ask(db, who["leader"], content="问" * 501)
    with pytest.raises(SupervisionError, match="^时限 .* 早于今天$"):
        ask(db, who["leader"], days=-1)
    with pytest.raises(SupervisionError, match="^督办内容含有控制字符，请删除后再提交$"):
        ask(db, who["leader"], content="请说明\x1b[2J")
    hostile = "**加粗** <b>x</b> [链接](http://evil.example) =1+1"
    item_id = ask(db, who["leader"], content=hostile)
    assert read(db, supervision.item, who["leader"], item_id, dt.date.today())["content"] == hostile
    with pytest.raises(SupervisionError, match="^请填写答复内容$"):
        changes.supervision_step(db, who["hr_clerk"], item_id, "答复", "")


def test_overdue_open_and_closed_lists_filter_by_unit_and_leader(people):
    db, _, who = people
    first = ask(db, who["leader"], days=5)
    second = ask(db, who["boss"], region_id="echeng", days=30)
    changes.supervision_step(db, who["ec_clerk"], second, "答复", "已说明")
    third = ask(db, who["leader"], region_id="echeng", days=30)
    changes.supervision_step(db, who["ec_clerk"], third, "答复", "已整改")
    changes.supervision_step(db, who["leader"], third, "办结", "同意")
    later = dt.date.today() + dt.timedelta(days=10)   # past the first item's deadline, not the others'
    frame = read(db, supervision.items, who["leader"], later)
    by_id = frame.set_index("item_id")
    assert [supervision.status_text(row) for row in frame.itertuples()] == ["已办结", "已答复", "待答复（逾期）"]
    assert supervision.filtered(frame, status="逾期")["item_id"].tolist() == [first]
    assert supervision.filtered(frame, status="未办结")["item_id"].tolist() == [second, first]
    assert supervision.filtered(frame, status="已办结")["item_id"].tolist() == [third]
    assert supervision.filtered(frame, region="鄂城区")["item_id"].tolist() == [third, second]
    assert supervision.filtered(frame, author="leader")["item_id"].tolist() == [third, first]
    assert supervision.filtered(frame, region="鄂城区", author="leader", status="未办结").empty
    assert bool(by_id.loc[second, "is_overdue"]) is False


def test_the_excel_export_has_the_bureaus_columns(people):
    db, _, who = people
    item_id = ask(db, who["leader"], content="=HYPERLINK(\"http://x\") 请说明")
    changes.supervision_step(db, who["hr_clerk"], item_id, "答复", "已整改")
    changes.supervision_step(db, who["leader"], item_id, "办结", "")
    frame = read(db, supervision.items, who["leader"], dt.date.today())
    sheet = openpyxl.load_workbook(io.BytesIO(exporting.xlsx_bytes({"督办": supervision.excel_rows(frame)}))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    today = dt.date.today()
    assert rows[0] == ["序号", "指标", "单位", "季度", "督办内容", "督办人", "时限", "状态", "答复", "办结时间"]
    assert rows[1][:8] == [item_id, "综合窗口可办事项占比(一窗通办)", "华容区", "2024年第三季度",
                           "'=HYPERLINK(\"http://x\") 请说明", "leader",
                           (today + dt.timedelta(days=10)).isoformat(), "已办结"]
    assert rows[1][8] == f"{today.isoformat()} hr_clerk：已整改"
    assert rows[1][9].startswith(today.isoformat() + " ")


def test_an_editors_reminders_list_what_they_owe_overdue_first(people):
    db, _, who = people
    soon = ask(db, who["leader"], days=1)
    later = ask(db, who["leader"], days=20)
    ask(db, who["leader"], region_id="echeng")
    answered = ask(db, who["leader"], days=3)
    changes.supervision_step(db, who["hr_clerk"], answered, "答复", "已说明")
    in_five_days = dt.date.today() + dt.timedelta(days=5)
    lines = read(db, supervision.reminder_lines, who["hr_clerk"], in_five_days)
    name = "综合窗口可办事项占比(一窗通办) · 华容区 · 2024年第三季度"
    assert lines == [
        f"督办 #{soon}（逾期）：{name}，时限 {dt.date.today() + dt.timedelta(days=1):%Y-%m-%d}",
        f"督办 #{later}（待答复）：{name}，时限 {dt.date.today() + dt.timedelta(days=20):%Y-%m-%d}",
    ]
    assert read(db, supervision.reminder_lines, who["leader"], in_five_days) == []


def test_the_cli_holds_an_editor_to_their_units_as_the_page_does(people, capsys):
    db, _, who = people
    ask(db, who["leader"])
    base = ["--db", str(db)]
    refused = "错误：没有督办 #1，或不在您的范围内（地区：鄂城区）\n"
    for action in (["show", "1"], ["answer", "1", "--text", "代答"]):
        assert cli.main(["supervise", *action, "--user", "ec_clerk", *base]) == 2
        assert capsys.readouterr().err == refused
    assert cli.main(["supervise", "list", "--user", "ec_clerk", *base]) == 0
    assert capsys.readouterr().out == "序号,指标,单位,季度,督办内容,督办人,时限,状态,答复,办结时间\n"
    assert cli.main(["supervise", "answer", "1", "--user", "hr_clerk", "--text", "已整改", *base]) == 0
    assert capsys.readouterr().err == "督办 #1 已答复\n"
    assert cli.main(["supervise", "list", "--user", "leader", "--status", "未办结", *base]) == 0
    deadline = dt.date.today() + dt.timedelta(days=10)
    assert capsys.readouterr().out.splitlines()[1] == (
        f"1,综合窗口可办事项占比(一窗通办),华容区,2024年第三季度,华容区一窗通办占比为何低于市本级？,leader,"
        f"{deadline:%Y-%m-%d},已答复,{dt.date.today():%Y-%m-%d} hr_clerk：已整改,")
    assert cli.main(["supervise", "close", "1", "--user", "nobody", *base]) == 2
    assert capsys.readouterr().err == "错误：账户不存在或已停用，操作被拒绝\n"


def test_an_answer_brings_the_clerks_own_corrected_file_and_its_review_shows_beside_it(people):
    db, _, who = people
    item_id = ask(db, who["leader"])
    mine = submit(db, who["hr_clerk"])
    theirs = submit(db, who["ec_clerk"], CLERK_FILE.decode().replace("华容区", "鄂城区").encode(), "鄂城区.csv")
    with pytest.raises(SupervisionError, match=f"^报送 #{theirs} 不是您提交的文件，不能附在答复中$"):
        changes.supervision_step(db, who["hr_clerk"], item_id, "答复", "已更正", theirs)
    changes.supervision_step(db, who["hr_clerk"], item_id, "答复", "已更正，见附件", mine)

    def lines():   # each step past its time
        return [supervision.step_text(step)[17:] for step in
                read(db, supervision.thread, who["leader"], item_id).itertuples()]

    assert lines() == [f"hr_clerk 答复：已更正，见附件（附报送 #{mine}“华容区.csv”，待审核）"]
    changes.approve(db, mine, who["boss"])
    assert lines() == [f"hr_clerk 答复：已更正，见附件（附报送 #{mine}“华容区.csv”，已通过）"]
