"""Readable numbers: exact plain text for files, 万/亿 and % for screens; statuses as codes, worded by one table."""

import ast
import re

import pytest

from metrics.claims import PointsSource, ScoreCheck, Status
from metrics.formatting import (
    CHECK_MARK,
    POINTS_SOURCE_NAMES,
    SCORE_CHECK_NAMES,
    STATUS_MARK,
    STATUS_NAMES,
    compact,
    delta_text,
    plain_number,
    rank_text,
    target_text,
    value_text,
)
from metrics.paths import ROOT
from metrics.reporting import STATE_MARK, STATE_NAMES, State
from metrics.supervision import STATUS_NAMES as ITEM_STATUS_NAMES
from metrics.supervision import ItemStatus


@pytest.mark.parametrize(
    ("value", "text"),
    [(1960.0, "1960"), (97.47, "97.47"), (81.9, "81.9"), (34270000.0, "34270000"), (0.1, "0.1"),
     (None, ""), (float("nan"), "")],
)
def test_plain_number_reads_back_exactly(value, text):
    assert plain_number(value) == text
    if text:
        assert float(text) == value


@pytest.mark.parametrize(
    ("value", "text"),
    [(1960, "1,960"), (9999, "9,999"), (10000, "1万"), (34270000, "3,427万"), (123456789, "1.23亿"),
     (100000000, "1亿"), (-25000, "-2.5万"), (0.5, "0.5")],
)
def test_compact_uses_wan_and_yi(value, text):
    assert compact(value) == text


@pytest.mark.parametrize(
    ("value", "unit", "qualifier", "text"),
    [
        (34270000, "条", "at_least", "≥ 3,427万条"),
        (97.47, "%", "exact", "97.47%"),
        (50, "%", "all_at_least", "均 ≥ 50%"),
        (4, "名", "exact", "4名"),  # only a rank indicator (kind rank) reads 第4名
        (2, "分", "exact", "2分"),
        (7, "天", "at_most", "≤ 7天"),
        (None, "项", "exact", "无数据"),
        (float("nan"), "%", "exact", "无数据"),
    ],
)
def test_value_text_says_what_the_figure_is(value, unit, qualifier, text):
    assert value_text(value, unit, qualifier) == text


def test_delta_text_uses_points_for_rates():
    assert delta_text(97.5, 95, "%") == "+2.5个百分点"
    assert delta_text(3, 4, "名") == "-1名"
    assert delta_text(1101, 900, "项") == "+201项"


def test_target_and_rank_text():
    assert target_text(50, ">", "%") == "> 50%"
    assert target_text(None, None, "%") == "无目标"
    assert rank_text(4) == "第4名"


def test_operators_read_as_people_know_them():
    from metrics.formatting import actor_text

    assert [actor_text(a) for a in ("build", "cli:root", "system", "boss")] == [
        "初始数据构建", "服务器命令行", "系统", "boss"]


def test_a_change_has_an_arrow_the_way_the_value_moved_and_a_rank_that_rises_points_up():
    from metrics.claims import Change, change_between
    from metrics.formatting import change_arrow, reference_words

    assert [change_arrow(Change(amount, "%", "rate", "higher")) for amount in (2.5, -1.7, 0, None)] == [
        "↑", "↓", "→", ""]
    assert change_arrow(Change(-2, "名", "rank", "lower")) == "↑"  # 第5名 → 第3名
    assert [reference_words(change_between(value, 40, "万条", "count", better), "市本级")
            for value, better in ((30, "higher"), (50, "higher"), (40, "higher"), (30, "lower"), (30, "none"))] == [
        "差于市本级", "好于市本级", "与市本级持平", "好于市本级", "—"]


def sql_literals(path) -> list[str]:
    """The string literals of a SQL file, its comments left out."""
    code = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
    return re.findall(r"'((?:[^']|'')*)'", code)


def test_sql_states_statuses_as_codes_and_every_code_has_its_words():
    """A value's status against its target, a report's state and a 督办 item's status leave SQL as codes and are
    worded by one table each."""
    words = {*STATUS_NAMES.values(), *STATE_NAMES.values(), *ITEM_STATUS_NAMES.values()}
    worded = {(path.relative_to(ROOT).as_posix(), literal) for path in sorted((ROOT / "sql").rglob("*.sql"))
              for literal in sql_literals(path) if literal in words}
    assert worded == set()
    assert set(STATUS_NAMES) == set(STATUS_MARK) == set(Status)
    assert len(set(STATUS_NAMES.values())) == len(Status)
    assert [STATUS_MARK[status] for status in Status] == [
        "√ 达标", "× 未达标", "？无法判定", "— 无目标", "○ 无数据", "○ 未报送"]
    assert set(STATE_NAMES) == set(STATE_MARK) == set(State)
    assert list(STATE_MARK.values()) == ["√ 已报", "… 待审核", "← 已退回", "○ 未报", "× 逾期"]
    assert set(ITEM_STATUS_NAMES) == set(ItemStatus)


def test_a_scores_check_and_source_are_codes_worded_by_one_table_each():
    """A score against the rules (scoring's score_table and reported_check) is a code; SCORE_CHECK_NAMES words
    every code, with the words of a target's status where the two say the same, and CHECK_MARK marks a checked
    reported score in a table cell. A what-if's points name their source by a code too."""
    assert [SCORE_CHECK_NAMES[check] for check in ScoreCheck] == [
        "无计分规则", "无数据", "无法判定", "无上报得分", "一致", "不一致", "无法核对"]
    assert SCORE_CHECK_NAMES[ScoreCheck.UNDECIDED] == STATUS_NAMES[Status.UNDECIDED]
    assert CHECK_MARK == {
        ScoreCheck.AGREES: "√ 一致", ScoreCheck.DIFFERS: "× 不一致", ScoreCheck.UNCHECKABLE: "？无法核对"}
    assert [POINTS_SOURCE_NAMES[source] for source in PointsSource] == [
        "按规则计算", "按规则计算(含假设)", "省里上报", "—"]


def test_no_module_but_the_word_table_holds_a_scores_word_as_a_string():
    """Code compares and stores the codes and renders the words from SCORE_CHECK_NAMES and POINTS_SOURCE_NAMES: a
    word standing alone as a string constant (a status set, a comparison, a placeholder, a table of its own) anywhere
    else is a word used as data. 无数据 is left out: pages also write it on a card that has no figure at all, which
    is no score's check."""
    words = {*(SCORE_CHECK_NAMES[check] for check in ScoreCheck if check != ScoreCheck.NO_DATA),
             *(POINTS_SOURCE_NAMES[source] for source in PointsSource if source != PointsSource.NONE)}
    table = ROOT / "metrics" / "formatting.py"
    found = []
    for path in sorted(path for directory in ("metrics", "pages", "ui") for path in (ROOT / directory).rglob("*.py")
                       if path != table):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # A piece of an f-string is part of a sentence ('省里上报{period}全市得分…'), not a word on its own.
        sentences = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
        found += [(path.relative_to(ROOT).as_posix(), node.lineno, node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and node.value in words and id(node) not in sentences]
    assert found == []
