"""How numbers and claims read on screen, in files and on a terminal: exact plain text, 万/亿, percentages,
ranks, and the one table of words for every claim of metrics.claims (pages, the brief and the CLI compose none
of their own)."""

import html
import math
import re

import pandas as pd

from metrics.claims import Change, Direction, PointsSource, ScoreCheck, Status, is_from_notice

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


# A target's comparator in words: on charts ("目标：超过50%") and in the target form.
COMPARATOR_TEXT = {">=": "达到", ">": "超过", "<=": "不超过", "<": "低于", "=": "等于"}
# ... and as a sign in a table cell: '≥ 95%', never the code '>='.
COMPARATOR_SIGNS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "="}

# A status (metrics.claims.Status, the codes sql/views.sql states) in words: every surface words it by this table.
STATUS_NAMES = {
    Status.MET: "达标",
    Status.MISSED: "未达标",
    Status.UNDECIDED: "无法判定",
    Status.NO_TARGET: "无目标",
    Status.NO_DATA: "无数据",
    Status.NOT_REPORTED: "未报送",
}

# A score against the scheme's rules (metrics.claims.ScoreCheck) in words: the command line's score table, the
# assessment page and the brief word it by this table. Points a bound leaves open, or that no value gives, read as
# a target status does.
SCORE_CHECK_NAMES = {
    ScoreCheck.NO_RULE: "无计分规则",
    ScoreCheck.NO_DATA: STATUS_NAMES[Status.NO_DATA],
    ScoreCheck.UNDECIDED: STATUS_NAMES[Status.UNDECIDED],
    ScoreCheck.NO_REPORTED_POINTS: "无上报得分",
    ScoreCheck.AGREES: "一致",
    ScoreCheck.DIFFERS: "不一致",
    ScoreCheck.UNCHECKABLE: "无法核对",
}
# Where a what-if's points come from (metrics.claims.PointsSource), in words.
POINTS_SOURCE_NAMES = {PointsSource.COMPUTED: "按规则计算", PointsSource.COMPUTED_ASSUMED: "按规则计算(含假设)",
                       PointsSource.REPORTED: "省里上报", PointsSource.NONE: "—"}

# An indicator's kind, time property and better direction in words.
KIND_NAMES = {"rate": "比率", "count": "数量", "rank": "名次", "score": "得分", "duration": "时长"}
TEMPORAL_NAMES = {"stock": "时点存量", "flow": "期间流量", "level": "水平值"}
BETTER_NAMES = {"higher": "越高越好", "lower": "越低越好", "none": "无方向"}

# Operators that are not accounts: the seed build, a command-line user, the system itself.
ACTOR_NAMES = {"build": "初始数据构建", "system": "系统"}


# What a terminal obeys rather than shows: C0 controls but tab and line feed (ESC starts the sequences that
# clear the screen or retitle the window, CR overwrites the line), DEL, and the C1 controls (0x9b is CSI).
TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_text(text: str) -> str:
    """text with each terminal control shown as its escape, \\x1b for ESC."""
    return TERMINAL_CONTROLS.sub(lambda found: f"\\x{ord(found[0]):02x}", text)


CLI_ACTOR = "服务器命令行"


def actor_text(actor: str) -> str:
    """An operator as a reader knows it: 'cli:root' → '服务器命令行' (a server's system account, root, is no one a
    reader knows; the store keeps the raw name), 'build' → '初始数据构建'."""
    if actor.startswith("cli:"):
        return CLI_ACTOR
    return ACTOR_NAMES.get(actor, actor)


# Browsers and systems as a user-agent string names them, most specific first (Edge and 360 also say Chrome).
_BROWSERS = (("Edg/", "Edge"), ("QIHU 360", "360浏览器"), ("MicroMessenger", "微信"), ("Firefox/", "Firefox"),
             ("HeadlessChrome/", "Chrome（无界面）"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
            ("Mac OS X", "macOS"), ("Linux", "Linux"))


def browser_text(user_agent: str | None) -> str:
    """A session's browser as a person names it: 'Chrome（Windows）', not the raw user-agent string."""
    agent = user_agent or ""
    browser = next((name for mark, name in _BROWSERS if mark in agent), "其他浏览器")
    system = next((name for mark, name in _SYSTEMS if mark in agent), None)
    return f"{browser}（{system}）" if system else browser


# What lets text from users or files act on the text around it, wherever it is drawn: a line or
# paragraph break (a name would start a heading or a list in Markdown, a new line in a chart) and
# the bidirectional controls (U+202E turns the app's own sentence after it backwards, on the page
# and in a PDF). Breaks and the other control characters read as one space; bidi controls go.
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                                        "\u2066\u2067\u2068\u2069"))


def inert(text) -> str:
    """Text from users or files on one line and without bidi controls: 'a\\nb\\u202ec' → 'a bc'."""
    return _BREAKS.sub(" ", str(text)).translate(_BIDI_CONTROLS)


def marked_html(text: str, spans: dict[tuple[int, int], str]) -> str:
    """A document's text as HTML that shows it literally, each span (start, end) in <mark> with its label
    after it: every piece of the text escaped (bidi controls dropped, as by inert), nothing read as Markdown or
    markup, its line breaks kept. A span that overlaps an earlier one is not marked again."""

    def escaped(piece: str) -> str:
        return html.escape(piece.translate(_BIDI_CONTROLS))

    pieces, position = [], 0
    for (start, end), label in sorted(spans.items()):
        if start < position:
            continue
        pieces += [escaped(text[position:start]), f"<mark>{escaped(text[start:end])}</mark>",
                   f"<sup>{escaped(label)}</sup>"]
        position = end
    pieces.append(escaped(text[position:]))
    return f'<div style="white-space: pre-wrap; line-height: 1.8">{"".join(pieces)}</div>'


def plain_number(value: float) -> str:
    """The shortest text that reads back as the same number: 1960, 97.47, 34270000."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    number = float(value)
    if number.is_integer():
        return str(int(number))
    return repr(number)


def trimmed(number: float, digits: int) -> str:
    text = f"{number:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def compact(value: float, digits: int = 2) -> str:
    """万/亿 for large magnitudes: 34270000 → 3427万, 123456789 → 1.23亿, 1960 → 1,960."""
    magnitude = abs(value)
    if magnitude >= 1e8:
        return trimmed(value / 1e8, digits) + "亿"
    if magnitude >= 1e4:
        return trimmed(value / 1e4, digits) + "万"
    return trimmed(value, digits)


# A span of months reads "2个月": "2月" would read as February.
DURATION_UNITS = {"月": "个月"}


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def unit_text(unit: str, kind: str | None) -> str:
    return DURATION_UNITS.get(unit, unit) if kind == "duration" else unit


def value_text(value: float | None, unit: str, qualifier: str = "exact", kind: str | None = None) -> str:
    """A figure as a reader should see it: '≥ 3427万条', '97.47%', '2分', '2名' (two people), and
    '第4名' only for an indicator of kind rank."""
    if _is_missing(value):
        return "无数据"
    prefix = QUALIFIER_PREFIX.get(qualifier, "")
    if unit == "%":
        return f"{prefix}{trimmed(value, 2)}%"
    if kind == "rank":
        return f"{prefix}{rank_text(int(value))}"
    return f"{prefix}{compact(value)}{unit_text(unit, kind)}"


def delta_text(current: float, previous: float, unit: str, kind: str | None = None) -> str:
    """The change from an earlier value, in points for rates: '+2.5个百分点', '-3名' (places)."""
    change = round(current - previous, 6)
    sign = "+" if change > 0 else ""
    if unit == "%":
        return f"{sign}{trimmed(change, 2)}个百分点"
    return f"{sign}{compact(change)}{unit_text(unit, kind)}"


DIRECTION_WORDS = {Direction.BETTER: "改善", Direction.WORSE: "变差", Direction.UNCHANGED: "持平"}
NO_CHANGE = "—"


def change_words(change: Change) -> str:
    """'上升2.5个百分点', '减少38个', '上升2位' (a rank), '持平', '名次不变'; '—' where it cannot be told."""
    direction = change.direction
    if direction is None:
        return NO_CHANGE
    if change.is_rank:
        if direction is Direction.UNCHANGED:
            return "名次不变"
        places = abs(round(change.amount))
        return f"上升{places}位" if change.amount < 0 else f"下降{places}位"
    if direction is Direction.UNCHANGED:
        return "持平"
    magnitude = abs(change.amount)
    if change.unit == "%":
        return f"{'上升' if change.amount > 0 else '下降'}{trimmed(magnitude, 2)}个百分点"
    return f"{'增加' if change.amount > 0 else '减少'}{compact(magnitude)}{unit_text(change.unit, change.kind)}"


def judged_change_words(change: Change) -> str:
    """The change with its judgement where the indicator has a better direction:
    '下降1.7个百分点，变差', '减少38个', '上升2位，改善', '持平'."""
    words = change_words(change)
    judgement = DIRECTION_WORDS.get(change.direction)
    if judgement is None or change.direction is Direction.UNCHANGED:
        return words
    return f"{words}，{judgement}"


def change_arrow(change: Change) -> str:
    """The way a value moved, beside its words: '↑' (a rank that 上升 too: a smaller number), '↓', '→' for
    持平; '' where it cannot be told."""
    direction = change.direction
    if direction is None:
        return ""
    if direction is Direction.UNCHANGED:
        return "→"
    rose = change.amount < 0 if change.is_rank else change.amount > 0
    return "↑" if rose else "↓"


REFERENCE_WORDS = {Direction.BETTER: "好于{}", Direction.WORSE: "差于{}", Direction.UNCHANGED: "与{}持平"}


def reference_words(against: Change, reference_name: str) -> str:
    """A value against a reference unit's (change_between(value, reference, …)): '差于市本级', '好于市本级',
    '与市本级持平'; '—' where the indicator has no better direction or the two cannot be compared."""
    words = REFERENCE_WORDS.get(against.direction)
    return words.format(reference_name) if words else NO_CHANGE


def source_text(source: str, load_id) -> str:
    """Where a value comes from: '通报二、4 整改情况 二是' for the notice's figures, a file's own 来源 as its sender
    wrote it ('2024年第三季度报表'), and '计算：…' as the warehouse words a computed value's operands."""
    if not isinstance(source, str) or not source:
        return "—"  # a unit without a value of the quarter
    return f"通报{source}" if is_from_notice(load_id) else source


# What each kind of recorded change is called where a person reads it (loads.kind; a file may hold several).
CHANGE_NAMES = {"seed": "构建（通报数字）", "observations": "载入文件", "regions": "载入文件", "indicators": "载入文件",
                "rollback": "撤销载入", "target": "设置目标", "ledger": "更新整改台账",
                "supervision": "督办"}
# The kinds of change whose file name says what was changed.
FILE_KINDS = {"observations", "regions", "indicators"}


def change_name(kind: str) -> str:
    """'载入文件', '设置目标', '撤销载入': what a recorded change was, never just '载入'."""
    names = dict.fromkeys(CHANGE_NAMES.get(part, "变更") for part in kind.split("+"))
    return "、".join(names)


def sources_summary(count_observations: int, count_notice: int, documents: str) -> str:
    """Where the warehouse's figures come from, by their provenance; documents: the named documents' names and
    dates, as the warehouse stores them (facts.data_status)."""
    notice = f"{documents}所载，均注明通报条目"
    if count_notice >= count_observations:
        return f"数字来源：全部 {count_observations:,} 条为{notice}"
    loaded = count_observations - count_notice
    if not count_notice:
        return f"数字来源：{loaded:,} 条来自载入的文件，均注明报送来源"
    return f"数字来源：{count_notice:,} 条为{notice}；{loaded:,} 条来自载入的文件，均注明报送来源"


def source_texts(frame: pd.DataFrame) -> list[str]:
    return [source_text(source, load) for source, load in zip(frame["source"], frame["load_id"], strict=True)]


def evidence_text(evidence, is_derived: bool) -> str:
    """The clause a value was read from; a computed value has none, a value a file gave without one '—'."""
    if isinstance(evidence, str) and evidence:
        return evidence
    return "（计算所得）" if is_derived else "—"


def unreported_text(earlier_value: float | None, unit: str, qualifier: str, kind: str | None,
                    earlier_quarter: str | None) -> str:
    """A unit without a value of the quarter: '未报送（最近：2024年第三季度 98.1%）'."""
    unreported = STATUS_NAMES[Status.NOT_REPORTED]
    if _is_missing(earlier_value):
        return unreported
    return f"{unreported}（最近：{earlier_quarter} {value_text(earlier_value, unit, qualifier, kind)}）"


def held_period_text(period_label: str, held_from, latest_period_label: str) -> str:
    """The period a scored value is of: '2025年第一季度', or, for a unit held at an earlier value,
    '2024年第四季度（2025年第一季度未报送，用最近一期）'."""
    if _is_missing(held_from):
        return period_label
    return f"{held_from}（{latest_period_label}未报送，用最近一期）"


def held_units_text(held: pd.DataFrame, period_label: str) -> str | None:
    """Which units a what-if or a to-do list holds at an earlier value (rows with region, value, unit, qualifier
    and held_from): '梁子湖区、临空经济区没有2025年第一季度的数值，按最近一期计：梁子湖区 96%（2024年第四季度）、…'."""
    if held.empty:
        return None
    values = "、".join(f"{row.region} {value_text(row.value, row.unit, row.qualifier)}（{row.held_from}）"
                      for row in held.itertuples())
    return f"{'、'.join(held['region'])}没有{period_label}的数值，按最近一期计：{values}"


def points_fraction(points: float, max_points: float) -> str:
    """'2/2', '1.5/2': points over the maximum, whole numbers without decimals."""
    return f"{points:g}/{max_points:g}"


def rank_text(rank: int) -> str:
    return f"第{rank}名"


def place_text(best: float | None, worst: float | None) -> str:
    """A place (metrics.claims.places) as it reads: '第2名', '第2–3名' where bounds leave it open, '' for none."""
    if _is_missing(best):
        return ""
    return rank_text(int(best)) if best == worst else f"第{int(best)}–{int(worst)}名"


# Why a comparison of an indicator without a better direction names no places.
NO_DIRECTION_ORDER = "该指标没有优劣方向，各区（功能区）按数值从高到低排列，不排名次。"
# Why a bound has no place and a value beside it may have a range.
BOUND_PLACES = "“≥”“>”“≤”为通报或报表只给出的界限值，不能确定名次的不排名；与其相邻的数值名次列出可能的范围。"


def target_text(value: float | None, comparator: str | None, unit: str, kind: str | None = None) -> str:
    if _is_missing(value):
        return STATUS_NAMES[Status.NO_TARGET]
    return f"{COMPARATOR_SIGNS.get(comparator, comparator)} {value_text(value, unit, kind=kind)}"


def _changes(frame: pd.DataFrame, column: str) -> list[str]:
    if column not in frame:
        return [NO_CHANGE] * len(frame)
    return [judged_change_words(Change(c, u, k, b))
            for c, u, k, b in zip(frame[column], frame["unit"], frame["kind"], frame["better"], strict=True)]


def readable_facts(frame: pd.DataFrame) -> pd.DataFrame:
    """Facts as a table a reader scans: Chinese headers, readable values, status in words, the
    date each value holds for (数据截至), and 环比 / 同比 where the frame has them."""
    table = pd.DataFrame(
        {
            "指标": frame["indicator_name"],
            "地区": frame["region_name"],
            "期间": frame["period_label"],
            "数值": [value_text(v, u, q, k) for v, u, q, k in
                   zip(frame["value"], frame["unit"], frame["qualifier"], frame["kind"], strict=True)],
            "原始数值": frame["value"],
            "单位": frame["unit"],
            "限定": frame["qualifier"].map(lambda q: QUALIFIER_LABEL.get(q, q)),
            "目标": [target_text(v, c, u, k) for v, c, u, k in
                   zip(frame["target_value"], frame["target_comparator"], frame["unit"], frame["kind"],
                       strict=True)],
            "状态": frame["status"].map(STATUS_NAMES),
            "环比": _changes(frame, "change_vs_previous"),
            "同比": _changes(frame, "change_vs_year_ago"),
            "数据截至": pd.to_datetime(frame["end_date"]).dt.strftime("%Y-%m-%d"),
            "来源": source_texts(frame),
            "原文摘录": frame["evidence"].fillna(""),
        }
    )
    return table


TARGET_BASIS = {"provincial_rule": "省考核规则", "notice": "通报", "bureau": "本局设定"}
# A table cell cannot hold coloured badges, so a mark beside the word carries the status.
# A reported score's check against the rules, marked the same way.
CHECK_MARK = {check: mark + SCORE_CHECK_NAMES[check] for check, mark in (
    (ScoreCheck.AGREES, "√ "), (ScoreCheck.DIFFERS, "× "), (ScoreCheck.UNCHECKABLE, "？"))}
STATUS_MARK = {status: mark + STATUS_NAMES[status] for status, mark in (
    (Status.MET, "√ "), (Status.MISSED, "× "), (Status.NO_TARGET, "— "), (Status.NO_DATA, "○ "),
    (Status.UNDECIDED, "？"), (Status.NOT_REPORTED, "○ "))}


# The statuses a count of the quarter's values states (metrics.attention.status_counts), in the order 总览's cards
# and the brief's count sentence give them.
STANDING_ORDER = (Status.MET, Status.MISSED, Status.UNDECIDED, Status.NO_TARGET, Status.NOT_REPORTED)


def standing_text(counts: dict[str, int], unreported: tuple[str, ...]) -> str:
    """A count of the quarter's values as the brief states it, with the same words as 总览's cards:
    '达标4项、未达标1项、无目标2项，未报送2项（梁子湖区、临空经济区）'; 无法判定 and 未报送 only where there are any."""
    *judged, missing = STANDING_ORDER
    text = "、".join(f"{STATUS_NAMES[status]}{counts.get(status, 0)}项" for status in judged
                    if counts.get(status, 0) or status != Status.UNDECIDED)
    if counts.get(missing, 0):
        text += f"，{STATUS_NAMES[missing]}{counts[missing]}项（{'、'.join(unreported)}）"
    return text


def goals_text(rows: pd.DataFrame, unit: str) -> str:
    """The distinct targets of one indicator's rows (or of its goals, metrics.targets.targeted_summary):
    '≥ 1.2亿条（2023年），依据：本局设定（…）'."""
    goals = rows.dropna(subset=["target_annual_value"]).drop_duplicates(
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
        "数值": [value_text(v, unit, q, k) for v, q, k in zip(rows["value"], rows["qualifier"], rows["kind"],
                                                            strict=True)],
        "年内累计(各季数值相加)": [value_text(v, unit) for v in rows["compared_value"]],
        "目标": [target_text(v, c, unit) for v, c in zip(rows["target_value"], rows["target_comparator"],
                                                          strict=True)],
        "达标情况": rows["status"].map(STATUS_MARK),
    })
    return table if rows["is_milestone"].any() else table.drop(columns=["年内累计(各季数值相加)"])


def unprojected_text(region_names: list[str], year: int) -> str:
    """The units a year-end forecast leaves out, and why:
    '梁子湖区、临空经济区未作预测：2025年没有季度数值，无法推算全年'."""
    return f"{'、'.join(region_names)}未作预测：{year}年没有季度数值，无法推算全年"


def projection_rows(projections: list, region_names: dict, unit: str) -> pd.DataFrame:
    """Year-end projections (metrics.targets.Projection) as a table, each value labelled 预测."""
    return pd.DataFrame({
        "地区": [region_names.get(p.region_id, p.region_id) for p in projections],
        "全年预测": [f"{p.label} {value_text(p.value, unit, p.qualifier or 'exact')}" for p in projections],
        "推算方法": [p.method for p in projections],
        "目标": [target_text(p.target_value, p.target_comparator, unit) for p in projections],
        "预测是否达标": [STATUS_MARK[p.status] for p in projections],
    })
