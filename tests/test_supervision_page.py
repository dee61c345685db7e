"""The 督办 loop through the pages: a leader asks on 区域对比, the unit's clerk sees it in 提醒 and answers on the
督办 page, the leader closes it; a clerk of another unit can neither read nor answer it there. Subscriptions on
我的账户, the inbox badge, and the admin's view of a failed delivery."""

import datetime as dt
import shutil

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from support import APP, PASSWORD, TWO_QUARTERS_CSV, free_port, load_text, signed_in
from test_review import submit as submit_file

from metrics import accounts, changes, config, notify, supervision
from metrics.store.warehouse import open_reader

ITEM = "综合窗口可办事项占比(一窗通办) · 华容区 · 2024年第三季度"


@pytest.fixture(scope="module")
def store_of_people(tmp_path_factory):
    store = tmp_path_factory.mktemp("people") / "accounts.duckdb"
    for name, role, regions in (("leader", "viewer", ()), ("hr_clerk", "editor", ("华容区",)),
                                ("ec_clerk", "editor", ("鄂城区",)), ("boss", "admin", ())):
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
    """The account's items, each status in words."""
    con = open_reader(db)
    try:
        found = supervision.items(con, account, dt.date.today())
    finally:
        con.close()
    return found.assign(status=found["status"].map(supervision.STATUS_NAMES))


def labelled(widgets, label):
    return next(widget for widget in widgets if widget.label == label)


def submit(test: AppTest, label: str) -> AppTest:
    labelled(test.button, label).click().run()
    assert not test.exception, [e.value for e in test.exception]
    return test


def texts(test: AppTest) -> list[str]:
    return [element.value for element in test.text]


def test_a_leader_asks_on_a_figure_the_clerk_answers_and_the_leader_closes_and_no_other_unit_sees_it(page_as, fresh_db):
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

    # A clerk of another unit neither reads it nor answers it, on 督办 or beside the figure.
    other = page_as("ec_clerk", "pages/supervision.py", item="1")
    assert [e.value for e in other.error] == ["没有督办 #1，或不在您的范围内（地区：鄂城区）"]
    assert [m.value for m in other.metric] == ["0项", "0项", "0项"]
    assert not [t for t in other.text_area if t.label == "答复"]
    assert "**为何**低于市本级？<b>请说明</b>" not in texts(other)
    districts = page_as("ec_clerk", "pages/districts.py", period="2024Q3")
    assert "**为何**低于市本级？<b>请说明</b>" not in texts(districts)
    assert not [t for t in districts.text_area if t.label == "督办内容"]

    deadline = dt.date.today() + dt.timedelta(days=14)
    # In 提醒, a link to the item's thread.
    reminders = [(link.proto.label, link.proto.page, link.proto.query_string)
                 for link in page_as("hr_clerk", None).sidebar.get("page_link")]
    assert (f"督办 \\#1（待答复）：综合窗口可办事项占比(一窗通办) · 华容区 · 2024年第三季度，时限 {deadline:%Y-%m-%d}",
            "supervision", "item=1") in reminders, reminders
    owed = page_as("hr_clerk", "pages/data_admin.py").warning[0].value   # and on the unit's data page
    assert owed.startswith("**2024年第三季度您的范围内待办 1 项：** 督办 \\#1（待答复）：综合窗口可办事项占比"), owed
    submit_file(fresh_db, accounts.Account("hr_clerk", "editor", ("华容区",)))   # the corrected file, for review
    clerk = page_as("hr_clerk", "pages/supervision.py", item="1")
    labelled(clerk.text_area, "答复").input("12个事项本月进驻综合窗口")
    labelled(clerk.selectbox, "附上更正文件（先在“数据管理”提交审核）").set_value(1)
    submit(clerk, "提交答复")
    assert items(fresh_db, everyone)["status"].tolist() == ["已答复"]

    leader = page_as("leader", "pages/supervision.py", item="1")
    assert any(line.endswith("hr_clerk 答复：12个事项本月进驻综合窗口（附报送 #1“华容区.csv”，待审核）")
               for line in texts(leader))
    assert labelled(leader.radio, "处理").options == ["办结", "退回"]
    labelled(leader.radio, "处理").set_value("办结")
    submit(leader, "确定")
    assert items(fresh_db, everyone)["status"].tolist() == ["已办结"]
    # A link to a closed item still opens it, though the list shows 未办结 by default.
    closed = page_as("leader", "pages/supervision.py", item="1")
    assert closed.text[-1].value.endswith("leader 办结")


def test_subscriptions_the_inbox_badge_and_the_admins_view_of_a_failed_delivery(page_as, fresh_db, monkeypatch):
    mine = page_as("leader", "pages/account.py")
    mine.multiselect(key="notify_supervision_channels").set_value(["inbox", "email"])
    labelled(mine.text_input, "邮箱（选择“邮件”时必填）").input("leader@ezhou.gov.cn")
    submit(mine, "保存订阅")
    store = fresh_db.with_name("accounts.duckdb")
    assert notify.subscriptions(store) == [
        notify.Subscription("leader", "supervision", channels=("inbox", "email"), email="leader@ezhou.gov.cn")]

    leader, clerk = accounts.Account("leader", "viewer"), accounts.Account("hr_clerk", "editor", ("华容区",))
    item_id = changes.open_supervision(fresh_db, leader, indicator_id="one_window_share", region_id="huarong",
                                       quarter_index=2024 * 4 + 2, content="请说明",
                                       deadline=dt.date.today() + dt.timedelta(days=7))
    changes.supervision_step(fresh_db, clerk, item_id, "答复", "已整改")
    assert [e.label for e in page_as("leader", None).sidebar.expander if e.label.startswith("消息")] == [
        "消息（1 条未读）"]

    port = free_port()   # no SMTP server listens here
    for name, value in ((config.SMTP_HOST.name, "127.0.0.1"), (config.SMTP_PORT.name, str(port)),
                        (config.SMTP_SECURITY.name, "none"), (config.SMTP_FROM.name, "dashboard@ezhou.gov.cn"),
                        (config.SMTP_USER.name, "mailer"), (config.SMTP_PASSWORD.name, "pw-never-shown-42")):
        monkeypatch.setenv(name, value)
    assert len(notify.run(fresh_db).failures) == 1
    admin = page_as("boss", "pages/supervision.py")
    assert [w.value for w in admin.warning] == [
        "1 条提醒未能发送，已保留，将在此后的定时发送中按间隔重试。"]
    reason = admin.dataframe[0].value["原因"].tolist()
    assert reason == [f"邮件未能发送到 leader@ezhou.gov.cn（127.0.0.1:{port}）：连接被拒绝"]
    # The channels as configured, shown literally: the password only as 已设置.
    assert (f"提醒发送：群机器人未配置；邮件服务器127\\.0.0.1\\:{port}（none，用户 mailer，密码已设置），"
            "发件人 dashboard@\u2060ezhou.gov.cn。") in [c.value for c in admin.caption]


def test_a_leader_asks_from_the_overviews_attention_list_with_the_same_form(page_as, fresh_db):
    overview = page_as("leader", "pages/overview.py", period="2024Q3")
    findings = [link.proto.label for link in overview.get("page_link") if link.proto.page == "districts"]
    # Beside each finding of 需关注, its 督办 button; the form is built once the button opens its dialog.
    asks = [button.key for button in overview.button if button.label == "督办"]
    assert (findings, asks) == (["临空经济区 综合窗口可办事项占比(一窗通办) 81.9%，低于市本级（100%）18.1个百分点",
                                 "鄂城区 综合窗口可办事项占比(一窗通办) 90%，低于市本级（100%）10个百分点"],
                                ["ask_below_reference_one_window_share_linkong",
                                 "ask_below_reference_one_window_share_echeng"])
    assert not [form for form in overview.get("form") if form.proto.form.form_id.startswith("supervise_")]
    overview.button(key="ask_below_reference_one_window_share_linkong").click().run()
    assert [form.proto.form.form_id for form in overview.get("form")] == ["supervise_one_window_share_8098_linkong"]
    # The dialog names the finding and the unit; the unit is the finding's, not chosen.
    assert findings[0] in [text.value for text in overview.text]
    assert "**就临空经济区本季度的数值督办**" in [m.value for m in overview.markdown]
    assert not [box for box in overview.selectbox if box.label == "单位"]
    # Its submission reruns the dialog alone (a fragment), which AppTest does not: the phone walk of
    # test_browser_supervision sends it.
    # A figure found twice (鄂城区 2024Q4: far below 市本级, and worse than 2024Q3) has a button for each finding.
    load_text(fresh_db, "2024Q3-Q4.csv", TWO_QUARTERS_CSV)
    twice = page_as("leader", "pages/overview.py", period="2024Q4")
    assert [button.key for button in twice.button if button.label == "督办" and "echeng" in button.key] == [
        "ask_below_reference_one_window_share_echeng", "ask_worse_one_window_share_echeng"]
    # A clerk reads 需关注 but asks nobody.
    assert not [button for button in page_as("hr_clerk", "pages/overview.py", period="2024Q3").button
                if button.label == "督办"]


def test_my_account_says_what_a_viewer_may_do_and_subscribes_to_the_quarterly_brief(page_as, fresh_db):
    mine = page_as("leader", "pages/account.py")
    # There is no leader role: the page says what the 查看 account a leader signs in with may do.
    assert "查看账户：浏览各页面；本局领导使用查看账户：可就数值发起督办，审阅答复后办结或退回，不能修改数据。" in [
        caption.value for caption in mine.caption]
    assert "**上季度数据报齐（或报送截止）时发送季度简报（邮件附 PDF）**" in [m.value for m in mine.markdown]
    mine.multiselect(key="notify_brief_channels").set_value(["inbox", "email"])
    labelled(mine.text_input, "邮箱（选择“邮件”时必填）").input("leader@ezhou.gov.cn")
    submit(mine, "保存订阅")
    assert notify.subscriptions(fresh_db.with_name("accounts.duckdb")) == [
        notify.Subscription("leader", "brief", channels=("inbox", "email"), email="leader@ezhou.gov.cn")]
