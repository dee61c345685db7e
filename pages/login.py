"""登录 — sign in with a bureau account, or through the identity server when one is configured."""

import time

import streamlit as st

from metrics import accounts
from ui import auth

auth.ensure_routed()

st.title("登录")
st.caption("鄂州市数据局 · 政务服务指标看板")

if st.session_state.pop("expired", False):
    st.warning("长时间未操作，已自动退出，请重新登录。", icon=":material/timer_off:")

if auth.oidc_configured():
    if st.user.is_logged_in:
        claims = st.user.to_dict()
        username = str(claims.get("preferred_username") or claims.get("email") or claims.get("sub"))
        auth.sign_in(accounts.Account(username, auth.role_from_claims(claims)))
        st.rerun()
    st.button("使用统一身份认证登录", on_click=st.login, icon=":material/badge:")
    st.divider()

with st.form("login", border=True):
    username = st.text_input("用户名", key="login_username")
    password = st.text_input("密码", type="password", key="login_password")
    submitted = st.form_submit_button("登录", type="primary", icon=":material/login:")

if submitted:
    try:
        account = accounts.authenticate(auth.store_path(), username.strip(), password)
    except accounts.LoginRefused as refused:
        time.sleep(accounts.login_delay(refused.failed_attempts, auth.login_delay_base()))
        st.error(refused.message, icon=":material/lock:")
    else:
        auth.sign_in(account)
        st.rerun()

if not accounts.list_users(auth.store_path()).shape[0]:
    st.info("尚未创建任何账户。请在服务器上运行 `python -m metrics ensure`，"
            "它会生成管理员 admin 的一次性密码。")
