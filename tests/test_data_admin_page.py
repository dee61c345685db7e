"""The 数据管理 page: upload, every problem listed, scope per editor, confirm, audit, rollback."""

import threading
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from support import APP, export_text, follow_ups_done, signed_in, store_locked_during

from metrics import accounts
from metrics.store import journal
from metrics.store.warehouse import open_reader

PASSWORD = "correct-horse-9"
HEADER = "指标名称,地区,期间,数值,限定,来源\n"


@pytest.fixture
def store(fresh_db, monkeypatch) -> Path:
    path = fresh_db.with_name("accounts.duckdb")
    monkeypatch.setenv("METRICS_DB", str(fresh_db))
    monkeypatch.setenv("METRICS_ACCOUNTS", str(path))
    accounts.add_user(path, "hr_editor", PASSWORD, "editor", actor="test", scope_regions=("华容区",))
    accounts.add_user(path, "boss", PASSWORD, "admin", actor="test")
    st.cache_data.clear()
    st.cache_resource.clear()
    return path


@pytest.fixture
def page_as(store, monkeypatch):
    def open_as(username: str, tab: str = "upload") -> AppTest:
        """A session signed in as one of the store's accounts, on 数据管理 with this tab chosen."""
        signed_in(monkeypatch, store, username)
        test = AppTest.from_file(APP, default_timeout=60)
        test.session_state["admin_tab"] = tab
        test.run()
        test.switch_page("pages/data_admin.py").run()
        assert not test.exception, [e.value for e in test.exception]
        return test

    return open_as


def upload(test: AppTest, name: str, data: bytes) -> AppTest:
    test.file_uploader[0].upload(name, data, "text/csv").run()
    assert not test.exception, [e.value for e in test.exception]
    return test


def click(test: AppTest, label: str) -> AppTest:
    next(b for b in test.button if b.label == label).click().run()
    assert not test.exception, [e.value for e in test.exception]
    return test


def test_editor_row_outside_scope_is_rejected_and_nothing_written(page_as, store, fresh_db):
    before = export_text(fresh_db)
    body = ("综合窗口可办事项占比(一窗通办),华容区,2024Q1,98%,,区报表\n"
            "综合窗口可办事项占比(一窗通办),鄂城区,2024Q1,91%,,区报表\n")
    test = upload(page_as("hr_editor"), "q1.csv", (HEADER + body).encode("gb18030"))
    errors = test.dataframe[0].value
    assert errors.to_dict("records") == [
        {"行": 3, "列": "地区", "值": "鄂城区", "问题": "超出您的填报范围（地区：华容区）"}
    ]
    assert test.error[0].value == "文件有 1 处问题，未载入。请按下表逐行修改后重新上传。"
    assert not [b for b in test.button if b.label == "确认载入"]
    assert export_text(fresh_db) == before


def test_every_problem_is_listed_by_row_and_column(page_as, store, fresh_db):
    body = ("综合窗口可办事项占比(一窗通办),华荣区,2024Q1,97.5%,,区报表\n"
            "综合窗口可办事项占比(一窗通办),鄂城区,2024Q5,120%,,区报表\n")
    test = upload(page_as("boss"), "bad.csv", (HEADER + body).encode("utf-8-sig"))
    problems = test.dataframe[0].value[["行", "列", "问题"]].to_dict("records")
    assert {"行": 2, "列": "地区", "问题": "未知地区“华荣区”，是否为“华容区”？"} in problems
    assert {"行": 3, "列": "期间", "问题": "期间“2024Q5”不存在：季度应为1–4"} in problems
    assert {"行": 3, "列": "数值", "问题": "比率应在0到100之间"} in problems


def test_admin_loads_gb18030_file_with_percent_and_wan_then_rolls_back(page_as, store, fresh_db):
    before = export_text(fresh_db)
    body = ("综合窗口可办事项占比(一窗通办),华容区,2024年第一季度,98.1%,,华容区报表\n"
            "监管行为推送数据量,鄂州市,2024Q1,3500万,以上,市监管平台\n")
    test = upload(page_as("boss"), "一季度.csv", (HEADER + body).encode("gb18030"))
    assert test.success[0].value == "校验通过。请核对预览后确认载入。"
    click(test, "确认载入")
    assert test.success[0].value == ("已载入文件“一季度.csv”（第 2 次变更）：新增 2 行，修改 0 行，不变 0 行；"
                                     "新建期间 1 个。载入的数据如下：")
    exported = export_text(fresh_db)
    assert "one_window_share,综合窗口可办事项占比(一窗通办),华容区,2024Q1,98.1,%,exact,华容区报表" in exported
    assert "supervision_push_volume,监管行为推送数据量,鄂州市,2024Q1,35000000,条,at_least,市监管平台" in exported
    follow_ups_done()
    trail = accounts.audit_trail(store)
    loads = trail[trail["action"] == "载入数据"]
    assert loads[["actor", "target", "count_before", "count_after"]].values.tolist() == [
        ["boss", "载入 #2 一季度.csv", 58, 60]
    ]

    history = page_as("boss", "history")
    history.selectbox(key="rollback_load_2").set_value(2).run()
    history.checkbox(key="rollback_confirm_2").check().run()
    click(history, "撤销所选载入")
    assert history.success[0].value == ("已撤销第 2 次变更（载入文件“一季度.csv”）：删除 2 行，恢复 0 行。"
                                        "这次撤销记录为第 3 次变更（撤销载入）。")
    assert export_text(fresh_db) == before
    follow_ups_done()
    actions = accounts.audit_trail(store)["action"].tolist()
    assert actions.count("撤销载入") == 1 and actions.count("载入数据") == 1


def test_conflicting_rows_need_explicit_confirmation(page_as, store, fresh_db):
    body = "综合窗口可办事项占比(一窗通办),华容区,asof-notice,99%,,更正\n"
    test = upload(page_as("boss"), "fix.csv", (HEADER + body).encode())
    assert test.warning[0].value == "有 1 行会覆盖已有数值，请逐行核对。"
    conflict = test.dataframe[1].value.iloc[0]
    assert (conflict["原数值"], conflict["新数值"]) == (97.47, 99.0)
    confirm = next(b for b in test.button if b.label == "确认载入")
    assert confirm.disabled
    test.checkbox(key="upload_replace").check().run()
    click(test, "确认载入")
    assert "one_window_share,综合窗口可办事项占比(一窗通办),华容区,asof-notice,99,%,exact,更正" in export_text(fresh_db)


def test_injection_strings_load_as_inert_text_and_export_neutralised(page_as, store, fresh_db):
    body = ("综合窗口可办事项占比(一窗通办),华容区,2024Q1,98%,,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\n"
            "综合窗口可办事项占比(一窗通办),梁子湖区,2024Q1,96%,,<script>alert(1)</script>\n"
            "综合窗口可办事项占比(一窗通办),鄂城区,2024Q1,91%,,'; drop table observations; --\n")
    test = upload(page_as("boss"), "inj.csv", (HEADER + body).encode())
    click(test, "确认载入")
    exported = export_text(fresh_db)
    assert ",华容区,2024Q1,98,%,exact,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" in exported
    assert ",梁子湖区,2024Q1,96,%,exact,<script>alert(1)</script>" in exported
    assert ",鄂城区,2024Q1,91,%,exact,'; drop table observations; --" in exported
    con = open_reader(fresh_db)
    stored = dict(con.execute("select region_id, source from observations where period_id = '2024Q1'").fetchall())
    con.close()
    assert stored == {"huarong": '=HYPERLINK("http://x","y")', "liangzihu": "<script>alert(1)</script>",
                      "echeng": "'; drop table observations; --"}


def test_export_with_formula_text_loads_back_unchanged(store, fresh_db, tmp_path):
    from metrics import changes, ingest

    body = "综合窗口可办事项占比(一窗通办),华容区,2024Q1,98%,,=1+1\n"
    validation = ingest.validate(open_reader(fresh_db), ingest.read_upload("f.csv", (HEADER + body).encode()))
    changes.load(fresh_db, validation, "test")
    first = export_text(fresh_db)
    again = ingest.validate(open_reader(fresh_db), ingest.read_upload("export.csv", first.encode()))
    assert again.ok and again.conflicts.empty and again.unchanged == len(again.rows)


def save_push_volume_target(test: AppTest) -> None:
    """On 目标设置: a 2023 target of ≥ 120,000,000 for 监管行为推送数据量, saved."""
    test.selectbox(key="target_indicator").set_value("supervision_push_volume")
    test.number_input(key="target_year").set_value(2023)
    test.selectbox(key="target_comparator").set_value(">=")
    test.number_input(key="target_value").set_value(120000000.0)
    click(test, "保存目标")


def test_admin_sets_a_bureau_target_recorded_like_a_load(page_as, store, fresh_db):
    test = page_as("boss", "target")
    save_push_volume_target(test)
    assert test.success[-1].value == "已保存目标（记录为第 2 次变更：设置目标）"
    con = open_reader(fresh_db)
    stored = con.execute("select indicator_id, region_id, year, value, comparator, basis from targets "
                         "where basis = 'bureau'").fetchall()
    kind = con.execute("select kind, user_name from loads where load_id = 2").fetchone()
    con.close()
    assert stored == [("supervision_push_volume", None, 2023, 120000000.0, ">=", "bureau")]
    assert kind == ("target", "boss")
    follow_ups_done()
    events = accounts.audit_trail(store)
    assert events[events["action"] == "设置目标"]["detail"].tolist() == ["2023年 全部地区 ≥ 1.2亿条"]


def test_editor_has_no_target_or_rollback_controls(page_as, store):
    test = page_as("hr_editor")
    assert test.radio(key="admin_tab").options == ["载入数据", "变更记录", "下载模板"]
    test.radio(key="admin_tab").set_value("history").run()
    assert "撤销载入需要管理员权限。" in [c.value for c in test.caption]


def test_scope_by_indicator_category_and_no_reference_data_for_editors(fresh_db):
    from metrics import changes, ingest

    body = ("综合窗口可办事项占比(一窗通办),鄂城区,2024Q1,91%,,区报表\n"
            "监管行为推送数据量,鄂州市,2024Q1,3500万,以上,市监管平台\n")
    con = open_reader(fresh_db)
    try:
        validation = ingest.validate(con, ingest.read_upload("f.csv", (HEADER + body).encode()))
        editor = accounts.Account("zs", "editor", scope_categories=("一窗通办",))
        checked = changes.within_scope(con, validation, editor)
        regions = ingest.validate(con, ingest.read_upload(
            "r.csv", "region_id,name,level,parent_id,sort_order\nfenghuang,凤凰街道,乡镇街道,echeng,20\n".encode()))
        checked_regions = changes.within_scope(con, regions, editor)
        admin_view = changes.within_scope(con, validation, accounts.Account("boss", "admin"))
    finally:
        con.close()
    assert ingest.problem_table(checked.errors).to_dict("records") == [
        {"行": 3, "列": "地区", "值": "鄂州市", "问题": "超出您的填报范围（指标类别：一窗通办）"}
    ]
    assert ingest.problem_table(checked_regions.errors)[["行", "列", "值", "问题"]].values.tolist() == [
        [2, "地区", "凤凰街道", "只有管理员可以新增地区"]
    ]
    assert admin_view.ok


def test_preview_names_indicators_units_periods_and_qualifiers_in_chinese(store, page_as):
    body = "监管行为推送数据量,鄂州市,2024Q1,3500万,以上,市监管平台\n"
    test = upload(page_as("boss"), "一季度.csv", (HEADER + body).encode())
    # A missing value shows as the table's placeholder "—".
    assert test.dataframe[0].value.fillna("—").to_dict("records") == [
        {"行": 2, "指标": "监管行为推送数据量", "地区": "鄂州市", "期间": "2024年第一季度", "数值": "≥ 3,500万条",
         "限定": "不少于(以上)", "来源": "市监管平台", "依据": "—"}
    ]


def test_after_a_load_the_check_and_the_button_give_way_to_what_was_loaded(store, fresh_db, page_as):
    test = page_as("boss")
    upload(test, "一季度.csv", (HEADER + "综合窗口可办事项占比(一窗通办),华容区,2024Q1,98.1%,,华容区报表\n").encode())
    click(test, "确认载入")
    assert [s.value for s in test.success] == [
        "已载入文件“一季度.csv”（第 2 次变更）：新增 1 行，修改 0 行，不变 0 行；新建期间 1 个。载入的数据如下："]
    assert test.dataframe[0].value[["指标", "地区", "期间", "数值"]].values.tolist() == [
        ["综合窗口可办事项占比(一窗通办)", "华容区", "2024年第一季度", "98.1%"]]
    assert not [b for b in test.button if b.label == "确认载入"]
    assert test.file_uploader[0].value is None
    test.run()
    assert not test.success


def test_rejected_upload_says_not_loaded_and_counts_nothing_new(store, page_as):
    body = "综合窗口可办事项占比(一窗通办),华荣区,2024Q1,97.5%,,区报表\n"
    test = upload(page_as("boss"), "bad.csv", (HEADER + body).encode())
    assert [(m.label, m.value) for m in test.metric] == [("数据行", "1"), ("问题", "1"), ("结果", "未载入")]


def test_rollback_names_what_it_undoes_asks_to_confirm_then_refreshes(store, fresh_db, page_as):
    before = export_text(fresh_db)
    body = ("综合窗口可办事项占比(一窗通办),华容区,2024Q1,98.1%,,华容区报表\n"
            "综合窗口可办事项占比(一窗通办),鄂城区,2024Q2,91%,,鄂城区报表\n")
    click(upload(page_as("boss"), "上半年.csv", (HEADER + body).encode()), "确认载入")
    test = page_as("boss", "history")
    rollback = test.selectbox(key="rollback_load_2")
    assert rollback.options == ["第 2 次变更 · 载入文件“上半年.csv”（" + rollback.options[0].split("（")[1]]
    assert rollback.options[0].endswith("，2 行）")
    summary = next(m.value for m in test.markdown if m.value.startswith("撤销 **第 2 次变更**（载入文件“上半年.csv”，"))
    assert "将删除它新增的 **2** 行、恢复它修改的 **0** 行。" in summary
    assert "涉及期间：2024年第一季度、2024年第二季度  \n涉及单位：鄂城区、华容区" in summary
    undo = next(b for b in test.button if b.label == "撤销所选载入")
    assert undo.disabled
    test.checkbox(key="rollback_confirm_2").check().run()
    click(test, "撤销所选载入")
    assert [s.value for s in test.success] == [
        "已撤销第 2 次变更（载入文件“上半年.csv”）：删除 2 行，恢复 0 行。这次撤销记录为第 3 次变更（撤销载入）。"]
    assert export_text(fresh_db) == before
    assert not [s for s in test.selectbox if s.label == "要撤销的载入"]
    assert "没有可撤销的载入：种子数据、已撤销的载入和撤销记录本身都不能撤销。" in [c.value for c in test.caption]
    history = next(d.value for d in test.dataframe if "状态" in d.value.columns)
    assert history[["编号", "状态"]].values.tolist() == [[3, "已生效"], [2, "已撤销"], [1, "已生效"]]


def test_target_comparators_read_in_words(store, page_as):
    comparator = page_as("boss", "target").selectbox(key="target_comparator")
    assert comparator.options == ["达到", "超过", "不超过", "低于"]


def test_audit_log_names_operators_and_says_what_its_counts_count(store, fresh_db, monkeypatch):
    accounts.record(store, "cli:root", "载入数据", "载入 #9 季报.csv", None, 58, 60)
    accounts.record(store, "system", "恢复数据仓库", "warehouse", "恢复到 v2")
    signed_in(monkeypatch, store, "boss")
    test = AppTest.from_file(APP, default_timeout=60)
    test.run()
    test.switch_page("pages/audit.py").run()
    trail = test.dataframe[0].value
    shown = trail[["操作人", "操作", "说明", "计数对象", "变更前数量", "变更后数量"]].head(2)
    assert shown.values.tolist() == [
        ["系统", "恢复数据仓库", "恢复到 v2", "—", "—", "—"],
        ["服务器命令行", "载入数据", "—", "观测值行数", "58", "60"],
    ]
    assert set(trail.loc[trail["操作"] == "新增账户", "计数对象"]) == {"账户数"}


def test_a_load_whose_audit_copy_waits_is_shown_done_with_a_warning_and_the_button_gone(store, fresh_db, page_as,
                                                                                      monkeypatch):
    """The accounts store is locked while the load's audit copy is made (after the page has answered): the load is
    live, so the page says so at once and offers no button to load the same file twice; the run after the audit
    copy gave up warns, once, that the audit entry comes later."""
    test = page_as("boss")
    upload(test, "一季度.csv", (HEADER + "综合窗口可办事项占比(一窗通办),华容区,2024Q1,98.1%,,华容区报表\n").encode())
    monkeypatch.setattr(journal, "AUDIT_WAIT_SECONDS", 0.3)
    store_locked_during(monkeypatch, store, journal, "reconcile")
    click(test, "确认载入")
    assert not test.error
    assert [s.value for s in test.success] == [
        "已载入文件“一季度.csv”（第 2 次变更）：新增 1 行，修改 0 行，不变 0 行；新建期间 1 个。载入的数据如下："]
    assert not [b for b in test.button if b.label == "确认载入"]
    assert test.file_uploader[0].value is None
    assert "华容区,2024Q1,98.1" in export_text(fresh_db)
    follow_ups_done()
    test.run()
    assert [w.value for w in test.warning] == [
        "载入 #2（新增 1 行，修改 0 行，不变 0 行；新建期间 1 个）已生效；"
        f"但账户库 {store.name} 被其他进程占用，已等待 0.3 秒，审计记录暂未写入，"
        "将在下次变更或运行 python -m metrics ensure 时从数据仓库的变更日志补记"]
    test.run()
    assert not test.warning


def test_saving_a_target_answers_before_its_file_merge_and_audit_copy(store, fresh_db, page_as, monkeypatch):
    """The page shows the saved target while the audit copy has not been made; the copy follows, once."""
    copying = threading.Event()
    released = threading.Event()
    real_reconcile = journal.reconcile

    def held(db):
        copying.set()
        released.wait(30)  # on a page that waited for its follow-ups, the answer would come only after this
        real_reconcile(db)

    monkeypatch.setattr(journal, "reconcile", held)
    test = page_as("boss", "target")
    save_push_volume_target(test)
    assert test.success[-1].value == "已保存目标（记录为第 2 次变更：设置目标）"
    assert not released.is_set() and "设置目标" not in accounts.audit_trail(store)["action"].tolist()
    assert copying.wait(30)  # the follow-up has started, and waits
    released.set()
    follow_ups_done()
    assert accounts.audit_trail(store)["action"].tolist().count("设置目标") == 1


def test_a_locked_accounts_store_refuses_a_load_in_one_line(store, fresh_db, page_as, monkeypatch):
    """The store cannot be read to check the admin's role: one line, nothing loaded, the button still there."""
    before = export_text(fresh_db)
    test = page_as("boss")
    upload(test, "一季度.csv", (HEADER + "综合窗口可办事项占比(一窗通办),华容区,2024Q1,98.1%,,华容区报表\n").encode())
    monkeypatch.setenv("METRICS_ACCOUNTS_WAIT_SECONDS", "0.3")
    store_locked_during(monkeypatch, store, accounts, "authorise")
    click(test, "确认载入")
    assert [e.value for e in test.error] == [f"账户库 {store.name} 被其他进程占用，0.3 秒内未释放，请稍后重试"]
    assert not test.success[1:] and export_text(fresh_db) == before
    assert [b.label for b in test.button if b.label == "确认载入"] == ["确认载入"]
