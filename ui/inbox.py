"""Alerts in the app: the inbox with its unread badge in the sidebar, the subscriptions on 我的账户, and the
deliveries that failed, for the admin. `python -m metrics notify` fills them (metrics.notify)."""

import pandas as pd
import streamlit as st

from metrics import accounts, facts, notify
from metrics.formatting import inert
from ui import auth, common

SHOWN_MESSAGES = 10


def sidebar_badge(account: accounts.Account | None) -> None:
    """消息（n 条未读）: the newest messages, and marking them read."""
    if account is None:
        return
    try:
        messages = notify.inbox(auth.store_path(), account.username)
    except accounts.AccountError:
        return  # the store is busy: the sign-in check of this run has said so if it matters
    if messages.empty:
        return
    unread = int(messages["read_at"].isna().sum())
    with st.expander(f"消息（{unread} 条未读）" if unread else "消息", icon=":material/mail:", expanded=bool(unread)):
        for row in messages.head(SHOWN_MESSAGES).itertuples():
            new = "" if pd.notna(row.read_at) else "【新】"
            st.caption(f"{new}{row.created_at:%m-%d %H:%M} **{common.plain(row.title)}**  \n{common.plain(row.body)}"
                       f"  \n见 {common.plain(row.link)}")
        if unread and st.button("全部标为已读", key="inbox_mark_read"):
            notify.mark_read(auth.store_path(), account.username)
            st.rerun()


def subscriptions_form(account: accounts.Account) -> None:
    """The account's subscriptions: which channels each goes to, and for units' figures which indicators and units."""
    store = auth.store_path()
    mine = {s.kind: s for s in notify.subscriptions(store) if s.username == account.username}
    indicators = common.data(facts.comparable_indicators)
    indicator_names = dict(zip(indicators["indicator_id"], indicators["name"], strict=True))
    regions = common.data(facts.regions)
    region_names = dict(zip(regions["region_id"], regions["name"], strict=True))
    st.subheader("提醒订阅")
    st.caption("由服务器定时发送，每个条件（每季度、每次答复）只发一次；站内消息显示在左侧栏。")
    with st.form("notify_subscriptions"):
        chosen = {}
        for kind, title in notify.KINDS.items():
            current = mine.get(kind, notify.Subscription(account.username, kind, channels=()))
            st.markdown(f"**{title}**")
            channels = st.multiselect("发送方式", list(notify.CHANNELS), default=list(current.channels),
                                      format_func=notify.CHANNELS.get, key=f"notify_{kind}_channels",
                                      placeholder="不订阅")
            watched = {}
            if kind in notify.FIGURE_KINDS:
                left, right = st.columns(2)
                watched["indicator_ids"] = tuple(left.multiselect(
                    "指标（不选即全部）", list(indicator_names),
                    default=[i for i in current.indicator_ids if i in indicator_names],
                    format_func=lambda key: inert(indicator_names[key]), key=f"notify_{kind}_indicators",
                    placeholder="全部指标"))
                watched["region_ids"] = tuple(right.multiselect(
                    "单位（不选即全部）", list(region_names),
                    default=[r for r in current.region_ids if r in region_names],
                    format_func=lambda key: inert(region_names[key]), key=f"notify_{kind}_regions",
                    placeholder="全部单位"))
            if kind == "fell":
                watched["points"] = st.number_input("变差超过（比率为百分点，其他为指标自身单位）", min_value=0.0,
                                                    value=current.points or 5.0, step=1.0, key="notify_fell_points")
            chosen[kind] = (tuple(channels), watched)
        address = st.text_input("邮箱（选择“邮件”时必填）", value=next((s.email for s in mine.values() if s.email), ""),
                                max_chars=254)
        if st.form_submit_button("保存订阅", type="primary"):
            try:
                for kind, (channels, watched) in chosen.items():
                    wanted = notify.Subscription(account.username, kind, channels=channels, email=address or None,
                                                 **watched)
                    if (channels or kind in mine) and wanted != mine.get(kind):   # only what changed is recorded
                        notify.subscribe(store, wanted)
            except (notify.NotifyError, accounts.AccountError) as error:
                common.show_error(error)
            else:
                auth.flash("提醒订阅已保存")
                st.rerun()


def failed_deliveries() -> None:
    """For the admin: the alerts not yet delivered, each with its last failure in one line, and the channels
    as configured (the SMTP password only as 已设置)."""
    try:
        config = notify.settings()
        waiting = notify.undelivered(auth.store_path())
    except (notify.NotifyError, accounts.AccountError) as error:
        common.show_error(error)
        return
    failed = waiting[waiting["last_error"].notna()]
    st.caption(f"提醒发送：群机器人{'已配置' if config.webhook_url else '未配置'}；"
               f"邮件服务器{common.plain(str(config.smtp)) if config.smtp else '未配置'}。")
    if failed.empty:
        return
    st.warning(f"{len(failed)} 条提醒未能发送，已保留，将在此后的定时发送中按间隔重试。",
               icon=":material/report:")
    common.table(pd.DataFrame({
        "收件账户": failed["username"],
        "方式": failed["channel"].map(notify.CHANNELS),
        "标题": failed["title"],
        "失败次数": failed["attempts"],
        "下次重试": pd.to_datetime(failed["next_attempt_at"]).dt.strftime("%Y-%m-%d %H:%M"),
        "原因": failed["last_error"],
    }))
