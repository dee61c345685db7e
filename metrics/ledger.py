"""The rectification ledger: the 26 problems of the notice, the figures linked to them, and the
working ledger kept since — owner, leader, deadline, status and dated progress per problem."""

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pandas as pd

from metrics.store import journal, queries
from metrics.store.warehouse import WarehouseError, new_version


def problems(con: duckdb.DuckDBPyConnection, category: str | None = None) -> pd.DataFrame:
    return queries.run(con, "problems", category=category)


def problem_facts(con: duckdb.DuckDBPyConnection, problem_no: int) -> pd.DataFrame:
    """Latest figures of the indicators linked to one problem."""
    return queries.run(con, "problem_facts", problem_no=int(problem_no))


LEDGER_STATUSES = ("整改中", "已完成", "长期坚持", "已销号")
# Only an admin closes an item for good (销号); a unit's editor reports the rest.
ADMIN_ONLY_STATUS = "已销号"
MAX_TEXT_CHARACTERS = 1000


def working_ledger(con: duckdb.DuckDBPyConnection, today: dt.date) -> pd.DataFrame:
    """Every problem's current owner, leader, deadline and status, 逾期 decided for today, with its
    progress entries; a problem nobody has updated stands as the notice reports it."""
    return queries.run(con, "problem_ledger", today=today)


def status_counts(ledger: pd.DataFrame) -> dict[str, int]:
    """How many problems stand at each status, and how many are overdue."""
    counts = ledger["status"].value_counts().to_dict()
    counts["逾期"] = int(ledger["is_overdue"].fillna(False).sum())
    return {name: int(count) for name, count in counts.items()}


def excel_rows(ledger: pd.DataFrame) -> pd.DataFrame:
    """The ledger in the layout bureaus use: 序号, 问题, 整改措施, 责任单位, 责任领导, 时限, 进展, 状态."""
    return pd.DataFrame({
        "序号": ledger["problem_no"],
        "问题": ledger["title"],
        "整改措施": ledger["measures_summary"],
        "责任单位": ledger["owner_name"],
        "责任领导": ledger["leader"].fillna(""),
        "时限": pd.to_datetime(ledger["deadline"]).dt.strftime("%Y-%m-%d").fillna(""),
        "进展": ledger["progress_log"].fillna("（通报所载整改情况，见通报" + ledger["source"] + "）"),
        "状态": ledger["status"],
    })


def may_update(account, owner_region_name: str) -> bool:
    """An admin updates every item; an editor those whose responsible unit is in their regions."""
    return account.can("admin") or (account.role == "editor" and owner_region_name in account.scope_regions)


def add_update(db: Path, problem_no: int, *, owner_region_id: str, leader: str | None, deadline: dt.date | None,
               status: str, progress: str, user: str) -> int:
    """Append one dated entry to a problem, recorded as a load of kind 'ledger'; returns its load id."""
    progress = (progress or "").strip()
    leader = (leader or "").strip() or None
    if status not in LEDGER_STATUSES:
        raise WarehouseError(f"状态应为 {'、'.join(LEDGER_STATUSES)} 之一")
    if not progress:
        raise WarehouseError("请填写本次进展")
    if len(progress) > MAX_TEXT_CHARACTERS or len(leader or "") > 100:
        raise WarehouseError(f"进展最多 {MAX_TEXT_CHARACTERS} 个字，责任领导最多 100 个字")
    now = dt.datetime.now().replace(microsecond=0)
    with new_version(db, from_current=True) as con:
        load_id = int(queries.run_in_transaction(con, "load_next_id").iloc[0]["load_id"])
        count = journal.observation_count(con)
        note = f"整改台账：问题{problem_no} {status}"
        con.execute(queries.query_text("load_insert_record"), {
            "load_id": load_id, "kind": "ledger", "file_name": f"ledger:{problem_no}", "user_name": user,
            "loaded_at": now,
            "sha256": hashlib.sha256(f"{problem_no}|{status}|{progress}".encode()).hexdigest(), "note": note})
        if not queries.run_in_transaction(con, "ledger_keys_known", problem_no=int(problem_no),
                                          owner_region_id=owner_region_id)["known"].iloc[0]:
            raise WarehouseError(f"问题{problem_no}或责任单位 {owner_region_id} 不存在")
        con.execute(queries.query_text("problem_update_insert"), {
            "problem_no": int(problem_no), "owner_region_id": owner_region_id, "leader": leader,
            "deadline": deadline, "status": status, "progress": progress, "author": user, "written_at": now,
            "load_id": load_id})
        journal.write(con, load_id=load_id, actor=user, action="更新整改台账", target=f"问题{problem_no}",
                      detail=f"{status}：{progress}", count_before=count)
    return load_id
