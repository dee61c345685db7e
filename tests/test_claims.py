"""Claims read the same on every surface: where a value comes from, what a change was, and the words for
both come from metrics.claims and metrics.formatting, never from a page of its own."""

import pytest
from test_pages import texts
from test_quarters import table_with

from metrics.claims import NOTICE_NAME
from metrics.formatting import change_name, evidence_text, source_text, sources_summary


def test_a_value_names_its_own_source_the_notice_only_for_the_notices_figures():
    assert source_text("二、4 整改情况 二是", 1) == "通报二、4 整改情况 二是"
    assert source_text("梁子湖区政务服务中心2025年一季度报表", 7) == "梁子湖区政务服务中心2025年一季度报表"
    assert source_text("计算：二、5 整改情况", None) == "计算：二、5 整改情况"
    assert evidence_text("比例均达50%以上", False) == "比例均达50%以上"
    assert evidence_text(None, False) == "—"
    assert evidence_text(None, True) == "（计算所得）"


@pytest.mark.parametrize(("kind", "name"), [
    ("seed", "构建（通报数字）"), ("observations", "载入文件"), ("regions+observations", "载入文件"),
    ("target", "设置目标"), ("rollback", "撤销载入"), ("ledger", "更新整改台账"),
])
def test_each_kind_of_change_has_its_own_name(kind, name):
    assert change_name(kind) == name


def test_the_sources_line_counts_the_notices_figures_and_the_loaded_ones():
    assert sources_summary(58, 58) == f"数字来源：全部 58 条为{NOTICE_NAME}所载，均注明通报条目"
    assert sources_summary(72, 58) == (f"数字来源：58 条为{NOTICE_NAME}所载，均注明通报条目；"
                                       "14 条来自载入的文件，均注明报送来源")


def test_pages_say_where_each_value_came_from(app, two_quarters_db):
    test = app(db=two_quarters_db, filter_period="2024Q4")
    sidebar = "\n".join(caption.value for caption in test.sidebar.caption)
    assert "最近变更：载入文件“2024Q3-Q4.csv”（第 2 次变更，测试，" in sidebar
    assert sources_summary(72, 58) in sidebar
    facts = table_with(test, "来源").set_index(["指标", "地区"])
    assert facts.loc[("综合窗口可办事项占比(一窗通办)", "鄂城区"), "来源"] == "2024年第四季度报表"
    assert facts.loc[("认领及发布的依申请和公共服务事项数", "市本级"), "来源"].startswith("通报二、4")
    assert "通报2024年" not in texts(test) + sidebar


def test_a_card_of_a_unit_that_did_not_report_shows_no_earlier_status(app, two_quarters_db):
    """梁子湖区 reported 95.5% in 2024Q3 and nothing in 2024Q4: its card names the earlier value, and its status
    in 2024Q4 is 未报送, never the 达标 of 2024Q3."""
    test = app(db=two_quarters_db, filter_period="2024Q4", filter_region="liangzihu")
    card = next(m for m in test.markdown if "梁子湖区 · 2024年第三季度（非本期，最近一期）" in m.value)
    assert card.value.startswith(":orange[:material/schedule: 未报送]")
