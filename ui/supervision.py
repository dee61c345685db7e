"""督办 beside the figures of a page: the items asked on an indicator in a quarter, with their answers, and
the small form (text + 时限) a leader or admin asks a unit with."""

import datetime as dt

import streamlit as st

from metrics import changes, supervision
from metrics.formatting import inert
from metrics.paths import resolve_db
from ui import auth, common

DEFAULT_DAYS = 14


def item_heading(row) -> str:
    return (f"**督办 #{row.item_id}** · {common.plain(row.region_name)} · {supervision.status_text(row)} · "
            f"时限 {row.deadline:%Y-%m-%d} · 督办人 {common.plain(row.author)}")


def beside_figures(indicator_id: str, quarter_index: int, units: dict[str, str]) -> None:
    """The items on this indicator and quarter the signed-in account may read, and, for a leader or admin, a
    form to ask one of the units (region id → name) about its figure."""
    session = auth.current_session()  # app.py looked it up at the start of this run
    if session is None:
        return
    account = session.account
    today = dt.date.today()
    asked = supervision.on_figure(common.data(supervision.items, account, today), indicator_id, quarter_index)
    may_ask = supervision.may_open(account) and bool(units)
    if asked.empty and not may_ask:
        return
    st.subheader("督办")
    for row in asked.itertuples():
        with st.container(border=True):
            st.markdown(item_heading(row))
            st.text(row.content)
            st.text(f"答复：{row.answers}" if row.answers else "尚未答复")
    if not may_ask:
        return
    with st.form(f"supervise_{indicator_id}_{quarter_index}", clear_on_submit=True):
        st.markdown("**就本季度的数值督办**")
        region_id = st.selectbox("单位", list(units), format_func=lambda key: inert(units[key]))
        content = st.text_area("督办内容", max_chars=supervision.MAX_TEXT_CHARACTERS)
        deadline = st.date_input("时限", value=today + dt.timedelta(days=DEFAULT_DAYS), min_value=today,
                                 format="YYYY-MM-DD")
        if st.form_submit_button("督办", type="primary", icon=":material/assignment_late:"):
            changed = common.make_change(lambda: changes.open_supervision(
                resolve_db(), account, indicator_id=indicator_id, region_id=region_id, quarter_index=quarter_index,
                content=content, deadline=deadline))
            if changed:
                common.clear_caches()
                auth.flash(f"已发起督办 #{changed.result}，{common.plain(units[region_id])}的填报人员将在“提醒”中看到")
                st.rerun()
