"""Text that users and files bring — region names, sources, evidence, file names — reaches every
page as the characters it is: Markdown, Streamlit's colour directives, images and links are
escaped wherever Streamlit would render Markdown (the browser side is tests/test_browser_quarters.py)."""

import re

import pytest
from support import load_text, seeded_warehouse

from ui.common import plain

HOSTILE = ":red[**数据已作废**]![图](http://127.0.0.2/x.png)[链接](http://127.0.0.2/)"
# An opening of a directive, an image or a link that no backslash neutralises.
LIVE_MARKDOWN = re.compile(r"(?<!\\):red\[|(?<!\\)!(?<!\\)\[|(?<!\\)\]\(")
PAGES = [None, "pages/districts.py", "pages/trends.py", "pages/assessment.py", "pages/ledger.py"]


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    db = seeded_warehouse(tmp_path_factory.mktemp("hostile") / "warehouse.duckdb")
    load_text(db, "regions.csv", f"地区编码,地区名称,级别,上级地区\nhostile_town,{HOSTILE}镇,乡镇街道,鄂城区\n")
    load_text(db, f"{HOSTILE}.csv", "指标名称,地区,期间,数值,来源,依据\n"
                                    f"综合窗口可办事项占比(一窗通办),{HOSTILE}镇,2024Q4,98%,{HOSTILE},{HOSTILE}\n"
                                    f"综合窗口可办事项占比(一窗通办),华容区,2024Q4,97%,{HOSTILE},{HOSTILE}\n")
    return db


def rendered_markdown(test) -> list[str]:
    """Every string on the page that Streamlit renders as Markdown: bodies, labels and help."""
    texts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "metric"):
        for element in test.get(kind):
            proto = element.proto
            for field in ("body", "label", "help"):
                value = getattr(proto, field, "")
                if isinstance(value, str) and value:
                    texts.append(value)
    texts += [link.proto.label for link in test.get("page_link")]
    return texts


def test_plain_escapes_what_builds_markdown_and_keeps_ordinary_names():
    assert plain("综合窗口可办事项占比(一窗通办)") == "综合窗口可办事项占比(一窗通办)"
    assert plain(":red[**x**]") == "\\:red\\[\\*\\*x\\*\\*\\]"
    assert plain("![a](b)") == "\\!\\[a\\](b)"


@pytest.mark.parametrize("page", PAGES)
def test_no_page_renders_user_text_as_markdown(app, hostile_db, page):
    test = app(page, db=hostile_db, filter_region="hostile_town" if page is None else "全部")
    texts = rendered_markdown(test)
    if page is None:  # the sidebar's last change names the file; 需关注 and the cards name the town
        assert any(plain(f"{HOSTILE}.csv") in text for text in texts)
        assert any(plain(f"{HOSTILE}镇") in text for text in texts)
    assert [text for text in texts if LIVE_MARKDOWN.search(text)] == []


def test_plain_leaves_no_link_line_break_list_or_bidi_control():
    assert plain("见 http://127.0.0.2/x、www.example.com 与 a@example.com") == (
        "见 http\\:\u2060//127.0.0.2/x、www\u2060.example.com 与 a@\u2060example.com")
    assert plain("1. 数据\n# 标题\r\n- 列表\u2028+ 项") == "1\\. 数据 \\# 标题 - 列表 + 项"
    assert [plain(text) for text in ("- 列表", " + 项", "2) 项", "2024-07-26")] == [
        "\\- 列表", " \\+ 项", "2\\) 项", "2024-07-26"]
    assert plain("\u202e甲乙丙\u2066镇\u2069") == "甲乙丙镇"


# A region name and a file name that GFM would link, that would start a heading and a list, and that
# would turn the app's sentence after them backwards.
INERT_NAME = "见 http://127.0.0.2/x www.example.com a@example.com\n# 标题\n- 列表\u202e甲乙丙镇"
LIVE_TEXT = re.compile(r"https?:/|www\.|@[a-z]|\u202e|\n[#-] ")


@pytest.fixture(scope="module")
def inert_db(tmp_path_factory):
    db = seeded_warehouse(tmp_path_factory.mktemp("inert") / "warehouse.duckdb")
    load_text(db, "regions.csv", f'地区编码,地区名称,级别,上级地区\nhostile_town,"{INERT_NAME}",乡镇街道,鄂城区\n')
    load_text(db, "www.example.com a@example.com http:x.csv",
              "指标名称,地区,期间,数值,来源,依据\n"
              f'综合窗口可办事项占比(一窗通办),hostile_town,2024Q4,98%,"{INERT_NAME}","{INERT_NAME}"\n')
    return db


@pytest.mark.parametrize("page", PAGES)
def test_no_page_renders_a_link_a_line_break_or_a_bidi_control_from_user_text(app, inert_db, page):
    test = app(page, db=inert_db, filter_region="hostile_town" if page is None else "全部")
    texts = rendered_markdown(test)
    if page is None:
        assert any(plain("www.example.com a@example.com http:x.csv") in text for text in texts)
        assert any(plain(INERT_NAME) in text for text in texts)
    assert [text for text in texts if LIVE_TEXT.search(text)] == []
