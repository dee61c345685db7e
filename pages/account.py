"""我的账户 — change one's password (required after a one-time password) and sign out."""

import html

import streamlit as st

from metrics import accounts
from ui import auth, common, inbox, web

auth.ensure_routed()

BUTTON_STYLE = ("font: inherit; display: inline-block; padding: .35rem .8rem; border: 1px solid #cfd3dc; "
                "border-radius: .5rem; background: #fff; color: #1f2430; cursor: pointer; text-decoration: none")

account = auth.require("viewer")
st.title("我的账户")
st.markdown(
    f"用户名：**{common.plain(account.name)}** · 角色：**{accounts.ROLE_NAMES[account.role]}** · "
    f"可填报范围：{account.scope_text()}"
)
st.caption(f"{accounts.ROLE_NAMES[account.role]}账户：{accounts.ROLE_DUTIES[account.role]}。")
if account.username.startswith(accounts.OIDC_PREFIX):
    st.caption("此账户由统一身份认证登录，密码在身份认证系统中管理。")
else:
    if account.must_change_password:
        st.warning("您正在使用一次性密码，请先设置新密码。", icon=":material/key:")
    # The change happens on the server's own page (ui/web.py): it ends every session of the account and gives
    # this browser a new one, which only an HTTP response can set.
    st.html(f'<a href="{web.PASSWORD_PATH}" style="{BUTTON_STYLE}">修改密码</a>')

if not account.must_change_password:
    inbox.subscriptions_form(account)

st.divider()
session = auth.current_session()
st.html(
    '<form method="post" action="/auth/logout">'
    f'<input type="hidden" name="csrf_token" value="{html.escape(session.csrf_token)}">'
    f'<button type="submit" style="{BUTTON_STYLE}">退出登录</button></form>'
)
