"""How numbers read on screen and in files: exact plain text, 万/亿, percentages, ranks."""

import math

import pandas as pd

QUALIFIER_PREFIX = {
    "exact": "",
    "at_least": "≥ ",
    "all_at_least": "均 ≥ ",
    "more_than": "> ",
    "at_most": "≤ ",
    "approx": "约 ",
}

QUALIFIER_LABEL = {
    "exact": "精确值",
    "at_least": "不少于(以上)",
    "all_at_least": "各单位均不低于",
    "more_than": "超过",
    "at_most": "不超过(以内)",
    "approx": "约数",
}


def plain_number(value: float) -> str:
    """The shortest text that reads back as the same number: 1960, 97.47, 34270000."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    number = float(value)
    if number.is_integer():
        return str(int(number))
    return repr(number)


def _trim(number: float, digits: int) -> str:
    text = f"{number:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def compact(value: float, digits: int = 2) -> str:
    """万/亿 for large magnitudes: 34270000 → 3427万, 123456789 → 1.23亿, 1960 → 1,960."""
    magnitude = abs(value)
    if magnitude >= 1e8:
        return _trim(value / 1e8, digits) + "亿"
    if magnitude >= 1e4:
        return _trim(value / 1e4, digits) + "万"
    return _trim(value, digits)


def value_text(value: float | None, unit: str, qualifier: str = "exact") -> str:
    """A figure as a reader should see it: '≥ 3427万条', '97.47%', '第4名', '2分'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "无数据"
    prefix = QUALIFIER_PREFIX.get(qualifier, "")
    if unit == "%":
        return f"{prefix}{_trim(value, 2)}%"
    if unit == "名":
        return f"{prefix}第{int(value)}名"
    return f"{prefix}{compact(value)}{unit}"


def delta_text(current: float, previous: float, unit: str) -> str:
    """The change from the previous period, in points for rates: '+2.5个百分点', '-3名'."""
    change = current - previous
    sign = "+" if change > 0 else ""
    if unit == "%":
        return f"{sign}{_trim(change, 2)}个百分点"
    return f"{sign}{compact(change)}{unit}"


def points_fraction(points: float, max_points: float) -> str:
    """'2/2', '1.5/2': points over the maximum, whole numbers without decimals."""
    return f"{points:g}/{max_points:g}"


def rank_text(rank: int) -> str:
    return f"第{rank}名"


def target_text(value: float | None, comparator: str | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "无目标"
    return f"{comparator} {value_text(value, unit)}"


def readable_facts(frame: pd.DataFrame) -> pd.DataFrame:
    """Facts as a table a reader scans: Chinese headers, readable values, status in words."""
    return pd.DataFrame(
        {
            "指标": frame["indicator_name"],
            "地区": frame["region_name"],
            "期间": frame["period_label"],
            "数值": [value_text(v, u, q) for v, u, q in
                   zip(frame["value"], frame["unit"], frame["qualifier"], strict=True)],
            "原始数值": frame["value"],
            "单位": frame["unit"],
            "限定": frame["qualifier"].map(lambda q: QUALIFIER_LABEL.get(q, q)),
            "目标": [target_text(v, c, u) for v, c, u in
                   zip(frame["target_value"], frame["target_comparator"], frame["unit"], strict=True)],
            "状态": frame["status"],
            "来源": "通报" + frame["source"],
            "原文摘录": frame["evidence"].fillna(""),
        }
    )


TARGET_BASIS = {"provincial_rule": "省考核规则", "notice": "通报", "bureau": "本局设定"}
# A table cell cannot hold coloured badges, so a mark beside the word carries the status.
STATUS_MARK = {"达标": "√ 达标", "未达标": "× 未达标", "无目标": "— 无目标", "无数据": "○ 无数据",
               "无法判定": "？无法判定"}


def goals_text(rows: pd.DataFrame, unit: str) -> str:
    """The distinct targets of one indicator's rows: '≥ 1.2亿条（2023年），依据：本局设定（…）'."""
    goals = rows.dropna(subset=["target_value"]).drop_duplicates(
        ["target_annual_value", "target_comparator", "target_basis", "target_year"])
    return "；".join(
        f"{target_text(goal.target_annual_value, goal.target_comparator, unit)}"
        f"{f'（{int(goal.target_year)}年）' if pd.notna(goal.target_year) else ''}"
        f"，依据：{TARGET_BASIS.get(goal.target_basis, goal.target_basis)}（{goal.target_source}）"
        for goal in goals.itertuples())


def target_status_rows(rows: pd.DataFrame, unit: str) -> pd.DataFrame:
    """One indicator's status rows as a table; the year-to-date column only for milestones."""
    table = pd.DataFrame({
        "地区": rows["region_name"],
        "期间": rows["period_label"],
        "数值": [value_text(v, unit, q) for v, q in zip(rows["value"], rows["qualifier"], strict=True)],
        "年内累计(各季数值相加)": [value_text(v, unit) for v in rows["compared_value"]],
        "目标": [target_text(v, c, unit) for v, c in zip(rows["target_value"], rows["target_comparator"],
                                                          strict=True)],
        "达标情况": rows["status"].map(lambda name: STATUS_MARK.get(name, name)),
    })
    return table if rows["is_milestone"].any() else table.drop(columns=["年内累计(各季数值相加)"])
