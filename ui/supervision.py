"""督办 beside the figures of a page: the items asked on an indicator in a quarter, with their answers and a
link to their thread, and the one form (text + 时限) a leader or admin asks a unit with (ask_form)."""

import datetime as dt

import streamlit as st

from metrics import changes, facts, supervision
from metrics.formatting import inert
from metrics.paths import resolve_db
from ui import auth, common, navigation

DEFAULT_DAYS = 14


def item_heading(row) -> str:
    return (f"**督办 #{row.item_id}** · {common.plain(row.region_name)} · {supervision.status_text(row)} · "
            f"时限 {row.deadline:%Y-%m-%d} · 督办人 {common.plain(row.author)}")


def beside_figures(indicator_id: str, quarter_index: int, units: list[str]) -> None:
    """The items on this indicator and quarter the signed-in account may read, each with a link to its thread
    (to answer, or to close or send it back), and for a leader or admin the form to ask one of the units."""
    session = auth.current_session()  # app.py looked it up at the start of this run
    if session is None:
        return
    account = session.account
    asked = supervision.on_figure(common.data(supervision.items, account, dt.date.today()), indicator_id,
                                  quarter_index)
    if asked.empty and not (supervision.may_open(account) and units):
        return
    st.subheader("督办")
    act = "答复" if account.role == "editor" else "办结或退回"
    for row in asked.itertuples():
        with st.container(border=True):
            st.markdown(item_heading(row))
            st.text(row.content)
            steps = common.data(supervision.thread, account, row.item_id)
            for step in steps.itertuples():
                st.text(supervision.step_text(step))
            if steps.empty:
                st.text("尚未答复")
            if row.status != supervision.ItemStatus.CLOSED:
                st.page_link(navigation.SUPERVISION.file, label=f"查看往来并{act}", icon=":material/forum:",
                             query_params={"item": str(row.item_id)})
    ask_form(indicator_id, units, quarter_index)


def ask_form(indicator_id: str, units: list[str], quarter_index: int) -> None:
    """The form a leader or admin asks a unit about its figure with (text + 时限); nothing for anyone else.
    units are region ids: with one, the form names it; with several, the leader picks which one is asked.
    Every page that offers 督办 on a figure calls this (区域对比, 总览's 需关注)."""
    session = auth.current_session()
    if session is None or not units or not supervision.may_open(session.account):
        return
    account = session.account
    regions = common.data(facts.regions)
    names = dict(zip(regions["region_id"], regions["name"], strict=True))
    today = dt.date.today()
    with st.form(f"supervise_{indicator_id}_{quarter_index}_{'_'.join(units)}", clear_on_submit=True):
        if len(units) == 1:
            [region_id] = units
            st.markdown(f"**就{common.plain(names[region_id])}本季度的数值督办**")
        else:
            st.markdown("**就本季度的数值督办**")
            region_id = st.selectbox("单位", units, format_func=lambda key: inert(names[key]))
        content = st.text_area("督办内容", max_chars=supervision.MAX_TEXT_CHARACTERS)
        deadline = st.date_input("时限", value=today + dt.timedelta(days=DEFAULT_DAYS), min_value=today,
                                 format="YYYY-MM-DD")
        if st.form_submit_button("督办", type="primary", icon=":material/assignment_late:"):
            changed = common.make_change(lambda: changes.open_supervision(
                resolve_db(), account, indicator_id=indicator_id, region_id=region_id, quarter_index=quarter_index,
                content=content, deadline=deadline))
            if changed:
                common.clear_caches()
                auth.flash(f"已发起督办 #{changed.result}，{common.plain(names[region_id])}的填报人员将在“提醒”中看到")
                st.rerun()


def ask_button(indicator_id: str, region_id: str, quarter_index: int, about: str, key: str) -> None:
    """A small 督办 button (widget key: key, unique on the page; one figure may be found twice, below target and
    worse) that opens ask_form for one unit's figure in a dialog headed by about (the sentence the leader
    read), for a leader or admin. A dialog and not a popover: on a phone a popover low on the screen puts its
    form's button out of reach."""
    session = auth.current_session()
    if session is None or not supervision.may_open(session.account):
        return
    if st.button("督办", icon=":material/assignment_late:", type="tertiary", key=key):
        _ask_dialog(indicator_id, region_id, quarter_index, about)


@st.dialog("督办", width="medium")
def _ask_dialog(indicator_id: str, region_id: str, quarter_index: int, about: str) -> None:
    st.text(about)
    ask_form(indicator_id, [region_id], quarter_index)
