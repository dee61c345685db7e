"""总览's 生成简报 in a real Chromium: while a brief is made the session can start no other, the page
offers it once made, and 取消生成 (a button in a fragment, whose click reruns only the fragment) brings
the whole page back."""

import re

import pytest
from support import chromium, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


@pytest.fixture(scope="module")
def dashboard(two_quarters_db, tmp_path_factory):
    yield from serve({"METRICS_DB": str(two_quarters_db),
                      "METRICS_ACCOUNTS": str(tmp_path_factory.mktemp("accounts") / "accounts.duckdb"),
                      "METRICS_VIEW_LOGIN": "open"})


def test_one_brief_at_a_time_offered_when_made_and_cancellable(dashboard, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    try:
        page.goto(f"{dashboard}/?period=2024Q4")
        word, pdf = (page.locator(f".st-key-brief-{fmt} button").first for fmt in ("docx", "pdf"))
        cancel = page.get_by_role("button", name="取消生成").first
        word.click()
        expect(cancel).to_be_visible(timeout=30_000)
        expect(word).to_be_disabled()
        expect(pdf).to_be_disabled()
        expect(page.get_by_role("button", name="下载 政务服务指标季度简报_2024Q4.docx")).to_be_visible(timeout=90_000)
        expect(pdf).to_be_enabled()
        pdf.click()
        expect(cancel).to_be_visible(timeout=30_000)
        cancel.click()
        expect(page.get_by_text("已取消生成简报。")).to_be_visible(timeout=30_000)
        expect(pdf).to_be_enabled()
        expect(page.get_by_role("button", name=re.compile("下载 .*\\.pdf"))).to_have_count(0)
    finally:
        page.close()
