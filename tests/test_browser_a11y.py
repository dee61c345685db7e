"""The accessibility audit of issue #25: axe-core (bundled by axe-playwright-python) on every page each role
sees, and on the sign-in page, at desktop (1440×1000) and phone (390×844) width, in a real Chromium. No critical
or serious violation in the app's own content (contrast, names of controls, alternative text), and every chart
has its text summary under it. Streamlit's own chrome is left out by STREAMLIT_CHROME, each for a stated reason
(README, 已知限制)."""

import pytest
from support import chromium
from test_browser_polish import (
    DESKTOP,
    PHONE,
    USERS,
    VISIBLE_TEXT,
    leaks,
    nav_titles,
    open_page,
    polished_dashboard,
    screenshot,
    settled,
    signed_in,
)

from ui.common import SUMMARY_PREFIX

pytestmark = pytest.mark.browser

# Streamlit's page navigation puts its section headings ("指标看板", …) as <div>s inside its <ul> of links:
# axe's list and listitem rules. The app only names the sections (st.navigation) and cannot change the markup.
STREAMLIT_CHROME = ['[data-testid="stSidebarNavItems"]']
COUNTED = ("critical", "serious")
SHOT: set[tuple[str, str]] = set()  # (page title, width) already shot in this run
# Each chart's container and the text of the caption right after it (ui.common.chart).
CHART_SUMMARIES = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].map(chart => {
  const next = chart.closest('[data-testid="stElementContainer"]')?.nextElementSibling;
  return next?.querySelector('[data-testid="stCaptionContainer"]')?.textContent ?? '';
})"""


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


@pytest.fixture(scope="module")
def polished(tmp_path_factory):
    yield from polished_dashboard(tmp_path_factory.mktemp("a11y"))


def audit(page) -> list[str]:
    """The page's critical and serious violations outside Streamlit's chrome, one line each: rule, impact, what
    axe says of the first element and its HTML."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context={"exclude": [[selector] for selector in STREAMLIT_CHROME]})
    return [f"{violation['id']} ({violation['impact']}) ×{len(violation['nodes'])}: "
            f"{violation['nodes'][0]['failureSummary'].splitlines()[-1].strip()} {violation['nodes'][0]['html'][:160]}"
            for violation in results.response["violations"] if violation["impact"] in COUNTED]


@pytest.mark.parametrize("role", sorted(USERS))
def test_every_page_a_role_sees_reads_in_chinese_and_passes_axe_at_both_widths(polished, browser, role):
    """One walk through the role's pages, each at both widths: a whole-page screenshot (by the first role that
    sees the page), no English word of Streamlit's or the app's left in the visible text, and the audit (one
    walk: each page costs a run)."""
    url, _ = polished
    leaked, found, summaries = {}, {}, {}
    with signed_in(browser, url, USERS[role]) as page:
        titles = nav_titles(page)
        for title in titles:
            open_page(page, title)
            for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                if (title, width) in SHOT:
                    page.set_viewport_size(viewport)
                    settled(page)
                else:  # a page looks alike to every role that sees it: one whole-page shot of it per width
                    screenshot(page, f"polish_{title}_{width}", viewport)
                    SHOT.add((title, width))
                leaked[(title, width)] = leaks(page.evaluate(VISIBLE_TEXT), title, data=tuple(USERS.values()))
                found[(title, width)] = audit(page)
            summaries[title] = page.evaluate(CHART_SUMMARIES)
            page.set_viewport_size(DESKTOP)
    assert len(found) == 2 * len(titles) >= 18
    assert {key: words for key, words in leaked.items() if words} == {}
    assert {key: lines for key, lines in found.items() if lines} == {}
    # Every chart says its values in words beside it; the three chart pages have one at least.
    assert all(summaries[title] for title in ("区域对比", "趋势", "省级考核"))
    assert {title: texts for title, texts in summaries.items()
            if not all(text.startswith(SUMMARY_PREFIX) for text in texts)} == {}


def test_the_sign_in_page_passes_axe_at_both_widths(polished, browser):
    from playwright.sync_api import expect

    url, _ = polished
    found = {}
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = browser.new_page(viewport=viewport, locale="zh-CN")
        try:
            page.goto(url)
            expect(page.get_by_role("button", name="登录")).to_be_visible(timeout=30_000)
            found[width] = audit(page)
        finally:
            page.close()
    assert found == {"desktop": [], "phone": []}
