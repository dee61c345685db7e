"""数据管理 — upload a department's spreadsheet, check it, confirm, load; history and rollback;
the Excel template; the bureau's own targets (admins)."""

import hashlib

import pandas as pd
import streamlit as st

from metrics import changes, facts, ingest
from metrics.paths import resolve_db
from metrics.uploads import max_upload_mb
from metrics.warehouse import WarehouseError
from ui import auth, common

auth.ensure_routed()

account = auth.require("editor")
db = resolve_db()

st.title("数据管理")
st.caption(
    f"当前账户：{account.username}（可填报范围：{account.scope_text()}）。"
    "文件先完整校验、列出全部问题；确认后整批写入，要么全部成功，要么一行也不写。"
)

upload_tab, history_tab, template_tab, *target_tab = st.tabs(
    ["载入数据", "载入记录", "下载模板", *(["目标设置"] if account.can("admin") else [])]
)


def checked_upload(name: str, data: bytes) -> ingest.Validation:
    """Validation of this file against this warehouse version, kept for the session's reruns."""
    key = (hashlib.sha256(data).hexdigest(), common.current_version(), account)
    cached = st.session_state.get("upload_check")
    if cached and cached[0] == key:
        return cached[1]
    bar = st.progress(0.0, text="正在读取文件")
    parsed = ingest.read_upload(name, data)
    con = common.connection()
    validation = ingest.validate(con, parsed, progress=lambda done, text: bar.progress(done, text=text))
    validation = changes.within_scope(con, validation, account)
    bar.empty()
    st.session_state["upload_check"] = (key, validation)
    return validation


with upload_tab:
    uploaded = st.file_uploader(
        f"选择 CSV 或 Excel(.xlsx) 文件（不超过 {max_upload_mb():g} MB；UTF-8、GBK/GB18030 均可）",
        type=["csv", "xlsx"],
        key="upload_file",
    )
    if uploaded is None:
        common.empty_state("尚未选择文件。可先在“下载模板”中下载 Excel 模板，按模板填写后上传。")
    else:
        validation = checked_upload(uploaded.name, uploaded.getvalue())
        new_rows = len(validation.rows) - len(validation.conflicts) - validation.unchanged
        counts = st.columns(4)
        counts[0].metric("数据行", validation.rows_total)
        counts[1].metric("问题", len(validation.errors))
        counts[2].metric("与已有数据不同", len(validation.conflicts))
        counts[3].metric("新增 / 不变", f"{new_rows} / {validation.unchanged}")

        if not validation.ok:
            st.error(f"文件有 {len(validation.errors)} 处问题，未载入。请按下表逐行修改后重新上传。",
                     icon=":material/error:")
            st.dataframe(validation.errors, hide_index=True, width="stretch")
            common.csv_download(validation.errors, "校验问题.csv", "下载问题清单")
        else:
            st.success("校验通过。请核对预览后确认载入。", icon=":material/task_alt:")
            st.markdown("**预览（前200行）**")
            st.dataframe(validation.rows.head(200), hide_index=True, width="stretch")
            for frame, label in ((validation.regions, "新增地区"), (validation.indicators, "新增指标")):
                if len(frame):
                    st.markdown(f"**{label}（{len(frame)}）**")
                    st.dataframe(frame, hide_index=True, width="stretch")
            replace = False
            if len(validation.conflicts):
                st.warning(f"有 {len(validation.conflicts)} 行会覆盖已有数值，请逐行核对。",
                           icon=":material/warning:")
                st.dataframe(validation.conflicts, hide_index=True, width="stretch")
                replace = st.checkbox(f"我已核对，确认覆盖这 {len(validation.conflicts)} 行", key="upload_replace")
            if st.button("确认载入", type="primary", icon=":material/upload:",
                         disabled=bool(len(validation.conflicts)) and not replace):
                bar = st.progress(0.0, text="开始载入")
                try:
                    result = changes.load(db, validation, account, replace=replace,
                                          progress=lambda done, text: bar.progress(done, text=text))
                except WarehouseError as error:
                    bar.empty()
                    st.error(str(error), icon=":material/error:")
                else:
                    common.clear_caches()
                    st.session_state.pop("upload_check", None)
                    st.success(f"已载入（第 {result.load_id} 次载入）：{result.note}", icon=":material/task_alt:")

with history_tab:
    loads = common.data(ingest.history)
    st.dataframe(loads.iloc[::-1], hide_index=True, width="stretch")
    common.csv_download(loads, "载入记录.csv")
    if account.can("admin"):
        st.markdown("**撤销一次载入**：恢复到该次载入之前的状态，撤销本身也会记录。")
        choices = loads["编号"].tolist()[::-1]
        load_id = st.selectbox("载入编号", choices, key="rollback_load")
        if st.button("撤销所选载入", icon=":material/undo:") and load_id is not None:
            try:
                result = changes.rollback(db, int(load_id), account)
            except WarehouseError as error:
                st.error(str(error), icon=":material/error:")
            else:
                common.clear_caches()
                st.success(f"已撤销载入 #{load_id}（记录为第 {result.load_id} 次载入）：{result.note}")
    else:
        st.caption("撤销载入需要管理员权限。")

with template_tab:
    st.markdown("模板含填写说明、观测值工作表（指标与地区为下拉选择）以及地区、指标参考数据工作表。")
    st.download_button(
        "下载 Excel 模板",
        data=common.data(ingest.template_bytes),
        file_name="政务服务指标_载入模板.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
    )

if target_tab:
    with target_tab[0]:
        st.markdown("设置本局自定年度目标（依据：本局）。季度按“时间过半、任务过半”自动生成节点。")
        catalog = common.data(facts.trend_indicators)
        regions = common.data(facts.regions)
        with st.form("set_target"):
            indicator_id = st.selectbox("指标", catalog["indicator_id"].tolist(), key="target_indicator",
                                        format_func=dict(zip(catalog["indicator_id"], catalog["name"],
                                                             strict=True)).get)
            region_id = st.selectbox("地区", [None, *regions["region_id"]], key="target_region",
                                     format_func=lambda r: "全部地区" if r is None else
                                     dict(zip(regions["region_id"], regions["name"], strict=True))[r])
            year = st.number_input("年度", min_value=2020, max_value=2100, value=pd.Timestamp.now().year,
                                   key="target_year")
            comparator = st.selectbox("比较", [">=", ">", "<=", "<"], key="target_comparator")
            value = st.number_input("目标值", value=0.0, format="%.2f", key="target_value")
            if st.form_submit_button("保存目标", type="primary"):
                try:
                    load_id = changes.set_target(db, account, indicator_id, region_id, int(year), float(value),
                                                 comparator)
                except WarehouseError as error:
                    st.error(str(error))
                else:
                    common.clear_caches()
                    st.success(f"已保存（第 {load_id} 次载入）")
