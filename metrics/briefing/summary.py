"""The summary: sentences that state only what the rows of a brief's data hold, each with the rows
its figures come from."""

from collections.abc import Mapping

import pandas as pd

from metrics import attention, periods
from metrics.attention import Standing
from metrics.briefing.gather import BriefData
from metrics.briefing.model import Clause, scheme_of_year
from metrics.claims import Change, Direction, change_between
from metrics.formatting import (
    delta_text,
    judged_change_words,
    points_fraction,
    rank_text,
    standing_text,
    target_text,
    value_text,
)


def _count_clause(quarter_label: str, headline: pd.DataFrame, standing: Standing, scope: str | None) -> Clause:
    """How the quarter's values stand, the count 总览's cards state (attention.status_counts, over every unit, or
    the scope's), with the units that did not report named; then how many headline indicators have a value."""
    whose = f"{scope}各项指标" if scope else "各单位各项指标"
    if sum(standing.counts.values()):
        counted = f"{quarter_label}，{whose}的本期数值中，{standing_text(standing.counts, standing.unreported)}。"
    else:
        counted = f"{quarter_label}，{whose}均无本期数值。"
    current = headline[headline["is_current"]]
    named = f"{scope or '全市'}{len(headline)}项核心指标"
    if current.empty:
        return Clause(f"{counted}{named}均无本期数值，下表列其最近一期数值。")
    rest = len(headline) - len(current)
    if not rest:
        return Clause(f"{counted}{named}均有本期数值。")
    return Clause(f"{counted}{named}中，{len(current)}项有本期数值，其余{rest}项下表列其最近一期数值。")


def _gap_clauses(findings: pd.DataFrame, now: Mapping, city: Mapping) -> list[Clause]:
    """Per indicator: the units below target, and those well below 市本级; and those that did not report
    it, of whom nothing can be said."""
    gaps = findings[findings["finding"].isin(["below_target", "below_reference"])]
    silent = findings[findings["finding"] == "not_reported"].groupby("indicator_id")["region_name"].agg(list)
    clauses = []
    for indicator_id, rows in gaps.groupby("indicator_id", sort=False):
        parts, sources = [], []
        for row in rows.itertuples():
            value = value_text(row.value, row.unit, row.qualifier, row.kind)
            sources.append(now[(row.indicator_id, row.region_id)])
            if row.finding == "below_target":
                parts.append(f"{row.region_name}为{value}，未达到目标"
                             f"（{target_text(row.target_value, row.target_comparator, row.unit, row.kind)}）")
            else:
                sources.append(city[row.indicator_id])
                gap = delta_text(row.reference_value, row.value, row.unit, row.kind).lstrip("+")
                parts.append(f"{row.region_name}为{value}，低于{row.reference_name}"
                             f"（{value_text(row.reference_value, row.unit, kind=row.kind)}）{gap}")
        if indicator_id in silent:
            parts.append(f"{'、'.join(silent[indicator_id])}本期未报送")
        opening = "" if clauses else "对照目标和市本级，"
        clauses.append(Clause(f"{opening}{rows['indicator_name'].iloc[0]}方面，{'；'.join(parts)}。", tuple(sources)))
    return clauses


def _change_part(subject: str, before: float, now: float, qualifiers: tuple[str, str], change: Change) -> str:
    """'…由91.2%变为89.5%，下降1.7个百分点，变差', each value with its qualifier ('由约95%变为约97%'); two equal values
    are no change: '…持平，仍为100%'. qualifiers: now's and before's."""
    now_text = value_text(now, change.unit, qualifiers[0], change.kind)
    if change.direction is Direction.UNCHANGED:
        return f"{subject}持平，仍为{now_text}"
    return (f"{subject}由{value_text(before, change.unit, qualifiers[1], change.kind)}变为{now_text}，"
            f"{judged_change_words(change)}")


def _change_clause(quarter_index: int, headline: pd.DataFrame, findings: pd.DataFrame,
                   quarters: pd.DataFrame, now: Mapping, before: Mapping) -> Clause:
    """较上季度 only where a value of the previous quarter exists; otherwise say why there is none."""
    previous = periods.quarter_label(quarter_index - 1)
    changed = headline[headline["is_current"] & headline["change_vs_previous"].notna()]
    keys = ["indicator_id", "region_id"]
    listed = findings.set_index(keys).index.isin(changed.set_index(keys).index)
    worse = findings[(findings["finding"] == "worse").to_numpy() & ~listed].head(attention.WORSE_SHOWN)
    items = [(row["region_name"], row["indicator_name"], row["previous_value"], row["value"],
              (row["qualifier"], row["previous_qualifier"]),
              Change(row["change_vs_previous"], row["unit"], row["kind"], row["better"]),
              (row["indicator_id"], row["region_id"])) for _, row in changed.iterrows()]
    items += [(row.region_name, row.indicator_name, row.reference_value, row.value,
               (row.qualifier, row.reference_qualifier),
               change_between(row.value, row.reference_value, row.unit, row.kind, row.better,
                              (row.qualifier, row.reference_qualifier)),
               (row.indicator_id, row.region_id)) for row in worse.itertuples()]
    if not items:
        if quarter_index - 1 not in set(quarters["quarter_index"]):
            return Clause(f"数据仓库中没有上一季度（{previous}）的数据，本期不作环比比较。")
        return Clause(f"本期核心指标与上一季度（{previous}）没有可比的数值，不作环比比较。")
    # A unit named once for its run of indicators: '鄂州市甲…；乙…'.
    regions = [region for region, *_ in items]
    parts = [_change_part(("" if position and regions[position - 1] == region else region) + name,
                          before, now, qualifiers, change)
             for position, (region, name, before, now, qualifiers, change, _) in enumerate(items)]
    return Clause(f"与上季度（{previous}）相比，{'；'.join(parts)}。",
                  tuple(row for *_, key in items for row in (before[key], now[key])))


def assessment_note(row: Mapping, value_column: str) -> dict:
    """A reported score or rank as a note row: its observation is the points or rank indicator."""
    is_points = value_column == "points"
    return {"indicator_id": f"{row['scheme_id']}:{row['item_id']}:{value_column}", "region_id": row["region_name"],
            "period_id": row["period_id"], "indicator_name": row["item_name"] if is_points else scheme_of_year(row),
            "region_name": row["region_name"], "period_label": row["period_label"], "value": row[value_column],
            "unit": "分" if is_points else "名", "qualifier": "exact", "kind": "score" if is_points else "rank",
            "source": row["source"], "evidence": row["evidence"], "load_id": row["load_id"]}


def _assessment_clause(points: pd.DataFrame, ranks: pd.DataFrame) -> Clause | None:
    latest_points = points.groupby(["scheme_id", "item_id"], sort=False).tail(1).to_dict("records")
    latest_ranks = ranks.groupby("scheme_id", sort=False).tail(1).to_dict("records")
    parts = [f"{scheme_of_year(row)}中，{row['item_name']}得分{points_fraction(row['points'], row['max_points'])}"
             f"{'，为满分' if row['points'] >= row['max_points'] else ''}（{row['period_label']}）"
             for row in latest_points]
    parts += [f"{scheme_of_year(row)}中，位列全省{rank_text(int(row['rank']))}（{row['period_label']}）"
              for row in latest_ranks]
    if not parts:
        return None
    return Clause(f"省级考核方面，{'；'.join(parts)}。", (*(assessment_note(row, "points") for row in latest_points),
                                                  *(assessment_note(row, "rank") for row in latest_ranks)))


def _no_gap_clause(units: pd.DataFrame, findings: pd.DataFrame) -> Clause:
    """No unit below target or far below 市本级: said of all units only when all of them reported."""
    unreported = dict.fromkeys([*units.loc[units["count_indicators"] == 0, "region_name"],
                                *findings.loc[findings["finding"] == "not_reported", "region_name"]])
    if not unreported:
        return Clause("本期没有低于目标或低于市本级10个百分点以上的单位。")
    return Clause(f"本期已报送的数值中没有低于目标或低于市本级10个百分点以上的；{'、'.join(unreported)}"
                  "有指标未报送，无法判断其是否达标。")


def _reporting_clause(units: pd.DataFrame, findings: pd.DataFrame) -> Clause:
    silent = units[units["count_indicators"] == 0]
    missing = findings[findings["finding"] == "not_reported"]
    parts = []
    if silent.empty and missing.empty:
        who = units["region_name"].iloc[0] if len(units) == 1 else f"{len(units)}个区（功能区）均"
        return Clause(f"报送方面，本期{who}有报送，没有缺报的指标。")
    if len(silent):
        parts.append(f"{len(units)}个区（功能区）中，{'、'.join(silent['region_name'])}本期没有报送任何数值")
    partial = missing[~missing["region_id"].isin(silent["region_id"])]
    for region_name, rows in partial.groupby("region_name", sort=False):
        parts.append(f"{region_name}未报送{'、'.join(rows['indicator_name'])}")
    return Clause(f"报送方面，{'；'.join(parts)}。")


def summary_clauses(data: BriefData) -> list[Clause]:
    """The summary paragraph as clauses, from the rows the brief holds and nothing else."""
    now = {(row["indicator_id"], row["region_id"]): row for row in data.facts.to_dict("records")}
    before = {(row["indicator_id"], row["region_id"]): row for row in data.previous_facts.to_dict("records")}
    city = {key[0]: row for key, row in now.items() if row["region_level"] == "市本级" and row["is_current"]}
    gaps = _gap_clauses(data.findings, now, city)
    clauses = [_count_clause(data.quarter_label, data.headline, data.standing, data.region_name)]
    clauses += gaps or [_no_gap_clause(data.units, data.findings)]
    clauses.append(_change_clause(data.quarter_index, data.headline, data.findings, data.quarters, now, before))
    if (scored := _assessment_clause(data.points, data.ranks)) is not None:
        clauses.append(scored)
    clauses.append(_reporting_clause(data.units, data.findings))
    return clauses
