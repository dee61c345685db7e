"""登录 — for a visitor viewing without signing in: the way to the server's sign-in page."""

import streamlit as st

from ui import auth

auth.ensure_routed()

st.title("登录")
st.caption("鄂州市数据局 · 政务服务指标看板")
st.write("登录后可按账户权限填报数据、管理账户。登录页由看板服务器提供"
         "（`make run` 或 `streamlit run server.py` 启动）。")
st.html('<a href="/auth/login">前往登录页</a>')
