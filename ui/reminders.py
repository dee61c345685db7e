"""The 提醒 panel: what the signed-in user should act on this quarter, at the top of the sidebar."""

import datetime as dt

import streamlit as st

from metrics import accounts, reporting, supervision
from ui import common


def panel(account: accounts.Account | None) -> None:
    """督办 items the account's units owe an answer to, reports due or overdue in the account's regions,
    reviews waiting (admins), overdue 整改 items and missed targets; nothing for a viewer, who acts on none of them."""
    chosen = common.filters()
    if account is None or not account.can("editor") or chosen.quarter_index is None:
        return
    regions = () if account.can("admin") else account.scope_regions
    today = dt.date.today()
    lines = [*common.data(supervision.reminder_lines, account, today),
             *common.data(reporting.reminders, chosen.quarter_index, today, regions, account.can("admin"))]
    with st.expander(f"提醒（{len(lines)}）", icon=":material/notifications:", expanded=bool(lines)):
        if not lines:
            st.caption("本期没有需要您处理的事项。")
        for line in lines[:20]:
            st.caption(common.plain(line))
        if len(lines) > 20:
            st.caption(f"……另有 {len(lines) - 20} 项，见“督办”“报送情况”和“整改台账”页面。")
