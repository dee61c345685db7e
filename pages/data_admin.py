"""数据管理 — placeholder until the loader lands."""

import streamlit as st

from pages import auth

auth.require("editor")
st.title("数据管理")
