"""省级考核 — reported points and ranks; the points the rules compute beside them, points at stake
per unit, and a what-if that rescores changed values without writing them."""

import pandas as pd
import streamlit as st

from metrics import assessment, charts
from metrics.assessment import scoring
from metrics.claims import ScoreCheck, change_between, decided_rank, rank_move
from metrics.formatting import (
    CHECK_MARK,
    POINTS_SOURCE_NAMES,
    SCORE_CHECK_NAMES,
    change_words,
    evidence_text,
    held_period_text,
    held_units_text,
    place_text,
    points_fraction,
    rank_text,
    source_text,
    source_texts,
    value_text,
)
from ui import auth, common

auth.ensure_routed()

WHATIF_PREFIX = "whatif_"
INPUTS_PER_ROW = 4
UNDECIDED = SCORE_CHECK_NAMES[ScoreCheck.UNDECIDED]


def points_text(points: float, missing: str = "—") -> str:
    return missing if pd.isna(points) else value_text(points, "分")


def points_change(points: float, baseline_points: float):
    return change_between(points, baseline_points, "分", "score", "higher")


def assumptions(text: str) -> None:
    """Every assumption the engine made, one line each, beside its result and as large as it."""
    for note in dict.fromkeys(part for part in text.split("；") if part):
        st.markdown(f":orange[:material/info:] **{common.plain(note)}**")


st.title("省级考核")
st.caption("湖北省对鄂州市的考核结果，按计分规则对上报得分的核对，各单位的失分风险与提分空间，以及模拟测算。")

points = common.data(assessment.reported_points)
ranks = common.data(assessment.reported_ranks)

if points.empty and ranks.empty:
    common.empty_state("暂无考核结果数据。")
    st.stop()

TABS = {"reported": "上报得分与全省排名", "check": "计算得分与上报得分", "stake": "失分风险与提分空间",
        "whatif": "模拟测算"}
tab = common.tab_bar(TABS, key="assessment_tab", param="tab")
if tab == "reported":
    for (scheme_name, item_name), item in points.groupby(["scheme_name", "item_name"], sort=False):
        st.subheader(f"{scheme_name}｜{item_name}")
        summary = "、".join(
            f"{row.period_label} {points_fraction(row.points, row.max_points)}分"
            for row in item.itertuples()
        )
        st.markdown(f"**得分：** {summary}")
        left, right = st.columns([3, 2])
        with left:
            common.chart(common.figure(charts.assessment_points, item), f"考核得分_{item_name}")
        with right:
            first = item.iloc[0]
            with st.expander(f"计分规则：{first['rules_name']}" + ("（不完整）" if first["rule_is_partial"] else "")):
                st.markdown(common.plain(f"{first['rule_description']}（来源：通报{first['rule_source']}）"))
                if first["rule_is_partial"]:
                    st.warning(f"规则不完整：{common.plain(first['rule_partial_note'])}", icon=":material/help:")
            table = pd.DataFrame({"期间": item["period_label"], "得分": item["points"].map(points_text),
                                  "满分": item["max_points"].map(points_text), "来源": source_texts(item),
                                  "原文摘录": [evidence_text(e, False) for e in item["evidence"]]})
            common.table(table, key=f"points_{first['item_id']}")
            common.csv_download(table, f"考核得分_{item_name}.csv")

    for scheme_name, scheme_ranks in ranks.groupby("scheme_name", sort=False):
        st.subheader(f"{scheme_name}｜全省排名")
        latest = scheme_ranks.iloc[-1]
        st.metric(f"{latest['period_label']} 全省排名", rank_text(int(latest["rank"])), border=True)
        evidence = f"；原文：{latest['evidence']}" if pd.notna(latest["evidence"]) else ""
        st.caption(common.plain(f"来源：{source_text(latest['source'], latest['load_id'])}{evidence}"))
        common.chart(common.figure(charts.rank_chart, scheme_ranks), f"全省排名_{scheme_name}")
        if len(scheme_ranks) == 1:
            st.caption("通报只给出这一个季度的排名，其余季度无数据。")

if tab == "check":
    st.caption("按计分规则由各单位数值算出应得分数，与省里上报的得分逐期对照。")
    check = common.data(scoring.reported_check)
    if check.empty:
        common.empty_state("没有上报得分可供核对。")
    else:
        mismatched = check[check["status"] == ScoreCheck.DIFFERS]
        agreed = check[check["status"] == ScoreCheck.AGREES]
        unchecked = check[check["status"] == ScoreCheck.UNCHECKABLE]
        if len(mismatched):
            listed = "、".join(f"{row.period_label}（上报{points_text(row.reported_points)}，"
                              f"计算{points_text(row.reference_points)}）" for row in mismatched.itertuples())
            st.error(f"**{SCORE_CHECK_NAMES[ScoreCheck.DIFFERS]}：{len(mismatched)}个期间的上报得分与计算得分不同** — "
                     f"{listed}。请核实数值或计分规则。", icon=":material/error:")
        if len(agreed):
            st.success(f"**{SCORE_CHECK_NAMES[ScoreCheck.AGREES]}：** {'、'.join(agreed['period_label'])}"
                       "的上报得分与按当季各单位数值计算的得分相同。", icon=":material/check_circle:")
        if len(unchecked):
            st.warning(
                f"**{SCORE_CHECK_NAMES[ScoreCheck.UNCHECKABLE]}：** {'、'.join(unchecked['period_label'])}"
                "没有全部单位的当季数值，不能用规则核对上报得分。"
                "下表的“参考计算”只说明按已有的数值能得几分，不能证明当季计分对错；缺少哪些单位见“说明”。",
                icon=":material/help:")
        check_table = pd.DataFrame({
            "期间": check["period_label"],
            "上报得分": check["reported_points"].map(points_text),
            "计算得分（参考计算）": [f"（参考）{points_text(p)}" if status == ScoreCheck.UNCHECKABLE else points_text(p)
                             for p, status in zip(check["reference_points"], check["status"], strict=True)],
            "满分": check["max_points"].map(points_text),
            # A mark beside the word, so that a mismatch does not rest on colour alone.
            "核对结果": check["status"].map(CHECK_MARK),
            "计算所用数值": check["reference_period_label"].fillna("—"),
            "计入单位": check["reference_units"],
            "说明": check["caveat"],
            "考核项目": check["item_name"],
        })
        common.table(check_table, key="check_table")
        common.csv_download(check_table, "计算得分与上报得分.csv")

inputs = common.data(scoring.what_if_inputs)
rules = common.data(scoring.rules)

if tab == "stake":
    st.caption("各单位离下一档还差多少、达到后可多得几分；可多得分数大的排在前面。")
    stake = common.data(scoring.points_at_stake)
    if stake.empty:
        common.empty_state("没有可计分的单位数值。")
    else:
        to_do = stake[stake["next_step_points"] > 0]
        undecided = stake[stake["computed_points"].isna()]
        if to_do.empty:
            named = f"；{'、'.join(undecided['region'])}的数值只是界限，得分无法判定" if len(undecided) else ""
            st.success(f"能判定得分的单位均已得满分，没有提分空间{named}。", icon=":material/check_circle:")
        for label, item_stake in stake.groupby("latest_period_label", sort=False):
            if held := held_units_text(item_stake[item_stake["held_from"].notna()], label):
                st.markdown(f":orange[:material/history:] {common.plain(held)}")
        for number, row in enumerate(to_do.itertuples(), start=1):
            with st.container(border=True):
                period = held_period_text(row.period_label, row.held_from, row.latest_period_label)
                st.markdown(f"**{number}. {common.plain(row.region)}** ｜ {common.plain(row.item_name)}"
                            f"（{common.plain(period)}）  \n"
                            f":material/trending_up: {common.plain(row.action)}")
                if row.assumption:
                    assumptions(row.assumption)
        for (scheme_id, item_id), units in inputs.groupby(["scheme", "item"], sort=False):
            rule, steps = rules[units["rule_id"].iloc[0]]
            title = f"{units['item_name'].iloc[0]}：各单位数值与得分线（{units['period_label'].iloc[0]}）"
            common.chart(common.figure(charts.unit_step_bars, units.rename(columns={"computed_points": "points"}),
                                       steps, rule.comparator, title, kind="rank" if rule.kind == "rank" else None),
                         f"失分风险_{units['item_name'].iloc[0]}", key=f"stake_chart_{scheme_id}_{item_id}")
        stake_table = pd.DataFrame({
            "优先": range(1, len(stake) + 1),
            "单位": stake["region"],
            "现值": [value_text(v, u, q) for v, u, q in zip(stake["value"], stake["unit"], stake["qualifier"],
                                                          strict=True)],
            "期间": [held_period_text(p, h, latest) for p, h, latest in
                   zip(stake["period_label"], stake["held_from"], stake["latest_period_label"], strict=True)],
            "得分": stake["computed_points"].map(lambda p: points_text(p, UNDECIDED)),
            "满分": stake["max_points"].map(points_text),
            "可多得": stake["next_step_points"].map(points_text),
            "下一步": stake["action"],
            "考核项目": stake["item_name"],
            "假设": stake["assumption"].replace("", "—"),
        })
        common.table(stake_table, key="stake_table")
        common.csv_download(stake_table, "失分风险与提分空间.csv")

if tab == "whatif":
    st.info("**模拟，不写入数据库。** 改动下面各单位的数值，按计分规则即时重新计分；改动只在您本次访问的本页面有效，"
            "不改变数据仓库，也不影响其他人看到的数据。", icon=":material/science:")
    if inputs.empty:
        common.empty_state("没有可模拟的考核项目：各项目都还没有可计分的单位数值。")
        st.stop()

    items = list(dict.fromkeys(zip(inputs["scheme"], inputs["item"], strict=True)))
    item_names = dict(zip(zip(inputs["scheme"], inputs["item"], strict=True),
                          inputs["scheme_name"] + "｜" + inputs["item_name"], strict=True))


    def units_of(item: tuple[str, str]) -> pd.DataFrame:
        return inputs[(inputs["scheme"] == item[0]) & (inputs["item"] == item[1])]


    def reset(units: pd.DataFrame) -> None:
        """Put every input back to the unit's value in the warehouse."""
        for row in units.itertuples():
            st.session_state[f"{WHATIF_PREFIX}{row.region_id}"] = float(row.value)


    if len(items) > 1:
        # The inputs are keyed by unit only, so another item starts from its own values.
        st.selectbox("模拟项目", items, format_func=item_names.get, key="whatif_item",
                     on_change=lambda: reset(units_of(st.session_state["whatif_item"])))
    chosen = st.session_state.get("whatif_item", items[0])
    units = units_of(chosen)
    first = units.iloc[0]
    for row in units.itertuples():
        st.session_state.setdefault(f"{WHATIF_PREFIX}{row.region_id}", float(row.value))

    with st.container(border=True):
        st.markdown(f"**{item_names[chosen]}** · {first['period_label']}  \n"
                    f":gray[计分规则：{first['rule_description']}。输入各单位的数值（{first['unit']}）：]")
        overrides = []
        for start in range(0, len(units), INPUTS_PER_ROW):
            chunk = units.iloc[start:start + INPUTS_PER_ROW]
            for column, row in zip(st.columns(INPUTS_PER_ROW), chunk.itertuples(), strict=False):
                bound = row.qualifier not in ("exact", "approx")
                entered = column.number_input(
                    common.plain(row.region),
                    min_value=0.0,
                    max_value=100.0 if row.unit == "%" else None,
                    step=0.1,
                    format="%.2f",
                    key=f"{WHATIF_PREFIX}{row.region_id}",
                    help=(f"现值为{value_text(row.value, row.unit, row.qualifier)}，只是一个界限；不改动时按原值判定，"
                          "改动后按输入的精确值计分。") if bound else f"现值：{value_text(row.value, row.unit)}",
                )
                if entered != row.value:
                    overrides.append(((row.indicator_id, row.region_id, row.period), entered))
        st.button("恢复为原数值", on_click=reset, args=(units,), icon=":material/restart_alt:",
                  disabled=not overrides)
        if held := held_units_text(units[units["held_from"].notna()], first["period_label"]):
            st.markdown(f":orange[:material/history:] {common.plain(held)}；模拟与原得分都按此计。")

    result = common.data(scoring.what_if_pairs, tuple(overrides))
    scheme_id, item_id = chosen
    period = first["period"]
    total = result.totals[(result.totals["scheme"] == scheme_id) & (result.totals["period"] == period)]
    left, right = st.columns([1, 2])
    with left:
        if total.empty:
            common.empty_state("本项目算不出全市得分：全市不按此项目计分，或各单位得分都无法判定。")
        else:
            city = total.iloc[0]
            st.metric(
                "全市得分（模拟）",
                f"{points_fraction(city['points'], city['max_points'])}分",
                **common.metric_delta(points_change(city["points"], city["baseline_points"])),
                delta_description=f"原为{points_text(city['baseline_points'])}",
                help=f"{item_names[chosen]}，{city['period_label']}",
                border=True,
            )
            assumptions(city["assumption"])
        st.caption(f"模拟只改变{first['period_label']}的数值，其他期间的得分(如省里上报的季度得分)不变。")
    with right:
        ranking = result.ranking[(result.ranking["scheme"] == scheme_id) & (result.ranking["item"] == item_id)
                                 & (result.ranking["period"] == period)]
        if ranking.empty:
            common.empty_state("本项目没有区(功能区)数值，不排名。")
        else:
            st.markdown("**各区(功能区)按模拟数值排名**（数值相同名次并列，下一名次顺延）")
            common.table(pd.DataFrame({
                "排名": [place_text(best, worst) or "—" for best, worst in
                       zip(ranking["rank"], ranking["rank_worst"], strict=True)],
                "地区": ranking["region"],
                "模拟数值": [value_text(v, u, q) for v, u, q in
                         zip(ranking["value"], ranking["unit"], ranking["qualifier"], strict=True)],
                "模拟得分": ranking["points"].map(points_text),
                "原排名": [place_text(best, worst) or "—" for best, worst in
                        zip(ranking["baseline_rank"], ranking["baseline_rank_worst"], strict=True)],
                "名次变化": [change_words(rank_move(decided_rank(r, rw), decided_rank(b, bw))) for r, rw, b, bw in
                         zip(ranking["rank"], ranking["rank_worst"], ranking["baseline_rank"],
                             ranking["baseline_rank_worst"], strict=True)],
            }))

    scored = result.item_points
    simulated = scored[(scored["scheme"] == scheme_id) & (scored["item"] == item_id) & (scored["period"] == period)
                       & scored["value"].notna()]
    period_label = first["period_label"]
    rule, steps = rules[first["rule_id"]]
    common.chart(common.figure(charts.unit_step_bars, simulated, steps, rule.comparator, "模拟后各单位数值与得分",
                               kind="rank" if rule.kind == "rank" else None),
                 f"模拟测算_{first['item_name']}", key="whatif_chart")
    common.table(pd.DataFrame({
        "单位": simulated["region"],
        "数值": [value_text(v, u, q) for v, u, q in
               zip(simulated["value"], simulated["unit"], simulated["qualifier"], strict=True)],
        "模拟得分": simulated["points"].map(lambda p: points_text(p, UNDECIDED)),
        "原得分": simulated["baseline_points"].map(lambda p: points_text(p, UNDECIDED)),
        "得分变化": [change_words(points_change(p, b))
                 for p, b in zip(simulated["points"], simulated["baseline_points"], strict=True)],
        "计分依据": simulated["points_source"].map(POINTS_SOURCE_NAMES),
        "数值期间": [held_period_text(period_label, h, period_label) for h in simulated["held_from"]],
        "说明": (simulated["assumption"] + simulated["note"]).replace("", "—"),
    }), key="whatif_table")
