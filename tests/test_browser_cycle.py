"""The quarterly cycle in a real Chromium: a 华容区 clerk uploads 2024Q4, which waits for review and
stays off the leaders' pages; the admin approves it on 审核; the leader then sees it."""

from contextlib import contextmanager

import pytest
from support import PASSWORD, chromium, serve, warehouse_and_store

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


@pytest.fixture(scope="module")
def cycle_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cycle")
    db, store = warehouse_and_store(folder, ("leader", "viewer", ()), ("hr_clerk", "editor", ("华容区",)),
                                    ("boss", "admin", ()))
    yield from serve({"METRICS_DB": str(db), "METRICS_ACCOUNTS": str(store), "METRICS_VIEW_LOGIN": "required",
                      "METRICS_LOGIN_DELAY_SECONDS": "0"})


@contextmanager
def sign_in(browser, url: str, username: str, path: str = ""):
    """A page signed in as username that asked for path first; closed after the block."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    try:
        page.goto(f"{url}/{path}")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_text(f"当前用户：{username}")).to_be_visible(timeout=30_000)
        yield page
    finally:
        page.close()


def test_a_clerks_file_reaches_the_leader_only_after_approval(cycle_site, browser, tmp_path):
    from playwright.sync_api import expect

    upload = tmp_path / "华容区四季度.csv"
    upload.write_text("指标名称,地区,期间,数值,来源\n综合窗口可办事项占比(一窗通办),华容区,2024Q4,98.6%,区报表\n",
                      encoding="utf-8")
    with sign_in(browser, cycle_site, "hr_clerk", "data_admin") as clerk:
        expect(clerk.get_by_role("heading", name="数据管理")).to_be_visible(timeout=30_000)
        clerk.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(upload))
        expect(clerk.get_by_text("校验通过。请核对预览后提交审核。")).to_be_visible(timeout=30_000)
        clerk.get_by_role("button", name="提交审核").click()
        expect(clerk.get_by_text("已提交审核（报送 #1")).to_be_visible(timeout=30_000)

    with sign_in(browser, cycle_site, "leader", "districts?period=2024Q4") as leader:
        # The quarter has no published value, so it is not even offered: the page stays on 2024Q3, and says so.
        expect(leader.get_by_text("排名表 · 2024年第三季度")).to_be_visible(timeout=30_000)
        expect(leader.get_by_text("2024年第四季度没有数据，已显示2024年第三季度")).to_be_visible()
        assert leader.get_by_text("2024年第四季度").count() == 1
        assert leader.get_by_text("98.6%").count() == 0

    with sign_in(browser, cycle_site, "boss", "review") as admin:
        expect(admin.get_by_role("heading", name="审核", exact=True)).to_be_visible(timeout=30_000)
        admin.get_by_role("button", name="审核通过并发布").click()
        expect(admin.get_by_text("报送 #1 已通过并发布")).to_be_visible(timeout=30_000)

    with sign_in(browser, cycle_site, "leader", "districts?period=2024Q4") as leader:
        expect(leader.get_by_text("排名表 · 2024年第四季度")).to_be_visible(timeout=30_000)
        expect(leader.locator("[data-testid=stPlotlyChart] .main-svg").first).to_be_visible(timeout=30_000)
        expect(leader.get_by_text("98.6%").first).to_be_attached()
