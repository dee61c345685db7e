"""The audit trail in the accounts store: who changed what, with counts before and after, and the copies of
journalled warehouse changes."""

import time

import pandas as pd

from metrics.accounts.store import Store, StoreBusy, StoreUnavailable, timestamp, transaction
from metrics.store import queries
from metrics.store.queries import run_in_transaction as _run


def record_event(con, actor: str, action: str, target: str, detail: str | None = None,
                 count_before: int | None = None, count_after: int | None = None) -> None:
    _run(con, "audit_insert", happened_at=timestamp(), actor=actor, action=action, target=target,
                detail=detail, count_before=count_before, count_after=count_after)


def record(store: Store, actor: str, action: str, target: str, detail: str | None = None,
           count_before: int | None = None, count_after: int | None = None) -> None:
    """Append one event to the audit trail."""
    with transaction(store) as con:
        record_event(con, actor, action, target, detail, count_before, count_after)


# What an audit entry's 变更前/后数量 count: a journalled warehouse change counts observation rows;
# the accounts store's own entries count accounts (those without counts count nothing).
JOURNAL_ACTIONS = ("构建数据仓库", "重建数据仓库", "升级数据仓库", "载入数据", "撤销载入", "设置目标")
ACCOUNT_ACTIONS = ("新增账户", "修改密码", "停用账户", "启用账户", "修改角色")


def counted(action: str) -> str:
    """'观测值行数', '账户数' or '—': what the counts of an audit entry of this action are."""
    if action in JOURNAL_ACTIONS:
        return "观测值行数"
    return "账户数" if action in ACCOUNT_ACTIONS else "—"


def audit_trail(store: Store) -> pd.DataFrame:
    with transaction(store) as con:
        return _run(con, "audit_list")


def reconcile_audit(store: Store, entries: pd.DataFrame, timeout_seconds: float) -> None:
    """Append to the audit trail the journalled warehouse changes it lacks (keyed by change_key).

    Waits for the store at most timeout_seconds, then raises StoreBusy: the change is already
    published, so its caller must neither hang nor fail on the audit copy.
    """
    if entries.empty:
        return
    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            with transaction(store, wait_seconds=max(deadline - time.monotonic(), 0)) as con:
                queries.register_frame(con, "journal", entries)
                queries.run_script(con, queries.query_text("audit_reconcile"))
            return
        except StoreUnavailable:  # locked, or held open by a process outside this module; try again
            pass
        if time.monotonic() >= deadline:
            raise StoreBusy(f"账户库 {store} 被其他进程占用，已等待 {timeout_seconds:g} 秒")
        time.sleep(0.1)
