"""Assessment scoring: rubrics stored as data, one evaluator, computed beside reported points.

A rule (sql/schema.sql, assessment_rules) says how points follow from a value; evaluate() is the
only place that turns a value into points. Everything else here gathers values and rubrics from
the warehouse, scores them, and compares the result with the points the assessor reported.
"""

import math
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import duckdb
import pandas as pd

from metrics import claims
from metrics.claims import PointsSource, ScoreCheck
from metrics.facts import DISTRICT_LEVELS
from metrics.formatting import QUALIFIER_PREFIX, SCORE_CHECK_NAMES, delta_text, plain_number, value_text
from metrics.store import queries

CITY_LEVEL = "市"
COMPARATORS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
COMPARATOR_WORDS = {">": "超过", ">=": "达到", "<": "低于", "<=": "不超过"}
ASSUMPTION_NOTE = "假设：未达到任何一档按0分计(细则未说明)"
# The province reports one score for the city; how it combines the units' shares is not stated.
# Full marks need every unit above the step, so the city is taken to score as its lowest unit.
CITY_FROM_UNITS_NOTE = "假设：全市得分按各单位最低分计(省里如何由各单位比例得出全市得分，通报未说明)"
# Rubrics award at most hundredths of a point; rounding only hides binary float noise.
POINT_DIGITS = 4

SCORE_COLUMNS = [
    "scheme", "item", "region", "period", "value", "computed_points", "reported_points",
    "max_points", "next_step_gap", "next_step_points",
    "status", "assumption", "note", "is_mismatch", "qualifier", "next_step_comparator",
    "next_step_value", "scheme_name", "item_name", "region_id", "region_level", "period_label",
    "unit", "rule_id", "rule_description", "rule_source", "is_partial", "partial_note",
]


@dataclass(frozen=True)
class Step:
    threshold: float
    points: float


@dataclass(frozen=True)
class Rule:
    """One row of assessment_rules; see sql/schema.sql for what each kind means."""

    rule_id: str
    kind: str
    comparator: str | None = None
    below_points: float | None = None
    floor_points: float | None = None
    cap_points: float | None = None
    per_unit_points: float | None = None
    is_partial: bool = False
    partial_note: str | None = None
    source: str = ""
    description: str = ""

    @classmethod
    def from_record(cls, record: Mapping) -> "Rule":
        """A rule from a row of the score_rules query (missing values read as None)."""
        return cls(**{name: None if _is_missing(value) else value for name, value in record.items()})


@dataclass(frozen=True)
class Evaluation:
    """Points for one value; None when the value's bound leaves them open. assumed: the points
    rest on a part of the rule that the rubric does not state (labelled 假设 in note)."""

    points: float | None
    assumed: bool
    note: str


@dataclass(frozen=True)
class NextStep:
    """The nearest value that earns more points: reach target_value (by comparator), which is
    gap away from the value (signed: + to rise), for points_gain more points."""

    target_value: float
    comparator: str
    gap: float
    points_gain: float


@dataclass(frozen=True)
class WhatIfResult:
    """item_points: every scored row with the points used (computed, else reported);
    totals: the city's points per scheme and period, beside the baseline — its own points where it
    has them, else its units' lowest (assumption says so);
    ranking: districts by points per scheme and period, beside the baseline rank."""

    item_points: pd.DataFrame
    totals: pd.DataFrame
    ranking: pd.DataFrame


def _check(rule: Rule, steps: Sequence[Step]) -> None:
    if rule.kind in ("threshold_steps", "rank"):
        if rule.comparator not in COMPARATORS or not steps:
            raise ValueError(f"计分规则 {rule.rule_id}：分档规则需要比较符和至少一档")
    elif rule.kind == "linear":
        if len(steps) != 2 or steps[0].threshold == steps[1].threshold:
            raise ValueError(f"计分规则 {rule.rule_id}：线性规则需要两个不同的端点")
    elif rule.kind == "deduction":
        if rule.cap_points is None or not rule.per_unit_points or rule.per_unit_points <= 0:
            raise ValueError(f"计分规则 {rule.rule_id}：扣分规则需要满分(cap_points)和每次扣分")
    else:
        raise ValueError(f"计分规则 {rule.rule_id}：未知的规则类型 {rule.kind}")


def _points_at(rule: Rule, steps: Sequence[Step], value: float) -> tuple[float, bool]:
    """Points for an exact value, and whether they rest on the assumed below-steps score."""
    assumed = False
    if rule.kind in ("threshold_steps", "rank"):
        passes = COMPARATORS[rule.comparator]
        reached = [step.points for step in steps if passes(value, step.threshold)]
        if reached:
            points = max(reached)
        elif rule.below_points is not None:
            points = rule.below_points
        else:
            points, assumed = 0.0, True
    elif rule.kind == "linear":
        low, high = sorted(steps, key=lambda step: step.threshold)
        clamped = min(max(value, low.threshold), high.threshold)
        share = (clamped - low.threshold) / (high.threshold - low.threshold)
        points = low.points + (high.points - low.points) * share
    else:
        points = rule.cap_points - rule.per_unit_points * max(value, 0)
    return _bounded(rule, points), assumed


def _bounded(rule: Rule, points: float) -> float:
    if rule.cap_points is not None:
        points = min(points, rule.cap_points)
    if rule.floor_points is not None:
        points = max(points, rule.floor_points)
    return round(points, POINT_DIGITS)


def _higher_is_better(rule: Rule, steps: Sequence[Step]) -> bool:
    if rule.kind == "deduction":
        return False
    if rule.kind == "linear":
        low, high = sorted(steps, key=lambda step: step.threshold)
        return high.points > low.points
    return rule.comparator in (">", ">=")


def _possible_range(value: float, qualifier: str) -> tuple[float, float]:
    """The lowest and highest true value an observation with this qualifier allows."""
    if qualifier in ("exact", "approx"):
        return value, value
    if qualifier in ("at_least", "all_at_least"):
        return value, math.inf
    if qualifier == "more_than":
        return math.nextafter(value, math.inf), math.inf
    if qualifier == "at_most":
        return -math.inf, value
    raise ValueError(f"未知的数值限定 {qualifier}")


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def evaluate(rule: Rule, steps: Sequence[Step], value: float | None, qualifier: str = "exact") -> Evaluation:
    """Points that rule gives value. A bound (at_least, more_than, at_most) scores only when every
    value it allows scores the same: ≥ 50 does not decide "超过50%"."""
    _check(rule, steps)
    if _is_missing(value):
        return Evaluation(None, False, SCORE_CHECK_NAMES[ScoreCheck.NO_DATA])
    low, high = _possible_range(float(value), qualifier)
    low_points, low_assumed = _points_at(rule, steps, low)
    high_points, high_assumed = _points_at(rule, steps, high)
    if low_points != high_points:
        least, most = sorted((low_points, high_points))
        assumed = "(低档为假设)" if low_assumed or high_assumed else ""
        return Evaluation(
            None, False,
            f"{SCORE_CHECK_NAMES[ScoreCheck.UNDECIDED]}：值为{QUALIFIER_PREFIX[qualifier]}{plain_number(value)}，"
            f"得分在{plain_number(least)}至{plain_number(most)}分之间{assumed}",
        )
    assumed = low_assumed or high_assumed
    return Evaluation(low_points, assumed, ASSUMPTION_NOTE if assumed else "")


def next_step(rule: Rule, steps: Sequence[Step], value: float, qualifier: str = "exact") -> NextStep | None:
    """The nearest value beyond this one that earns more points; None at the rule's best, or
    when a bound leaves the worst case unbounded. A bound counts as its worst case."""
    _check(rule, steps)
    low, high = _possible_range(float(value), qualifier)
    higher_is_better = _higher_is_better(rule, steps)
    worst = low if higher_is_better else high
    if math.isinf(worst):
        return None
    current, _ = _points_at(rule, steps, worst)
    if rule.kind in ("threshold_steps", "rank"):
        better = [step for step in steps if step.points > current]
        if not better:
            return None
        pick = min if higher_is_better else max
        target = pick(better, key=lambda step: step.threshold)
        # A strict step is not reached at its threshold, so its points come from the step itself.
        target_value, comparator, gained = target.threshold, rule.comparator, _bounded(rule, target.points)
    elif rule.kind == "linear":
        target = max(steps, key=lambda step: step.points)
        target_value = target.threshold
        comparator = ">=" if higher_is_better else "<="
        gained, _ = _points_at(rule, steps, target_value)
    else:
        # One occurrence fewer, or as many fewer as it takes to rise above the floor.
        target_value = math.ceil(worst) - 1
        while target_value > 0 and _points_at(rule, steps, target_value)[0] <= current:
            target_value -= 1
        comparator = "<="
        gained, _ = _points_at(rule, steps, max(target_value, 0))
    if target_value < 0 or gained <= current:
        return None
    return NextStep(
        target_value=target_value,
        comparator=comparator,
        gap=round(target_value - worst, POINT_DIGITS),
        points_gain=round(gained - current, POINT_DIGITS),
    )


@dataclass(frozen=True)
class _Rubric:
    """Everything scoring reads from the warehouse, read once."""

    items: pd.DataFrame
    rules: dict[str, tuple[Rule, list[Step]]]
    observations: pd.DataFrame  # value and qualifier by (indicator_id, region_id, period_id)
    regions: pd.DataFrame
    periods: pd.DataFrame


def rules(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[Rule, list[Step]]]:
    """Every stored rule with its steps in order, by rule id."""
    steps: dict[str, list[Step]] = {}
    for row in queries.run(con, "score_rule_steps").itertuples():
        steps.setdefault(row.rule_id, []).append(Step(float(row.threshold), float(row.points)))
    return {record["rule_id"]: (Rule.from_record(record), steps.get(record["rule_id"], []))
            for record in queries.run(con, "score_rules").to_dict("records")}


def _load(con: duckdb.DuckDBPyConnection) -> _Rubric:
    return _Rubric(
        items=queries.run(con, "score_items"),
        rules=rules(con),
        observations=queries.run(con, "score_observations").set_index(
            ["indicator_id", "region_id", "period_id"]),
        regions=queries.run(con, "regions").set_index("region_id"),
        periods=queries.run(con, "score_periods").set_index("period_id"),
    )


def _optional(value) -> float | None:
    return None if _is_missing(value) else float(value)


def _text(value) -> str:
    return "" if _is_missing(value) else str(value)


def _item_keys(item: Mapping, rubric: _Rubric) -> list[tuple[str, str]]:
    """The (region, period) pairs with a value or reported points, in the item's region levels."""
    observations = rubric.observations.reset_index()
    used = observations["indicator_id"].isin([item["value_indicator_id"], item["points_indicator_id"]])
    keys = observations.loc[used, ["region_id", "period_id"]].drop_duplicates()
    if not _is_missing(item["region_levels"]):
        levels = item["region_levels"].split(";")
        keys = keys[rubric.regions.loc[keys["region_id"], "level"].isin(levels).to_numpy()]
    return list(keys.itertuples(index=False, name=None))


def _judge(row: dict, rule: Rule, steps: Sequence[Step]) -> None:
    """Fill computed points, next step and status into a row that has a value."""
    evaluation = evaluate(rule, steps, row["value"], row["qualifier"])
    row["computed_points"] = evaluation.points
    row["assumption" if evaluation.assumed else "note"] = evaluation.note
    step = next_step(rule, steps, row["value"], row["qualifier"])
    if step is not None:
        row.update(next_step_gap=step.gap, next_step_points=step.points_gain,
                   next_step_comparator=step.comparator, next_step_value=step.target_value)
    elif evaluation.points is not None:
        row.update(next_step_gap=0.0, next_step_points=0.0)
    if evaluation.points is None:
        row["status"] = ScoreCheck.UNDECIDED
    elif row["reported_points"] is None:
        row["status"] = ScoreCheck.NO_REPORTED_POINTS
    elif row["reported_points"] == evaluation.points:
        row["status"] = ScoreCheck.AGREES
    else:
        row.update(status=ScoreCheck.DIFFERS, is_mismatch=True)


def _score_item(item: Mapping, rubric: _Rubric) -> list[dict]:
    observed = rubric.observations
    rule, steps = rubric.rules.get(item["rule_id"], (None, []))
    rows = []
    for region_id, period_id in _item_keys(item, rubric):
        region, period = rubric.regions.loc[region_id], rubric.periods.loc[period_id]
        value_key = (item["value_indicator_id"], region_id, period_id)
        has_value = value_key in observed.index
        row = {
            "scheme": item["scheme_id"], "item": item["item_id"], "region": region["name"],
            "period": period_id, "value": float(observed.loc[value_key, "value"]) if has_value else None,
            "computed_points": None,
            "reported_points": _optional(
                observed["value"].get((item["points_indicator_id"], region_id, period_id))),
            "max_points": _optional(item["max_points"]), "next_step_gap": None, "next_step_points": None,
            "status": None, "assumption": "", "note": "", "is_mismatch": False,
            "qualifier": observed.loc[value_key, "qualifier"] if has_value else None,
            "next_step_comparator": None, "next_step_value": None,
            "scheme_name": item["scheme_name"], "item_name": item["item_name"], "region_id": region_id,
            "region_level": region["level"], "period_label": period["period_label"],
            "unit": item["value_unit"], "rule_id": item["rule_id"],
            "rule_description": rule.description if rule else None,
            "rule_source": rule.source if rule else None,
            "is_partial": rule.is_partial if rule else None,
            "partial_note": rule.partial_note if rule else None,
            "region_order": region["sort_order"], "end_date": period["end_date"],
        }
        if rule is None:
            row.update(status=ScoreCheck.NO_RULE, note=_text(item["item_note"]))
        elif not has_value:
            row.update(status=ScoreCheck.NO_DATA, note=f"{period['period_label']}无观测值，不计算得分")
        else:
            _judge(row, rule, steps)
        rows.append(row)
    return rows


def _score(rubric: _Rubric) -> pd.DataFrame:
    rows = [row for item in rubric.items.to_dict("records") for row in _score_item(item, rubric)]
    frame = pd.DataFrame(rows, columns=[*SCORE_COLUMNS, "region_order", "end_date"])
    frame = frame.sort_values(["scheme", "item", "region_order", "end_date", "period"], kind="stable")
    return frame.reset_index(drop=True)


def score_table(con: duckdb.DuckDBPyConnection, scheme_id: str | None = None,
                period_id: str | None = None) -> pd.DataFrame:
    """One row per item, region and period with a value or reported points: the value, the points
    the rule computes (None when NO_DATA or UNDECIDED), the points reported, the signed gap to the next
    step and the points it adds (0 and 0 at full marks); columns SCORE_COLUMNS, then region_order
    and end_date for sorting."""
    frame = _score(_load(con))
    if scheme_id is not None:
        frame = frame[frame["scheme"] == scheme_id]
    if period_id is not None:
        frame = frame[frame["period"] == period_id]
    return frame.reset_index(drop=True)


REPORTED_CHECK_COLUMNS = [
    "scheme", "item", "region", "period", "period_label", "reported_points", "max_points",
    "computed_points", "reference_period", "reference_period_label", "reference_points",
    "reference_units", "undecided_units", "status", "caveat", "scheme_name", "item_name",
]


def reporting_quarter(day) -> int:
    """The reporting quarter of a date, as quarter_index in sql/views.sql counts it."""
    return day.year * 4 + (day.month - 1) // 3


def _reference(row: Mapping, scored: pd.DataFrame) -> dict:
    """Score the item's units for a reported score that has no value of its own. Only the units'
    values of the same reporting quarter can confirm or contradict it: the lowest points any unit
    earns is what full marks for every unit would have to show. Without them the check is
    UNCHECKABLE, and the points the units' nearest values give are shown for reference only."""
    valued = scored[(scored["scheme"] == row["scheme"]) & (scored["item"] == row["item"])
                    & scored["value"].notna()].copy()
    quarter = reporting_quarter(row["end_date"])
    same_quarter = valued[valued["end_date"].map(reporting_quarter) == quarter]
    if len(same_quarter):
        nearest = same_quarter.sort_values(["end_date", "region_order"], ascending=[False, True], kind="stable")
    else:
        valued["distance"] = (valued["end_date"] - row["end_date"]).abs()
        nearest = valued.sort_values(["distance", "region_order"], kind="stable")
    nearest = nearest.groupby("region_id").head(1).sort_values("region_order")
    decided = nearest[nearest["computed_points"].notna()]
    open_rows = nearest[nearest["computed_points"].isna()]
    undecided = "、".join(open_rows["region"])
    if decided.empty:
        return dict(reference_period=None, reference_period_label=None, reference_points=None,
                    reference_units="", undecided_units=undecided, status=ScoreCheck.UNCHECKABLE,
                    caveat=f"{row['period_label']}及其他时点均无可计分的观测值")
    reference_points = float(decided["computed_points"].min())
    labels = "、".join(dict.fromkeys(decided["period_label"]))
    bounds = "；" + "、".join(f"{unit.region}为{value_text(unit.value, unit.unit, unit.qualifier)}"
                             for unit in open_rows.itertuples()) + "，无法判定得分" if undecided else ""
    reference = dict(
        reference_period="、".join(dict.fromkeys(decided["period"])), reference_period_label=labels,
        reference_points=reference_points, reference_units="、".join(decided["region"]),
        undecided_units=undecided)
    if len(same_quarter):
        # A unit without a value of the quarter could only lower the lowest points: a reported score above them
        # is contradicted, one at or below them cannot be confirmed until every unit has reported.
        silent = valued.loc[~valued["region_id"].isin(same_quarter["region_id"])].sort_values("region_order")
        silent_units = "、".join(dict.fromkeys(silent["region"]))
        if silent_units and reference_points >= row["reported_points"]:
            return dict(reference, status=ScoreCheck.UNCHECKABLE,
                        caveat=f"{silent_units}没有{row['period_label']}的数值，无法核对上报得分；已报送的单位按"
                               f"{labels}数值计算为{plain_number(reference_points)}分{bounds}")
        agrees = ScoreCheck.AGREES if reference_points == row["reported_points"] else ScoreCheck.DIFFERS
        return dict(reference, status=agrees, caveat=f"按{labels}各单位数值计算{bounds}")
    return dict(reference, status=ScoreCheck.UNCHECKABLE,
                caveat=f"{row['period_label']}没有各单位的当季数值，无法核对上报得分；按{labels}各单位数值"
                       f"计算为{plain_number(reference_points)}分，只供参考，不是当季数值{bounds}")


def reported_check(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Each reported score beside the points computed for it: from the same region and period
    when it has a value, else from the units' values nearest in time, with the caveat saying so."""
    scored = score_table(con)
    checks = []
    for row in scored[scored["reported_points"].notna()].to_dict("records"):
        check = {key: row.get(key) for key in REPORTED_CHECK_COLUMNS}
        if _is_missing(row["computed_points"]):
            check.update(_reference(row, scored))
        else:
            check.update(reference_period=row["period"], reference_period_label=row["period_label"],
                         reference_points=row["computed_points"], reference_units=row["region"],
                         undecided_units="", caveat="")
        checks.append(check)
    return pd.DataFrame(checks, columns=REPORTED_CHECK_COLUMNS)


def _action_text(row: Mapping) -> str:
    if _is_missing(row["computed_points"]):
        bound = "上限" if row["qualifier"] == "at_most" else "下限"
        return (f"得分无法判定：现值{value_text(row['value'], row['unit'] or '', row['qualifier'])}只是{bound}，"
                "不能确定够不够得分线，不列提分空间")
    if _is_missing(row["next_step_comparator"]):
        return "已满分" if row["computed_points"] == row["max_points"] else "无法判定下一档"
    unit = row["unit"] or ""
    change = delta_text(row["value"] + row["next_step_gap"], row["value"], unit)
    bound = "" if row["qualifier"] in ("exact", "approx") else (
        f"，现值{value_text(row['value'], unit, row['qualifier'])}"
        f"只是{'上限' if row['qualifier'] == 'at_most' else '下限'}")
    return (f"{row['region']}需{COMPARATOR_WORDS[row['next_step_comparator']]}"
            f"{value_text(row['next_step_value'], unit)}(差{change}{bound})，"
            f"可多得{plain_number(row['next_step_points'])}分")


def _latest_values(scored: pd.DataFrame) -> pd.DataFrame:
    """Each unit's latest scored value per item, as of the item's latest period with values: a unit without a
    value of that period has its latest earlier one, held_from naming that earlier period (None for the
    others); latest_period and latest_period_label name the item's latest period."""
    valued = scored[scored["value"].notna() & scored["rule_id"].notna()]
    newest = valued.sort_values("end_date", kind="stable").groupby(["scheme", "item", "region_id"]).tail(1)
    latest = valued.sort_values("end_date", kind="stable").groupby(["scheme", "item"]).tail(1)[
        ["scheme", "item", "end_date", "period", "period_label"]].rename(columns={
            "end_date": "latest_end_date", "period": "latest_period", "period_label": "latest_period_label"})
    newest = newest.merge(latest, on=["scheme", "item"])
    newest["held_from"] = newest["period_label"].where(newest["end_date"] < newest["latest_end_date"], None)
    ordered = newest.sort_values(["scheme", "item", "region_order"], kind="stable").drop(columns="latest_end_date")
    return ordered.reset_index(drop=True)


def _holding(rubric: _Rubric, latest: pd.DataFrame) -> _Rubric:
    """The rubric with each held unit's earlier value (and its qualifier) standing in its item's latest period."""
    held = latest[latest["held_from"].notna()].merge(
        rubric.items[["scheme_id", "item_id", "value_indicator_id"]].rename(
            columns={"scheme_id": "scheme", "item_id": "item"}), on=["scheme", "item"])
    if held.empty:
        return rubric
    observations = rubric.observations.copy()
    for row in held.itertuples():
        observations.loc[(row.value_indicator_id, row.region_id, row.latest_period), ["value", "qualifier"]] = [
            float(row.value), row.qualifier]
    return replace(rubric, observations=observations)


def points_at_stake(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """For each unit's latest scored value per item (_latest_values: held_from names the earlier period of a unit
    that has not reported the item's latest one): the gap to the next step and the points it adds, largest gain
    first, then the smallest gap — the to-do list. At full marks the gap and the gain are 0."""
    stake = _latest_values(score_table(con))
    # A bound that leaves the points open promises no gain: its next step is only its worst case.
    stake.loc[stake["computed_points"].isna(), ["next_step_gap", "next_step_points"]] = None
    stake["action"] = [_action_text(row) for row in stake.to_dict("records")]
    stake["gap_size"] = stake["next_step_gap"].abs()
    stake = stake.sort_values(["next_step_points", "gap_size", "scheme", "item", "region_order"],
                              ascending=[False, True, True, True, True], kind="stable", na_position="last")
    return stake[[
        "scheme", "item", "item_name", "region", "region_id", "period", "period_label", "value",
        "qualifier", "unit", "computed_points", "max_points", "next_step_value",
        "next_step_comparator", "next_step_gap", "next_step_points", "action", "status", "assumption",
        "held_from", "latest_period_label",
    ]].reset_index(drop=True)


def _with_overrides(rubric: _Rubric, overrides: Mapping[tuple[str, str, str], float]) -> _Rubric:
    scored_indicators = set(rubric.items["value_indicator_id"].dropna())
    observations = rubric.observations.copy()
    for (indicator_id, region_id, period_id), value in overrides.items():
        if indicator_id not in scored_indicators:
            raise ValueError(f"指标 {indicator_id} 不参与任何考核计分")
        if region_id not in rubric.regions.index or period_id not in rubric.periods.index:
            raise ValueError(f"地区或期间不存在：{region_id} / {period_id}")
        key = (indicator_id, region_id, period_id)
        observations.loc[key, ["value", "qualifier"]] = [float(value), "exact"]
    return replace(rubric, observations=observations)


def _points_used(scored: pd.DataFrame) -> pd.DataFrame:
    used = scored.copy()
    used["points"] = used["computed_points"].astype(float).fillna(used["reported_points"].astype(float))
    used["points_source"] = PointsSource.NONE
    used.loc[used["reported_points"].notna(), "points_source"] = PointsSource.REPORTED
    used.loc[used["computed_points"].notna(), "points_source"] = PointsSource.COMPUTED
    used.loc[used["computed_points"].notna() & (used["assumption"] != ""), "points_source"] = (
        PointsSource.COMPUTED_ASSUMED)
    return used


TOTAL_KEYS = ["scheme", "period", "period_label", "end_date", "region"]


def _city_points(used: pd.DataFrame) -> pd.DataFrame:
    """The city's points per item and period: its own computed points where it has them, its reported points
    where no unit has a value of the period; else, for an item the city is assessed on, the lowest points decided
    over its units, as reported_check does (a reported score set aside is named). A unit whose bound leaves its
    points open is left out, and named."""
    columns = [*TOTAL_KEYS, "item", "points", "max_points", "assumption"]
    keys = ["scheme", "item", "period"]
    is_city = used["region_level"] == CITY_LEVEL
    assessed = used.loc[is_city, ["scheme", "item", "region"]].drop_duplicates(["scheme", "item"])
    units = used[~is_city & used["value"].notna()].rename(columns={"region": "unit_region"}).merge(
        assessed, on=["scheme", "item"])
    # Points the province reported for the city stand only where no unit has a value of the period: beside the
    # units' values they would not follow a what-if's changes (the city stayed 2/2 with two districts at 0分).
    reported = used[is_city & used["computed_points"].isna() & used["points"].notna()]
    rescored = reported.set_index(keys).index.isin(units.set_index(keys).index)
    own = pd.concat([used[is_city & used["computed_points"].notna()], reported[~rescored]])
    reported_notes = {key: f"省里上报{row.period_label}全市得分{plain_number(row.points)}分，此处按各单位数值重算"
                      for key, row in zip(reported[rescored].set_index(keys).index, reported[rescored].itertuples(),
                                          strict=True)}
    has_own = units.set_index(keys).index.isin(own.set_index(keys).index)
    derived = []
    for key, group in units[~has_own].groupby(keys, sort=False):
        decided = group[group["computed_points"].notna()]
        if decided.empty:
            continue
        lowest = decided[decided["computed_points"] == decided["computed_points"].min()]
        notes = [CITY_FROM_UNITS_NOTE, *([reported_notes[key]] if key in reported_notes else []),
                 *dict.fromkeys(note for note in lowest["assumption"] if note)]
        undecided = "、".join(group.loc[group["computed_points"].isna(), "unit_region"])
        if undecided:
            notes.append(f"{undecided}得分无法判定，未计入")
        first = lowest.iloc[0]
        derived.append({**{key: first[key] for key in [*TOTAL_KEYS, "item", "max_points"]},
                        "points": first["computed_points"], "assumption": "；".join(notes)})
    return pd.concat([own[columns], pd.DataFrame(derived, columns=columns)], ignore_index=True)


def _city_totals(used: pd.DataFrame) -> pd.DataFrame:
    totals = _city_points(used).groupby(TOTAL_KEYS, sort=False, as_index=False).agg(
        points=("points", "sum"), max_points=("max_points", "sum"), count_items=("item", "nunique"),
        assumption=("assumption", lambda notes: "；".join(dict.fromkeys(note for note in notes if note))))
    return totals.sort_values(["scheme", "end_date", "period"], kind="stable").drop(columns="end_date")


def _district_ranking(used: pd.DataFrame, lower_is_better: set[str]) -> pd.DataFrame:
    """Districts ranked per item and period on their (simulated) values, in competition order (metrics.claims.places):
    equal values share a place and the next place is skipped (95, 95 → 2, 2, then 4); a bound's place is rank to
    rank_worst, or none where the others leave it open."""
    districts = used[used["region_level"].isin(DISTRICT_LEVELS) & used["value"].notna()].copy()
    districts["rank"] = districts["rank_worst"] = float("nan")
    for _, rows in districts.groupby(["scheme", "item", "period"], sort=False):
        better = "lower" if rows["rule_id"].iloc[0] in lower_is_better else "higher"
        found = claims.places(rows["value"].tolist(), rows["qualifier"].tolist(), better)
        districts.loc[rows.index, "rank"] = [place.best if place else None for place in found]
        districts.loc[rows.index, "rank_worst"] = [place.worst if place else None for place in found]
    ranked = districts.sort_values(["scheme", "item", "period", "rank", "rank_worst", "region_order"],
                                   na_position="last")
    return ranked[["scheme", "item", "period", "region", "value", "qualifier", "unit", "points", "rank", "rank_worst"]]


def what_if(con: duckdb.DuckDBPyConnection,
            overrides: Mapping[tuple[str, str, str], float]) -> WhatIfResult:
    """Rescore with values replaced, {(indicator_id, region_id, period_id): value}, each read as
    exact; nothing is written. Points used are computed where a value decides them, else reported. A unit
    without a value of an item's latest period is held at its latest earlier value there (held_from names its
    period), in the baseline as in the simulation, as what_if_inputs offers it."""
    loaded = _load(con)
    latest = _latest_values(_score(loaded))
    rubric = _holding(loaded, latest)
    baseline = _points_used(_score(rubric))
    changed = _points_used(_score(_with_overrides(rubric, overrides)))
    keys = ["scheme", "item", "region", "period"]
    item_points = changed.merge(
        baseline[[*keys, "points"]].rename(columns={"points": "baseline_points"}), on=keys, how="left").merge(
        latest.loc[latest["held_from"].notna(), ["scheme", "item", "region", "latest_period", "held_from"]].rename(
            columns={"latest_period": "period"}), on=keys, how="left")
    totals = _city_totals(changed).merge(
        _city_totals(baseline)[["scheme", "period", "points"]].rename(columns={"points": "baseline_points"}),
        on=["scheme", "period"], how="left")
    totals["change"] = totals["points"] - totals["baseline_points"]
    lower_is_better = {rule_id for rule_id, (rule, _) in rubric.rules.items() if rule.comparator in ("<", "<=")}
    ranking = _district_ranking(changed, lower_is_better).merge(
        _district_ranking(baseline, lower_is_better)[["scheme", "item", "period", "region", "value", "points", "rank",
                                                      "rank_worst"]]
        .rename(columns={"value": "baseline_value", "points": "baseline_points", "rank": "baseline_rank",
                         "rank_worst": "baseline_rank_worst"}),
        on=["scheme", "item", "period", "region"], how="left")
    return WhatIfResult(item_points, totals.reset_index(drop=True), ranking.reset_index(drop=True))


def what_if_pairs(con: duckdb.DuckDBPyConnection,
                  overrides: tuple[tuple[tuple[str, str, str], float], ...]) -> WhatIfResult:
    """what_if with the overrides as ((indicator_id, region_id, period_id), value) pairs, which a
    cache can hash where it cannot hash a dict."""
    return what_if(con, dict(overrides))


def what_if_inputs(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The values a what-if starts from: for each item with a rule, every unit's value in the item's latest
    period with values, or, for a unit without one then, its latest earlier value, held there (held_from names
    its period); and the indicator it is read from (what_if's key)."""
    rubric = _load(con)
    latest = _latest_values(_score(rubric))
    latest = latest.assign(period=latest["latest_period"], period_label=latest["latest_period_label"])
    indicators = rubric.items[["scheme_id", "item_id", "value_indicator_id"]].rename(columns={
        "scheme_id": "scheme", "item_id": "item", "value_indicator_id": "indicator_id"})
    return latest.merge(indicators, on=["scheme", "item"])[[
        "scheme", "item", "scheme_name", "item_name", "indicator_id", "region_id", "region",
        "region_level", "period", "period_label", "value", "qualifier", "unit", "computed_points",
        "max_points", "status", "rule_id", "rule_description", "held_from",
    ]].reset_index(drop=True)


POINT_COLUMNS = ["value", "computed_points", "reported_points", "max_points", "next_step_gap",
                 "next_step_points", "next_step_value"]


def score_export(con: duckdb.DuckDBPyConnection, scheme_id: str | None = None,
                 period_id: str | None = None) -> pd.DataFrame:
    """score_table as the CLI writes it: SCORE_COLUMNS, numbers as exact plain text, the status in words."""
    frame = score_table(con, scheme_id, period_id)[SCORE_COLUMNS].copy()
    for column in POINT_COLUMNS:
        frame[column] = frame[column].map(plain_number)
    frame["status"] = frame["status"].map(SCORE_CHECK_NAMES)
    return frame
