"""The 提醒 panel: what the signed-in user should act on this quarter, at the top of the sidebar."""

import datetime as dt

import streamlit as st

from metrics import accounts, reporting, supervision
from ui import common, navigation

SHOWN = 20


def panel(account: accounts.Account | None) -> None:
    """督办 items the account's units owe an answer to, reports due or overdue in the account's regions,
    reviews waiting (admins), overdue 整改 items and missed targets; nothing for a viewer, who acts on none of them."""
    chosen = common.filters()
    if account is None or not account.can("editor") or chosen.quarter_index is None:
        return
    regions = () if account.can("admin") else account.scope_regions
    today = dt.date.today()
    # 督办 items first, each a link to its thread (a leader is waiting on them); then the quarter's reports.
    asked = common.data(supervision.owed, account, today)
    lines = common.data(reporting.reminders, chosen.quarter_index, today, regions, account.can("admin"))
    count = len(asked) + len(lines)
    with st.expander(f"提醒（{count}）", icon=":material/notifications:", expanded=bool(count)):
        if not count:
            st.caption("本期没有需要您处理的事项。")
        for row in asked.head(SHOWN).itertuples():
            st.page_link(navigation.SUPERVISION.file, label=common.plain(supervision.reminder_text(row)),
                         icon=navigation.SUPERVISION.icon, query_params={"item": str(row.item_id)})
        for line in lines[:max(SHOWN - len(asked), 0)]:
            st.caption(common.plain(line))
        if count > SHOWN:
            st.caption(f"……另有 {count - SHOWN} 项，见“督办”“报送情况”和“整改台账”页面。")
