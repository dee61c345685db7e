"""Write a validated file as one recorded, reversible load in a new warehouse version."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import duckdb
import pandas as pd

from metrics.formatting import actor_text
from metrics.ingest.validation import Progress, Validation
from metrics.store import journal, queries, stored_facts
from metrics.store.warehouse import WarehouseError, new_version, version_id

KIND_LABELS = {
    "seed": "种子数据",
    "observations": "观测值",
    "regions": "地区",
    "indicators": "指标",
    "rollback": "撤销",
    "target": "目标",
    "ledger": "整改台账",
    "supervision": "督办",
}
# Loads this module writes, and so can undo; other modules record loads of their own kinds.
ROLLBACK_KINDS = ("observations", "regions", "indicators")
STATUS_LABELS = {"applied": "已生效", "rolled_back": "已撤销"}
HISTORY_COLUMNS = {
    "load_id": "编号",
    "kind": "类型",
    "file_name": "文件",
    "sha256": "SHA-256",
    "rows_total": "总行数",
    "rows_inserted": "新增",
    "rows_updated": "修改",
    "user_name": "操作人",
    "loaded_at": "时间",
    "status": "状态",
    "note": "说明",
}


class LoadError(WarehouseError):
    """A load or rollback refused or failed; nothing was written. The message is Chinese."""


class ConflictError(LoadError):
    """The file would change stored rows and replacing them was not asked for."""


@dataclass(frozen=True)
class LoadResult:
    load_id: int
    kind: str
    rows_total: int
    inserted: int
    updated: int
    version: str  # the warehouse snapshot the load committed
    note: str


def _no_progress(fraction: float, text: str) -> None:
    """Callers that show no progress pass nothing."""


def apply(
    db: Path,
    validation: Validation,
    user: str,
    replace: bool = False,
    file_name: str | None = None,
    sha256: str | None = None,
    progress: Progress | None = None,
    also: Callable[[duckdb.DuckDBPyConnection, int], None] | None = None,
) -> LoadResult:
    """Load a validated file as one transaction in a new version; replace=True overwrites changed rows.

    A file identical to what is stored is still recorded, as a load with nothing inserted or updated.
    also(con, load_id) writes in the same transaction what must commit with the load or not at all (a
    review's decision); raising there leaves the warehouse as it was.
    """
    progress = progress or _no_progress
    if not validation.ok:
        raise LoadError(f"文件有 {len(validation.errors)} 处问题，未载入")
    kind = "+".join(validation.kinds) or "observations"
    progress(0.05, "正在准备写入")
    with new_version(db, from_current=True) as con:
        count_before = journal.observation_count(con)
        _stage(con, validation)
        # Counted again inside the writer's lock: another load may have landed since validation.
        counts = queries.run_in_transaction(con, "load_counts").iloc[0]
        inserted, updated = int(counts.count_inserted), int(counts.count_updated)
        if updated and not replace:
            raise ConflictError(f"有 {updated} 行与已有数据不同，未载入；确认覆盖请选择替换(--replace)")
        load_id = con.execute(queries.query_text("load_next_id")).fetchone()[0]
        note = _note(validation, counts)
        added = int(counts.count_new_regions + counts.count_new_indicators)
        file_name = file_name or validation.file_name
        progress(0.3, "正在写入")
        queries.run_script(
            con,
            queries.query_text("load_apply"),
            {
                "load_id": load_id,
                "kind": kind,
                "file_name": file_name,
                "sha256": sha256 or validation.sha256,
                "rows_total": validation.rows_total,
                "rows_inserted": inserted + added,
                "rows_updated": updated,
                "user_name": user,
                "loaded_at": dt.datetime.now().replace(microsecond=0),
                "note": note,
            },
        )
        progress(0.8, "正在检查数据")
        _check_and_refresh(con, "载入")
        journal.write(con, load_id=load_id, actor=user, action="载入数据", target=f"载入 #{load_id} {file_name}",
                      detail=note, count_before=count_before)
        if also:
            also(con, load_id)
        progress(0.9, "正在提交")
    progress(1.0, "载入完成")
    return LoadResult(
        load_id,
        kind,
        validation.rows_total,
        inserted + added,
        updated,
        version_id(db),
        note,
    )


def _stage(con: duckdb.DuckDBPyConnection, validation: Validation) -> None:
    queries.register_frame(con, "staged_observations", validation.rows)
    queries.register_frame(con, "staged_periods", validation.periods.astype({"start_date": "str", "end_date": "str"}))
    queries.register_frame(con, "staged_regions", validation.regions.astype({"sort_order": "int64"}))
    queries.register_frame(con, "staged_indicators", validation.indicators.astype("str").replace({"None": None}))


def _note(validation: Validation, counts: pd.Series) -> str:
    """What the load does, counted against the state it changes (not the state it was validated on)."""
    inserted, updated = int(counts.count_inserted), int(counts.count_updated)
    parts = [f"新增 {inserted} 行，修改 {updated} 行，不变 {len(validation.rows) - inserted - updated} 行"]
    for column, label in (("count_new_regions", "新增地区"), ("count_new_indicators", "新增指标"),
                          ("count_new_periods", "新建期间")):
        if counts[column]:
            parts.append(f"{label} {int(counts[column])} 个")
    return "；".join(parts)


def _check_and_refresh(con: duckdb.DuckDBPyConnection, action: str) -> None:
    """Refuse the change when it broke a data test on a key it touched; else recompute those keys' facts."""
    violations = stored_facts.checked_refresh(con)
    if len(violations):
        first = violations.iloc[0]
        raise LoadError(
            f"{action}后数据未通过校验({len(violations)} 处)，未发布，如 "
            f"{first.indicator_id}/{first.region_id}/{first.period_id}：{first.problem}"
        )


def rollback(db: Path, load_id: int, user: str) -> LoadResult:
    """Undo one load exactly, recorded as a load of kind 'rollback'."""
    with new_version(db, from_current=True) as con:
        count_before = journal.observation_count(con)
        target = con.execute(queries.query_text("load_rollback_target"), {"load_id": load_id}).df()
        if target.empty:
            raise LoadError(f"没有编号为 {load_id} 的载入")
        load = target.iloc[0]
        if load.kind == "seed":
            raise LoadError("种子数据是数据仓库的初始构建，不能撤销；如需重建请运行 python -m metrics build")
        if load.kind == "rollback":
            raise LoadError(f"载入 #{load_id} 本身是一次撤销，不能再撤销；如需恢复，请重新载入原文件")
        if not set(load.kind.split("+")) <= set(ROLLBACK_KINDS):
            raise LoadError(f"载入 #{load_id} 的类型“{_kind_label(load.kind)}”不能在此撤销")
        if load.status == "rolled_back":
            raise LoadError(f"载入 #{load_id} 已撤销过")
        if load.targeting_loads:
            raise LoadError(
                f"载入 #{load_id} 新增的地区或指标已设置了目标(载入 {load.targeting_loads})，"
                "目标只能修改不能删除，因此该载入不能撤销"
            )
        if load.ledger_loads:
            raise LoadError(
                f"载入 #{load_id} 新增的地区已在整改台账中作为责任单位(载入 {load.ledger_loads})，"
                "台账记录只能追加不能删除，因此该载入不能撤销"
            )
        if load.blocking_loads:
            raise LoadError(
                f"载入 #{load_id} 之后的载入 {load.blocking_loads} "
                "修改了它写入的数据或使用了它新增的地区、指标，"
                f"请先撤销 {load.blocking_loads}"
            )
        deleted, restored = int(load.count_to_delete), int(load.count_to_restore)
        rollback_id = con.execute(queries.query_text("load_next_id")).fetchone()[0]
        note = f"撤销载入 #{load_id}：删除新增 {deleted} 行，恢复被修改 {restored} 行"
        params = {
            "load_id": load_id,
            "rollback_id": rollback_id,
            "file_name": load.file_name,
            "sha256": load.sha256,
            "rows_total": deleted + restored,
            "rows_updated": restored,
            "user_name": user,
            "loaded_at": dt.datetime.now().replace(microsecond=0),
            "note": note,
        }
        queries.run_script(con, queries.query_text("load_rollback_apply"), params)
        period_ids, first_period_load = con.execute(queries.query_text("load_rollback_period_candidates")).fetchone()
        params |= {"period_ids": period_ids, "first_period_load": first_period_load}
        queries.run_script(con, queries.query_text("load_rollback_remove_additions"), params)
        _check_and_refresh(con, "撤销")
        journal.write(con, load_id=rollback_id, actor=user, action="撤销载入", target=f"载入 #{load_id}",
                      detail=note, count_before=count_before)
    return LoadResult(rollback_id, "rollback", deleted + restored, 0, restored, version_id(db), note)


def _kind_label(kind: str) -> str:
    return "+".join(KIND_LABELS.get(part, part) for part in kind.split("+"))


def undoable(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The loads rollback() may undo (applied, of the kinds this module writes), newest first."""
    frame = queries.run(con, "load_history")
    kinds_ok = frame["kind"].map(lambda kind: set(kind.split("+")) <= set(ROLLBACK_KINDS))
    return frame[kinds_ok & (frame["status"] == "applied")].iloc[::-1].reset_index(drop=True)


def rollback_preview(con: duckdb.DuckDBPyConnection, load_id: int) -> pd.Series:
    """What undoing a load touches: its file, rows to delete and restore, periods and units."""
    return queries.run(con, "load_rollback_preview", load_id=load_id).iloc[0]


def history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every load, oldest first, with Chinese headings and labels."""
    frame = queries.run(con, "load_history")
    frame["kind"] = frame["kind"].map(_kind_label)
    # A file by its name: the seed's is recorded with the folder it was built from.
    frame["file_name"] = frame["file_name"].map(lambda name: PurePosixPath(name).name)
    frame["status"] = frame["status"].map(lambda status: STATUS_LABELS.get(status, status))
    frame["user_name"] = frame["user_name"].map(actor_text)
    return frame.rename(columns=HISTORY_COLUMNS)
