"""督办 on a figure: a leader or admin asks the unit about an (indicator, unit, quarter) with a deadline (时限);
the unit's editors answer in the thread; a leader or admin closes the item (办结) or sends it back.

Who may read and act is decided here, never only in a page: an editor reads and answers only the items of
figures inside their scope, as accounts define it (their regions and indicator categories), through the page
and the CLI alike. The bureau's leaders sign in with 查看 accounts: a 查看 or 管理 account opens, sends back and
closes items. Opening an item and every step is one change of the warehouse (a load of kind 'supervision'),
journalled in its own transaction and so audited (metrics.changes)."""

import datetime as dt
import enum
import hashlib
from pathlib import Path

import duckdb
import pandas as pd

from metrics import periods
from metrics.accounts import Account
from metrics.formatting import TERMINAL_CONTROLS
from metrics.ingest import review
from metrics.store import journal, queries
from metrics.store.warehouse import WarehouseError, new_version

# The bureau's leaders use 查看 accounts; editors are the ones asked, and answer.
SUPERVISOR_ROLES = ("viewer", "admin")
MAX_TEXT_CHARACTERS = 500
ANSWER, SEND_BACK, CLOSE = "答复", "退回", "办结"


class ItemStatus(enum.StrEnum):
    """Where an item stands after its latest step (sql/queries/supervision_items.sql), as a code; STATUS_NAMES
    words it."""

    OPEN = "open"
    ANSWERED = "answered"
    RETURNED = "returned"
    CLOSED = "closed"


STATUS_NAMES = {ItemStatus.OPEN: "待答复", ItemStatus.ANSWERED: "已答复", ItemStatus.RETURNED: "已退回",
                ItemStatus.CLOSED: "已办结"}
# What a reader filters the items by, in words: the page's and the command line's choices.
STATUS_FILTERS = ("未办结", "逾期", STATUS_NAMES[ItemStatus.CLOSED])
EXCEL_COLUMNS = ("序号", "指标", "单位", "季度", "督办内容", "督办人", "时限", "状态", "答复", "办结时间")


class SupervisionError(WarehouseError):
    """A 督办 step refused; nothing was written. The message is one line of Chinese."""


def may_open(account: Account) -> bool:
    return account.role in SUPERVISOR_ROLES


def _scope(account: Account) -> dict:
    """The query parameters that limit items to what the account may read: an editor's regions and
    categories (each empty: any); everything for leaders and admins."""
    editor = account.role == "editor"
    return {"scope_regions": list(account.scope_regions) if editor and account.scope_regions else None,
            "scope_categories": list(account.scope_categories) if editor and account.scope_categories else None}


def items(con: duckdb.DuckDBPyConnection, account: Account, today: dt.date) -> pd.DataFrame:
    """Every item the account may read, newest first, with status, 逾期 for today, answers and 办结 time."""
    frame = queries.run(con, "supervision_items", today=today, item_id=None, **_scope(account))
    return _labelled(frame)


def all_items(con: duckdb.DuckDBPyConnection, today: dt.date) -> pd.DataFrame:
    """Every item, for the scheduler that alerts their authors (metrics.notify); never for a page."""
    return _labelled(queries.run(con, "supervision_items", today=today, item_id=None, scope_regions=None,
                                 scope_categories=None))


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    frame["quarter_label"] = [periods.quarter_label(int(index)) for index in frame["quarter_index"]]
    frame["is_overdue"] = frame["is_overdue"].astype(bool)
    return frame


def refusal(item_id: int, account: Account) -> SupervisionError:
    # The same words whether the item is missing or outside the scope: a unit learns nothing of another's items.
    scope = f"，或不在您的范围内（{account.scope_text()}）" if account.role == "editor" else ""
    return SupervisionError(f"没有督办 #{item_id}{scope}")


def _item(run, account: Account, item_id: int, today: dt.date) -> pd.Series:
    found = run("supervision_items", today=today, item_id=int(item_id), **_scope(account))
    if found.empty:
        raise refusal(item_id, account)
    return _labelled(found).iloc[0]


def item(con: duckdb.DuckDBPyConnection, account: Account, item_id: int, today: dt.date) -> pd.Series:
    """One item the account may read; SupervisionError for any other number."""
    return _item(lambda name, **params: queries.run(con, name, **params), account, item_id, today)


def thread(con: duckdb.DuckDBPyConnection, account: Account, item_id: int) -> pd.DataFrame:
    """The steps of an item the account may read, oldest first."""
    item(con, account, item_id, dt.date.today())
    return queries.run(con, "supervision_thread", item_id=int(item_id))


def filtered(frame: pd.DataFrame, *, region: str | None = None, author: str | None = None,
             status: str | None = None) -> pd.DataFrame:
    """Items of one unit (region name), one leader (author) and one of STATUS_FILTERS; None: any."""
    keep = pd.Series(True, index=frame.index)
    if region:
        keep &= frame["region_name"] == region
    if author:
        keep &= frame["author"] == author
    if status == STATUS_FILTERS[0]:
        keep &= frame["status"] != ItemStatus.CLOSED
    elif status == STATUS_FILTERS[1]:
        keep &= frame["is_overdue"]
    elif status == STATUS_FILTERS[2]:
        keep &= frame["status"] == ItemStatus.CLOSED
    return frame[keep]


def step_text(step) -> str:
    """One step of a thread as read on the page and the CLI, with the file an answer brought and its review."""
    said = f"：{step.content}" if step.content else ""
    attached = ""
    if pd.notna(step.submission_id):
        attached = (f"（附报送 #{int(step.submission_id)}“{step.file_name}”，"
                    f"{review.STATUS_NAMES.get(step.submission_status, step.submission_status)}）")
    return f"{step.written_at:%Y-%m-%d %H:%M} {step.author} {step.action}{said}{attached}"


def on_figure(frame: pd.DataFrame, indicator_id: str, quarter_index: int) -> pd.DataFrame:
    """The items asked on one indicator in one quarter, to show beside its figures."""
    return frame[(frame["indicator_id"] == indicator_id) & (frame["quarter_index"] == int(quarter_index))]


def status_text(row) -> str:
    return f"{STATUS_NAMES[row.status]}（逾期）" if row.is_overdue else STATUS_NAMES[row.status]


def _day(value) -> str:
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _minute(value) -> str:
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def excel_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Items in the bureau's columns: 序号, 指标, 单位, 季度, 督办内容, 督办人, 时限, 状态, 答复, 办结时间."""
    return pd.DataFrame({
        "序号": frame["item_id"].astype(int).tolist(),
        "指标": frame["indicator_name"].tolist(),
        "单位": frame["region_name"].tolist(),
        "季度": frame["quarter_label"].tolist(),
        "督办内容": frame["content"].tolist(),
        "督办人": frame["author"].tolist(),
        "时限": [_day(value) for value in frame["deadline"]],
        "状态": [status_text(row) for row in frame.itertuples()],
        "答复": frame["answers"].fillna("").tolist(),
        "办结时间": [_minute(value) for value in frame["closed_at"]],
    }, columns=list(EXCEL_COLUMNS))


def owed(con: duckdb.DuckDBPyConnection, account: Account, today: dt.date) -> pd.DataFrame:
    """An editor's unanswered items (待答复 or 已退回), overdue first; none for any other role."""
    if account.role != "editor":
        return items(con, account, today).iloc[0:0]
    waiting = items(con, account, today)
    return waiting[waiting["status"].isin((ItemStatus.OPEN, ItemStatus.RETURNED))].sort_values(
        ["is_overdue", "deadline"], ascending=[False, True], kind="stable")


def reminder_text(row) -> str:
    """One owed item as the 提醒 panel and the unit's data page say it."""
    return (f"督办 #{row.item_id}（{'逾期' if row.is_overdue else STATUS_NAMES[row.status]}）：{row.indicator_name} · "
            f"{row.region_name} · {row.quarter_label}，时限 {_day(row.deadline)}")


def reminder_lines(con: duckdb.DuckDBPyConnection, account: Account, today: dt.date) -> list[str]:
    """An editor's owed items, one line each."""
    return [reminder_text(row) for row in owed(con, account, today).itertuples()]


def _text(content: str | None, what: str, *, required: bool = True) -> str:
    """Typed text as it will be kept: plain, bounded, lines kept; control characters refused (a terminal would
    obey them, and an Excel sheet cannot hold them)."""
    content = (content or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if TERMINAL_CONTROLS.search(content):
        raise SupervisionError(f"{what}含有控制字符，请删除后再提交")
    if required and not content:
        raise SupervisionError(f"请填写{what}")
    if len(content) > MAX_TEXT_CHARACTERS:
        raise SupervisionError(f"{what}最多 {MAX_TEXT_CHARACTERS} 个字，现有 {len(content)} 个字")
    return content


def _record(con: duckdb.DuckDBPyConnection, *, user: str, kind_of: str, digest_of: str, note: str) -> tuple[int, int]:
    """The load that carries one 督办 change, in the open transaction: its id, and the observation count."""
    load_id = int(queries.run_in_transaction(con, "load_next_id").iloc[0]["load_id"])
    con.execute(queries.query_text("load_insert_record"), {
        "load_id": load_id, "kind": "supervision", "file_name": kind_of, "user_name": user,
        "loaded_at": dt.datetime.now().replace(microsecond=0),
        "sha256": hashlib.sha256(digest_of.encode("utf-8")).hexdigest(), "note": note})
    return load_id, journal.observation_count(con)


def open_item(db: Path, account: Account, *, indicator_id: str, region_id: str, quarter_index: int,
              content: str, deadline: dt.date | None, today: dt.date | None = None) -> tuple[int, int]:
    """A new item, asked by a leader or admin: its number and its load id."""
    if not may_open(account):
        raise SupervisionError("只有领导（查看账户）或管理员可以发起督办，填报账户答复督办")
    content = _text(content, "督办内容")
    today = today or dt.date.today()
    if not isinstance(deadline, dt.date):
        raise SupervisionError("请填写时限")
    if deadline < today:
        raise SupervisionError(f"时限 {deadline:%Y-%m-%d} 早于今天")
    now = dt.datetime.now().replace(microsecond=0)
    with new_version(db, from_current=True) as con:
        if not queries.run_in_transaction(con, "supervision_keys_known", indicator_id=indicator_id,
                                          region_id=region_id)["known"].iloc[0]:
            raise SupervisionError("督办的指标或单位不存在")
        label = periods.quarter_label(int(quarter_index))
        load_id, count = _record(con, user=account.username, kind_of="supervision:new",
                                 digest_of=f"{indicator_id}|{region_id}|{quarter_index}|{content}",
                                 note=f"督办：{indicator_id} {region_id} {label}")
        item_id = int(queries.run_in_transaction(con, "supervision_next_id").iloc[0]["item_id"])
        queries.run_in_transaction(con, "supervision_item_insert", item_id=item_id, indicator_id=indicator_id,
                                   region_id=region_id, quarter_index=int(quarter_index), content=content,
                                   deadline=deadline, author=account.username, opened_at=now, load_id=load_id)
        journal.write(con, load_id=load_id, actor=account.username, action="发起督办", target=f"督办 #{item_id}",
                      detail=f"{label}，时限 {deadline:%Y-%m-%d}：{content}", count_before=count)
    return item_id, load_id


def add_step(db: Path, account: Account, item_id: int, action: str, content: str | None,
             submission_id: int | None = None) -> int:
    """答复 (the unit's editors, with their own corrected file if they sent one for review), 退回 or 办结 (a
    leader or admin) on an item that is not closed; its load id. The item is read and written in one
    transaction under the writer lock: two steps never cross."""
    if action not in (ANSWER, SEND_BACK, CLOSE):
        raise SupervisionError(f"未知的督办操作“{action}”")
    if action == ANSWER and account.role != "editor":
        raise SupervisionError("只有该单位的填报账户可以答复督办")
    if action != ANSWER and not may_open(account):
        raise SupervisionError(f"只有领导（查看账户）或管理员可以{action}督办")
    content = _text(content, {ANSWER: "答复内容", SEND_BACK: "退回原因", CLOSE: "办结意见"}[action],
                    required=action != CLOSE)
    now = dt.datetime.now().replace(microsecond=0)
    with new_version(db, from_current=True) as con:
        current = _item(lambda name, **params: queries.run_in_transaction(con, name, **params),
                        account, item_id, now.date())
        if current["status"] == ItemStatus.CLOSED:
            raise SupervisionError(f"督办 #{item_id} 已办结")
        if action == SEND_BACK and current["status"] != ItemStatus.ANSWERED:
            raise SupervisionError(f"督办 #{item_id} 尚无新的答复，无法退回")
        if submission_id is not None:
            sent = queries.run_in_transaction(con, "submission_get", submission_id=int(submission_id))
            if action != ANSWER or sent.empty or sent["user_name"].iloc[0] != account.username:
                raise SupervisionError(f"报送 #{submission_id} 不是您提交的文件，不能附在{action}中")
        load_id, count = _record(con, user=account.username, kind_of=f"supervision:{item_id}",
                                 digest_of=f"{item_id}|{action}|{content}", note=f"督办 #{item_id} {action}")
        queries.run_in_transaction(con, "supervision_step_insert", item_id=int(item_id), action=action,
                                   content=content, author=account.username, written_at=now, load_id=load_id,
                                   submission_id=None if submission_id is None else int(submission_id))
        attached = f"（附报送 #{submission_id}）" if submission_id is not None else ""
        journal.write(con, load_id=load_id, actor=account.username, action=f"{action}督办",
                      target=f"督办 #{item_id}", detail=(content + attached) or None, count_before=count)
    return load_id
