"""The 督办 loop in a real Chromium, at desktop and phone width: a leader (a 查看 account) asks 鄂城区 about a
figure on 区域对比; the 鄂城区 clerk sees it in 提醒, answers; the leader sends it back; the clerk answers again
with a corrected file that goes to review; the admin approves that file; the leader reads the answer beside the
figure and closes the item (办结). A 华容区 clerk can neither see nor answer it."""

import datetime as dt
import re
from contextlib import contextmanager

import pytest
from support import PASSWORD, ROOT, chromium, serve, warehouse_and_store
from test_browser_polish import settled

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "tests" / "output" / "screenshots"
DESKTOP = {"width": 1440, "height": 1000}
PHONE = {"width": 390, "height": 844}
FIGURE = "districts?indicator=one_window_share&period=2024Q3"
QUESTION = "鄂城区低于市本级，请说明原因"
CORRECTED = "指标名称,地区,期间,数值,来源\n综合窗口可办事项占比(一窗通办),鄂城区,2024Q3,92.4%,鄂城区更正报表\n"


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


@pytest.fixture
def site(tmp_path):
    """A server of the test's own: each walk starts with no 督办 item."""
    _, store = warehouse_and_store(tmp_path, ("leader", "viewer", ()), ("ec_clerk", "editor", ("鄂城区",)),
                                   ("hr_clerk", "editor", ("华容区",)), ("lk_clerk", "editor", ("临空经济区",)),
                                   ("boss", "admin", ()))
    yield from serve({"METRICS_DB": str(tmp_path / "warehouse.duckdb"), "METRICS_ACCOUNTS": str(store),
                      "METRICS_VIEW_LOGIN": "required", "METRICS_LOGIN_DELAY_SECONDS": "0"})


@contextmanager
def signed_in(browser, url: str, username: str, path: str, viewport: dict):
    """A page signed in as username that asked for path first; closed after the block."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{url}/{path}")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.locator("[data-testid=stMain]").get_by_role("heading").first).to_be_visible(timeout=60_000)
        yield page
    finally:
        context.close()


def shot(page, name: str, around=None) -> None:
    """The viewport (Streamlit scrolls inside its main block, so a full-page shot shows no more), scrolled to
    around first."""
    if around is not None:
        around.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"supervision_{name}.png")


def no_exception(page) -> None:
    assert page.locator("[data-testid=stException]").count() == 0


def choose(page, form, label: str, option: str) -> None:
    """Pick option in the form's selectbox label. A click may land while the dropdown is being drawn and leave
    it shut (seen on a loaded machine), so the list is opened again until the option shows."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    box = form.locator("[data-testid=stSelectbox]").filter(has_text=label)
    choice = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):
        box.click()
        try:
            choice.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    choice.click()
    expect(form.get_by_role("combobox", name=label)).to_have_value(option)


def answer(page, text: str, attached: str | None = None) -> None:
    """On 督办, an item opened: the clerk's answer, with a file sent for review."""
    from playwright.sync_api import expect

    form = page.locator("[data-testid=stForm]").filter(has_text="提交答复")
    expect(form).to_be_visible(timeout=60_000)
    settled(page)
    form.get_by_label("答复").fill(text)
    if attached:
        choose(page, form, "附上更正文件", attached)
    form.get_by_role("button", name="提交答复").click()


def decide(page, action: str, remark: str) -> None:
    """On 督办, an item opened: the leader's 办结 or 退回."""
    from playwright.sync_api import expect

    form = page.locator("[data-testid=stForm]").filter(has_text="处理")
    expect(form).to_be_visible(timeout=60_000)
    settled(page)
    form.get_by_text(action, exact=True).click()
    form.get_by_label("意见（退回时必填）").fill(remark)
    form.get_by_role("button", name="确定").click()


def ask(page, unit: str, content: str) -> None:
    """On 区域对比: ask unit about its figure through the ask form."""
    from playwright.sync_api import expect

    form = page.locator("[data-testid=stForm]").filter(has_text="督办内容")
    expect(form).to_be_visible(timeout=60_000)
    settled(page)
    choose(page, form, "单位", unit)
    form.get_by_label("督办内容").fill(content)
    form.get_by_role("button", name="督办").click()


def test_the_whole_loop_at_desktop_width(site, browser, tmp_path):
    from playwright.sync_api import expect

    deadline = dt.date.today() + dt.timedelta(days=14)
    owed = f"综合窗口可办事项占比(一窗通办) · 鄂城区 · 2024年第三季度，时限 {deadline:%Y-%m-%d}"
    with signed_in(browser, site, "leader", FIGURE, DESKTOP) as leader:
        ask(leader, "鄂城区", QUESTION)
        expect(leader.get_by_text("已发起督办 #1，鄂城区的填报人员将在“提醒”中看到")).to_be_visible(timeout=60_000)
        settled(leader)
        beside = leader.locator("[data-testid=stVerticalBlock]").filter(has_text="督办 #1").last
        expect(beside.get_by_text(QUESTION)).to_be_visible()
        expect(beside.get_by_text("尚未答复")).to_be_visible()
        shot(leader, "desktop_1_asked", beside)
        no_exception(leader)

    # A clerk of another unit sees nothing of it, in 提醒, on 督办 or beside the figure, and cannot answer it.
    with signed_in(browser, site, "hr_clerk", "supervision?item=1", DESKTOP) as other:
        expect(other.get_by_text("没有督办 #1，或不在您的范围内（地区：华容区）")).to_be_visible(timeout=60_000)
        expect(other.get_by_text("暂无您所在单位的督办事项。")).to_be_visible()
        settled(other)
        assert other.get_by_text("督办 #1（").count() == 0
        assert other.get_by_label("答复").count() == 0
        other.goto(f"{site}/{FIGURE}")
        expect(other.get_by_role("heading", name="排名表 · 2024年第三季度")).to_be_visible(timeout=60_000)
        settled(other)
        assert other.get_by_text(QUESTION).count() == 0
        shot(other, "desktop_2_other_unit")

    with signed_in(browser, site, "ec_clerk", "", DESKTOP) as clerk:
        clerk.get_by_role("link", name=f"督办 #1（待答复）：{owed}").click()
        answer(clerk, "鄂城区12个事项尚在进驻中")
        expect(clerk.get_by_text("督办 #1 已答复")).to_be_visible(timeout=60_000)
        settled(clerk)
        shot(clerk, "desktop_3_answered")

    with signed_in(browser, site, "leader", FIGURE, DESKTOP) as leader:
        expect(leader.get_by_text(re.compile("ec_clerk 答复：鄂城区12个事项尚在进驻中$"))).to_be_visible(
            timeout=60_000)
        leader.get_by_role("link", name="查看往来并办结或退回").click()
        decide(leader, "退回", "请附上更正后的报表")
        expect(leader.get_by_text("督办 #1 已退回")).to_be_visible(timeout=60_000)

    with signed_in(browser, site, "ec_clerk", "data_admin", DESKTOP) as clerk:
        upload = tmp_path / "鄂城区更正.csv"
        upload.write_text(CORRECTED, encoding="utf-8")
        clerk.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(upload))
        expect(clerk.get_by_text("校验通过。请核对预览后提交审核。")).to_be_visible(timeout=60_000)
        clerk.get_by_role("button", name="提交审核").click()
        expect(clerk.get_by_text("已提交审核（报送 #1")).to_be_visible(timeout=60_000)
        settled(clerk)
        clerk.get_by_role("link", name=f"督办 #1（已退回）：{owed}").click()
        answer(clerk, "已更正为92.4%，附更正报表", "报送 #1“鄂城区更正.csv”（待审核）")
        expect(clerk.get_by_text("督办 #1 已答复")).to_be_visible(timeout=60_000)
        settled(clerk)
        shot(clerk, "desktop_4_answered_with_file")

    with signed_in(browser, site, "boss", "review", DESKTOP) as admin:
        admin.get_by_role("button", name="审核通过并发布").click()
        expect(admin.get_by_text("报送 #1 已通过并发布")).to_be_visible(timeout=60_000)

    with signed_in(browser, site, "leader", FIGURE, DESKTOP) as leader:
        beside = leader.locator("[data-testid=stVerticalBlock]").filter(has_text="督办 #1").last
        expect(beside.get_by_text(re.compile(
            "ec_clerk 答复：已更正为92.4%，附更正报表（附报送 #1“鄂城区更正.csv”，已通过）$"))).to_be_visible(
            timeout=60_000)
        expect(leader.get_by_text("92.4%").first).to_be_attached()
        settled(leader)
        shot(leader, "desktop_5_answer_beside_figure", beside)
        leader.get_by_role("link", name="查看往来并办结或退回").click()
        decide(leader, "办结", "")
        expect(leader.get_by_text("督办 #1 已办结")).to_be_visible(timeout=60_000)
        settled(leader)
        expect(leader.get_by_text(re.compile("leader 办结$"))).to_be_visible()
        shot(leader, "desktop_6_closed")
        no_exception(leader)


def test_ask_from_attention_answer_and_close_at_phone_width(site, browser):
    """On a phone: the leader asks from 总览's 需关注, the 临空经济区 clerk answers from 提醒, the leader closes
    the item from beside the figure."""
    from playwright.sync_api import expect

    finding = "临空经济区 综合窗口可办事项占比(一窗通办) 81.9%，低于市本级（100%）18.1个百分点"
    with signed_in(browser, site, "leader", "overview", PHONE) as leader:
        row = leader.locator("[data-testid=stHorizontalBlock]").filter(has_text=finding)
        expect(row).to_be_visible(timeout=60_000)
        row.get_by_role("button", name="督办").click()
        dialog = leader.get_by_role("dialog")
        form = dialog.locator("[data-testid=stForm]").filter(has_text="就临空经济区本季度的数值督办")
        expect(form).to_be_visible(timeout=60_000)
        form.get_by_label("督办内容").fill("临空经济区低于市本级18.1个百分点，请说明原因")
        shot(leader, "phone_1_ask_from_attention")
        form.get_by_role("button", name="督办").click()
        expect(leader.get_by_text("已发起督办 #1，临空经济区的填报人员将在“提醒”中看到")).to_be_visible(
            timeout=60_000)
        no_exception(leader)

    with signed_in(browser, site, "lk_clerk", "", PHONE) as clerk:
        clerk.locator("[data-testid=stExpandSidebarButton]").click()
        reminder = clerk.get_by_role("link", name=re.compile("^督办 #1（待答复）：综合窗口可办事项占比"))
        expect(reminder).to_be_visible(timeout=60_000)
        shot(clerk, "phone_2_reminder", reminder)
        reminder.click()
        answer(clerk, "临空经济区12个事项本月进驻")
        expect(clerk.get_by_text("督办 #1 已答复")).to_be_visible(timeout=60_000)
        settled(clerk)
        shot(clerk, "phone_3_answered")
        no_exception(clerk)

    with signed_in(browser, site, "leader", "", PHONE) as leader:
        leader.get_by_role("link", name=finding).click()
        expect(leader.get_by_text(re.compile("lk_clerk 答复：临空经济区12个事项本月进驻$"))).to_be_visible(
            timeout=60_000)
        settled(leader)
        link = leader.get_by_role("link", name="查看往来并办结或退回")
        shot(leader, "phone_4_answer_beside_figure", link)
        link.click()
        decide(leader, "办结", "")
        expect(leader.get_by_text("督办 #1 已办结")).to_be_visible(timeout=60_000)
        settled(leader)
        # The closed item is shown, and no empty table above it (the list shows 未办结 items by default).
        expect(leader.get_by_text("没有符合条件的督办事项。")).to_be_visible()
        expect(leader.locator("[data-testid=stDataFrame]")).to_have_count(0)
        shot(leader, "phone_5_closed")
        no_exception(leader)
