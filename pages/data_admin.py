"""数据管理 — upload a department's spreadsheet, check it, confirm, load; history and rollback;
the Excel template; the bureau's own targets (admins)."""

import datetime as dt

import pandas as pd
import streamlit as st

from metrics import changes, facts, ingest, reporting, supervision
from metrics.formatting import COMPARATOR_TEXT, actor_text, change_name, inert
from metrics.ingest.files import max_upload_mb
from metrics.paths import resolve_db
from ui import auth, common, loading

auth.ensure_routed()

account = auth.require("editor")
db = resolve_db()

st.title("数据管理")
common.show_pending()
st.caption(
    f"当前账户：{common.plain(account.username)}（可填报范围：{account.scope_text()}）。"
    "文件先完整校验、列出全部问题；确认后整批写入，要么全部成功，要么一行也不写。"
)

TABS = {"upload": "载入数据", "history": "变更记录", "template": "下载模板"}
tab = common.tab_bar({**TABS, **({"target": "目标设置"} if account.can("admin") else {})}, key="admin_tab",
                     param="tab")


def uploader_key() -> str:
    """A new key after every load, so that the loaded file leaves the uploader."""
    return f"upload_file_{st.session_state.get('upload_generation', 0)}"


if tab == "upload":
    if not account.can("admin"):
        chosen = common.filters()
        today = dt.date.today()
        # 督办 items the clerk's units owe an answer to come first: a leader is waiting on them.
        owed = common.data(supervision.reminder_lines, account, today)
        if chosen.quarter_index is not None:
            owed = owed + common.data(reporting.reminders, chosen.quarter_index, today, account.scope_regions, False)
        if owed:
            st.warning(f"**{chosen.quarter_label}您的范围内待办 {len(owed)} 项：** "
                       + "；".join(common.plain(line) for line in owed[:10]), icon=":material/assignment_late:")
    loaded = st.session_state.pop("upload_done", None)
    if loaded:
        message, rows = loaded
        st.success(message, icon=":material/task_alt:")
        common.table(rows)
    uploaded = st.file_uploader(
        f"选择 CSV 或 Excel(.xlsx) 文件（不超过 {max_upload_mb():g} MB；UTF-8、GBK/GB18030 均可）",
        type=["csv", "xlsx"],
        key=uploader_key(),
    )
    if uploaded is None:
        if not loaded:
            common.empty_state("尚未选择文件。可先在“下载模板”中下载 Excel 模板，按模板填写后上传。")
    else:
        validation = loading.checked(uploaded.name, uploaded.getvalue(), account, "upload_check")

        def uploaded_done(message: str, rows: pd.DataFrame) -> None:
            st.session_state.pop("upload_check", None)
            st.session_state["upload_generation"] = st.session_state.get("upload_generation", 0) + 1
            loading.finish("upload_done", (message, rows))

        loading.review_and_apply(
            validation, db=db, account=account, content=uploaded.getvalue(),
            what=f"文件“{common.plain(uploaded.name)}”",
            refusal=f"文件有 {len(validation.errors)} 处问题，未载入。请按下表逐行修改后重新上传。",
            replace_key="upload_replace", done=uploaded_done)


def load_label(row) -> str:
    return (f"第 {row.load_id} 次变更 · {change_name(row.kind)}“{row.file_name}”"
            f"（{row.loaded_at:%Y-%m-%d %H:%M}，{row.rows_total} 行）")


if tab == "history":
    if done := st.session_state.pop("rollback_done", None):
        st.success(done, icon=":material/undo:")
    loads = common.data(ingest.history)
    # The files' SHA-256 are for checking a file, in the CSV; the page keeps to what a reader scans.
    common.table(loads.iloc[::-1].drop(columns=["SHA-256"]), key="load_history")
    common.csv_download(loads, "变更记录.csv")
    if account.can("admin"):
        st.markdown("**撤销一次载入**：恢复到该次载入之前的状态，撤销本身也会记录。")
        undoable = common.data(ingest.undoable)
        if undoable.empty:
            st.caption("没有可撤销的载入：种子数据、已撤销的载入和撤销记录本身都不能撤销。")
        else:
            labels = {row.load_id: load_label(row) for row in undoable.itertuples()}
            kinds = dict(zip(undoable["load_id"], undoable["kind"], strict=True))
            # Keyed by the newest load, so that after a load or a rollback the browser's old choice
            # is not sent back: the newest undoable load is offered first.
            load_id = st.selectbox("要撤销的载入", list(labels), format_func=labels.get,
                                   key=f"rollback_load_{next(iter(labels))}")
            undo = common.data(ingest.rollback_preview, int(load_id))
            with st.container(border=True):
                st.markdown(
                    f"撤销 **第 {load_id} 次变更**（{change_name(kinds[load_id])}“{common.plain(undo['file_name'])}”，"
                    f"{common.plain(actor_text(undo['user_name']))}，{undo['loaded_at']:%Y-%m-%d %H:%M}）将"
                    f"删除它新增的 **{undo['count_to_delete']}** 行、恢复它修改的 **{undo['count_to_restore']}** 行"
                    + (f"、删除它新增的 **{undo['count_additions']}** 个地区或指标" if undo["count_additions"] else "")
                    + "。  \n"
                    f"涉及期间：{common.plain(undo['period_labels'] or '无')}  \n"
                    f"涉及单位：{common.plain(undo['region_names'] or '无')}")
                confirmed = st.checkbox("我已核对，确认撤销这次载入", key=f"rollback_confirm_{load_id}")
                if st.button("撤销所选载入", icon=":material/undo:", disabled=not confirmed):
                    if undone := common.make_change(lambda: changes.rollback(db, int(load_id), account)):
                        result = undone.result
                        what = f"{change_name(kinds[load_id])}“{common.plain(undo['file_name'])}”"
                        loading.finish("rollback_done",
                               f"已撤销第 {load_id} 次变更（{what}）："
                               f"删除 {undo['count_to_delete']} 行，恢复 {undo['count_to_restore']} 行。"
                               f"这次撤销记录为第 {result.load_id} 次变更（{change_name('rollback')}）。")
    else:
        st.caption("撤销载入需要管理员权限。")

if tab == "template":
    st.markdown("模板含填写说明、观测值工作表（指标与地区为下拉选择）以及地区、指标参考数据工作表。")
    st.download_button(
        "下载 Excel 模板",
        data=common.data(ingest.template_bytes),
        file_name="政务服务指标_载入模板.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
    )

if tab == "target":
    if done := st.session_state.pop("target_done", None):
        st.success(done, icon=":material/task_alt:")
    st.markdown("设置本局自定年度目标（依据：本局）。季度按“时间过半、任务过半”自动生成节点。")
    catalog = common.data(facts.trend_indicators)
    regions = common.data(facts.regions)
    with st.form("set_target"):
        indicator_id = st.selectbox("指标", catalog["indicator_id"].tolist(), key="target_indicator",
                                    format_func=lambda i: inert(dict(zip(catalog["indicator_id"], catalog["name"],
                                                                         strict=True))[i]))
        region_id = st.selectbox("地区", [None, *regions["region_id"]], key="target_region",
                                 format_func=lambda r: "全部地区" if r is None else
                                 inert(dict(zip(regions["region_id"], regions["name"], strict=True))[r]))
        year = st.number_input("年度", min_value=2020, max_value=2100, value=pd.Timestamp.now().year,
                               key="target_year")
        comparator = st.selectbox("比较", [">=", ">", "<=", "<"], key="target_comparator",
                                  format_func=COMPARATOR_TEXT.get)
        value = st.number_input("目标值", value=0.0, format="%.2f", key="target_value")
        if st.form_submit_button("保存目标", type="primary"):
            if saved := common.make_change(lambda: changes.set_target(
                    db, account, indicator_id, region_id, int(year), float(value), comparator)):
                loading.finish("target_done", f"已保存目标（记录为第 {saved.result} 次变更：{change_name('target')}）")
