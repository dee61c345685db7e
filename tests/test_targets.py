"""Targets: status per period with quarterly milestones, year-end projections, the bureau's targets."""

import pandas as pd
import pytest

from metrics import targets
from metrics.store import queries
from metrics.store.build import build
from metrics.store.warehouse import WarehouseError, open_reader, version_id


def rows(frame, columns):
    return [tuple(None if value != value else value for value in row)
            for row in frame[columns].itertuples(index=False)]


def read(db, function, *args, **kwargs):
    con = open_reader(db)
    try:
        return function(con, *args, **kwargs)
    finally:
        con.close()


STATUS_COLUMNS = ["region_id", "period_id", "value", "compared_value", "target_value", "status"]


def test_seed_statuses_against_the_provincial_rule(seed_con):
    table = targets.target_status_table(seed_con)
    one_window = table[table["indicator_id"] == "one_window_share"]
    assert rows(one_window, STATUS_COLUMNS) == [
        ("city_level", "asof-notice", 100.0, 100.0, 50.0, "met"),
        ("echeng", "asof-notice", 90.0, 90.0, 50.0, "met"),
        ("huarong", "asof-notice", 97.47, 97.47, 50.0, "met"),
        ("liangzihu", "asof-notice", 95.0, 95.0, 50.0, "met"),
        ("gedian", "asof-notice", 95.0, 95.0, 50.0, "met"),
        ("linkong", "asof-notice", 81.9, 81.9, 50.0, "met"),
        ("townships", "asof-notice", 50.0, 50.0, 50.0, "undecided"),
    ]
    assert set(one_window["target_basis"]) == {"provincial_rule"}
    assert len(table) == len(queries.run(seed_con, "export_observations")) + len(
        seed_con.execute("select * from derived_observations").df())
    points = table[table["indicator_id"] == "gxbc_one_window_points"]
    assert rows(points, STATUS_COLUMNS) == [  # full marks are each score's target
        ("ezhou", "2023Q1", 2.0, 2.0, 2.0, "met"),
        ("ezhou", "2023Q2", 2.0, 2.0, 2.0, "met"),
        ("ezhou", "2023Q3", 2.0, 2.0, 2.0, "met"),
    ]
    others = ~table["indicator_id"].isin(["one_window_share", "gxbc_one_window_points"])
    assert set(table.loc[others, "status"]) == {"no_target"}


def test_year_filter_keeps_the_periods_ending_in_that_year(seed_con):
    table = targets.target_status_table(seed_con, year=2023)
    assert set(table["end_date"].dt.year) == {2023}
    assert rows(table[table["indicator_id"] == "supervision_push_volume"], STATUS_COLUMNS) == [
        ("ezhou", "2023Q3", 34270000.0, 34270000.0, None, "no_target"),
    ]


def test_an_annual_flow_target_is_checked_at_quarterly_milestones(fresh_db):
    load_id = targets.set_bureau_target(
        fresh_db, "supervision_push_volume", None, 2023, 120_000_000, ">=", "张三")
    table = read(fresh_db, targets.target_status_table, 2023)
    push = table[table["indicator_id"] == "supervision_push_volume"]
    # Q1 and Q2 are missing, so the Q3 year-to-date sum is incomplete: it cannot be judged.
    assert rows(push, STATUS_COLUMNS) == [
        ("ezhou", "2023Q1", None, None, 30_000_000.0, "no_data"),
        ("ezhou", "2023Q2", None, None, 60_000_000.0, "no_data"),
        ("ezhou", "2023Q3", 34_270_000.0, 34_270_000.0, 90_000_000.0, "undecided"),
        ("ezhou", "2023Q4", None, None, 120_000_000.0, "no_data"),
    ]
    assert rows(push, ["target_annual_value", "is_milestone", "target_basis"]) == [
        (120_000_000.0, True, "bureau")] * 4
    assert push["period_label"].tolist()[-1] == "2023年第四季度"
    assert load_id == 2


def test_milestones_compare_the_year_to_date_sum(seed_copy, tmp_path):
    with (seed_copy / "observations.csv").open("a", encoding="utf-8") as observations:
        observations.write("supervision_push_volume,ezhou,2023Q1,30000000,exact,测试,测试值\n"
                           "supervision_push_volume,ezhou,2023Q2,25000000,exact,测试,测试值\n")
    with (seed_copy / "targets.csv").open("a", encoding="utf-8") as target_rows:
        target_rows.write("supervision_push_volume,,,2023,120000000,>=,bureau,测试,测试目标\n")
    db = tmp_path / "milestones.duckdb"
    build(db, seed_copy)
    push = read(db, targets.target_status_table, 2023)
    push = push[push["indicator_id"] == "supervision_push_volume"]
    assert rows(push, STATUS_COLUMNS) == [
        ("ezhou", "2023Q1", 30_000_000.0, 30_000_000.0, 30_000_000.0, "met"),
        ("ezhou", "2023Q2", 25_000_000.0, 55_000_000.0, 60_000_000.0, "missed"),
        # 55M + at least 34.27M is at least 89.27M: that does not prove the 90M milestone either way.
        ("ezhou", "2023Q3", 34_270_000.0, 89_270_000.0, 90_000_000.0, "undecided"),
        ("ezhou", "2023Q4", None, None, 120_000_000.0, "no_data"),
    ]
    projected = read(db, targets.projections, (("supervision_push_volume", "ezhou"),), 2023)[0]
    assert projected == targets.Projection(
        indicator_id="supervision_push_volume", region_id="ezhou", year=2023,
        value=119_026_666.66666667, qualifier="at_least", count_quarters=3,
        method="预测：已有3个季度，按季度平均值×4线性外推", target_value=120_000_000.0,
        target_comparator=">=", target_basis="bureau", status="undecided", will_meet=None, label="预测",
    )


def test_a_level_target_applies_each_period_and_projects_the_latest_value(fresh_db):
    targets.set_bureau_target(fresh_db, "one_window_share", "linkong", 2024, 95, ">=", "张三")
    table = read(fresh_db, targets.target_status_table, 2024)
    linkong = table[(table["indicator_id"] == "one_window_share") & (table["region_id"] == "linkong")]
    assert rows(linkong, ["period_id", "value", "target_value", "target_basis", "status"]) == [
        ("2024Q1", None, 95.0, "bureau", "no_data"),
        ("2024Q2", None, 95.0, "bureau", "no_data"),
        # The bureau's own annual target wins over the provincial >50% rule for its region and year.
        ("asof-notice", 81.9, 95.0, "bureau", "missed"),
        ("2024Q3", None, 95.0, "bureau", "no_data"),
        ("2024Q4", None, 95.0, "bureau", "no_data"),
    ]
    others = table[(table["indicator_id"] == "one_window_share") & (table["region_id"] == "echeng")]
    assert rows(others, ["target_value", "target_basis", "status"]) == [(50.0, "provincial_rule", "met")]
    projected = read(fresh_db, targets.projections, (("one_window_share", "linkong"),), 2024)[0]
    assert (projected.label, projected.value, projected.status, projected.will_meet) == (
        "预测", 81.9, "missed", False)
    notice_time = read(fresh_db, queries.run, "score_periods").set_index("period_id").loc[
        "asof-notice", "period_label"]
    assert projected.method == f"预测：取年内最新值({notice_time})"


def test_projection_without_values_or_target(seed_con):
    empty = targets.projections(seed_con, (("one_window_share", "linkong"),), 2023)[0]
    assert (empty.value, empty.status, empty.will_meet, empty.method) == (
        None, "no_data", None, "预测：年内无数据")
    untargeted = targets.projections(seed_con, (("supervision_push_volume", "ezhou"),), 2023)[0]
    assert (untargeted.value, untargeted.qualifier, untargeted.status, untargeted.will_meet) == (
        137_080_000.0, "at_least", "no_target", None)


def test_setting_a_target_again_replaces_it_and_records_each_load(fresh_db):
    first = targets.set_bureau_target(fresh_db, "one_window_share", "linkong", 2024, 90, ">=", "张三")
    second = targets.set_bureau_target(fresh_db, "one_window_share", "linkong", 2024, 95, ">", "李四")
    con = open_reader(fresh_db)
    try:
        bureau = con.execute(
            "select indicator_id, region_id, year, value, comparator, load_id from targets "
            "where basis = 'bureau'").fetchall()
        loads = con.execute(
            "select load_id, kind, file_name, rows_total, rows_inserted, rows_updated, user_name, "
            "status, note from loads where kind = 'target' order by load_id").fetchall()
    finally:
        con.close()
    assert (first, second) == (2, 3)
    assert bureau == [("one_window_share", "linkong", 2024, 95.0, ">", 3)]
    assert loads == [
        (2, "target", "目标：综合窗口可办事项占比(一窗通办)", 1, 1, 0, "张三", "applied",
         "本局目标：综合窗口可办事项占比(一窗通办) 2024年 临空经济区 ≥ 90%"),
        (3, "target", "目标：综合窗口可办事项占比(一窗通办)", 1, 0, 1, "李四", "applied",
         "本局目标：综合窗口可办事项占比(一窗通办) 2024年 临空经济区 > 95%"),
    ]


@pytest.mark.parametrize(("arguments", "message"), [
    (("one_window_share", "linkong", 2024, 95, "≥", "张三"), "比较符应为"),
    (("one_window_share", "linkong", 2024, float("nan"), ">=", "张三"), "目标值应为有限数字"),
    (("one_window_share", "linkong", 2024, 95, ">=", " "), "须注明操作人"),
    (("no_such_indicator", None, 2024, 95, ">=", "张三"), "指标 no_such_indicator 或地区 全部地区 不存在"),
    (("one_window_share", "nowhere", 2024, 95, ">=", "张三"), "指标 one_window_share 或地区 nowhere 不存在"),
])
def test_a_bad_target_changes_nothing(fresh_db, arguments, message):
    before = version_id(fresh_db)
    with pytest.raises(WarehouseError, match=message):
        targets.set_bureau_target(fresh_db, *arguments)
    assert version_id(fresh_db) == before


def test_projections_leave_out_an_unknown_indicator_and_keep_the_order_asked(seed_con):
    asked = (("supervision_push_volume", "ezhou"), ("nothing", "ezhou"), ("one_window_share", "linkong"))
    found = targets.projections(seed_con, asked, 2023)
    assert [(p.indicator_id, p.region_id) for p in found] == [asked[0], asked[2]]


def test_targeted_status_keeps_only_indicators_with_a_target_and_filters(seed_con):
    from metrics import targets as target_module

    rows = target_module.targeted_status(seed_con)
    assert rows["indicator_id"].unique().tolist() == ["gxbc_one_window_points", "one_window_share"]
    assert target_module.targeted_status(seed_con, category="党建").empty
    linkong = target_module.targeted_status(seed_con, region_id="linkong")
    assert linkong[["region_name", "value", "status"]].values.tolist() == [["临空经济区", 81.9, "met"]]
    summary = target_module.targeted_summary(seed_con, None, None, 2024)
    assert summary["indicator_id"].tolist() == ["gxbc_one_window_points", "one_window_share"]
    assert summary["row_count"].tolist() == rows.groupby("indicator_id")["status"].size().tolist()
    assert [dict(counts) for counts in summary["status_counts"]] == [
        rows[rows["indicator_id"] == indicator_id]["status"].value_counts().to_dict()
        for indicator_id in summary["indicator_id"]]
    assert [list(regions) for regions in summary["projectable_regions"]] == [[], []]
    first = target_module.targeted_status(seed_con, rows_per_indicator=1)
    assert first["indicator_id"].tolist() == ["gxbc_one_window_points", "one_window_share"]
    assert first.drop(columns="indicator_id").values.tolist() == (
        rows.groupby("indicator_id").head(1).drop(columns="indicator_id").values.tolist())


def test_goal_text_and_status_table_read_as_a_person_would(seed_con):
    from metrics import targets as target_module
    from metrics.formatting import goals_text, target_status_rows

    rows = target_module.targeted_status(seed_con, region_id="huarong")
    assert goals_text(rows, "%") == "> 50%，依据：省考核规则（二、4 整改情况 三是）"
    [goals] = target_module.targeted_summary(seed_con, None, "huarong", 2024).query(
        "indicator_id == 'one_window_share'")["goals"]
    assert goals_text(pd.DataFrame(list(goals)), "%") == goals_text(rows, "%")
    assert target_status_rows(rows, "%").to_dict("records") == [
        {"地区": "华容区", "期间": "通报时点(未注明日期，按2024-07-26计)", "数值": "97.47%", "目标": "> 50%",
         "达标情况": "√ 达标"}
    ]
