"""我的账户 — change one's password (required after a one-time password) and sign out."""

import html

import streamlit as st

from metrics import accounts
from ui import auth

auth.ensure_routed()

account = auth.require("viewer")
st.title("我的账户")
st.markdown(
    f"用户名：**{account.name}** · 角色：**{accounts.ROLE_NAMES[account.role]}** · "
    f"可填报范围：{account.scope_text()}"
)
if account.username.startswith(accounts.OIDC_PREFIX):
    st.caption("此账户由统一身份认证登录，密码在身份认证系统中管理。")
else:
    if account.must_change_password:
        st.warning("您正在使用一次性密码，请先设置新密码。", icon=":material/key:")
    with st.form("change_password", clear_on_submit=True):
        current = st.text_input("当前密码", type="password")
        new = st.text_input(f"新密码（至少{accounts.MIN_PASSWORD_LENGTH}个字符，不能与当前密码相同）",
                            type="password")
        repeat = st.text_input("再次输入新密码", type="password")
        submitted = st.form_submit_button("修改密码", type="primary")
    if submitted:
        if new != repeat:
            st.error("两次输入的新密码不一致。")
        else:
            try:
                accounts.change_own_password(auth.store_path(), account.username, current, new,
                                             client_address=st.context.ip_address or "")
            except accounts.LoginRefused as refused:
                st.error(f"当前密码不正确：{refused.message}")
            except accounts.AccountError as error:
                st.error(str(error))
            else:
                # The change ended every session of the account, this one too: the rerun goes to sign in.
                st.rerun()

st.divider()
session = auth.current_session()
st.html(
    '<form method="post" action="/auth/logout">'
    f'<input type="hidden" name="csrf_token" value="{html.escape(session.csrf_token)}">'
    '<button type="submit" style="font: inherit; padding: .35rem .8rem; border: 1px solid #cfd3dc; '
    'border-radius: .5rem; background: #fff; color: #1f2430; cursor: pointer">退出登录</button></form>'
)
