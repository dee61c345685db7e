"""通报导入 — a notice pasted or uploaded, its figures proposed and marked in its text, each accepted, edited or
rejected; the accepted ones checked and loaded (or submitted for review) like a file on 数据管理 (issue #23)."""

import hashlib

import pandas as pd
import streamlit as st

from metrics.errors import UserFacingError
from metrics.formatting import BETTER_NAMES, KIND_NAMES, TEMPORAL_NAMES, marked_html
from metrics.ingest import notice, notice_rows
from metrics.ingest.files import max_upload_mb
from metrics.paths import resolve_db
from ui import auth, common, loading

auth.ensure_routed()

account = auth.require("editor")
db = resolve_db()

st.title("通报导入")
common.show_pending()
st.caption(
    f"当前账户：{common.plain(account.username)}（可填报范围：{account.scope_text()}）。"
    "粘贴通报正文或上传文件，系统列出其中的数值；逐行选择“采纳”或“不采纳”并可修改指标、地区、期间、数值、限定。"
    "采纳的数值与上传文件一样完整校验，确认后作为一次可撤销的载入写入"
    + ("。" if account.can("admin") else "（提交审核，管理员通过后生效）。")
)

if loaded := st.session_state.pop("notice_done", None):
    message, rows = loaded
    st.success(message, icon=":material/task_alt:")
    common.table(rows)

generation = st.session_state.get("notice_generation", 0)
pasted = st.text_area("粘贴通报正文", key=f"notice_text_{generation}", height=180, max_chars=notice.MAX_CHARS)
uploaded = st.file_uploader(
    f"或上传通报文件：.txt、.docx、.pdf(带文字层)、.html（不超过 {max_upload_mb():g} MB；文本为 UTF-8 或 GB18030）",
    type=["txt", "docx", "pdf", "html", "htm"],
    key=f"notice_file_{generation}",
)


def read_notice() -> notice.Document | None:
    """The uploaded file's text (read once per file: a PDF runs pdftotext), else the pasted text."""
    if uploaded is None:
        return notice.from_text(pasted) if pasted.strip() else None
    data = uploaded.getvalue()
    key = hashlib.sha256(data).hexdigest()
    cached = st.session_state.get("notice_read")
    if not (cached and cached[0] == key):
        st.session_state["notice_read"] = (key, notice.read_bytes(uploaded.name, data))
    return st.session_state["notice_read"][1]


try:
    document = read_notice()
    offered = common.data(notice_rows.choices)
    proposals = notice.propose(document, offered.catalog) if document else []
except UserFacingError as error:
    common.show_error(error)
    st.stop()
if document is None:
    if not loaded:
        common.empty_state("尚未提供通报：请粘贴正文或上传文件。")
    st.stop()
if not proposals:
    st.info(notice.NO_FIGURES, icon=":material/search_off:")
    st.stop()

digest = hashlib.sha256(document.text.encode()).hexdigest()[:16]
rows = notice_rows.review_rows(document, proposals, offered)
labels: dict[tuple[int, int], list[str]] = {}
for number, proposal in enumerate(proposals, start=1):
    labels.setdefault((proposal.start, proposal.end), []).append(str(number))
with st.expander(f"原文（{len(document.text):,} 字，标出 {len(proposals)} 个数值，上标为表中序号）", expanded=True):
    st.html(marked_html(document.text, {span: ",".join(numbers) for span, numbers in labels.items()}))

st.markdown(f"**发现数值 {len(proposals)} 个**：在“处理”列选择“采纳”的行才会载入；指标、地区、期间从数据仓库中选择。")
edited = st.data_editor(
    rows,
    key=f"notice_rows_{digest}",
    hide_index=True,
    width="stretch",
    disabled=[column for column in rows.columns if column not in notice_rows.EDITABLE_COLUMNS],
    column_config={
        "处理": st.column_config.SelectboxColumn(options=notice_rows.DECISIONS, required=True, pinned=True),
        "指标": st.column_config.SelectboxColumn(options=list(offered.indicator_names.values()), width="large"),
        "地区": st.column_config.SelectboxColumn(options=list(offered.region_names.values())),
        "期间": st.column_config.SelectboxColumn(options=notice_rows.period_options(rows, offered)),
        "数值": st.column_config.TextColumn(help="基本单位的数值，也可写 858万、97.47%"),
        "限定": st.column_config.SelectboxColumn(options=notice_rows.QUALIFIER_CHOICES),
        "来源": st.column_config.TextColumn(width="medium"),
        "依据": st.column_config.TextColumn(width="large"),
    },
)

added: dict[int, notice_rows.NewIndicator] = st.session_state.setdefault(f"notice_added_{digest}", {})
if account.can("admin"):
    unmatched = edited.loc[edited["指标"].isna(), notice_rows.NUMBER].tolist()
    with st.expander(f"为未匹配指标的数值新增指标（已新增 {len(added)} 个）", expanded=bool(added)):
        for number, indicator in added.items():
            st.markdown(f"序号 {number} → 新指标“{common.plain(indicator.name)}”（{common.plain(indicator.unit)}，"
                        f"{KIND_NAMES[indicator.kind]}，{common.plain(indicator.category)}）")
        if unmatched:
            number = st.selectbox("数值所在行（序号）", unmatched, key="notice_new_row")
            proposal = proposals[number - 1]
            # Keyed by the row, so that choosing another row offers that row's words and unit.
            with st.form(f"notice_new_indicator_{digest}_{number}"):
                name = st.text_input("指标名称", value=proposal.subject, key=f"notice_new_name_{number}")
                unit = st.text_input("单位", value=proposal.unit, key=f"notice_new_unit_{number}")
                kind = st.selectbox("类型", list(KIND_NAMES), format_func=KIND_NAMES.get,
                                    index=list(KIND_NAMES).index("rate" if proposal.unit == "%" else "count"),
                                    key=f"notice_new_kind_{number}")
                category = st.selectbox("类别（可输入新类别）", offered.categories, accept_new_options=True,
                                        key=f"notice_new_category_{number}")
                temporal = st.selectbox("时态", list(TEMPORAL_NAMES), format_func=TEMPORAL_NAMES.get,
                                        key=f"notice_new_temporal_{number}")
                better = st.selectbox("方向", list(BETTER_NAMES), format_func=BETTER_NAMES.get,
                                      key=f"notice_new_better_{number}")
                owner = st.text_input("责任单位", value=offered.usual_owner, key=f"notice_new_owner_{number}")
                if st.form_submit_button("新增到这一行"):
                    added[number] = notice_rows.NewIndicator(name.strip(), unit.strip(), kind, category or "",
                                                             temporal, better, owner.strip())
                    st.rerun()
        else:
            st.caption("每一行都已对应目录中的指标。")

if not (edited["处理"] == notice_rows.ACCEPT).any():
    st.info("尚未采纳任何数值：在表格“处理”列选择“采纳”后，这里会列出校验结果。", icon=":material/rule:")
    st.stop()

upload_key = (tuple(pd.util.hash_pandas_object(edited, index=False)), tuple(added.items()))
cached = st.session_state.get("notice_upload")
if not (cached and cached[0] == upload_key):
    st.session_state["notice_upload"] = (upload_key, notice_rows.to_upload(document, edited, added))
upload = st.session_state["notice_upload"][1]
validation = loading.checked(upload.file_name, upload.content, account, "notice_check")


def notice_done(message: str, rows: pd.DataFrame) -> None:
    for key in ("notice_check", "notice_upload", "notice_read", f"notice_added_{digest}"):
        st.session_state.pop(key, None)
    st.session_state["notice_generation"] = generation + 1
    loading.finish("notice_done", (message, rows))


st.markdown(f"**采纳 {int((edited['处理'] == notice_rows.ACCEPT).sum())} 行的校验结果**")
loading.review_and_apply(
    validation, db=db, account=account, content=upload.content,
    what=f"通报“{common.plain(document.title or '无标题')}”",
    refusal=f"采纳的数值有 {len(validation.errors)} 处问题，未载入。请按序号在上表中修改或不采纳。",
    replace_key=f"notice_replace_{digest}", done=notice_done,
    numbered=lambda frame, sheet: notice_rows.numbered(frame, upload, sheet))
