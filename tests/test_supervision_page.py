"""The 督办 loop through the pages: a leader asks on 区域对比, the unit's clerk sees it in 提醒 and answers on the
督办 page, the leader closes it; a clerk of another unit can neither read nor answer it there."""

import datetime as dt
import shutil

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from support import APP, PASSWORD, signed_in

from metrics import accounts, supervision
from metrics.warehouse import open_reader

ITEM = "综合窗口可办事项占比(一窗通办) · 华容区 · 2024年第三季度"


@pytest.fixture(scope="module")
def store_of_people(tmp_path_factory):
    store = tmp_path_factory.mktemp("people") / "accounts.duckdb"
    for name, role, regions in (("leader", "viewer", ()), ("hr_clerk", "editor", ("华容区",)),
                                ("ec_clerk", "editor", ("鄂城区",))):
        accounts.add_user(store, name, PASSWORD, role, actor="test", scope_regions=regions)
    return store


@pytest.fixture
def page_as(fresh_db, store_of_people, monkeypatch):
    store = fresh_db.with_name("accounts.duckdb")
    shutil.copyfile(store_of_people, store)
    monkeypatch.setenv("METRICS_DB", str(fresh_db))
    monkeypatch.setenv("METRICS_ACCOUNTS", str(store))

    def open_as(username: str, page: str | None, **query) -> AppTest:
        """A session signed in as username on the page (None: the first page, with app.py's sidebar)."""
        signed_in(monkeypatch, store, username)
        st.cache_data.clear()
        st.cache_resource.clear()
        test = AppTest.from_file(APP, default_timeout=60)
        test.run()
        if page:
            test.query_params.update(query)
            test.switch_page(page).run()
        assert not test.exception, [e.value for e in test.exception]
        return test

    return open_as


def items(db, account):
    con = open_reader(db)
    try:
        return supervision.items(con, account, dt.date.today())
    finally:
        con.close()


def labelled(widgets, label):
    return next(widget for widget in widgets if widget.label == label)


def submit(test: AppTest, label: str) -> AppTest:
    labelled(test.button, label).click().run()
    assert not test.exception, [e.value for e in test.exception]
    return test


def texts(test: AppTest) -> list[str]:
    return [element.value for element in test.text]


def test_a_leader_asks_on_a_figure_the_clerk_answers_and_the_leader_closes(page_as, fresh_db):
    leader = page_as("leader", "pages/districts.py", period="2024Q3")
    assert [s.value for s in leader.selectbox if s.label == "指标"] == ["one_window_share"]
    labelled(leader.selectbox, "单位").set_value("huarong")
    labelled(leader.text_area, "督办内容").input("**为何**低于市本级？<b>请说明</b>")
    submit(leader, "督办")
    everyone = accounts.Account("leader", "viewer")
    assert items(fresh_db, everyone)[["item_id", "region_name", "quarter_label", "author", "status"]].values.tolist() \
        == [[1, "华容区", "2024年第三季度", "leader", "待答复"]]
    # Beside the figure: the question as written, not as Markdown or HTML.
    assert "**为何**低于市本级？<b>请说明</b>" in texts(page_as("leader", "pages/districts.py", period="2024Q3"))

    deadline = dt.date.today() + dt.timedelta(days=14)
    reminders = [c.value for c in page_as("hr_clerk", None).sidebar.caption]
    assert f"督办 \\#1（待答复）：综合窗口可办事项占比(一窗通办) · 华容区 · 2024年第三季度，时限 {deadline:%Y-%m-%d}" \
        in reminders, reminders
    clerk = page_as("hr_clerk", "pages/supervision.py", item="1")
    labelled(clerk.text_area, "答复").input("12个事项本月进驻综合窗口")
    submit(clerk, "提交答复")
    assert items(fresh_db, everyone)["status"].tolist() == ["已答复"]

    leader = page_as("leader", "pages/supervision.py", item="1")
    assert any(line.endswith("hr_clerk 答复：12个事项本月进驻综合窗口") for line in texts(leader))
    assert labelled(leader.radio, "处理").options == ["办结", "退回"]
    labelled(leader.radio, "处理").set_value("办结")
    submit(leader, "确定")
    assert items(fresh_db, everyone)["status"].tolist() == ["已办结"]


def test_a_clerk_of_another_unit_neither_reads_nor_answers_it_on_the_page(page_as, fresh_db):
    leader = page_as("leader", "pages/districts.py", period="2024Q3")
    labelled(leader.selectbox, "单位").set_value("huarong")
    labelled(leader.text_area, "督办内容").input("请说明")
    submit(leader, "督办")

    other = page_as("ec_clerk", "pages/supervision.py", item="1")
    assert [e.value for e in other.error] == ["没有督办 #1，或不在您的范围内（地区：鄂城区）"]
    assert [m.value for m in other.metric] == ["0项", "0项", "0项"]
    assert not [t for t in other.text_area if t.label == "答复"]
    assert "请说明" not in texts(other)
    # Nor does 区域对比 show it, nor offer a clerk the form.
    districts = page_as("ec_clerk", "pages/districts.py", period="2024Q3")
    assert "请说明" not in texts(districts)
    assert not [t for t in districts.text_area if t.label == "督办内容"]
