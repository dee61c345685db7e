"""Targets: status per indicator, region and period, year-end projections, the bureau's own targets.

Whether a value meets its target is decided in SQL only (the target_status macro and the
observation_facts view in sql/views.sql); this module asks and writes, it does not judge.
"""

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from metrics.claims import Status
from metrics.formatting import goals_text, target_status_rows, target_text
from metrics.store import journal, queries, stored_facts
from metrics.store.warehouse import WarehouseError, new_version

TARGET_COMPARATORS = (">", ">=", "<", "<=", "=")
PROJECTION_LABEL = "预测"


@dataclass(frozen=True)
class Projection:
    """A projected year-end value (always labelled 预测) and whether it would meet the target:
    will_meet is None when there is no target, no value, or a bound cannot tell."""

    indicator_id: str
    region_id: str
    year: int
    value: float | None
    qualifier: str | None
    count_quarters: int
    method: str
    target_value: float | None
    target_comparator: str | None
    target_basis: str | None
    status: str
    will_meet: bool | None
    label: str = PROJECTION_LABEL


def target_status_table(con: duckdb.DuckDBPyConnection, year: int | None = None) -> pd.DataFrame:
    """Status of every value of the year (every year when None) against its target — 达标 / 未达标 /
    无目标 / 无法判定 — and a 无数据 row for each quarterly milestone of an annual target that no
    value answers. A flow's quarter is compared on its year-to-date sum (compared_value) with k/4
    of the annual target (target_value; target_annual_value is the whole year's)."""
    return queries.run(con, "target_status", year=year, category=None, region_id=None, only_targeted=False)


def projections(con: duckdb.DuckDBPyConnection, pairs: tuple[tuple[str, str], ...], year: int) -> list[Projection]:
    """Year-end values of (indicator_id, region_id) pairs projected from the year so far, in one query:
    a flow at the mean of its observed quarters times four (linear run-rate), a level or stock at its
    latest value; then judged on the year's target as any value is. An unknown indicator is left out."""
    found = queries.run(con, "target_projection", indicator_ids=[p[0] for p in pairs],
                        region_ids=[p[1] for p in pairs], year=year)

    def optional(value):
        return None if pd.isna(value) else value

    def number(value):
        return None if pd.isna(value) else float(value)

    return [
        Projection(
            indicator_id=row.indicator_id,
            region_id=row.region_id,
            year=year,
            value=number(row.projected_value),
            qualifier=optional(row.projected_qualifier),
            count_quarters=int(row.count_quarters),
            method=row.method if pd.notna(row.projected_value) else "预测：年内无数据",
            target_value=number(row.target_value),
            target_comparator=optional(row.target_comparator),
            target_basis=optional(row.target_basis),
            status=row.projected_status,
            will_meet={Status.MET: True, Status.MISSED: False}.get(row.projected_status),
        )
        for row in found.itertuples()
    ]


def set_bureau_target(db: Path, indicator_id: str, region_id: str | None, year: int, value: float,
                      comparator: str, user: str) -> int:
    """Set (or replace) the bureau's own annual target for an indicator and a region (None: every
    region) in a new warehouse version, recorded as a load of kind 'target'; returns its load id."""
    if comparator not in TARGET_COMPARATORS:
        raise WarehouseError(f"比较符应为 {' '.join(TARGET_COMPARATORS)} 之一，收到 {comparator!r}")
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise WarehouseError(f"目标值应为有限数字，收到 {value!r}")
    if not user or not user.strip():
        raise WarehouseError("设置目标须注明操作人")
    canonical = json.dumps([indicator_id, region_id, year, value, comparator], ensure_ascii=False)
    params = {
        "indicator_id": indicator_id,
        "region_id": region_id,
        "year": int(year),
        "value": float(value),
        "comparator": comparator,
        "user_name": user.strip(),
        "loaded_at": dt.datetime.now().replace(microsecond=0),
        "sha256": hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        "source": f"本局设置(操作人：{user.strip()})",
    }
    with new_version(db, from_current=True) as con:
        params["load_id"] = int(queries.run_in_transaction(con, "load_next_id").iloc[0]["load_id"])
        count = journal.observation_count(con)
        names = queries.run_in_transaction(con, "target_keys_known", indicator_id=indicator_id, region_id=region_id)
        if names.empty:
            raise WarehouseError(f"无法设置目标：指标 {indicator_id} 或地区 {region_id or '全部地区'} 不存在")
        named = names.iloc[0]
        goal = f"{year}年 {named['region_name']} {target_text(value, comparator, named['unit'], named['kind'])}"
        # Names, not ids: the load's file name and note are what 数据管理, history and the sidebar show.
        params["file_name"] = f"目标：{named['indicator_name']}"
        params["note"] = f"本局目标：{named['indicator_name']} {goal}"
        queries.run_script(con, queries.query_text("target_set_bureau"), params)
        stored_facts.refresh(con)
        journal.write(con, load_id=params["load_id"], actor=params["user_name"], action="设置目标",
                      target=f"设置目标 #{params['load_id']} {named['indicator_name']}", detail=goal,
                      count_before=count)
    return params["load_id"]


def targeted_status(con: duckdb.DuckDBPyConnection, category: str | None = None, region_id: str | None = None,
                    rows_per_indicator: int | None = None) -> pd.DataFrame:
    """target_status_table for the indicators that have a target, in a category and region: the first
    rows_per_indicator rows of each (all when None)."""
    return queries.run(con, "targeted_status_rows", category=category or None, region_id=region_id or None,
                       rows_per_indicator=rows_per_indicator)


def targeted_summary(con: duckdb.DuckDBPyConnection, category: str | None, region_id: str | None,
                     projection_year: int) -> pd.DataFrame:
    """Per indicator of targeted_status: its row count, status counts (status_counts, a dict), distinct
    targets (goals), whether it has quarterly milestones, and the regions with quarterly values to project
    projection_year's end from (projectable_regions: region_id and region_name; none for a score, whose
    target is the item's full marks in every quarter, not a year's total)."""
    return queries.run(con, "targeted_status_summary", category=category or None, region_id=region_id or None,
                       projection_year=projection_year)


def shown_status(con: duckdb.DuckDBPyConnection, category: str | None, region_id: str | None, projection_year: int,
                 rows_per_indicator: int) -> dict[str, tuple[str, pd.DataFrame]]:
    """Per indicator of targeted_summary, as 总览 shows it: its targets in words (goals_text) and its first
    rows_per_indicator status rows as a table (target_status_rows). Made once per snapshot and choice
    (ui.common.data): worded row by row, they cost more than the queries they come from."""
    rows = targeted_status(con, category, region_id, rows_per_indicator)
    return {summary.indicator_id: (goals_text(pd.DataFrame(list(summary.goals)), summary.unit),
                                   target_status_rows(rows[rows["indicator_id"] == summary.indicator_id], summary.unit))
            for summary in targeted_summary(con, category, region_id, projection_year).itertuples()}


def projection_requests(summary: pd.DataFrame) -> tuple[tuple[str, str], ...]:
    """The (indicator, region) pairs whose year-end projections a targeted_summary offers: one projections query."""
    return tuple((indicator_id, region["region_id"])
                 for indicator_id, regions in zip(summary["indicator_id"], summary["projectable_regions"], strict=True)
                 for region in regions)
