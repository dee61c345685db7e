"""`metrics notify` against real parts: an SMTP server (aiosmtpd) and a local HTTP server standing in for the
group robot. Each alert goes out once per condition; a second run sends nothing new; an unreachable SMTP server
gets one Chinese line, keeps the alert and is retried after a backoff; the SMTP password is never printed."""

import datetime as dt
import email
import email.header
import email.policy
import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from support import PASSWORD, TWO_QUARTERS_CSV, free_port, load_text

from metrics import accounts, changes, cli, config, notify
from metrics.notify import Report, Subscription

Q3_2024 = 2024 * 4 + 2
SMTP_PASSWORD = "pw-never-shown-42"
ROBOT_KEY = "key=robot-secret-123"


@pytest.fixture(scope="module")
def store_of_people(tmp_path_factory):
    store = tmp_path_factory.mktemp("people") / "accounts.duckdb"
    accounts.add_user(store, "leader", PASSWORD, "viewer", actor="test")
    accounts.add_user(store, "hr_clerk", PASSWORD, "editor", actor="test", scope_regions=("华容区",))
    return store


@pytest.fixture
def world(fresh_db, store_of_people, monkeypatch):
    store = fresh_db.with_name("accounts.duckdb")
    shutil.copyfile(store_of_people, store)
    monkeypatch.setenv("METRICS_ACCOUNTS", str(store))
    for name in (config.NOTIFY_WEBHOOK.name, config.SMTP_HOST.name, config.SMTP_USER.name, config.SMTP_PASSWORD.name,
                 config.PUBLIC_URL.name):
        monkeypatch.delenv(name, raising=False)
    return fresh_db, store


class Mailbox:
    """An SMTP server on a port of its own (aiosmtpd), keeping every message it receives."""

    def __init__(self, port: int):
        self.messages: list[email.message.EmailMessage] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=port)
        self.controller.start()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def stop(self):
        self.controller.stop()


class Robot:
    """A local HTTP server standing in for a 政务微信/钉钉 group robot: keeps each JSON body, answers `reply`."""

    def __init__(self, reply: dict):
        robot = self
        self.bodies: list[dict] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                robot.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                answer = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/robot/send?{ROBOT_KEY}"

    def stop(self):
        self.server.shutdown()


@pytest.fixture
def mailbox():
    box = Mailbox(free_port())
    yield box
    box.stop()


def smtp_settings(monkeypatch, port: int, *, user: str | None = None):
    monkeypatch.setenv(config.SMTP_HOST.name, "127.0.0.1")
    monkeypatch.setenv(config.SMTP_PORT.name, str(port))
    monkeypatch.setenv(config.SMTP_SECURITY.name, "none")
    monkeypatch.setenv(config.SMTP_FROM.name, "dashboard@ezhou.gov.cn")
    monkeypatch.setenv(config.SMTP_PASSWORD.name, SMTP_PASSWORD)
    if user:
        monkeypatch.setenv(config.SMTP_USER.name, user)
    else:
        monkeypatch.delenv(config.SMTP_USER.name, raising=False)


def asked_and_answered(db) -> int:
    leader, clerk = accounts.Account("leader", "viewer"), accounts.Account("hr_clerk", "editor", ("华容区",))
    item_id = changes.open_supervision(db, leader, indicator_id="one_window_share", region_id="huarong",
                                       quarter_index=Q3_2024, content="请说明",
                                       deadline=dt.date.today() + dt.timedelta(days=7))
    changes.supervision_step(db, clerk, item_id, "答复", "12个事项本月进驻")
    return item_id


ANSWERED = "督办 #1 已答复"
ABOUT = "综合窗口可办事项占比(一窗通办) · 华容区 · 2024年第三季度。12个事项本月进驻"


def test_an_answer_reaches_the_inbox_the_robot_and_the_mailbox_once(world, mailbox, monkeypatch):
    db, store = world
    robot = Robot({"errcode": 0, "errmsg": "ok"})
    monkeypatch.setenv(config.NOTIFY_WEBHOOK.name, robot.url)
    monkeypatch.setenv(config.PUBLIC_URL.name, "https://metrics.ezhou.gov.cn/")
    smtp_settings(monkeypatch, mailbox.controller.port)
    notify.subscribe(store, Subscription("leader", "supervision", channels=("inbox", "webhook", "email"),
                                         email="leader@ezhou.gov.cn"))
    asked_and_answered(db)
    # The answer is in the inbox at once, without the scheduler; the robot and the mail wait for it.
    assert notify.inbox(store, "leader")[["title", "body", "link"]].values.tolist() == [
        [ANSWERED, ABOUT, "/supervision?item=1"]]
    try:
        assert notify.run(db) == Report(new_alerts=0, delivered=2, failures=[])
        link = "https://metrics.ezhou.gov.cn/supervision?item=1"
        assert robot.bodies == [{"msgtype": "text", "text": {"content": f"{ANSWERED}\n{ABOUT}\n{link}"}}]
        [mail] = mailbox.messages
        assert (mail["Subject"], mail["To"], mail["From"]) == (
            "【政务服务指标看板】督办 #1 已答复", "leader@ezhou.gov.cn", "dashboard@ezhou.gov.cn")
        assert "=?utf-8?" in mail.as_string(policy=email.policy.compat32).split("Subject:")[1].splitlines()[0]
        assert mail.get_content() == f"{ANSWERED}\n{ABOUT}\n{link}\n"
        # A second run sends nothing new, by any channel.
        assert notify.run(db) == Report(new_alerts=0, delivered=0, failures=[])
        assert (len(robot.bodies), len(mailbox.messages), len(notify.inbox(store, "leader"))) == (1, 1, 1)
        assert notify.inbox(store, "hr_clerk").empty
    finally:
        robot.stop()


@pytest.mark.slow  # waits out an SMTP connection that nobody answers
def test_an_unreachable_smtp_server_keeps_the_alert_and_it_goes_out_on_a_later_run(world, monkeypatch, capsys):
    db, store = world
    port = free_port()   # nothing listens here yet
    smtp_settings(monkeypatch, port, user="mailer")
    notify.subscribe(store, Subscription("leader", "supervision", channels=("email",), email="leader@ezhou.gov.cn"))
    asked_and_answered(db)
    started = dt.datetime(2030, 1, 6, 8, 0)
    assert cli.main(["notify", "--db", str(db), "--now", started.isoformat()]) == 0
    printed = capsys.readouterr()
    reason = f"邮件未能发送到 leader@ezhou.gov.cn（127.0.0.1:{port}）：连接被拒绝"
    assert printed.out == "新提醒 0 条；本次发送成功 0 条，失败 1 条\n"   # recorded as the answer was given
    assert printed.err == f"未能发送（保留，稍后重试）：{ANSWERED} → 邮件：{reason}\n"
    assert SMTP_PASSWORD not in printed.out + printed.err
    waiting = notify.undelivered(store)
    assert waiting[["channel", "attempts", "last_error", "next_attempt_at"]].values.tolist() == [
        ["email", 1, reason, started + dt.timedelta(minutes=5)]]
    assert notify.inbox(store, "leader").empty   # the inbox was not among the chosen channels
    # Before the backoff is over, nothing is tried; after it, the repaired server gets the mail, once.
    assert notify.run(db, started + dt.timedelta(minutes=4)) == Report(0, 0, [])
    box = Mailbox(port)
    try:
        monkeypatch.delenv(config.SMTP_USER.name)
        assert notify.run(db, started + dt.timedelta(minutes=5)) == Report(0, 1, [])
        assert [mail["Subject"] for mail in box.messages] == ["【政务服务指标看板】督办 #1 已答复"]
        assert notify.undelivered(store).empty
        assert notify.run(db, started + dt.timedelta(hours=1)) == Report(0, 0, [])
    finally:
        box.stop()
    assert notify.backoff(1) == dt.timedelta(minutes=5) and notify.backoff(3) == dt.timedelta(minutes=20)
    assert notify.backoff(10) == dt.timedelta(hours=6)


def test_a_unit_below_target_once_per_quarter_and_a_robot_that_refuses(world, monkeypatch):
    db, store = world
    robot = Robot({"errcode": 93000, "errmsg": "invalid webhook url"})
    monkeypatch.setenv(config.NOTIFY_WEBHOOK.name, robot.url)
    notify.subscribe(store, Subscription("leader", "below_target", indicator_ids=("one_window_share",),
                                         region_ids=("linkong",), channels=("inbox", "webhook")))
    changes.set_target(db, "测试", "one_window_share", None, 2024, 95, ">=")
    try:
        report = notify.run(db)
        assert report.new_alerts == 1
        assert report.failures == ["2024年第三季度未达标 → 群机器人：群机器人拒收：invalid webhook url（错误码 93000）"]
        assert ROBOT_KEY not in "".join(report.failures)
        assert notify.inbox(store, "leader")[["title", "link"]].values.tolist() == [
            ["2024年第三季度未达标", "/districts?indicator=one_window_share&period=2024Q3&region=linkong"]]
        assert notify.inbox(store, "leader")["body"].iloc[0] == (
            "临空经济区 综合窗口可办事项占比(一窗通办) 81.9%，未达到目标（≥ 95%）")
        assert notify.run(db).new_alerts == 0
        trail = accounts.audit_trail(store)
        assert trail[trail["action"] == "设置提醒"][["actor", "target", "detail"]].values.tolist() == [
            ["leader", "单位本季度低于目标", "站内消息、群机器人"]]
    finally:
        robot.stop()


def test_subscriptions_are_checked(world):
    _, store = world
    with pytest.raises(notify.NotifyError, match="^请填写有效的邮箱地址$"):
        notify.subscribe(store, Subscription("leader", "supervision", channels=("email",), email="not-an-address"))
    with pytest.raises(notify.NotifyError, match="^未知的发送方式“sms”$"):
        notify.subscribe(store, Subscription("leader", "supervision", channels=("sms",)))


def test_a_run_that_overlaps_another_does_not_send_what_that_one_is_sending(world, monkeypatch):
    db, store = world
    monkeypatch.setenv(config.SMTP_HOST.name, "127.0.0.1")
    monkeypatch.setenv(config.SMTP_FROM.name, "dashboard@ezhou.gov.cn")
    notify.subscribe(store, Subscription("leader", "supervision", channels=("email",), email="leader@ezhou.gov.cn"))
    asked_and_answered(db)
    now, overlapping, sent = dt.datetime(2030, 1, 6, 8, 0), [], []

    def slow_send(row, config, attachment):
        sent.append(row.title)
        if len(sent) == 1:   # a second cron job starts while the first is sending
            overlapping.append(notify.deliver(store, config, now))

    monkeypatch.setitem(notify.SENDERS, "email", slow_send)
    assert notify.deliver(store, notify.settings(), now) == (1, [])
    assert (sent, overlapping) == ([ANSWERED], [(0, [])])


def test_a_unit_that_fell_by_more_than_the_points_and_a_report_past_its_due_date(world):
    db, store = world
    load_text(db, "2024Q3-Q4.csv", TWO_QUARTERS_CSV)   # 鄂城区 91.2% → 89.5%; 梁子湖区、葛店经开区 without 2024Q4
    watched = {"indicator_ids": ("one_window_share",), "channels": ("inbox",)}
    notify.subscribe(store, Subscription("leader", "fell", points=1.5, **watched))
    notify.subscribe(store, Subscription("hr_clerk", "fell", points=2, **watched))
    notify.subscribe(store, Subscription("hr_clerk", "unreported", region_ids=("liangzihu",), **watched))
    assert notify.run(db, dt.datetime(2025, 1, 15, 9, 0)).new_alerts == 1   # the due date is not past yet
    assert notify.run(db, dt.datetime(2025, 1, 16, 9, 0)).new_alerts == 1
    assert notify.inbox(store, "leader")[["title", "body", "link"]].values.tolist() == [[
        "2024年第四季度较上季度变差",
        "鄂城区 综合窗口可办事项占比(一窗通办) 89.5%，较2024年第三季度下降1.7个百分点，变差",
        "/trends?indicator=one_window_share&period=2024Q4&region=echeng"]]
    assert notify.inbox(store, "hr_clerk")[["title", "body", "link"]].values.tolist() == [[
        "2024年第四季度逾期未报",
        "梁子湖区 综合窗口可办事项占比(一窗通办) 2024年第四季度的数据已过截止日期（2025-01-15）仍未报送",
        "/reporting?period=2024Q4"]]
    assert notify.run(db, dt.datetime(2025, 1, 17, 9, 0)).new_alerts == 0
    with pytest.raises(notify.NotifyError, match="^请填写变差超过多少（大于 0）$"):
        notify.subscribe(store, Subscription("leader", "fell", points=0, **watched))


# The rest of 2024Q4 after TWO_QUARTERS_CSV: with it, every figure the rules expect of the quarter is reported.
REST_OF_2024Q4 = """指标名称,地区,期间,数值,限定,来源,依据
综合窗口可办事项占比(一窗通办),梁子湖区,2024Q4,96,,2024年第四季度报表,
综合窗口可办事项占比(一窗通办),葛店经开区,2024Q4,96.2,,2024年第四季度报表,
圈内通办上线事项数,鄂州市,2024Q4,1150,,2024年第四季度报表,
圈内通办全程网办事项数,鄂州市,2024Q4,1000,,2024年第四季度报表,
鄂汇办上线依申请和公共服务事项数,鄂州市,2024Q4,460,,2024年第四季度报表,
“高效办成一件事”考核“一窗通办”指标得分,鄂州市,2024Q4,2,,湖北省2024年四季度考核通报,
"""
BRIEF_FILE = "政务服务指标季度简报_2024Q4.pdf"
BRIEF_SUBJECT = "【政务服务指标看板】2024年第四季度简报"


def brief_of(mail) -> bytes:
    """The one attachment of a mail, checked to be the quarter's brief as a PDF."""
    [attached] = list(mail.iter_attachments())
    assert (attached.get_content_type(), attached.get_filename()) == ("application/pdf", BRIEF_FILE)
    data = attached.get_content()
    assert data.startswith(b"%PDF-")
    return data


def test_the_quarterly_brief_goes_out_once_with_its_pdf_when_the_quarters_data_are_complete(world, mailbox,
                                                                                             monkeypatch):
    db, store = world
    smtp_settings(monkeypatch, mailbox.controller.port)
    load_text(db, "2024Q3-Q4.csv", TWO_QUARTERS_CSV)   # 2024Q4 not complete: 梁子湖区, 葛店经开区 and others owe it
    notify.subscribe(store, Subscription("leader", "brief", channels=("inbox", "email"), email="leader@ezhou.gov.cn"))
    assert notify.run(db, dt.datetime(2025, 1, 10, 9, 0)) == Report(0, 0, [])   # before the deadline (01-30)
    load_text(db, "2024Q4-rest.csv", REST_OF_2024Q4)
    assert notify.run(db, dt.datetime(2025, 1, 12, 9, 0)) == Report(1, 1, [])
    body = "2024年第四季度各单位数据已报齐（12 项）。可在总览生成本季度简报。"
    assert notify.inbox(store, "leader")[["title", "body", "link"]].values.tolist() == [
        ["2024年第四季度简报", body, "/?period=2024Q4"]]
    [mail] = mailbox.messages
    assert (mail["Subject"], mail["To"]) == (BRIEF_SUBJECT, "leader@ezhou.gov.cn")
    assert mail.get_body(("plain",)).get_content() == (
        f"2024年第四季度简报\n{body}\n/?period=2024Q4\n附件：{BRIEF_FILE}\n")
    brief_of(mail)
    # Once per quarter: later runs, past the deadline too, send nothing new.
    assert notify.run(db, dt.datetime(2025, 1, 31, 9, 0)) == Report(0, 0, [])
    assert (len(mailbox.messages), len(notify.inbox(store, "leader"))) == (1, 1)


@pytest.mark.slow  # draws the brief's charts through kaleido's Chromium
def test_the_brief_at_the_deadline_survives_an_unreachable_smtp_server(world, monkeypatch, capsys):
    db, store = world
    port = free_port()   # nothing listens here yet
    smtp_settings(monkeypatch, port)
    load_text(db, "2024Q3-Q4.csv", TWO_QUARTERS_CSV)
    notify.subscribe(store, Subscription("leader", "brief", channels=("email",), email="leader@ezhou.gov.cn"))
    started = dt.datetime(2025, 1, 31, 8, 0)   # the day after the quarter's last due date, 2025-01-30
    assert cli.main(["notify", "--db", str(db), "--now", started.isoformat()]) == 0
    printed = capsys.readouterr()
    reason = f"邮件未能发送到 leader@ezhou.gov.cn（127.0.0.1:{port}）：连接被拒绝"
    assert printed.out == "新提醒 1 条；本次发送成功 0 条，失败 1 条\n"
    assert printed.err == f"未能发送（保留，稍后重试）：2024年第四季度简报 → 邮件：{reason}\n"
    assert notify.undelivered(store)[["title", "attempts", "last_error"]].values.tolist() == [
        ["2024年第四季度简报", 1, reason]]
    box = Mailbox(port)
    try:
        assert notify.run(db, started + dt.timedelta(minutes=5)) == Report(0, 1, [])
        [mail] = box.messages
        assert mail["Subject"] == BRIEF_SUBJECT
        assert "2024年第四季度报送已于 2025-01-30 截止，6 项已报，6 项未报。" in mail.get_body(("plain",)).get_content()
        brief_of(mail)
        assert notify.undelivered(store).empty
        assert notify.run(db, started + dt.timedelta(days=1)) == Report(0, 0, [])
        assert len(box.messages) == 1
    finally:
        box.stop()


def test_a_channel_the_admin_has_not_configured_fails_in_one_chinese_line_and_waits(world):
    db, store = world   # neither the robot nor the SMTP server is configured
    notify.subscribe(store, Subscription("leader", "supervision", channels=("webhook", "email"),
                                         email="leader@ezhou.gov.cn"))
    asked_and_answered(db)
    assert notify.run(db) == Report(0, 0, [
        f"{ANSWERED} → 群机器人：未配置群机器人地址（METRICS_NOTIFY_WEBHOOK）",
        f"{ANSWERED} → 邮件：未配置邮件服务器（METRICS_SMTP_HOST）"])
    assert notify.undelivered(store)["attempts"].tolist() == [1, 1]
