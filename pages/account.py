"""我的账户 — change one's password (required after a one-time password) and sign out."""

import streamlit as st

from metrics import accounts
from ui import auth

auth.ensure_routed()

account = auth.require("viewer")
st.title("我的账户")
st.markdown(
    f"用户名：**{account.username}** · 角色：**{accounts.ROLE_NAMES[account.role]}** · "
    f"可填报范围：{account.scope_text()}"
)
if account.must_change_password:
    st.warning("您正在使用一次性密码，请先设置新密码。", icon=":material/key:")

with st.form("change_password", clear_on_submit=True):
    current = st.text_input("当前密码", type="password")
    new = st.text_input(f"新密码（至少{accounts.MIN_PASSWORD_LENGTH}个字符）", type="password")
    repeat = st.text_input("再次输入新密码", type="password")
    submitted = st.form_submit_button("修改密码", type="primary")

if submitted:
    if new != repeat:
        st.error("两次输入的新密码不一致。")
    else:
        try:
            accounts.authenticate(auth.store_path(), account.username, current)
            accounts.set_password(auth.store_path(), account.username, new, actor=account.username)
        except accounts.LoginRefused as refused:
            st.error(f"当前密码不正确：{refused.message}")
        except accounts.AccountError as error:
            st.error(str(error))
        else:
            auth.sign_in(accounts.authorise(auth.store_path(), account.username, "viewer"))
            auth.flash("密码已修改。")
            st.rerun()

st.divider()
if st.button("退出登录", icon=":material/logout:"):
    auth.sign_out()
    st.rerun()
