"""Assessment scoring: every rule kind at its boundaries, seed rubrics read from a built warehouse,
computed beside reported points, points at stake, what-if and the score CLI."""

import csv
import io

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrics.assessment import scoring
from metrics.assessment.scoring import Rule, Step, evaluate, next_step
from metrics.cli import main
from metrics.store.build import build
from metrics.store.warehouse import open_reader, version_id

# Examples for the kinds no seed rubric uses yet. They live here, not in data/seed/, so that
# nothing invented reaches the dashboard.
EXAMPLE_RULES = {
    "example-strict-50": (Rule("example-strict-50", "threshold_steps", ">", below_points=0), [Step(50, 2)]),
    "example-reach-50": (Rule("example-reach-50", "threshold_steps", ">=", below_points=0), [Step(50, 2)]),
    "example-linear": (Rule("example-linear", "linear"), [Step(60, 0), Step(100, 2)]),
    "example-linear-capped": (Rule("example-linear-capped", "linear", cap_points=1.5),
                              [Step(60, 0), Step(100, 2)]),
    "example-deduction": (Rule("example-deduction", "deduction", floor_points=0, cap_points=2,
                               per_unit_points=0.5), []),
    "example-rank": (Rule("example-rank", "rank", "<=", below_points=0),
                     [Step(3, 2), Step(6, 1), Step(10, 0.5)]),
}


@pytest.fixture(scope="module")
def seed_rules(seed_db):
    con = open_reader(seed_db)
    try:
        return scoring.rules(con)
    finally:
        con.close()


def points(rule_and_steps, value, qualifier="exact"):
    rule, steps = rule_and_steps
    return evaluate(rule, steps, value, qualifier)


# (rule id, value, points, assumed) — the seed's rubrics as built into the warehouse.
SEED_BOUNDARIES = [
    ("gxbc2023-one-window", 0, 0, True),
    ("gxbc2023-one-window", 49.99, 0, True),
    ("gxbc2023-one-window", 50, 0, True),
    ("gxbc2023-one-window", 50.01, 2, False),
    ("gxbc2023-one-window", 81.9, 2, False),
    ("gxbc2023-one-window", 100, 2, False),
    ("ywtb2020-claim-district", 94.99, 0, True),
    ("ywtb2020-claim-district", 95, 1, False),
    ("ywtb2020-claim-district", 98.99, 1, False),
    ("ywtb2020-claim-district", 99, 1.5, False),
    ("ywtb2020-claim-district", 99.99, 1.5, False),
    ("ywtb2020-claim-district", 100, 2, False),
    ("ywtb2020-claim-township", 59.99, 0, True),
    ("ywtb2020-claim-township", 60, 1, False),
    ("ywtb2020-claim-township", 69.99, 1, False),
    ("ywtb2020-claim-township", 70, 1.5, False),
    ("ywtb2020-claim-township", 79.99, 1.5, False),
    ("ywtb2020-claim-township", 80, 2, False),
    ("ywtb2020-claim-township", 100, 2, False),
    ("ywtb2020-claim-village", 49.99, 0, True),
    ("ywtb2020-claim-village", 50, 0.5, False),
    ("ywtb2020-claim-village", 69.99, 0.5, False),
    ("ywtb2020-claim-village", 70, 1, False),
    ("ywtb2020-claim-village", 100, 1, False),
]


@pytest.mark.parametrize(("rule_id", "value", "expected", "assumed"), SEED_BOUNDARIES)
def test_seed_rubric_steps_at_and_around_each_boundary(seed_rules, rule_id, value, expected, assumed):
    evaluation = points(seed_rules[rule_id], value)
    assert (evaluation.points, evaluation.assumed) == (expected, assumed)
    assert evaluation.note == (scoring.ASSUMPTION_NOTE if assumed else "")


def test_seed_rules_carry_comparator_source_and_what_they_leave_unsaid(seed_rules):
    one_window, _ = seed_rules["gxbc2023-one-window"]
    district, district_steps = seed_rules["ywtb2020-claim-district"]
    assert (one_window.comparator, one_window.is_partial) == (">", True)
    assert "未说明50%及以下如何计分" in one_window.partial_note
    assert (district.comparator, district.is_partial) == (">=", True)
    assert district.source == "鄂州市2020年区级一网通办考核细则(设计说明§2，非本通报)"
    assert district_steps == [Step(95, 1), Step(99, 1.5), Step(100, 2)]


def test_each_seed_item_max_points_is_its_rules_best_step(seed_con):
    items = scoring.queries.run(seed_con, "score_items").dropna(subset=["rule_id"])
    rules = scoring.rules(seed_con)
    best = {item.item_id: max(step.points for step in rules[item.rule_id][1]) for item in items.itertuples()}
    assert best == {"one_window": 2, "claim_district": 2, "claim_township": 2, "claim_village": 1}
    assert dict(zip(items["item_id"], items["max_points"], strict=True)) == best


@pytest.mark.parametrize(("rule_id", "value", "expected"), [
    ("example-strict-50", 49.99, 0), ("example-strict-50", 50, 0), ("example-strict-50", 50.01, 2),
    ("example-reach-50", 49.99, 0), ("example-reach-50", 50, 2), ("example-reach-50", 50.01, 2),
    ("example-linear", 50, 0), ("example-linear", 60, 0), ("example-linear", 80, 1),
    ("example-linear", 90, 1.5), ("example-linear", 100, 2), ("example-linear", 120, 2),
    ("example-linear-capped", 80, 1), ("example-linear-capped", 90, 1.5), ("example-linear-capped", 100, 1.5),
    ("example-deduction", 0, 2), ("example-deduction", 1, 1.5), ("example-deduction", 3, 0.5),
    ("example-deduction", 4, 0), ("example-deduction", 10, 0),
    ("example-rank", 1, 2), ("example-rank", 3, 2), ("example-rank", 4, 1), ("example-rank", 6, 1),
    ("example-rank", 7, 0.5), ("example-rank", 10, 0.5), ("example-rank", 11, 0),
])
def test_example_rules_of_every_kind(rule_id, value, expected):
    evaluation = points(EXAMPLE_RULES[rule_id], value)
    assert (evaluation.points, evaluation.assumed) == (expected, False)


@pytest.mark.parametrize(("rule_id", "value", "qualifier", "expected"), [
    # ≥ 50 does not decide "超过50%"; "超过50" does.
    ("gxbc2023-one-window", 50, "all_at_least", None),
    ("gxbc2023-one-window", 50, "at_least", None),
    ("gxbc2023-one-window", 50, "more_than", 2),
    ("gxbc2023-one-window", 50.01, "at_least", 2),
    ("gxbc2023-one-window", 40, "at_most", 0),
    ("gxbc2023-one-window", 60, "at_most", None),
    ("gxbc2023-one-window", 81.9, "approx", 2),
    ("ywtb2020-claim-district", 96, "at_least", None),
    ("ywtb2020-claim-district", 100, "at_least", 2),
])
def test_a_bound_scores_only_when_it_decides_the_step(seed_rules, rule_id, value, qualifier, expected):
    assert points(seed_rules[rule_id], value, qualifier).points == expected


def test_bounds_on_example_rules():
    assert points(EXAMPLE_RULES["example-reach-50"], 50, "at_least").points == 2
    assert points(EXAMPLE_RULES["example-rank"], 4, "at_least").points is None
    assert points(EXAMPLE_RULES["example-rank"], 3, "at_most").points == 2
    assert points(EXAMPLE_RULES["example-deduction"], 4, "at_least").points == 0


def test_an_undecided_bound_says_between_what_and_what(seed_rules):
    evaluation = points(seed_rules["gxbc2023-one-window"], 50, "all_at_least")
    assert evaluation == scoring.Evaluation(
        None, False, "无法判定：值为均 ≥ 50，得分在0至2分之间(低档为假设)")
    assert points(seed_rules["gxbc2023-one-window"], None) == scoring.Evaluation(None, False, "无数据")


@pytest.mark.parametrize(("rule", "steps", "message"), [
    (Rule("r", "threshold_steps"), [Step(50, 2)], "分档规则需要比较符"),
    (Rule("r", "linear"), [Step(50, 2)], "线性规则需要两个不同的端点"),
    (Rule("r", "deduction", cap_points=2), [], "扣分规则需要满分"),
    (Rule("r", "bonus"), [], "未知的规则类型"),
])
def test_incomplete_rules_are_refused(rule, steps, message):
    with pytest.raises(ValueError, match=message):
        evaluate(rule, steps, 1)


@pytest.mark.parametrize(("rule_id", "value", "qualifier", "expected"), [
    ("ywtb2020-claim-district", 81.9, "exact", scoring.NextStep(95, ">=", 13.1, 1)),
    ("ywtb2020-claim-district", 95, "exact", scoring.NextStep(99, ">=", 4, 0.5)),
    ("ywtb2020-claim-district", 99.5, "exact", scoring.NextStep(100, ">=", 0.5, 0.5)),
    ("ywtb2020-claim-district", 100, "exact", None),
    ("gxbc2023-one-window", 40, "exact", scoring.NextStep(50, ">", 10, 2)),
    ("gxbc2023-one-window", 50, "all_at_least", scoring.NextStep(50, ">", 0, 2)),
    ("gxbc2023-one-window", 50.01, "exact", None),
    ("ywtb2020-claim-village", 60, "exact", scoring.NextStep(70, ">=", 10, 0.5)),
])
def test_next_step_on_seed_rules(seed_rules, rule_id, value, qualifier, expected):
    rule, steps = seed_rules[rule_id]
    assert next_step(rule, steps, value, qualifier) == expected


@pytest.mark.parametrize(("rule_id", "value", "expected"), [
    ("example-linear", 80, scoring.NextStep(100, ">=", 20, 1)),
    ("example-linear", 100, None),
    ("example-deduction", 3, scoring.NextStep(2, "<=", -1, 0.5)),
    ("example-deduction", 10, scoring.NextStep(3, "<=", -7, 0.5)),
    ("example-deduction", 0, None),
    ("example-rank", 4, scoring.NextStep(3, "<=", -1, 1)),
    ("example-rank", 12, scoring.NextStep(10, "<=", -2, 0.5)),
    ("example-rank", 2, None),
])
def test_next_step_on_example_rules(rule_id, value, expected):
    rule, steps = EXAMPLE_RULES[rule_id]
    assert next_step(rule, steps, value) == expected


def test_example_rules_survive_the_warehouse_as_data(seed_copy, tmp_path):
    """Every rule kind's columns load from CSV exactly (examples go to a copy of the seed only)."""
    with (seed_copy / "assessment_rules.csv").open("a", encoding="utf-8") as rules_file:
        rules_file.write(
            "example-linear,linear,,,,,,false,,测试样例,线性样例\n"
            "example-deduction,deduction,,,0,2,0.5,false,,测试样例,扣分样例\n"
            "example-rank,rank,<=,0,,,,false,,测试样例,名次样例\n"
        )
    with (seed_copy / "assessment_rule_steps.csv").open("a", encoding="utf-8") as steps_file:
        steps_file.write("example-linear,1,60,0\nexample-linear,2,100,2\n"
                         "example-rank,1,3,2\nexample-rank,2,6,1\nexample-rank,3,10,0.5\n")
    db = tmp_path / "examples.duckdb"
    build(db, seed_copy)
    con = open_reader(db)
    try:
        loaded = scoring.rules(con)
    finally:
        con.close()
    for rule_id in ("example-linear", "example-deduction", "example-rank"):
        rule, steps = loaded[rule_id]
        expected_rule, expected_steps = EXAMPLE_RULES[rule_id]
        assert (rule.kind, rule.comparator, rule.below_points, rule.floor_points, rule.cap_points,
                rule.per_unit_points, steps) == (
            expected_rule.kind, expected_rule.comparator, expected_rule.below_points,
            expected_rule.floor_points, expected_rule.cap_points, expected_rule.per_unit_points,
            expected_steps)


values = st.floats(min_value=-50, max_value=250, allow_nan=False)


@st.composite
def higher_is_better_rules(draw):
    """Ladders (either comparator) and linear scales that award more for more, bounded by floor and cap."""
    kind = draw(st.sampled_from(["threshold_steps", "linear"]))
    count = 2 if kind == "linear" else draw(st.integers(1, 4))
    thresholds = sorted(draw(st.lists(st.integers(0, 100), min_size=count, max_size=count, unique=True)))
    awarded = sorted(draw(st.lists(st.integers(0, 8), min_size=count, max_size=count)))
    steps = [Step(float(t), p / 2) for t, p in zip(thresholds, awarded, strict=True)]
    rule = Rule("generated", kind, draw(st.sampled_from([">", ">="])) if kind != "linear" else None,
                floor_points=0.0, cap_points=max(step.points for step in steps))
    return rule, steps


@given(higher_is_better_rules(), values, values)
def test_points_never_fall_as_the_value_rises(rule_and_steps, first, second):
    low, high = sorted((first, second))
    assert points(rule_and_steps, low).points <= points(rule_and_steps, high).points


@given(higher_is_better_rules(), values)
def test_points_stay_between_floor_and_cap(rule_and_steps, value):
    rule, _ = rule_and_steps
    assert rule.floor_points <= points(rule_and_steps, value).points <= rule.cap_points


@given(st.sampled_from([rule_id for rule_id, *_ in SEED_BOUNDARIES]), values, values)
def test_seed_rules_are_monotone_and_within_max(seed_rules, rule_id, first, second):
    low, high = sorted((first, second))
    low_points = points(seed_rules[rule_id], low).points
    high_points = points(seed_rules[rule_id], high).points
    best = max(step.points for step in seed_rules[rule_id][1])
    assert 0 <= low_points <= high_points <= best


@given(st.integers(0, 40), st.integers(0, 40))
def test_deduction_falls_with_occurrences_and_stops_at_its_floor(first, second):
    fewer, more = sorted((first, second))
    deduction = EXAMPLE_RULES["example-deduction"]
    assert 2 >= points(deduction, fewer).points >= points(deduction, more).points >= 0


def seed_rows(frame, columns):
    return [tuple(row) for row in frame[columns].itertuples(index=False)]


def test_score_table_for_the_seed(seed_con):
    table = scoring.score_table(seed_con)
    columns = ["scheme", "item", "region_id", "period", "value", "qualifier", "computed_points",
               "reported_points", "status"]
    rows = [tuple(None if v != v else v for v in row) for row in seed_rows(table, columns)]
    assert rows == [
        ("gxbc-2023", "one_window", "ezhou", "2023Q1", None, None, None, 2.0, "no_data"),
        ("gxbc-2023", "one_window", "ezhou", "2023Q2", None, None, None, 2.0, "no_data"),
        ("gxbc-2023", "one_window", "ezhou", "2023Q3", None, None, None, 2.0, "no_data"),
        ("gxbc-2023", "one_window", "city_level", "asof-notice", 100.0, "exact", 2.0, None, "no_reported_points"),
        ("gxbc-2023", "one_window", "echeng", "asof-notice", 90.0, "exact", 2.0, None, "no_reported_points"),
        ("gxbc-2023", "one_window", "huarong", "asof-notice", 97.47, "exact", 2.0, None, "no_reported_points"),
        ("gxbc-2023", "one_window", "liangzihu", "asof-notice", 95.0, "exact", 2.0, None, "no_reported_points"),
        ("gxbc-2023", "one_window", "gedian", "asof-notice", 95.0, "exact", 2.0, None, "no_reported_points"),
        ("gxbc-2023", "one_window", "linkong", "asof-notice", 81.9, "exact", 2.0, None, "no_reported_points"),
        ("gxbc-2023", "one_window", "townships", "asof-notice", 50.0, "all_at_least", None, None, "undecided"),
        ("hlwjg-2023", "overall", "ezhou", "2023Q3", 4.0, "exact", None, None, "no_rule"),
    ]
    assert not table["is_mismatch"].any()
    assert scoring.score_table(seed_con, scheme_id="gxbc-2023", period_id="2023Q2")["region_id"].tolist() == [
        "ezhou"]


def test_seed_one_window_q1_to_q3_computed_equals_reported_2_of_2(seed_con):
    """No quarterly share is observed, so the reported points cannot be checked: the notice-time
    value of every unit is scored for reference only (each decidable one earns the full 2 points),
    and the caveat says why."""
    check = scoring.reported_check(seed_con)
    assert check["period"].tolist() == ["2023Q1", "2023Q2", "2023Q3"]
    assert check["reported_points"].tolist() == [2.0, 2.0, 2.0]
    assert check["max_points"].tolist() == [2.0, 2.0, 2.0]
    assert check["computed_points"].isna().all()
    assert check["reference_points"].tolist() == [2.0, 2.0, 2.0]
    assert check["reference_period"].tolist() == ["asof-notice"] * 3
    assert check["reference_period_label"].tolist() == ["通报时点(未注明日期，按2024-07-26计)"] * 3
    assert check["reference_units"].tolist() == [
        "市本级、鄂城区、华容区、梁子湖区、葛店经开区、临空经济区"] * 3
    assert check["undecided_units"].tolist() == ["全市乡镇(街道)"] * 3
    assert check["status"].tolist() == ["uncheckable"] * 3
    notice_time = scoring.queries.run(seed_con, "score_periods").set_index("period_id").loc[
        "asof-notice", "period_label"]
    assert check["caveat"].iloc[0] == (
        f"2023年第一季度没有各单位的当季数值，无法核对上报得分；按{notice_time}各单位数值计算为2分，"
        "只供参考，不是当季数值；全市乡镇(街道)为均 ≥ 50%，无法判定得分")


def test_a_quarters_own_unit_values_confirm_or_contradict_its_reported_points(seed_copy, tmp_path):
    with (seed_copy / "observations.csv").open("a", encoding="utf-8") as observations:
        # every unit has a 2023Q1 value; in 2023Q2 only 临空经济区, in 2023Q3 only 华容区
        observations.write("one_window_share,huarong,2023Q1,97,exact,测试,测试值\n"
                           "one_window_share,linkong,2023Q1,80,exact,测试,测试值\n"
                           "one_window_share,city_level,2023Q1,100,exact,测试,测试值\n"
                           "one_window_share,echeng,2023Q1,96,exact,测试,测试值\n"
                           "one_window_share,liangzihu,2023Q1,95,exact,测试,测试值\n"
                           "one_window_share,gedian,2023Q1,95,exact,测试,测试值\n"
                           "one_window_share,townships,2023Q1,50,all_at_least,测试,测试值\n"
                           "one_window_share,linkong,2023Q2,45,exact,测试,测试值\n"
                           "one_window_share,huarong,2023Q3,97,exact,测试,测试值\n")
    db = tmp_path / "check.duckdb"
    build(db, seed_copy)
    con = open_reader(db)
    try:
        check = scoring.reported_check(con)
    finally:
        con.close()
    assert check[["period", "status", "reference_points", "reference_units"]].values.tolist() == [
        ["2023Q1", "agrees", 2.0, "市本级、鄂城区、华容区、梁子湖区、葛店经开区、临空经济区"],
        # one unit's 0 points contradict a reported 2 whatever the silent units hold
        ["2023Q2", "differs", 0.0, "临空经济区"],
        # one unit's 2 points cannot confirm a reported 2 while the others have not reported
        ["2023Q3", "uncheckable", 2.0, "华容区"],
    ]
    assert check["caveat"].iloc[2] == (
        "市本级、鄂城区、梁子湖区、葛店经开区、临空经济区、全市乡镇(街道)没有2023年第三季度的数值，无法核对上报得分；"
        "已报送的单位按2023年第三季度数值计算为2分")


def test_points_at_stake_puts_the_largest_gain_first(seed_con):
    stake = scoring.points_at_stake(seed_con)
    assert [tuple(None if pd.isna(v) else v for v in row)
            for row in seed_rows(stake, ["region_id", "next_step_gap", "next_step_points"])] == [
        ("city_level", 0.0, 0.0), ("echeng", 0.0, 0.0), ("huarong", 0.0, 0.0),
        ("liangzihu", 0.0, 0.0), ("gedian", 0.0, 0.0), ("linkong", 0.0, 0.0),
        ("townships", None, None),  # a bound promises no gain: never "差0个百分点…可多得2分"
    ]
    assert stake["action"].tolist()[::6] == [
        "已满分", "得分无法判定：现值均 ≥ 50%只是下限，不能确定够不够得分线，不列提分空间"]


def test_points_at_stake_shows_the_gap_to_a_2020_step(seed_copy, tmp_path):
    with (seed_copy / "observations.csv").open("a", encoding="utf-8") as observations:
        observations.write("item_claim_rate,linkong,asof-notice,81.9,exact,测试,测试值\n"
                           "item_claim_rate,echeng,asof-notice,99.5,exact,测试,测试值\n")
    db = tmp_path / "stake.duckdb"
    build(db, seed_copy)
    con = open_reader(db)
    try:
        stake = scoring.points_at_stake(con)
    finally:
        con.close()
    claims = stake[stake["scheme"] == "ywtb-2020"]
    assert seed_rows(claims, ["region_id", "computed_points", "next_step_value", "next_step_gap",
                              "next_step_points", "action"]) == [
        ("linkong", 0.0, 95.0, 13.1, 1.0, "临空经济区需达到95%(差+13.1个百分点)，可多得1分"),
        ("echeng", 1.5, 100.0, 0.5, 0.5, "鄂城区需达到100%(差+0.5个百分点)，可多得0.5分"),
    ]
    assert claims["assumption"].tolist() == [scoring.ASSUMPTION_NOTE, ""]


def test_what_if_changes_the_total_and_the_ranking_without_writing(seed_db):
    before = version_id(seed_db)
    con = open_reader(seed_db)
    try:
        result = scoring.what_if(con, {
            ("one_window_share", "linkong", "asof-notice"): 40,
            ("one_window_share", "ezhou", "2023Q1"): 45,
            ("one_window_share", "ezhou", "2023Q2"): 60,
        })
        unchanged = scoring.score_table(con)
    finally:
        con.close()
    assert version_id(seed_db) == before
    assert unchanged.loc[unchanged["region_id"] == "linkong", "computed_points"].tolist() == [2.0]
    assert seed_rows(result.totals, ["scheme", "period", "points", "baseline_points", "change"]) == [
        ("gxbc-2023", "2023Q1", 0.0, 2.0, -2.0),
        ("gxbc-2023", "2023Q2", 2.0, 2.0, 0.0),
        ("gxbc-2023", "2023Q3", 2.0, 2.0, 0.0),
        ("gxbc-2023", "asof-notice", 0.0, 2.0, -2.0),
    ]
    assert seed_rows(result.ranking, ["region", "value", "points", "rank", "baseline_rank"]) == [
        ("华容区", 97.47, 2.0, 1, 1), ("梁子湖区", 95.0, 2.0, 2, 2), ("葛店经开区", 95.0, 2.0, 2, 2),
        ("鄂城区", 90.0, 2.0, 4, 4), ("临空经济区", 40.0, 0.0, 5, 5),
    ]
    ezhou = result.item_points[result.item_points["region_id"] == "ezhou"]
    assert seed_rows(ezhou, ["period", "points", "points_source", "baseline_points"])[:3] == [
        ("2023Q1", 0.0, "computed_assumed", 2.0), ("2023Q2", 2.0, "computed", 2.0), ("2023Q3", 2.0, "reported", 2.0),
    ]


CITY_TOTAL_COLUMNS = ["period", "period_label", "region", "points", "max_points", "baseline_points",
                      "change", "assumption"]
NOTICE_TIME = "通报时点(未注明日期，按2024-07-26计)"


def test_what_if_city_total_at_notice_time_is_the_units_lowest_points(seed_con):
    """No city score is reported at notice time, so the city total is its units' lowest decided
    points (the assumption reported_check makes), the townships' open bound left out and named."""
    totals = scoring.what_if(seed_con, {}).totals
    assert seed_rows(totals, CITY_TOTAL_COLUMNS) == [
        ("2023Q1", "2023年第一季度", "鄂州市", 2.0, 2.0, 2.0, 0.0, ""),
        ("2023Q2", "2023年第二季度", "鄂州市", 2.0, 2.0, 2.0, 0.0, ""),
        ("2023Q3", "2023年第三季度", "鄂州市", 2.0, 2.0, 2.0, 0.0, ""),
        ("asof-notice", NOTICE_TIME, "鄂州市", 2.0, 2.0, 2.0, 0.0,
         "假设：全市得分按各单位最低分计(省里如何由各单位比例得出全市得分，通报未说明)；"
         "全市乡镇(街道)得分无法判定，未计入"),
    ]


def test_what_if_a_district_below_the_step_drops_the_city_total_and_its_rank(seed_con):
    result = scoring.what_if(seed_con, {("one_window_share", "linkong", "asof-notice"): 40})
    notice = result.totals[result.totals["period"] == "asof-notice"]
    assert seed_rows(notice, CITY_TOTAL_COLUMNS) == [
        ("asof-notice", NOTICE_TIME, "鄂州市", 0.0, 2.0, 2.0, -2.0,
         "假设：全市得分按各单位最低分计(省里如何由各单位比例得出全市得分，通报未说明)；"
         "假设：未达到任何一档按0分计(细则未说明)；全市乡镇(街道)得分无法判定，未计入"),
    ]
    assert result.totals.loc[result.totals["period"] != "asof-notice", "change"].tolist() == [0.0] * 3
    assert seed_rows(result.ranking, ["period", "region", "points", "baseline_points", "rank",
                                      "baseline_rank"]) == [
        ("asof-notice", "华容区", 2.0, 2.0, 1, 1), ("asof-notice", "梁子湖区", 2.0, 2.0, 2, 2),
        ("asof-notice", "葛店经开区", 2.0, 2.0, 2, 2), ("asof-notice", "鄂城区", 2.0, 2.0, 4, 4),
        ("asof-notice", "临空经济区", 0.0, 2.0, 5, 5),
    ]


def test_what_if_ranks_simulated_values_in_competition_order(seed_con):
    ranking = scoring.what_if(seed_con, {("one_window_share", "linkong", "asof-notice"): 95}).ranking
    assert seed_rows(ranking, ["region", "value", "rank", "baseline_rank"]) == [
        ("华容区", 97.47, 1, 1), ("梁子湖区", 95.0, 2, 2), ("葛店经开区", 95.0, 2, 2),
        ("临空经济区", 95.0, 2, 5), ("鄂城区", 90.0, 5, 4),
    ]


def test_what_if_city_level_unit_counts_toward_the_city_total(seed_con):
    """市本级 is a unit of the city like a district: below the step it drops the city total too."""
    totals = scoring.what_if(seed_con, {("one_window_share", "city_level", "asof-notice"): 50}).totals
    assert seed_rows(totals[totals["period"] == "asof-notice"], ["points", "baseline_points", "change"]) == [
        (0.0, 2.0, -2.0)]


def test_what_if_deciding_the_townships_removes_them_from_the_caveat(seed_con):
    totals = scoring.what_if(seed_con, {("one_window_share", "townships", "asof-notice"): 60}).totals
    assert seed_rows(totals[totals["period"] == "asof-notice"], ["points", "change", "assumption"]) == [
        (2.0, 0.0, "假设：全市得分按各单位最低分计(省里如何由各单位比例得出全市得分，通报未说明)")]


def test_what_if_pairs_is_what_if_with_hashable_overrides(seed_con):
    pairs = scoring.what_if_pairs(seed_con, ((("one_window_share", "linkong", "asof-notice"), 40.0),))
    direct = scoring.what_if(seed_con, {("one_window_share", "linkong", "asof-notice"): 40.0})
    assert pairs.totals.equals(direct.totals)
    assert pairs.ranking.equals(direct.ranking)


def test_what_if_inputs_are_each_units_latest_scored_value(seed_con):
    inputs = scoring.what_if_inputs(seed_con)
    assert seed_rows(inputs, ["scheme", "item", "indicator_id", "region_id", "period", "value",
                              "qualifier"]) == [
        ("gxbc-2023", "one_window", "one_window_share", region_id, "asof-notice", value, qualifier)
        for region_id, value, qualifier in [
            ("city_level", 100.0, "exact"), ("echeng", 90.0, "exact"), ("huarong", 97.47, "exact"),
            ("liangzihu", 95.0, "exact"), ("gedian", 95.0, "exact"), ("linkong", 81.9, "exact"),
            ("townships", 50.0, "all_at_least"),
        ]
    ]


@pytest.mark.parametrize(("overrides", "message"), [
    ({("talks", "bureau", "2023"): 1}, "不参与任何考核计分"),
    ({("one_window_share", "nowhere", "2023Q1"): 1}, "地区或期间不存在"),
])
def test_what_if_refuses_unknown_keys(seed_con, overrides, message):
    with pytest.raises(ValueError, match=message):
        scoring.what_if(seed_con, overrides)


def run_cli(args, capsys):
    assert main(args) == 0
    return list(csv.reader(io.StringIO(capsys.readouterr().out)))


def test_score_cli_writes_the_seeds_scores(seed_db, capsys):
    rows = run_cli(["score", "--db", str(seed_db)], capsys)
    assert rows[0][:10] == ["scheme", "item", "region", "period", "value", "computed_points",
                            "reported_points", "max_points", "next_step_gap", "next_step_points"]
    assert rows[0][10:13] == ["status", "assumption", "note"]
    full = ["2", "", "2", "0", "0", "无上报得分"]
    assert [row[:11] for row in rows[1:]] == [
        ["gxbc-2023", "one_window", "鄂州市", "2023Q1", "", "", "2", "2", "", "", "无数据"],
        ["gxbc-2023", "one_window", "鄂州市", "2023Q2", "", "", "2", "2", "", "", "无数据"],
        ["gxbc-2023", "one_window", "鄂州市", "2023Q3", "", "", "2", "2", "", "", "无数据"],
        ["gxbc-2023", "one_window", "市本级", "asof-notice", "100", *full],
        ["gxbc-2023", "one_window", "鄂城区", "asof-notice", "90", *full],
        ["gxbc-2023", "one_window", "华容区", "asof-notice", "97.47", *full],
        ["gxbc-2023", "one_window", "梁子湖区", "asof-notice", "95", *full],
        ["gxbc-2023", "one_window", "葛店经开区", "asof-notice", "95", *full],
        ["gxbc-2023", "one_window", "临空经济区", "asof-notice", "81.9", *full],
        ["gxbc-2023", "one_window", "全市乡镇(街道)", "asof-notice", "50", "", "", "2", "0", "2", "无法判定"],
        ["hlwjg-2023", "overall", "鄂州市", "2023Q3", "4", "", "", "", "", "", "无计分规则"],
    ]


def test_score_cli_filters_by_scheme_and_period(seed_db, capsys):
    rows = run_cli(["score", "--db", str(seed_db), "--scheme", "gxbc-2023", "--period", "2023Q3"], capsys)
    assert [row[:4] for row in rows[1:]] == [["gxbc-2023", "one_window", "鄂州市", "2023Q3"]]
