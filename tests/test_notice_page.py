"""通报导入 (issue #23, the page): proposals as review rows, accepted rows as an upload that loads like a file, the
page that marks the figures in the text, loads one reversible load, keeps an editor to its scope, and shows
hostile text as text."""

from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from support import APP, export_text, signed_in

from metrics import accounts, changes, ingest
from metrics.formatting import marked_html
from metrics.ingest import notice, notice_rows
from metrics.store.warehouse import open_reader

PASSWORD = "correct-horse-9"
TITLE = "鄂州市数据局关于2024年第二季度政务服务情况的通报"
NOTICE = (
    f"{TITLE}\n"
    "一、总体情况\n"
    "2024年第二季度，华容区综合窗口可办事项占比98.5%，鄂城区综合窗口可办事项占比91%，"
    "全市政务服务评价数据2,752,087条。\n"
    "2024年7月10日\n"
)


def rows_of(con, text: str = NOTICE) -> tuple[notice.Document, pd.DataFrame]:
    document = notice.from_text(text)
    offered = notice_rows.choices(con)
    return document, notice_rows.review_rows(document, notice.propose(document, offered.catalog), offered)


def records(frame: pd.DataFrame) -> list[dict]:
    """The rows with None where a cell is empty (pandas' text columns hold NaN there)."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def test_review_rows_name_indicator_region_and_period_and_carry_source_and_short_evidence(seed_con):
    _, rows = rows_of(seed_con)
    assert records(rows.drop(columns=["说明"])) == [
        {"序号": 1, "处理": "待定", "原文": "98.5%", "指标": "综合窗口可办事项占比(一窗通办)", "地区": "华容区",
         "期间": "2024年第二季度", "数值": "98.5", "限定": "精确值", "来源": f"{TITLE} 一、",
         "依据": "华容区综合窗口可办事项占比98.5%"},
        {"序号": 2, "处理": "待定", "原文": "91%", "指标": "综合窗口可办事项占比(一窗通办)", "地区": "鄂城区",
         "期间": "2024年第二季度", "数值": "91", "限定": "精确值", "来源": f"{TITLE} 一、",
         "依据": "鄂城区综合窗口可办事项占比91%"},
        {"序号": 3, "处理": "待定", "原文": "2,752,087条", "指标": None, "地区": "鄂州市",
         "期间": "2024年第二季度", "数值": "2752087", "限定": "精确值", "来源": f"{TITLE} 一、",
         "依据": "全市政务服务评价数据2,752,087条"},
    ]
    assert rows["说明"].tolist() == ["", "", "未匹配指标（全市政务服务评价数据）"]


@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        ("甲，华容区综合窗口可办事项占比98.5%，乙", 13, 18, "华容区综合窗口可办事项占比98.5%"),
        ("各单位在本季度内持续推进政务服务事项标准化规范化便利化建设累计梳理并公布办事指南共计3,456项同时完成全部事项的"
         "要素校验和流程优化工作。", 42, 48,
         "事项标准化规范化便利化建设累计梳理并公布办事指南共计3,456项同时完成全部事项"),
        ("858万件", 0, 5, "858万件"),
    ],
)
def test_evidence_is_the_figures_clause_cut_to_40_characters_most_of_them_before_it(text, start, end, expected):
    assert notice_rows.evidence(text, start, end) == expected
    assert len(expected) <= notice_rows.EVIDENCE_CHARS


def test_a_period_without_a_year_or_without_a_stored_span_is_left_to_choose(seed_con):
    _, rows = rows_of(seed_con, "上半年，华容区综合窗口可办事项占比98.5%。\n2024年7月10日\n")
    assert records(rows[["期间", "说明"]]) == [{"期间": None, "说明": "期间：上半年（2024年）"}]
    _, rows = rows_of(seed_con, "4月份，华容区综合窗口可办事项占比98.5%。\n")
    assert records(rows[["期间", "说明"]]) == [{"期间": None, "说明": "期间：未注明年份：4月份"}]
    _, rows = rows_of(seed_con, "2024年4月份，华容区综合窗口可办事项占比98.5%。\n")
    assert rows["期间"].tolist() == ["2024年4月"]


def test_accepted_rows_with_a_new_indicator_validate_as_one_upload_and_problems_carry_the_row_number(seed_con):
    document, rows = rows_of(seed_con)
    rows["处理"] = ["采纳", "不采纳", "采纳"]
    added = {3: notice_rows.NewIndicator("政务服务评价数据量", "条", "count", "一窗通办", "flow", "none", "市数据局")}
    upload = notice_rows.to_upload(document, rows, added)
    validation = ingest.validate(seed_con, ingest.read_upload(upload.file_name, upload.content))
    assert validation.ok, validation.errors
    assert validation.rows[["indicator_id", "region_id", "period_id", "value", "qualifier", "source", "evidence"]
                           ].values.tolist() == [
        ["one_window_share", "huarong", "2024Q2", 98.5, "exact", f"{TITLE} 一、", "华容区综合窗口可办事项占比98.5%"],
        [notice_rows.indicator_id("政务服务评价数据量"), "ezhou", "2024Q2", 2752087.0, "exact", f"{TITLE} 一、",
         "全市政务服务评价数据2,752,087条"],
    ]
    assert validation.indicators[["name", "unit", "kind", "definition"]].values.tolist() == [
        ["政务服务评价数据量", "条", "count", "据通报:全市政务服务评价数据2,752,087条"]]

    rows.loc[0, "数值"] = "198.5"
    rows.loc[2, "地区"] = None
    upload = notice_rows.to_upload(document, rows, added)
    validation = ingest.validate(seed_con, ingest.read_upload(upload.file_name, upload.content))
    assert notice_rows.numbered(ingest.problem_table(validation.errors), upload).to_dict("records") == [
        {"序号": 1, "列": "观测值!数值", "值": "198.5", "问题": "比率应在0到100之间"},
        {"序号": 3, "列": "观测值!地区", "值": "", "问题": "必填项为空"},
    ]


def test_under_has_no_stored_qualifier_so_an_accepted_row_must_change_it(seed_con):
    document, rows = rows_of(seed_con, "2024年第二季度，华容区综合窗口可办事项占比不足90%。\n")
    assert rows[["限定", "说明"]].values.tolist() == [["不足(低于)", "仓库没有“不足”限定，请改选"]]
    rows["处理"] = "采纳"
    upload = notice_rows.to_upload(document, rows, {})
    validation = ingest.validate(seed_con, ingest.read_upload(upload.file_name, upload.content))
    assert notice_rows.numbered(ingest.problem_table(validation.errors), upload)["问题"].tolist() == [
        "无法识别的限定“不足(低于)”：应为 精确、以上、超过、以内、约、均达…以上 或其代码(exact、at_least…)"]


def test_marked_text_escapes_every_piece_and_marks_only_the_spans():
    text = "**粗体** <script>alert(1)</script> [链接](http://x.cn)\n858万件\u202e"
    start = text.index("858")
    assert marked_html(text, {(start, start + 5): "1,2"}) == (
        '<div style="white-space: pre-wrap; line-height: 1.8">**粗体** &lt;script&gt;alert(1)&lt;/script&gt; '
        "[链接](http://x.cn)\n<mark>858万件</mark><sup>1,2</sup></div>")


# ------------------------------------------------------------------------------------------------------ the page


@pytest.fixture
def store(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "accounts.duckdb"
    monkeypatch.setenv("METRICS_ACCOUNTS", str(path))
    accounts.add_user(path, "hr_editor", PASSWORD, "editor", actor="test", scope_regions=("华容区",))
    accounts.add_user(path, "boss", PASSWORD, "admin", actor="test")
    st.cache_data.clear()
    st.cache_resource.clear()
    return path


def notice_page(monkeypatch, store: Path, db: Path, username: str, text: str) -> AppTest:
    """通报导入 as username on db, with text pasted."""
    monkeypatch.setenv("METRICS_DB", str(db))
    signed_in(monkeypatch, store, username)
    test = AppTest.from_file(APP, default_timeout=60)
    test.run()
    test.switch_page("pages/notice_import.py").run()
    test.text_area(key="notice_text_0").input(text).run()
    assert not test.exception, [e.value for e in test.exception]
    return test


def decide(test: AppTest, decisions: dict[int, str]) -> AppTest:
    """Set the 处理 cells of the review table (by position), as a person would in the browser."""
    key = next(editor.key for editor in test.data_editor)
    test.session_state[key] = {"edited_rows": {row: {"处理": decision} for row, decision in decisions.items()},
                               "added_rows": [], "deleted_rows": []}
    test.run()
    assert not test.exception, [e.value for e in test.exception]
    return test


def test_admin_accepts_two_rejects_one_and_loads_one_reversible_load(monkeypatch, store, fresh_db):
    before = export_text(fresh_db)
    test = notice_page(monkeypatch, store, fresh_db, "boss", NOTICE)
    assert test.data_editor[0].value["原文"].tolist() == ["98.5%", "91%", "2,752,087条"]
    assert test.info[0].value.startswith("尚未采纳任何数值")
    assert not [b for b in test.button if b.label == "确认载入"]
    assert export_text(fresh_db) == before  # nothing is written until a person confirms

    decide(test, {0: "采纳", 1: "采纳", 2: "不采纳"})
    assert test.success[0].value == "校验通过。请核对预览后确认载入。"
    assert test.dataframe[-1].value[["序号", "地区", "数值"]].values.tolist() == [[1, "华容区", "98.5%"],
                                                                               [2, "鄂城区", "91%"]]
    next(b for b in test.button if b.label == "确认载入").click().run()
    assert not test.exception, [e.value for e in test.exception]
    assert test.success[0].value == (f"已载入通报“{TITLE}”（第 2 次变更）：新增 2 行，修改 0 行，不变 0 行；"
                                     "新建期间 1 个。载入的数据如下：")
    exported = export_text(fresh_db)
    assert (f"one_window_share,综合窗口可办事项占比(一窗通办),华容区,2024Q2,98.5,%,exact,{TITLE} 一、,"
            "华容区综合窗口可办事项占比98.5%") in exported
    assert (f"one_window_share,综合窗口可办事项占比(一窗通办),鄂城区,2024Q2,91,%,exact,{TITLE} 一、,"
            "鄂城区综合窗口可办事项占比91%") in exported
    assert "2752087" not in exported
    con = open_reader(fresh_db)
    try:
        history = ingest.history(con)
    finally:
        con.close()
    assert history[["编号", "文件", "新增", "状态"]].values.tolist()[1:] == [
        [2, f"通报导入：{TITLE}", 2, "已生效"]]
    assert accounts.audit_trail(store).query("action == '载入数据'")["target"].tolist() == [
        f"载入 #2 通报导入：{TITLE}"]
    changes.rollback(fresh_db, 2, "boss")
    assert export_text(fresh_db) == before


def test_an_editor_of_one_district_cannot_load_another_districts_figure(monkeypatch, store, seed_db):
    before = export_text(seed_db)
    test = notice_page(monkeypatch, store, seed_db, "hr_editor", NOTICE)
    decide(test, {0: "采纳", 1: "采纳"})
    assert test.error[0].value == "采纳的数值有 1 处问题，未载入。请按序号在上表中修改或不采纳。"
    assert test.dataframe[-1].value.to_dict("records") == [
        {"序号": 2, "列": "地区", "值": "鄂城区", "问题": "超出您的填报范围（地区：华容区）"}]
    assert not [b for b in test.button if b.label in ("提交审核", "确认载入")]
    assert export_text(seed_db) == before


def test_hostile_text_shows_as_text_and_bad_input_gets_one_chinese_line(monkeypatch, store, seed_db):
    hostile = ("# <script>alert(1)</script> **通报** [点此](javascript:alert(1))\n"
               "2024年第二季度，华容区综合窗口可办事项占比98.5%。<img src=x onerror=alert(1)>\n")
    test = notice_page(monkeypatch, store, seed_db, "hr_editor", hostile)
    shown = test.get("html")[0].proto.body
    assert "<script>" not in shown and "<img" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **通报** [点此](javascript:alert(1))" in shown
    assert "<mark>98.5%</mark><sup>1</sup>。&lt;img src=x onerror=alert(1)&gt;" in shown
    assert not any("alert" in element.value for element in [*test.markdown, *test.caption, *test.title])

    test.text_area(key="notice_text_0").input("各单位要高度重视，认真抓好落实。").run()
    assert test.info[0].value == "未发现数值"
    assert not test.data_editor
    test.file_uploader[0].upload("通报.txt", b"\x89PNG\r\n\x1a\n" + bytes(64), "text/plain").run()
    assert not test.exception, [e.value for e in test.exception]
    assert test.error[0].value == "文件内容是PNG图片，不是文本通报"
    assert not test.data_editor


def test_an_admin_adds_an_indicator_from_an_unmatched_row_and_it_validates_with_the_row(monkeypatch, store, seed_db):
    test = notice_page(monkeypatch, store, seed_db, "boss", NOTICE)
    assert test.selectbox(key="notice_new_row").options == ["3"]
    assert test.text_input(key="notice_new_name_3").value == "全市政务服务评价数据"
    assert test.text_input(key="notice_new_unit_3").value == "条"
    test.text_input(key="notice_new_name_3").input("政务服务评价数据量")
    test.selectbox(key="notice_new_temporal_3").set_value("flow")
    next(b for b in test.button if b.label == "新增到这一行").click().run()
    assert any(m.value == "序号 3 → 新指标“政务服务评价数据量”（条，数量，一窗通办）" for m in test.markdown)
    decide(test, {2: "采纳"})
    assert test.success[0].value == "校验通过。请核对预览后确认载入。"
    assert test.dataframe[-1].value[["序号", "名称", "单位", "时间属性"]].values.tolist() == [
        [3, "政务服务评价数据量", "条", "期间流量"]]
