"""Every change to the data, checked against the actor's role and written to the audit trail.

The dashboard and the CLI both change data through here. Each load, rollback and target change
journals itself inside its own transaction (metrics.store.journal), with the observation counts before
and after; here the journal is copied to the audit trail right after the change (the CLI), or after the
page has answered (follow_ups_deferred). A page passes the signed-in account, whose role is read again
from the store before writing; the CLI runs on the server by its operator and passes only a name.
"""

import contextlib
import contextvars
import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pandas as pd

from metrics import accounts, ingest, ledger, notify, supervision, targets
from metrics.errors import DoneButPending, UserFacingError
from metrics.ingest import review
from metrics.ingest.validation import Validation
from metrics.store import engine, journal, queries, warehouse
from metrics.store.warehouse import WarehouseError, open_reader


class AuditPending(DoneButPending):
    """The change is published, but the accounts store was locked: its audit entry comes later."""


FollowUp = Callable[[], None]
_deferred: contextvars.ContextVar[list[FollowUp] | None] = contextvars.ContextVar("deferred_follow_ups", default=None)


@contextlib.contextmanager
def follow_ups_deferred() -> Iterator[list[FollowUp]]:
    """Within the block, a change's follow-up (after_commit) is not run but added to the list yielded, for the
    caller to run once it has answered: a page does not keep its user waiting for a file merge and an audit copy
    that change nothing the user sees. Each follow-up may raise AuditPending, like after_commit."""
    collected: list[FollowUp] = []
    token = _deferred.set(collected)
    try:
        yield collected
    finally:
        _deferred.reset(token)


def after_commit(db: Path, change: str, result: object = None) -> None:
    """What follows a committed change, now or, inside follow_ups_deferred, later: the small tables' files merged
    (warehouse.merge_small_tables), the files of killed or failed changes removed (warehouse.remove_orphan_files),
    and the journal copied to the audit trail; AuditPending, carrying the change's result, when the accounts store
    stays locked."""
    if (deferred := _deferred.get()) is not None:
        deferred.append(functools.partial(_follow_up, db, change, result))
        return
    _follow_up(db, change, result)


def _follow_up(db: Path, change: str, result: object) -> None:
    warehouse.merge_small_tables(db)
    warehouse.remove_orphan_files(db)
    try:
        journal.reconcile(db)
    except accounts.StoreBusy as busy:
        raise AuditPending(
            f"{change}已生效；但{busy}，审计记录暂未写入，将在下次变更或运行 python -m metrics ensure 时"
            "从数据仓库的变更日志补记", result
        ) from busy


def within_scope(con: duckdb.DuckDBPyConnection, validation: Validation,
                 account: accounts.Account) -> Validation:
    """The validation with one error per row outside an editor's regions or indicator categories,
    and per region or indicator an editor would add (only admins add reference data)."""
    if account.can("admin"):
        return validation
    problems = [
        (row.row_number, label, row.name, f"只有管理员可以新增{label}")
        for frame, label in ((validation.regions, "地区"), (validation.indicators, "指标"))
        for row in frame.itertuples()
    ]
    if not validation.rows.empty:
        cursor = engine.cursor(con)
        try:
            staged = validation.rows[[ingest.ROW, "region_id", "indicator_id"]]
            queries.register_frame(cursor, "staged_scope", staged)
            facts = cursor.execute(queries.query_text("scope_facts")).df()
        finally:
            cursor.close()
        allowed = pd.Series(account.role == "editor", index=facts.index)
        if account.scope_regions:
            allowed &= facts["region_name"].isin(account.scope_regions)
        if account.scope_categories:
            allowed &= facts["category"].isin(account.scope_categories)
        message = f"超出您的填报范围（{account.scope_text()}）"
        problems += [(row.row_number, "地区", row.region_name, message) for row in facts[~allowed].itertuples()]
    if not problems:
        return validation
    extra = ingest.problems_frame(problems)
    errors = pd.concat([validation.errors, extra], ignore_index=True).sort_values(ingest.ROW, kind="stable")
    return dataclasses.replace(validation, errors=errors.reset_index(drop=True))


def _actor(db: Path, actor: str | accounts.Account, role: str) -> str:
    """The name to record; an account must still hold the role in the store."""
    if isinstance(actor, accounts.Account):
        accounts.authorise(accounts.accounts_path(db), actor.username, role)
        return actor.username
    return actor


def load(db: Path, validation: Validation, actor: str | accounts.Account, replace: bool = False,
         progress: ingest.Progress | None = None) -> ingest.LoadResult:
    """Apply a validated file (editors and admins) and record it."""
    name = _actor(db, actor, "editor")
    result = ingest.apply(db, validation, user=name, replace=replace, progress=progress)
    after_commit(db, f"载入 #{result.load_id}（{result.note}）", result)
    return result


def rollback(db: Path, load_id: int, actor: str | accounts.Account) -> ingest.LoadResult:
    """Undo a load (admins only) and record it."""
    name = _actor(db, actor, "admin")
    result = ingest.rollback(db, load_id, user=name)
    after_commit(db, f"撤销载入(记录为变更 #{result.load_id}，{result.note})", result)
    return result


def set_target(db: Path, actor: str | accounts.Account, indicator_id: str, region_id: str | None,
               year: int, value: float, comparator: str) -> int:
    """Set one of the bureau's own annual targets (admins only) and record it."""
    name = _actor(db, actor, "admin")
    load_id = targets.set_bureau_target(db, indicator_id, region_id, year, value, comparator, name)
    after_commit(db, f"设置目标(变更 #{load_id})", load_id)
    return load_id


def submit(db: Path, validation: Validation, content: bytes, actor: accounts.Account) -> int:
    """A 填报 clerk's valid file, stored for review: the leaders see nothing of it until approved."""
    name = _actor(db, actor, "editor")
    submission_id = review.submit(db, validation, content, name)
    after_commit(db, f"提交审核(报送 #{submission_id})", submission_id)
    return submission_id


def approve(db: Path, submission_id: int, actor: str | accounts.Account) -> ingest.LoadResult:
    """Publish a pending submission (admins only) and record it."""
    name = _actor(db, actor, "admin")
    result = review.approve(db, submission_id, name)
    after_commit(db, f"审核通过(报送 #{submission_id}，载入 #{result.load_id})", result)
    return result


def return_submission(db: Path, submission_id: int, actor: str | accounts.Account, reason: str) -> None:
    """Send a pending submission back to its clerk with a reason (admins only)."""
    name = _actor(db, actor, "admin")
    review.return_to_clerk(db, submission_id, name, reason)
    after_commit(db, f"退回报送 #{submission_id}")


def withdraw(db: Path, submission_id: int, actor: accounts.Account) -> None:
    """The clerk takes back their own pending submission."""
    name = _actor(db, actor, "editor")
    review.withdraw(db, submission_id, name)
    after_commit(db, f"撤回报送 #{submission_id}")


def update_ledger(db: Path, actor: accounts.Account, problem_no: int, *, owner_region_id: str,
                  leader: str | None, deadline, status: str, progress: str) -> int:
    """One ledger entry: an admin for any problem; an editor only for a problem its regions answer
    for, never to hand it to another unit and never to close it (销号)."""
    # The store's account, not the session's copy: its scope may have changed since sign-in. The CLI's
    # operator (a name) may do what an admin may.
    account = (accounts.authorise(accounts.accounts_path(db), actor.username, "editor")
               if isinstance(actor, accounts.Account) else None)
    name = account.username if account else actor
    con = open_reader(db)
    try:
        current = ledger.working_ledger(con, dt.date.today()).set_index("problem_no")
        regions = queries.run(con, "regions").set_index("region_id")["name"]
    finally:
        con.close()
    if problem_no not in current.index:
        raise WarehouseError(f"没有问题{problem_no}")
    row = current.loc[problem_no]
    if account and not account.can("admin"):
        if not ledger.may_update(account, row["owner_name"]):
            raise WarehouseError(
                f"问题{problem_no}由{row['owner_name']}负责，超出您的填报范围（{account.scope_text()}）")
        if owner_region_id != row["owner_region_id"]:
            raise WarehouseError("只有管理员可以更改责任单位")
        if status == ledger.ADMIN_ONLY_STATUS:
            raise WarehouseError("只有管理员可以销号")
    if owner_region_id not in regions.index:
        raise WarehouseError(f"责任单位 {owner_region_id} 不存在")
    load_id = ledger.add_update(db, problem_no, owner_region_id=owner_region_id, leader=leader, deadline=deadline,
                                status=status, progress=progress, user=name)
    after_commit(db, f"更新整改台账(变更 #{load_id})", load_id)
    return load_id


def _current(db: Path, account: accounts.Account) -> accounts.Account:
    """The account as the store holds it now (role and scope may have changed since sign-in), if still active."""
    return accounts.authorise(accounts.accounts_path(db), account.username, "viewer")


def open_supervision(db: Path, account: accounts.Account, *, indicator_id: str, region_id: str,
                     quarter_index: int, content: str, deadline: dt.date | None) -> int:
    """A leader's or admin's 督办 on a figure, addressed to the unit's editors; returns its number."""
    item_id, load_id = supervision.open_item(db, _current(db, account), indicator_id=indicator_id,
                                             region_id=region_id, quarter_index=quarter_index, content=content,
                                             deadline=deadline)
    after_commit(db, f"督办 #{item_id}(载入 #{load_id})", item_id)
    return item_id


def supervision_step(db: Path, account: accounts.Account, item_id: int, action: str, content: str | None,
                     submission_id: int | None = None) -> int:
    """答复 (the unit's editors, with a corrected file they submitted for review), 退回 or 办结 (a leader or
    admin) on a 督办 item; returns the step's load id."""
    load_id = supervision.add_step(db, _current(db, account), item_id, action, content, submission_id)
    after_commit(db, f"督办 #{item_id}{action}(载入 #{load_id})", load_id)
    with contextlib.suppress(UserFacingError):  # a busy store: the next `metrics notify` records it the same
        notify.record_due(db)
    return load_id
