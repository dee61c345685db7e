"""Review before publication: a 华容区 clerk's 2024Q3 file waits, invisible to the leaders, until
an admin approves it; a returned one shows its reason; a pending one can be withdrawn by its clerk
only; each step is in the audit trail once."""

import pytest
from support import export_text, follow_ups_done, store_locked_during

from metrics import accounts, changes, ingest
from metrics.ingest import review
from metrics.ingest.loads import LoadError
from metrics.store import journal
from metrics.store.warehouse import open_reader

PASSWORD = "correct-horse-9"
CLERK_FILE = ("指标名称,地区,期间,数值,来源\n"
              "综合窗口可办事项占比(一窗通办),华容区,2024Q3,98.1%,华容区三季度报表\n").encode()


@pytest.fixture
def cycle(fresh_db, tmp_path, monkeypatch):
    store = tmp_path / "accounts.duckdb"
    monkeypatch.setenv("METRICS_ACCOUNTS", str(store))
    people = {"hr_clerk": ("editor", ("华容区",)), "ec_clerk": ("editor", ("鄂城区",)), "boss": ("admin", ())}
    for name, (role, regions) in people.items():
        accounts.add_user(store, name, PASSWORD, role, actor="test", scope_regions=regions)
    clerk, other, admin = (accounts.Account(name, role, regions) for name, (role, regions) in people.items())
    return fresh_db, store, clerk, other, admin


def submit(db, clerk, data=CLERK_FILE, name="华容区.csv") -> int:
    """A clerk's file submitted for review, as the page submits it; its submission number."""
    con = open_reader(db)
    try:
        validation = changes.within_scope(con, ingest.validate(con, ingest.read_upload(name, data)), clerk)
    finally:
        con.close()
    return changes.submit(db, validation, data, clerk)


def statuses(db, user=None) -> list[tuple]:
    con = open_reader(db)
    try:
        frame = review.submissions(con, user)
    finally:
        con.close()
    return list(zip(frame["submission_id"], frame["status_name"], frame["reason"].fillna(""), strict=True))


def huarong_q3(db):
    con = open_reader(db)
    try:
        return con.execute("select value, load_id from observations where indicator_id = 'one_window_share' "
                           "and region_id = 'huarong' and period_id = '2024Q3'").fetchall()
    finally:
        con.close()


def audit_actions(store) -> list[tuple]:
    trail = accounts.audit_trail(store)
    return [(row.actor, row.action) for row in trail.itertuples() if row.action in
            ("提交审核", "审核通过", "退回报送", "撤回报送", "载入数据")]


def test_a_submission_waits_unseen_until_approved(cycle):
    db, store, clerk, _, admin = cycle
    before = export_text(db)
    number = submit(db, clerk)
    assert export_text(db) == before  # the leaders' pages read observations: nothing changed
    assert statuses(db) == [(number, "待审核", "")]
    result = changes.approve(db, number, admin)
    assert huarong_q3(db) == [(98.1, result.load_id)]
    assert statuses(db, "hr_clerk") == [(number, "已通过", "")]
    assert sorted(audit_actions(store)) == sorted([("hr_clerk", "提交审核"), ("hr_clerk（审核：boss）", "载入数据"),
                                                   ("boss", "审核通过")])
    with pytest.raises(LoadError, match="已已通过|已通过，不能再处理"):
        changes.approve(db, number, admin)


def test_a_returned_submission_shows_its_reason_and_changes_nothing(cycle):
    db, store, clerk, _, admin = cycle
    before = export_text(db)
    number = submit(db, clerk)
    with pytest.raises(LoadError, match="退回须写明原因"):
        changes.return_submission(db, number, admin, "  ")
    changes.return_submission(db, number, admin, "数值与报表不符，请核对")
    assert statuses(db, "hr_clerk") == [(number, "已退回", "数值与报表不符，请核对")]
    assert export_text(db) == before
    assert ("boss", "退回报送") in audit_actions(store)


def test_only_its_clerk_withdraws_a_pending_submission(cycle):
    db, _, clerk, other, admin = cycle
    number = submit(db, clerk)
    with pytest.raises(LoadError, match="只能撤回自己提交的报送"):
        changes.withdraw(db, number, other)
    changes.withdraw(db, number, clerk)
    assert statuses(db) == [(number, "已撤回", "")]
    with pytest.raises(LoadError, match="已撤回，不能再处理"):
        changes.approve(db, number, admin)


def test_roles_are_checked_before_every_step(cycle):
    db, _, clerk, other, _ = cycle
    with pytest.raises(LoadError, match="不能提交审核"):
        submit(db, other)  # 华容区 is outside 鄂城区's scope: the file has a problem
    number = submit(db, clerk)
    with pytest.raises(accounts.AccountError):
        changes.approve(db, number, clerk)
    with pytest.raises(accounts.AccountError):
        changes.return_submission(db, number, clerk, "自己退回")


def test_the_calendar_follows_a_submission(cycle):
    import datetime as dt

    from metrics import periods, reporting

    db, _, clerk, _, admin = cycle
    quarter, today = periods.quarter_index("2024Q4"), dt.date(2025, 1, 10)
    data = CLERK_FILE.replace(b"2024Q3", b"2024Q4")

    def huarong_state():
        con = open_reader(db)
        try:
            frame = reporting.status(con, quarter, today)
        finally:
            con.close()
        return reporting.STATE_NAMES[frame.loc[(frame["indicator_id"] == "one_window_share")
                                               & (frame["region_name"] == "华容区"), "state"].item()]

    assert huarong_state() == "未报"
    returned = submit(db, clerk, data)
    assert huarong_state() == "待审核"
    changes.return_submission(db, returned, admin, "请附报表")
    assert huarong_state() == "已退回"
    changes.approve(db, submit(db, clerk, data), admin)
    assert huarong_state() == "已报"


def open_as(monkeypatch, store, db, username: str, page: str):
    """A session signed in as username on a page, as app.py routes it."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    from support import APP, signed_in

    monkeypatch.setenv("METRICS_DB", str(db))
    st.cache_data.clear()
    st.cache_resource.clear()
    signed_in(monkeypatch, store, username, PASSWORD)
    test = AppTest.from_file(APP, default_timeout=60)
    test.run()
    test.switch_page(page).run()
    assert not test.exception, [e.value for e in test.exception]
    return test


def test_the_review_page_compares_approves_and_the_leader_then_sees(cycle, monkeypatch):
    db, store, clerk, _, _ = cycle
    accounts.add_user(store, "leader", PASSWORD, "viewer", actor="test")
    number = submit(db, clerk, CLERK_FILE.replace(b"2024Q3", b"2024Q4"))
    leader = open_as(monkeypatch, store, db, "leader", "pages/districts.py")
    assert "2024年第四季度" not in leader.get("plotly_chart")[0].proto.spec  # the pending file is unseen
    admin = open_as(monkeypatch, store, db, "boss", "pages/review.py")
    assert admin.dataframe[0].value.drop(columns="依据").to_dict("records") == [
        {"行": 2, "指标": "综合窗口可办事项占比(一窗通办)", "地区": "华容区", "期间": "2024年第四季度", "数值": "98.1%",
         "限定": "精确值", "来源": "华容区三季度报表"}]
    admin.button[0].click().run()  # 审核通过并发布
    assert not admin.exception
    assert statuses(db) == [(number, "已通过", "")]
    leader = open_as(monkeypatch, store, db, "leader", "pages/districts.py")
    ranked = leader.dataframe[0].value
    assert ranked[["地区", "数值"]].values.tolist()[0] == ["华容区", "98.1%"]
    clerk_page = open_as(monkeypatch, store, db, "hr_clerk", "pages/review.py")
    assert clerk_page.dataframe[0].value[["编号", "状态"]].values.tolist() == [[number, "已通过"]]


def test_the_clerk_reads_the_reason_of_a_return(cycle, monkeypatch):
    db, store, clerk, _, admin = cycle
    number = submit(db, clerk)
    changes.return_submission(db, number, admin, "数值与报表不符，请核对")
    page = open_as(monkeypatch, store, db, "hr_clerk", "pages/review.py")
    assert page.dataframe[0].value[["状态", "退回原因"]].values.tolist() == [["已退回", "数值与报表不符，请核对"]]


def race(*steps: tuple[float, object]) -> list[str]:
    """Run the steps in threads released together, each after its delay (seconds); their refusals."""
    import threading
    import time

    start, refusals = threading.Barrier(len(steps)), []

    def run(delay, step):
        start.wait()
        time.sleep(delay)
        try:
            step()
        except LoadError as error:
            refusals.append(str(error))

    racers = [threading.Thread(target=run, args=step) for step in steps]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    return refusals


@pytest.mark.slow  # 12 approvals racing withdrawals, half a minute: with make test, as test_concurrent_load's race is
def test_a_withdrawal_racing_an_approval_never_leaves_a_withdrawn_submission_published(cycle):
    """The clerk withdraws while the admin approves, 12 times: each submission ends either 已撤回 with
    nothing published, or 已通过 with its value published by its own load; never a mix."""
    db, _, clerk, _, admin = cycle

    def published():
        con = open_reader(db)
        try:
            return con.execute("select count(*) from loads").fetchone()[0], huarong_q3(db)
        finally:
            con.close()

    for attempt in range(12):
        value = f"{50 + attempt}.5%"
        number = submit(db, clerk, CLERK_FILE.replace(b"98.1%", value.encode()))
        before = published()
        # The withdrawal comes later on each try, from at once to after the approval: before it, inside it
        # (the race), after it.
        refusals = race((attempt * 0.08, lambda n=number: changes.withdraw(db, n, clerk)),
                        (0.0, lambda n=number: changes.approve(db, n, admin)))
        [(_, status, _)] = [row for row in statuses(db) if row[0] == number]
        con = open_reader(db)
        try:
            load_id = con.execute("select load_id from submissions where submission_id = ?", [number]).fetchone()[0]
        finally:
            con.close()
        assert len(refusals) == 1, refusals
        if status == "已撤回":
            assert (published(), load_id) == (before, None)
        else:
            assert status == "已通过"
            assert published() == (before[0] + 1, [(float(value[:-1]), load_id)])


def test_an_approval_whose_audit_copy_waits_is_shown_published_with_a_warning(cycle, monkeypatch):
    """The accounts store is locked while the approval's audit copy is made: the page says nothing failed,
    warns that the audit entry comes later, and the submission is no longer offered for approval."""
    db, store, clerk, _, _ = cycle
    number = submit(db, clerk)
    admin = open_as(monkeypatch, store, db, "boss", "pages/review.py")
    monkeypatch.setattr(journal, "AUDIT_WAIT_SECONDS", 0.3)
    store_locked_during(monkeypatch, store, journal, "reconcile")
    next(b for b in admin.button if b.label == "审核通过并发布").click().run()
    assert not admin.exception and not admin.error
    assert not [b for b in admin.button if b.label == "审核通过并发布"]
    follow_ups_done()  # the audit copy follows the page's answer
    admin.run()
    assert [w.value for w in admin.warning] == [
        f"审核通过(报送 #{number}，载入 #2)已生效；但账户库 {store.name} 被其他进程占用，已等待 0.3 秒，"
        "审计记录暂未写入，将在下次变更或运行 python -m metrics ensure 时从数据仓库的变更日志补记"]
    assert statuses(db) == [(number, "已通过", "")]
    assert huarong_q3(db) == [(98.1, 2)]


def test_a_locked_accounts_store_refuses_an_approval_in_one_line(cycle, monkeypatch):
    db, store, clerk, _, _ = cycle
    number = submit(db, clerk)
    before = export_text(db)
    admin = open_as(monkeypatch, store, db, "boss", "pages/review.py")
    monkeypatch.setenv("METRICS_ACCOUNTS_WAIT_SECONDS", "0.3")
    store_locked_during(monkeypatch, store, accounts, "authorise")
    next(b for b in admin.button if b.label == "审核通过并发布").click().run()
    assert not admin.exception
    assert [e.value for e in admin.error] == [f"账户库 {store.name} 被其他进程占用，0.3 秒内未释放，请稍后重试"]
    assert statuses(db) == [(number, "待审核", "")] and export_text(db) == before


FORMULAS = ('=HYPERLINK("http://127.0.0.2/","点我")', "=cmd|' /C calc'!A0", "@SUM(1+1)", "+1+1")
FORMULA_START = ("=", "+", "-", "@")


def formula_cells(test) -> list[str]:
    """Text cells of every table on the page that a spreadsheet would run: what Streamlit's own
    "Download as CSV" of the table would write."""
    return [cell for frame in test.dataframe for cell in frame.value.to_numpy().ravel()
            if isinstance(cell, str) and cell.startswith(FORMULA_START)]


def test_review_and_audit_tables_hand_no_formula_to_the_table_download(cycle, monkeypatch):
    db, store, clerk, _, admin = cycle
    link, command, at, plus = FORMULAS
    quoted_link = '"' + link.replace('"', '""') + '"'
    hostile = (f"指标名称,地区,期间,数值,来源\n"
               f"综合窗口可办事项占比(一窗通办),华容区,2024Q4,98.1%,{quoted_link}\n"
               f"综合窗口可办事项占比(一窗通办),华容区,2024Q3,97%,{command}\n").encode()
    returned = submit(db, clerk, hostile, f"{at}.csv")
    changes.return_submission(db, returned, admin, plus)
    submit(db, clerk, hostile, f"{at}.csv")

    page = open_as(monkeypatch, store, db, "boss", "pages/review.py")
    rows = page.dataframe[0].value
    assert rows["来源"].tolist() == [f"'{link}", f"'{command}"]
    mine = open_as(monkeypatch, store, db, "hr_clerk", "pages/review.py")
    assert mine.dataframe[0].value["退回原因"].tolist()[-1] == f"'{plus}"
    audit = open_as(monkeypatch, store, db, "boss", "pages/audit.py")
    assert f"'{plus}" in audit.dataframe[0].value["说明"].tolist()
    assert (formula_cells(page), formula_cells(mine), formula_cells(audit)) == ([], [], [])
