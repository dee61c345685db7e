"""A checked upload on a page, as 数据管理 and 通报导入 show it: every problem, or a preview with the rows it
would change; then an admin's 确认载入 (one load) or a clerk's 提交审核, and the same message after either."""

import hashlib
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from metrics import changes, ingest
from metrics.accounts import Account
from metrics.ingest.validation import preview
from ui import common, warming

# The sheet of the template (metrics.ingest.files.KIND_LABELS) whose rows each table of the preview shows.
SHEETS = {"观测值": "观测值", "修改": "观测值", "新增地区": "地区", "新增指标": "指标"}


def checked(file_name: str, data: bytes, account: Account, session_key: str) -> ingest.Validation:
    """An upload read, validated against this warehouse version and limited to the account's scope, kept in
    the session under session_key for the page's reruns."""
    key = (hashlib.sha256(data).hexdigest(), common.current_version(), account)
    cached = st.session_state.get(session_key)
    if cached and cached[0] == key:
        return cached[1]
    bar = st.progress(0.0, text="正在读取文件")
    parsed = ingest.read_upload(file_name, data)
    con = common.connection()
    validation = ingest.validate(con, parsed, progress=lambda done, text: bar.progress(done, text=text))
    validation = changes.within_scope(con, validation, account)
    bar.empty()
    st.session_state[session_key] = (key, validation)
    return validation


def finish(message_key: str, message) -> None:
    """After a change: every session reads the new version, this one from a fresh run (the sidebar's 最近变更
    included) that shows the message once, while the default views are warmed beside it."""
    common.clear_caches()
    warming.wake()
    st.session_state[message_key] = message
    st.rerun()


def review_and_apply(validation: ingest.Validation, *, db: Path, account: Account, content: bytes, what: str,
                     refusal: str, replace_key: str, done: Callable[[str, pd.DataFrame], None],
                     numbered: Callable[[pd.DataFrame, str | None], pd.DataFrame] = lambda frame, sheet: frame) -> None:
    """The checked upload: refusal (one line) over its problems; or the preview and the button that loads it
    (admins) or submits it for review (editors). what names the upload in messages (文件“q1.csv”); done(message,
    rows) follows a success. numbered(table, sheet) shows the problems (sheet None) and a sheet's preview rows by
    the page's own row numbers (a notice's 序号); a file keeps its own."""
    counts = st.columns(4)
    counts[0].metric("数据行", validation.rows_total)
    counts[1].metric("问题", len(validation.errors))
    if not validation.ok:
        counts[2].metric("结果", "未载入")
        st.error(refusal, icon=":material/error:")
        problems = numbered(ingest.problem_table(validation.errors), None)
        common.table(problems)
        common.csv_download(problems, "校验问题.csv", "下载问题清单")
        return
    new_rows = len(validation.rows) - len(validation.conflicts) - validation.unchanged
    counts[2].metric("与已有数据不同", len(validation.conflicts))
    counts[3].metric("新增 / 不变", f"{new_rows} / {validation.unchanged}")
    shown = {label: numbered(frame, SHEETS[label]) for label, frame in preview(common.connection(), validation).items()}
    st.success("校验通过。请核对预览后" + ("确认载入。" if account.can("admin") else "提交审核。"),
               icon=":material/task_alt:")
    st.markdown("**预览（前200行）**")
    common.table(shown["观测值"].head(200))
    for label in ("新增地区", "新增指标"):
        if len(shown[label]):
            st.markdown(f"**{label}（{len(shown[label])}）**")
            common.table(shown[label])
    replace = False
    if len(validation.conflicts):
        st.warning(f"有 {len(validation.conflicts)} 行会覆盖已有数值，请逐行核对。", icon=":material/warning:")
        common.table(shown["修改"])
        replace = st.checkbox(f"我已核对，确认覆盖这 {len(validation.conflicts)} 行", key=replace_key)
    blocked = bool(len(validation.conflicts)) and not replace
    if not account.can("admin"):
        # A clerk's upload waits for an admin's review before any leader sees it.
        if st.button("提交审核", type="primary", icon=":material/send:", disabled=blocked):
            if submitted := common.make_change(lambda: changes.submit(db, validation, content, account)):
                done(f"已提交审核（报送 #{submitted.result}，{what}）：管理员审核通过后，各页面才会显示这些数值；"
                     "可在“审核”页查看结果或撤回。提交的数据如下：", shown["观测值"])
    elif st.button("确认载入", type="primary", icon=":material/upload:", disabled=blocked):
        bar = st.progress(0.0, text="开始载入")
        loaded = common.make_change(
            lambda: changes.load(db, validation, account, replace=replace,
                                 progress=lambda fraction, text: bar.progress(fraction, text=text)))
        bar.empty()
        if loaded:
            result = loaded.result
            done(f"已载入{what}（第 {result.load_id} 次变更）：{result.note}。载入的数据如下：", shown["观测值"])
