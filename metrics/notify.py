"""Alerts per account, sent once per condition: `python -m metrics notify` (cron or a systemd timer) evaluates
every account's subscriptions against the warehouse, records what is due in the accounts store (notify_sent:
once per account and condition, a condition naming its quarter or its 督办 step), puts it in the account's in-app
inbox and sends it by the admin's group robot (政务微信/钉钉 JSON) and by e-mail over SMTP. A failed delivery
stays queued with its reason and is retried on a later run, after a backoff that doubles from 5 minutes to 6
hours; nothing is lost and nothing is sent twice. Channels are configured by the admin in the environment;
the SMTP password is never shown, printed or logged."""

import contextlib
import datetime as dt
import json
import re
import smtplib
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import duckdb
import pandas as pd

from metrics import accounts, attention, config, periods, reporting, supervision, webhook
from metrics.errors import UserFacingError
from metrics.paths import SQL_DIR
from metrics.store import queries
from metrics.store.warehouse import open_reader

KINDS = {"supervision": "我督办的事项有答复或逾期", "below_target": "单位本季度低于目标",
         "fell": "单位较上季度变差超过设定幅度", "unreported": "单位过了截止日期仍未报送上季度数据",
         "brief": "上季度数据报齐（或报送截止）时发送季度简报（邮件附 PDF）"}
# The kinds that watch units' figures, for chosen indicators and units.
FIGURE_KINDS = ("below_target", "fell", "unreported")
CHANNELS = {"inbox": "站内消息", "webhook": "群机器人", "email": "邮件"}
SMTP_SECURITY = ("starttls", "ssl", "none")
DEADLINE_SECONDS = 10
FIRST_RETRY = dt.timedelta(minutes=5)
LAST_RETRY = dt.timedelta(hours=6)
LEASE = dt.timedelta(minutes=10)  # longer than a run's sends take (DEADLINE_SECONDS each at most) but for a flood
SUBJECT_PREFIX = "【政务服务指标看板】"
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s.]{1,63}")


class NotifyError(UserFacingError):
    """A subscription refused or a channel misconfigured; the message is one line of Chinese."""


@dataclass(frozen=True)
class Subscription:
    username: str
    kind: str
    indicator_ids: tuple[str, ...] = ()
    region_ids: tuple[str, ...] = ()
    channels: tuple[str, ...] = ("inbox",)
    email: str | None = None
    points: float | None = None   # fell: by more than this (percentage points for rates, else the unit's own)

    def watches(self, indicator_id: str, region_id: str) -> bool:
        return ((not self.indicator_ids or indicator_id in self.indicator_ids)
                and (not self.region_ids or region_id in self.region_ids))


@dataclass(frozen=True)
class Alert:
    username: str
    kind: str
    condition_key: str
    title: str
    body: str
    link: str
    brief_period: str | None = None   # brief: the quarter (2024Q4) whose brief an e-mail of it carries


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    user: str | None
    password: str | None
    sender: str
    security: str

    def __str__(self) -> str:
        """As the admin sees it: never the password, only whether one is set."""
        who = f"，用户 {self.user}" if self.user else ""
        return (f"{self.host}:{self.port}（{self.security}{who}，密码{'已设置' if self.password else '未设置'}），"
                f"发件人 {self.sender}")


@dataclass(frozen=True)
class Settings:
    webhook_url: str | None
    smtp: Smtp | None
    public_url: str

    def link(self, path: str) -> str:
        return f"{self.public_url}{path}" if self.public_url else path


def settings() -> Settings:
    """The channels as the admin configured them (metrics.config)."""
    url = (config.NOTIFY_WEBHOOK.value() or "").strip() or None
    if url and not url.startswith(("http://", "https://")):
        raise NotifyError(f"{config.NOTIFY_WEBHOOK.name} 应以 http:// 或 https:// 开头")
    smtp = None
    if host := (config.SMTP_HOST.value() or "").strip():
        security = config.SMTP_SECURITY.value().strip().lower()
        if security not in SMTP_SECURITY:
            raise NotifyError(f"{config.SMTP_SECURITY.name} 应为 {'、'.join(SMTP_SECURITY)} 之一")
        port = config.SMTP_PORT.value() or (465 if security == "ssl" else 25)
        if not 0 < port < 65536:
            raise NotifyError(f"{config.SMTP_PORT.name}“{port}”不是端口号")
        sender = (config.SMTP_FROM.value() or "").strip()
        if not _EMAIL.fullmatch(sender):
            raise NotifyError(f"请用 {config.SMTP_FROM.name} 设置发件人地址")
        smtp = Smtp(host, port, config.SMTP_USER.value(), config.SMTP_PASSWORD.value(), sender, security)
    return Settings(url, smtp, config.PUBLIC_URL.value().rstrip("/"))


_LAID_OUT: set = set()


@contextlib.contextmanager
def _store(store: accounts.Store) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction on the accounts store, its alert tables laid out on this process's first use."""
    with accounts.transaction(store) as con:
        if store not in _LAID_OUT:
            queries.run_script(con, (SQL_DIR / "notify_schema.sql").read_text(encoding="utf-8"))
            _LAID_OUT.add(store)
        yield con


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def subscribe(store: accounts.Store, subscription: Subscription) -> None:
    """Set (or, with no channel, remove) one of an account's subscriptions; recorded in the audit trail."""
    if subscription.kind not in KINDS:
        raise NotifyError(f"未知的订阅“{subscription.kind}”")
    if unknown := set(subscription.channels) - set(CHANNELS):
        raise NotifyError(f"未知的发送方式“{'、'.join(sorted(unknown))}”")
    email = (subscription.email or "").strip() or None
    if "email" in subscription.channels and not (email and _EMAIL.fullmatch(email)):
        raise NotifyError("请填写有效的邮箱地址")
    if subscription.kind == "fell" and subscription.channels and not (subscription.points or 0) > 0:
        raise NotifyError("请填写变差超过多少（大于 0）")
    now = _now()
    with _store(store) as con:
        queries.run_in_transaction(con, "notify_subscription_delete", username=subscription.username,
                                   kind=subscription.kind)
        if subscription.channels:
            queries.run_in_transaction(
                con, "notify_subscription_insert", username=subscription.username, kind=subscription.kind,
                indicator_ids=list(subscription.indicator_ids), region_ids=list(subscription.region_ids),
                points=subscription.points if subscription.kind == "fell" else None,
                channels=list(subscription.channels), email=email, updated_at=now)
        detail = "、".join(CHANNELS[channel] for channel in subscription.channels) or "取消"
        queries.run_in_transaction(con, "audit_insert", happened_at=now, actor=subscription.username,
                                   action="设置提醒", target=KINDS[subscription.kind], detail=detail,
                                   count_before=None, count_after=None)


def subscriptions(store: accounts.Store) -> list[Subscription]:
    """Every subscription of an account that is not disabled."""
    with _store(store) as con:
        frame = queries.run_in_transaction(con, "notify_subscriptions")
    return [Subscription(row.username, row.kind, tuple(row.indicator_ids), tuple(row.region_ids),
                         tuple(row.channels), row.email, None if pd.isna(row.points) else float(row.points))
            for row in frame.itertuples()]


def _supervision_alerts(subscription: Subscription, asked: pd.DataFrame) -> list[Alert]:
    """The account's own 督办 items: each answer (a new one after sending back is a new alert) and each
    deadline passed without an answer."""
    alerts = []
    for row in asked[asked["author"] == subscription.username].itertuples():
        about = f"{row.indicator_name} · {row.region_name} · {row.quarter_label}"
        link = f"/supervision?item={row.item_id}"
        if row.status == supervision.ItemStatus.ANSWERED:
            key = f"supervision_answered|{row.item_id}|{row.count_answers}"
            alerts.append(Alert(subscription.username, "supervision", key, f"督办 #{row.item_id} 已答复",
                                f"{about}。{row.latest_answer}", link))
        if row.is_overdue:
            key = f"supervision_overdue|{row.item_id}|{row.deadline:%Y-%m-%d}"
            alerts.append(Alert(subscription.username, "supervision", key, f"督办 #{row.item_id} 已逾期",
                                f"{about}，时限 {row.deadline:%Y-%m-%d}，尚未答复。", link))
    return alerts


def _figure_link(indicator_id: str, region_id: str, quarter: int, page: str = "districts") -> str:
    return f"/{page}?indicator={indicator_id}&period={periods.quarter_id(quarter)}&region={region_id}"


def _finding_alerts(subscription: Subscription, findings: pd.DataFrame, quarter: int) -> list[Alert]:
    """Units below target, or worse than the quarter before by more than the subscription's points, in the
    words of 需关注 (attention.summary, one finding at a time: it lists only the largest worsenings)."""
    finding = "below_target" if subscription.kind == "below_target" else "worse"
    watched = pd.Series([subscription.watches(row.indicator_id, row.region_id) for row in findings.itertuples()],
                        index=findings.index, dtype=bool)
    chosen = findings[(findings["finding"] == finding) & watched]
    if subscription.kind == "fell":
        chosen = chosen[chosen["gap"] > subscription.points]
    title = f"{periods.quarter_label(quarter)}{'未达标' if finding == 'below_target' else '较上季度变差'}"
    alerts = []
    for index in range(len(chosen)):
        [found] = attention.summary(chosen.iloc[[index]])
        key = f"{subscription.kind}|{found.indicator_id}|{found.region_id}|{quarter}"
        alerts.append(Alert(subscription.username, subscription.kind, key, title, found.text,
                            _figure_link(found.indicator_id, found.region_id, quarter, found.page)))
    return alerts


def _unreported_alerts(subscription: Subscription, owed: pd.DataFrame, quarter: int) -> list[Alert]:
    label = periods.quarter_label(quarter)
    return [Alert(subscription.username, "unreported", f"unreported|{row.indicator_id}|{row.region_id}|{quarter}",
                  f"{label}逾期未报", f"{row.region_name} {row.indicator_name} {label}的数据已过截止日期"
                  f"（{row.due_date:%Y-%m-%d}）仍未报送", "/reporting?period=" + periods.quarter_id(quarter))
            for row in owed.itertuples() if subscription.watches(row.indicator_id, row.region_id)]


def _brief_alerts(subscription: Subscription, closing: str | None, quarter: int) -> list[Alert]:
    """The brief of the quarter just ended, once its reporting is over (reporting.closing says why)."""
    if closing is None:
        return []
    period = periods.quarter_id(quarter)
    return [Alert(subscription.username, "brief", f"brief|{quarter}", f"{periods.quarter_label(quarter)}简报",
                  f"{closing}。可在总览生成本季度简报。", f"/?period={period}", brief_period=period)]


def due_alerts(con: duckdb.DuckDBPyConnection, subscribed: list[Subscription], today: dt.date) -> list[Alert]:
    """What the subscriptions ask for now, sent before or not: 督办 answers and overdue items of their
    authors; units below target or worse in the newest quarter with data; reports of the quarter just ended
    that are past their due date; the brief of the quarter just ended once all is reported or the deadline
    passed, whichever comes first."""
    kinds = {s.kind for s in subscribed}
    asked = supervision.all_items(con, today) if "supervision" in kinds else None
    newest, findings = None, None
    if kinds & {"below_target", "fell"}:
        quarters = periods.reporting_quarters(con)
        if len(quarters):
            newest = int(quarters["quarter_index"].iloc[0])
            findings = attention.findings(con, newest)
    ended = today.year * 4 + (today.month - 1) // 3 - 1
    owed = None
    if "unreported" in kinds:
        owed = reporting.status(con, ended, today)
        owed = owed[owed["state"] == reporting.State.OVERDUE]
    closing = reporting.closing(con, ended, today) if "brief" in kinds else None
    alerts = []
    for subscription in subscribed:
        if subscription.kind == "supervision":
            alerts += _supervision_alerts(subscription, asked)
        elif subscription.kind == "unreported":
            alerts += _unreported_alerts(subscription, owed, ended)
        elif subscription.kind == "brief":
            alerts += _brief_alerts(subscription, closing, ended)
        elif newest is not None:
            alerts += _finding_alerts(subscription, findings, newest)
    return alerts


def record(store: accounts.Store, subscribed: list[Subscription], alerts: list[Alert],
           now: dt.datetime) -> list[Alert]:
    """In one store transaction: the alerts not sent before, marked sent, put in the inbox and queued for the
    account's other channels; returns them."""
    channels = {(s.username, s.kind): s for s in subscribed}
    new = []
    with _store(store) as con:
        sent = set(queries.run_in_transaction(con, "notify_sent_keys").itertuples(index=False, name=None))
        for alert in alerts:
            if (alert.username, alert.condition_key) in sent:
                continue
            sent.add((alert.username, alert.condition_key))
            new.append(alert)
            subscription = channels[(alert.username, alert.kind)]
            message = {"username": alert.username, "title": alert.title, "body": alert.body, "link": alert.link}
            queries.run_in_transaction(con, "notify_sent_insert", username=alert.username,
                                       condition_key=alert.condition_key, sent_at=now)
            if "inbox" in subscription.channels:
                queries.run_in_transaction(con, "notify_inbox_insert", created_at=now, **message)
            for channel, address in (("webhook", None), ("email", subscription.email)):
                if channel in subscription.channels:
                    queries.run_in_transaction(
                        con, "notify_delivery_insert", channel=channel, address=address, created_at=now,
                        brief_period=alert.brief_period if channel == "email" else None, **message)
    return new


def _text(row, configured: Settings) -> str:
    return f"{row.title}\n{row.body}\n{configured.link(row.link)}"


def _send_webhook(row, configured: Settings, attachment: tuple[str, bytes] | None = None) -> None:
    """A robot's message is text only: it never carries an attachment (none is given for this channel)."""
    if not configured.webhook_url:
        raise NotifyError(f"未配置群机器人地址（{config.NOTIFY_WEBHOOK.name}）")
    body = json.dumps({"msgtype": "text", "text": {"content": _text(row, configured)}}, ensure_ascii=False)
    _, answer = webhook.post(configured.webhook_url, body.encode("utf-8"), DEADLINE_SECONDS)
    # The robots answer 200 with an error code when they refuse a message (a wrong key, a rate limit).
    with contextlib.suppress(ValueError):
        reply = json.loads(answer or b"{}")
        if isinstance(reply, dict) and reply.get("errcode") not in (None, 0):
            raise NotifyError(f"群机器人拒收：{str(reply.get('errmsg', ''))[:200]}（错误码 {reply.get('errcode')}）")


def _smtp_reason(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return "用户名或密码错误"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"服务器答复 {error.smtp_code}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "收件人被拒绝"
    if isinstance(error, ConnectionRefusedError):
        return "连接被拒绝"
    if isinstance(error, socket.timeout | TimeoutError):
        return f"{DEADLINE_SECONDS} 秒内无应答"
    if isinstance(error, socket.gaierror):
        return "找不到服务器"
    return type(error).__name__


def _send_email(row, configured: Settings, attachment: tuple[str, bytes] | None = None) -> None:
    """The alert as a mail, with the attachment (file name, PDF bytes) if there is one."""
    smtp = configured.smtp
    if smtp is None:
        raise NotifyError(f"未配置邮件服务器（{config.SMTP_HOST.name}）")
    message = EmailMessage()
    message["Subject"] = SUBJECT_PREFIX + row.title
    message["From"] = smtp.sender
    message["To"] = row.address
    message.set_content(_text(row, configured) + (f"\n附件：{attachment[0]}" if attachment else ""))
    if attachment:
        message.add_attachment(attachment[1], maintype="application", subtype="pdf", filename=attachment[0])
    try:
        client = (smtplib.SMTP_SSL if smtp.security == "ssl" else smtplib.SMTP)(smtp.host, smtp.port,
                                                                                timeout=DEADLINE_SECONDS)
        with client:
            if smtp.security == "starttls":
                client.starttls()
            if smtp.user:
                client.login(smtp.user, smtp.password or "")
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        # The reason is chosen from the error's class, never its text, which could echo what was sent.
        raise NotifyError(f"邮件未能发送到 {row.address}（{smtp.host}:{smtp.port}）：{_smtp_reason(error)}") from None


SENDERS = {"webhook": _send_webhook, "email": _send_email}


def backoff(attempts: int) -> dt.timedelta:
    """How long a delivery that has failed attempts times waits before its next try."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LAST_RETRY)


def deliver(store: accounts.Store, configured: Settings, now: dt.datetime,
            brief: Callable[[str], tuple[str, bytes]] | None = None) -> tuple[int, list[str]]:
    """Try every delivery that is due; the store is not held while the network is. An e-mail of the brief
    subscription carries the brief brief(quarter id) makes (file name, PDF bytes), made once per quarter in a
    run and again on a retry. How many were delivered, and one line per failure."""
    with _store(store) as con:
        due = queries.run_in_transaction(con, "notify_deliveries_due", now=now)
        # Leased while this run sends them: an overlapping run (a slow cron job) does not send them again.
        queries.run_in_transaction(con, "notify_deliveries_lease", delivery_ids=due["delivery_id"].tolist(),
                                   lease_until=now + LEASE)
    outcomes, briefs = [], {}
    for row in due.itertuples():
        try:
            attachment = None
            if isinstance(row.brief_period, str):
                if brief is None:
                    raise NotifyError(f"无法生成{row.brief_period}简报")
                if row.brief_period not in briefs:
                    briefs[row.brief_period] = brief(row.brief_period)
                attachment = briefs[row.brief_period]
            SENDERS[row.channel](row, configured, attachment)
            outcomes.append((row, None))
        except UserFacingError as error:
            outcomes.append((row, str(error)))
    with _store(store) as con:
        for row, error in outcomes:
            if error is None:
                queries.run_in_transaction(con, "notify_delivery_done", delivery_id=row.delivery_id, now=now)
            else:
                queries.run_in_transaction(con, "notify_delivery_failed", delivery_id=row.delivery_id, error=error,
                                           next_attempt_at=now + backoff(row.attempts + 1))
    failures = [f"{row.title} → {CHANNELS[row.channel]}：{error}" for row, error in outcomes if error]
    return len(outcomes) - len(failures), failures


@dataclass(frozen=True)
class Report:
    new_alerts: int
    delivered: int
    failures: list[str]


def record_due(db: Path, now: dt.datetime | None = None) -> list[Alert]:
    """Evaluate every subscription and record what is new: in the inbox at once, queued for the other channels.
    A 督办 step calls this too (metrics.changes), so that its alerts reach the inbox without the scheduler."""
    now = now or _now()
    store = accounts.accounts_path(db)
    subscribed = subscriptions(store)
    if not subscribed:
        return []
    con = open_reader(db)
    try:
        alerts = due_alerts(con, subscribed, now.date())
    finally:
        con.close()
    return record(store, subscribed, alerts, now)


def brief_pdf(db: Path, period: str) -> tuple[str, bytes]:
    """The quarter's brief of every unit as a PDF, as 总览 makes it: its file name and bytes."""
    from metrics.briefing import images, output  # Chromium and WeasyPrint: only for a run that sends a brief

    con = open_reader(db)
    try:
        return output.brief_bytes(con, period, None, "pdf")
    finally:
        con.close()
        images.stop_chart_server()


def run(db: Path, now: dt.datetime | None = None) -> Report:
    """Record what is new, and try every delivery that is due."""
    now = now or _now()
    configured = settings()
    new = record_due(db, now)
    delivered, failures = deliver(accounts.accounts_path(db), configured, now, lambda period: brief_pdf(db, period))
    return Report(len(new), delivered, failures)


def inbox(store: accounts.Store, username: str) -> pd.DataFrame:
    """An account's messages, newest first."""
    with _store(store) as con:
        return queries.run_in_transaction(con, "notify_inbox_list", username=username)


def mark_read(store: accounts.Store, username: str) -> None:
    with _store(store) as con:
        queries.run_in_transaction(con, "notify_inbox_read", username=username, read_at=_now())


def undelivered(store: accounts.Store) -> pd.DataFrame:
    """Deliveries still to be made, with their failures: the admin's view."""
    with _store(store) as con:
        return queries.run_in_transaction(con, "notify_deliveries_undelivered")
