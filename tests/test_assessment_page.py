"""AppTest of the scoring engine on the pages: computed beside reported points, points at stake,
the what-if on 省级考核, and targets with projections (预测) on 总览."""

import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics.store.build import build
from ui.common import plain

SEED = Path(__file__).resolve().parent.parent / "data" / "seed"
PAGE = "pages/assessment.py"
NOTICE_TIME = "通报时点(未注明日期，按2024-07-26计)"
CITY_ASSUMPTION = "假设：全市得分按各单位最低分计(省里如何由各单位比例得出全市得分，通报未说明)"


def variant(tmp_path_factory, name: str, observations: str = "", target_rows: str = "",
            replace: tuple[str, str] | None = None) -> Path:
    """A warehouse built from a copy of the seed with rows appended (or one line replaced)."""
    seed = tmp_path_factory.mktemp(name) / "seed"
    shutil.copytree(SEED, seed)
    observations_file = seed / "observations.csv"
    text = observations_file.read_text(encoding="utf-8")
    if replace:
        assert replace[0] in text
        text = text.replace(*replace)
    observations_file.write_text(text + observations, encoding="utf-8")
    with (seed / "targets.csv").open("a", encoding="utf-8") as targets_file:
        targets_file.write(target_rows)
    db = seed.parent / "warehouse.duckdb"
    build(db, seed)
    return db


@pytest.fixture(scope="module")
def mismatch_db(tmp_path_factory):
    """临空经济区 at 40%: the units' lowest points (0) no longer match the 2 points reported."""
    return variant(tmp_path_factory, "mismatch", replace=(
        "one_window_share,linkong,asof-notice,81.9,", "one_window_share,linkong,asof-notice,40,"))


@pytest.fixture(scope="module")
def quarters_db(tmp_path_factory):
    """Q1 and Q2 push volumes beside the seed's Q3, and the bureau's 2023 target for the volume."""
    return variant(
        tmp_path_factory, "quarters",
        observations="supervision_push_volume,ezhou,2023Q1,30000000,exact,测试,测试值\n"
                     "supervision_push_volume,ezhou,2023Q2,25000000,exact,测试,测试值\n",
        target_rows="supervision_push_volume,,,2023,120000000,>=,bureau,测试,测试目标\n")


@pytest.fixture(scope="module")
def claims_db(tmp_path_factory):
    """Item claim rates for two districts: a second scored item (the 2020 district rubric)."""
    return variant(tmp_path_factory, "claims", observations=(
        "item_claim_rate,linkong,asof-notice,81.9,exact,测试,测试值\n"
        "item_claim_rate,echeng,asof-notice,99.5,exact,测试,测试值\n"))


def tables(test: AppTest, column: str) -> list:
    return [frame.value for frame in test.dataframe if column in frame.value.columns]


def table(test: AppTest, column: str):
    """The one dataframe on the page that has this column."""
    found = tables(test, column)
    assert len(found) == 1, column
    return found[0]


def texts(test: AppTest) -> str:
    return "\n".join([m.value for m in test.markdown] + [c.value for c in test.caption])


def city_total(test: AppTest):
    return next(metric for metric in test.metric if metric.label == "全市得分（模拟）")


def test_computed_points_beside_reported_with_the_notice_time_caveat(app):
    test = app(PAGE, assessment_tab="check")
    check = table(test, "核对结果")
    assert check[["期间", "上报得分", "计算得分（参考计算）", "核对结果"]].values.tolist() == [
        ["2023年第一季度", "2分", "（参考）2分", "？无法核对"],
        ["2023年第二季度", "2分", "（参考）2分", "？无法核对"],
        ["2023年第三季度", "2分", "（参考）2分", "？无法核对"],
    ]
    assert check["计算所用数值"].tolist() == [NOTICE_TIME] * 3
    # "一致" only where the quarter's own unit values were compared
    assert not [box for box in test.success if "一致" in box.value]
    assert next(w.value for w in test.warning if w.value.startswith("**无法核对")) == (
        "**无法核对：** 2023年第一季度、2023年第二季度、2023年第三季度没有全部单位的当季数值，不能用规则核对上报得分。"
        "下表的“参考计算”只说明按已有的数值能得几分，不能证明当季计分对错；缺少哪些单位见“说明”。")


def test_the_existing_reported_points_and_rank_stay(app):
    test = app(PAGE)
    assert "**得分：** 2023年第一季度 2/2分、2023年第二季度 2/2分、2023年第三季度 2/2分" in texts(test)
    assert test.metric[0].value == "第4名"
    assert "未说明50%及以下如何计分" in test.warning[0].value


def test_another_times_values_never_claim_a_mismatch(app, mismatch_db):
    test = app(PAGE, db=mismatch_db, assessment_tab="check")
    check = table(test, "核对结果")
    assert check[["上报得分", "计算得分（参考计算）", "核对结果"]].values.tolist() == [
        ["2分", "（参考）0分", "？无法核对"]] * 3
    assert not test.error


def test_a_quarters_own_values_flag_a_mismatch_with_a_mark_and_a_word(app, tmp_path_factory):
    db = variant(tmp_path_factory, "same_quarter", observations=(
        "".join(f"one_window_share,{unit},2023Q1,{value},exact,测试,测试值\n" for unit, value in (
            ("city_level", 100), ("echeng", 96), ("huarong", 97), ("liangzihu", 95), ("gedian", 95), ("linkong", 80)))
        + "one_window_share,townships,2023Q1,50,all_at_least,测试,测试值\n"
        "one_window_share,linkong,2023Q2,45,exact,测试,测试值\n"))
    test = app(PAGE, db=db, expect_error=True, assessment_tab="check")
    check = table(test, "核对结果")
    assert check[["期间", "计算得分（参考计算）", "核对结果"]].values.tolist()[:2] == [
        ["2023年第一季度", "2分", "√ 一致"], ["2023年第二季度", "0分", "× 不一致"]]
    assert [error.value for error in test.error] == [
        "**不一致：1个期间的上报得分与计算得分不同** — 2023年第二季度（上报2分，计算0分）。请核实数值或计分规则。"]
    assert test.success[0].value == "**一致：** 2023年第一季度的上报得分与按当季各单位数值计算的得分相同。"


def test_points_at_stake_offers_nothing_above_full_marks(app):
    test = app(PAGE, assessment_tab="stake")
    stake = table(test, "可多得")
    assert stake["单位"].tolist() == [
        "市本级", "鄂城区", "华容区", "梁子湖区", "葛店经开区", "临空经济区", "全市乡镇(街道)"]
    assert stake["下一步"].tolist()[:6] == ["已满分"] * 6
    assert stake.iloc[6][["现值", "得分", "可多得", "下一步"]].tolist() == [
        "均 ≥ 50%", "无法判定", "—", "得分无法判定：现值均 ≥ 50%只是下限，不能确定够不够得分线，不列提分空间"]
    assert ":material/trending_up:" not in texts(test)  # no to-do item offers points
    assert test.success[0].value == ("能判定得分的单位均已得满分，没有提分空间；"
                                     "全市乡镇(街道)的数值只是界限，得分无法判定。")


def test_what_if_starts_from_the_warehouse_values_and_says_it_writes_nothing(app):
    test = app(PAGE, assessment_tab="whatif")
    assert {n.key: n.value for n in test.number_input} == {
        "whatif_city_level": 100.0, "whatif_echeng": 90.0, "whatif_huarong": 97.47,
        "whatif_liangzihu": 95.0, "whatif_gedian": 95.0, "whatif_linkong": 81.9, "whatif_townships": 50.0}
    assert "**模拟，不写入数据库。**" in test.info[0].value
    total = city_total(test)
    assert (total.value, total.proto.delta) == ("2/2分", "持平")
    assert f":orange[:material/info:] **{plain(CITY_ASSUMPTION)}**" in texts(test)
    assert test.button[0].disabled


def test_what_if_linkong_at_40_drops_the_city_total_and_ranks_it_last(app, seed_db):
    before = sorted(path.name for path in seed_db.parent.rglob("*"))
    test = app(PAGE, whatif_linkong=40.0, assessment_tab="whatif")
    total = city_total(test)
    assert (total.value, total.proto.delta) == ("0/2分", "减少2分")
    ranking = table(test, "名次变化")
    assert ranking.values.tolist() == [
        ["第1名", "华容区", "97.47%", "2分", "第1名", "名次不变"],
        ["第2名", "梁子湖区", "95%", "2分", "第2名", "名次不变"],
        ["第2名", "葛店经开区", "95%", "2分", "第2名", "名次不变"],
        ["第4名", "鄂城区", "90%", "2分", "第4名", "名次不变"],
        ["第5名", "临空经济区", "40%", "0分", "第5名", "名次不变"],
    ]
    units = table(test, "计分依据").set_index("单位")
    assert units.loc["临空经济区"].tolist() == [
        "40%", "0分", "2分", "减少2分", "按规则计算(含假设)", NOTICE_TIME, "假设：未达到任何一档按0分计(细则未说明)"]
    for note in (CITY_ASSUMPTION, "假设：未达到任何一档按0分计(细则未说明)", "全市乡镇(街道)得分无法判定，未计入"):
        assert f":orange[:material/info:] **{plain(note)}**" in texts(test)
    assert not test.button[0].disabled
    assert sorted(path.name for path in seed_db.parent.rglob("*")) == before


def test_what_if_reset_restores_the_warehouse_values(app):
    test = app(PAGE, whatif_linkong=40.0, assessment_tab="whatif")
    test.button[0].click()
    test.run()
    assert not test.exception
    assert test.number_input(key="whatif_linkong").value == 81.9
    assert (city_total(test).value, city_total(test).proto.delta) == ("2/2分", "持平")


def test_what_if_chart_shows_the_simulated_points_and_the_step(app):
    test = app(PAGE, whatif_linkong=40.0, assessment_tab="whatif")
    charts = [json.loads(chart.proto.spec) for chart in test.get("plotly_chart")]
    simulated = next(chart for chart in charts if chart["layout"]["title"]["text"] == "模拟后各单位数值与得分")
    bars = simulated["data"][0]
    assert bars["y"][::-1][:6] == ["市本级", "鄂城区", "华容区", "梁子湖区", "葛店经开区", "临空经济区"]
    assert bars["text"][1] == "40% · 0分"
    assert [a["text"] for a in simulated["layout"]["annotations"]] == ["超过50%得2分"]


def test_what_if_offers_each_scored_item_with_its_own_units(app, claims_db):
    test = app(PAGE, db=claims_db, whatif_item=("ywtb-2020", "claim_district"), whatif_linkong=96.0,
               assessment_tab="whatif")
    assert test.selectbox(key="whatif_item").options == [
        "湖北省“高效办成一件事”考核｜政务服务“一窗通办”",
        "鄂州市2020年区级一网通办考核细则｜区级政务服务事项认领率",
    ]
    assert [n.key for n in test.number_input] == ["whatif_echeng", "whatif_linkong"]
    ranking = table(test, "名次变化")
    assert ranking.values.tolist() == [
        ["第1名", "鄂城区", "99.5%", "1.5分", "第1名", "名次不变"],
        ["第2名", "临空经济区", "96%", "1分", "第2名", "名次不变"],
    ]
    # The 2020 rubric scores districts only; no city total follows from it.
    assert not [metric for metric in test.metric if metric.label == "全市得分（模拟）"]
    assert any(info.value.startswith("本项目算不出全市得分") for info in test.info)


def test_overview_lists_targets_and_explains_why_there_is_no_projection(app):
    test = app()
    points, statuses = tables(test, "达标情况")
    assert points[["期间", "数值", "目标", "达标情况"]].values.tolist() == [
        ["2023年第一季度", "2分", "≥ 2分", "√ 达标"], ["2023年第二季度", "2分", "≥ 2分", "√ 达标"],
        ["2023年第三季度", "2分", "≥ 2分", "√ 达标"]]
    assert statuses[["地区", "数值", "目标", "达标情况"]].values.tolist() == [
        ["市本级", "100%", "> 50%", "√ 达标"], ["鄂城区", "90%", "> 50%", "√ 达标"],
        ["华容区", "97.47%", "> 50%", "√ 达标"], ["梁子湖区", "95%", "> 50%", "√ 达标"],
        ["葛店经开区", "95%", "> 50%", "√ 达标"], ["临空经济区", "81.9%", "> 50%", "√ 达标"],
        ["全市乡镇(街道)", "均 ≥ 50%", "> 50%", "？无法判定"],
    ]
    assert ("**综合窗口可办事项占比(一窗通办)** &nbsp; :gray["
            f"{plain('目标：> 50%，依据：省考核规则（二、4 整改情况 三是）')}]  \n"
            ":green[:material/check_circle: 达标] 6 &nbsp; :orange[:material/help: 无法判定] 1") in texts(test)
    assert test.info[-1].value == (
        "暂无2024年年末预测：设有目标的指标（“高效办成一件事”考核“一窗通办”指标得分、综合窗口可办事项占比(一窗通办)）"
        "在该年没有季度数据，"
        "无法按季度推算全年，因此不作预测。")
    assert not tables(test, "全年预测")


def test_overview_projection_is_labelled_as_one_with_its_method(app, quarters_db):
    test = app(db=quarters_db, filter_period="2023Q3")
    assert table(test, "全年预测").to_dict("records") == [{
        "地区": "鄂州市", "全年预测": "预测 ≥ 1.19亿条", "推算方法": "预测：已有3个季度，按季度平均值×4线性外推",
        "目标": "≥ 1.2亿条", "预测是否达标": "？无法判定"}]
    assert ":violet-badge[:material/query_stats: 预测] **2023年全年预测**（按已有季度推算，不是实际值）" in texts(test)
    push = [frame.value for frame in test.dataframe if "年内累计(各季数值相加)" in frame.value.columns][0]
    assert push[["期间", "年内累计(各季数值相加)", "目标", "达标情况"]].values.tolist() == [
        ["2023年第一季度", "3,000万条", "≥ 3,000万条", "√ 达标"],
        ["2023年第二季度", "5,500万条", "≥ 6,000万条", "× 未达标"],
        ["2023年第三季度", "8,927万条", "≥ 9,000万条", "？无法判定"],
        ["2023年第四季度", "无数据", "≥ 1.2亿条", "○ 无数据"],
    ]


def test_overview_targets_follow_the_region_filter(app):
    statuses = tables(app(filter_region="linkong"), "达标情况")[-1]
    assert statuses[["地区", "达标情况"]].values.tolist() == [["临空经济区", "√ 达标"]]
