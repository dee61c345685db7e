"""Review before publication: a 填报 clerk's file is stored as sent and waits, invisible to the
leaders' pages, until an admin approves it — then it is loaded like any file, all or nothing and
reversible — or returns it with a reason; the clerk may withdraw it while it waits. Each step is a
new warehouse version with its journal row (metrics.store.journal), so the audit has it once."""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from metrics.ingest.files import read_upload
from metrics.ingest.loads import LoadError, LoadResult, apply
from metrics.ingest.validation import Validation, validate
from metrics.store import journal, queries
from metrics.store.warehouse import new_version, open_reader

STATUS_NAMES = {"pending": "待审核", "approved": "已通过", "returned": "已退回", "withdrawn": "已撤回"}
MAX_REASON_CHARACTERS = 500


@dataclass(frozen=True)
class Submission:
    submission_id: int
    file_name: str
    user_name: str
    status: str
    content: bytes


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def submit(db: Path, validation: Validation, content: bytes, user: str) -> int:
    """Store a valid file for review; returns its submission id. Nothing reaches observations."""
    if not validation.ok:
        raise LoadError(f"文件有 {len(validation.errors)} 处问题，不能提交审核")
    with new_version(db, from_current=True) as con:
        count = journal.observation_count(con)
        submission_id = int(queries.run_in_transaction(con, "submission_next_id").iloc[0]["submission_id"])
        con.execute(queries.query_text("submission_insert"), {
            "submission_id": submission_id, "file_name": validation.file_name, "sha256": validation.sha256,
            "content": content, "rows_total": validation.rows_total, "user_name": user, "submitted_at": _now()})
        queries.register_frame(con, "staged_rows", validation.rows[["indicator_id", "region_id", "period_id"]])
        new_periods = validation.periods[["period_id", "end_date"]].astype({"end_date": "datetime64[s]"})
        queries.register_frame(con, "staged_periods", new_periods)
        con.execute(queries.query_text("submission_rows_insert"), {"submission_id": submission_id})
        journal.write(con, load_id=_latest_load(con), actor=user, action="提交审核",
                      target=f"报送 #{submission_id} {validation.file_name}",
                      detail=f"{validation.rows_total} 行待审核", count_before=count)
    return submission_id


def _latest_load(con: duckdb.DuckDBPyConnection) -> int:
    """The journal keys a change to a load; a review step changes no data, so it names the last one."""
    return int(con.execute("select max(load_id) from loads").fetchone()[0])


def submissions(con: duckdb.DuckDBPyConnection, user: str | None = None) -> pd.DataFrame:
    """Every submission (or one clerk's), newest first, with its status in Chinese."""
    frame = queries.run(con, "submission_list", user_name=user)
    return frame.assign(status_name=frame["status"].map(STATUS_NAMES))


def get(con: duckdb.DuckDBPyConnection, submission_id: int) -> Submission:
    found = queries.run(con, "submission_get", submission_id=int(submission_id))
    if found.empty:
        raise LoadError(f"没有编号为 {submission_id} 的报送")
    row = found.iloc[0]
    return Submission(int(row["submission_id"]), row["file_name"], row["user_name"], row["status"],
                      bytes(row["content"]))


def preview(con: duckdb.DuckDBPyConnection, submission_id: int) -> Validation:
    """The stored file validated against the data published now: its rows, and how they differ."""
    stored = get(con, submission_id)
    return validate(con, read_upload(stored.file_name, stored.content))


def _pending(db: Path, submission_id: int) -> Submission:
    con = open_reader(db)
    try:
        stored = get(con, submission_id)
    finally:
        con.close()
    if stored.status != "pending":
        raise LoadError(f"报送 #{submission_id} 已{STATUS_NAMES[stored.status]}，不能再处理")
    return stored


def _decide(con: duckdb.DuckDBPyConnection, submission_id: int, status: str, actor: str, reason: str | None,
            load_id: int | None, action: str) -> None:
    """Close a submission inside the caller's write transaction, whose writer lock makes the check that it
    is still pending hold until the commit."""
    count = journal.observation_count(con)
    if not queries.run_in_transaction(con, "submission_is_pending",
                                      submission_id=int(submission_id))["pending"].iloc[0]:
        raise LoadError(f"报送 #{submission_id} 已被他人处理，不能再处理")
    con.execute(queries.query_text("submission_decide"), {
        "submission_id": int(submission_id), "status": status, "decided_by": actor, "decided_at": _now(),
        "reason": reason, "load_id": load_id})
    journal.write(con, load_id=load_id or _latest_load(con), actor=actor, action=action,
                  target=f"报送 #{submission_id}", detail=reason, count_before=count)


def _close(db: Path, submission_id: int, status: str, actor: str, reason: str | None, action: str) -> None:
    """Return or withdraw: a decision that publishes nothing, in a version of its own."""
    with new_version(db, from_current=True) as con:
        _decide(con, submission_id, status, actor, reason, None, action)


def approve(db: Path, submission_id: int, admin: str) -> LoadResult:
    """Load the stored file as its clerk's load, replacing what it changes, and close it in the same
    transaction: a withdrawal or return that got in first leaves nothing published."""
    stored = _pending(db, submission_id)
    con = open_reader(db)
    try:
        validation = validate(con, read_upload(stored.file_name, stored.content))
    finally:
        con.close()
    if not validation.ok:
        raise LoadError(f"报送 #{submission_id} 按当前数据校验有 {len(validation.errors)} 处问题，请退回")
    return apply(db, validation, user=f"{stored.user_name}（审核：{admin}）", replace=True,
                 also=lambda con, load_id: _decide(con, submission_id, "approved", admin, None, load_id, "审核通过"))


def return_to_clerk(db: Path, submission_id: int, admin: str, reason: str) -> None:
    """Send a submission back with the reason its clerk will read."""
    reason = (reason or "").strip()
    if not reason:
        raise LoadError("退回须写明原因")
    if len(reason) > MAX_REASON_CHARACTERS:
        raise LoadError(f"退回原因最多 {MAX_REASON_CHARACTERS} 个字")
    _pending(db, submission_id)
    _close(db, submission_id, "returned", admin, reason, "退回报送")


def withdraw(db: Path, submission_id: int, user: str) -> None:
    """The clerk takes back a submission that is still pending."""
    stored = _pending(db, submission_id)
    if stored.user_name != user:
        raise LoadError(f"只能撤回自己提交的报送（报送 #{submission_id} 由 {stored.user_name} 提交）")
    _close(db, submission_id, "withdrawn", user, None, "撤回报送")


def status_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Submissions as a clerk reads them, with the reason of a return."""
    return pd.DataFrame({
        "编号": frame["submission_id"],
        "文件": frame["file_name"],
        "行数": frame["rows_total"],
        "提交时间": frame["submitted_at"].dt.strftime("%Y-%m-%d %H:%M"),
        "状态": frame["status_name"],
        "处理人": frame["decided_by"].fillna("—"),
        "退回原因": frame["reason"].fillna("—"),
    })
