"""政务服务指标看板 — entry point: page config, navigation per role, shared filters, data status."""

import streamlit as st

from metrics import accounts, facts, periods
from metrics.formatting import FILE_KINDS, actor_text, change_name, sources_summary
from metrics.store import WarehouseError
from ui import auth, common, inbox, reminders, telemetry
from ui import navigation as ui_navigation

st.set_page_config(
    page_title="政务服务指标看板 · 鄂州市数据局",
    page_icon=":material/analytics:",
    layout="wide",
    initial_sidebar_state="auto",  # open on a desktop, closed on a phone
)

# The sidebar filters each page reads (through ui.common.filters); the others do not show them.
PAGE_FILTERS = {
    "总览": {"period", "category", "region"},
    "驾驶舱": {"period"},
    "区域对比": {"period", "region"},
    "趋势": {"period", "category", "region"},
    "报送情况": {"period", "region"},
    "指标口径": {"category"},
}


auth.mark_routed()
account = auth.current_account()
# Every page listed: an admin has 13, past which Streamlit would hide some behind an English "View more".
navigation = st.navigation(ui_navigation.streamlit_pages(account, not auth.view_requires_login()), expanded=True)
auth.resume_routed(account)
auth.show_flash()

try:
    common.pin_version()
except WarehouseError as error:
    st.error(common.without_server_paths(f"数据仓库不可用：{error}"), icon=":material/error:")
    st.stop()

st.html(common.PAGE_CSS)
common.close_sidebar_on_narrow_screens(navigation.title)
with common.warehouse_failures():
    with st.sidebar:
        st.markdown("### 鄂州市数据局\n**政务服务指标看板**")
        if account:
            st.caption(f"当前用户：{common.plain(account.name)}（{accounts.ROLE_NAMES[account.role]}）")
            inbox.sidebar_badge(account)
        if account or not auth.view_requires_login():
            shown = PAGE_FILTERS.get(navigation.title, set())
            quarters = common.data(periods.reporting_quarters)
            labels = dict(zip(quarters["quarter_id"], quarters["quarter_label"], strict=True))
            if labels and "period" in shown:
                common.url_widget(st.selectbox, "报告期", list(labels), key="filter_period", param="period",
                                  format_func=labels.get, help=periods.TIME_RULE,
                                  name_of_missing=periods.link_label)
            if "category" in shown:
                categories = [common.ALL, *common.data(facts.categories)]
                common.url_widget(st.selectbox, "指标类别", categories, key="filter_category", param="category")
            if "region" in shown:
                regions = common.data(facts.regions)
                region_names = dict(zip(regions["region_id"], regions["name"], strict=True))
                common.url_widget(st.selectbox, "地区", [common.ALL, *regions["region_id"]], key="filter_region",
                                  param="region", format_func=lambda region_id: region_names.get(region_id, region_id))
            reminders.panel(account)
            status = common.data(facts.data_status)
            st.divider()
            st.caption(periods.completeness(quarters).text())
            what = change_name(status["kind"])
            if status["kind"] in FILE_KINDS:
                what += f"“{common.plain(status['file_name'])}”"
            st.caption(
                f"共 {status['count_observations']:,} 条观测值 · 最近变更：{what}"
                f"（第 {status['load_id']} 次变更，{common.plain(actor_text(status['user_name']))}，"
                f"{status['loaded_at']:%Y-%m-%d %H:%M}）  \n"
                + common.plain(sources_summary(status["count_observations"], status["count_notice_observations"],
                                               status["documents"]))
            )

    common.freeze_startup_objects()
    common.show_link_notices()
    with telemetry.page_run(navigation.title):
        navigation.run()
