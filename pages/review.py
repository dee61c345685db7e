"""审核 — a 填报 clerk's files wait here before the leaders see them: admins compare each with the
published data and approve or return it with a reason; a clerk follows their own submissions and
may withdraw one that still waits."""

import streamlit as st

from metrics import changes, ingest
from metrics.formatting import inert
from metrics.ingest import review
from metrics.ingest.validation import preview
from metrics.paths import resolve_db
from ui import auth, common, warming

auth.ensure_routed()
account = auth.require("editor")


def act(change, done) -> None:
    """Run one review step; once published every session reads the new version and this one shows what
    happened (done: the step's result → the message), else the refusal in one line."""
    if changed := common.make_change(change):
        common.clear_caches()
        warming.wake()
        auth.flash(done(changed.result))
        st.rerun()


st.title("审核")
common.show_pending()
st.caption("填报账户载入的文件先进入“待审核”，管理员核对通过后才在各页面显示；退回时写明原因，填报人可在此看到。")

if account.can("admin"):
    st.subheader("待审核报送")
    everything = common.data(review.submissions)
    pending = everything[everything["status"] == "pending"]
    if pending.empty:
        common.empty_state("没有待审核的报送。")
    else:
        labels = {row.submission_id: f"#{row.submission_id} {inert(row.file_name)}（{row.user_name}，"
                                     f"{row.rows_total} 行）" for row in pending.itertuples()}
        chosen = st.selectbox("报送", list(labels), format_func=labels.get, key="review_submission")
        validation = common.data(review.preview, chosen)
        if validation.ok:
            st.markdown(f"**文件中的 {len(validation.rows)} 行**")
            shown = preview(common.connection(), validation)
            common.table(shown["观测值"])
            if len(validation.conflicts):
                st.warning(f"其中 {len(validation.conflicts)} 行与已发布的数值不同，通过后将覆盖：",
                           icon=":material/compare_arrows:")
                common.table(shown["修改"])
        else:
            st.error(f"按当前数据校验有 {len(validation.errors)} 处问题，只能退回。", icon=":material/error:")
            common.dataframe(ingest.problem_table(validation.errors))
        left, right = st.columns(2)
        with left:
            if st.button("审核通过并发布", type="primary", disabled=not validation.ok, icon=":material/task_alt:"):
                act(lambda: changes.approve(resolve_db(), chosen, auth.require("admin")),
                    lambda result: f"报送 #{chosen} 已通过并发布（第 {result.load_id} 次载入：{result.note}）")
        with right:
            reason = st.text_input("退回原因", max_chars=review.MAX_REASON_CHARACTERS, key="review_reason",
                                   placeholder="如：华容区数值与报表不符，请核对后重新报送")
            if st.button("退回", icon=":material/undo:"):
                act(lambda: changes.return_submission(resolve_db(), chosen, auth.require("admin"), reason),
                    lambda _: f"报送 #{chosen} 已退回")

st.subheader("我的报送")
mine = common.data(review.submissions, account.username)
if mine.empty:
    common.empty_state("您还没有提交过报送。")
else:
    common.dataframe(review.status_rows(mine),
                     column_config={"退回原因": st.column_config.TextColumn(width="large")})
    waiting = mine[mine["status"] == "pending"]
    if len(waiting):
        take_back = st.selectbox("撤回一份待审核的报送", waiting["submission_id"].tolist(),
                                 format_func=lambda number: f"#{number}", key="withdraw_submission")
        if st.button("撤回", icon=":material/cancel:"):
            act(lambda: changes.withdraw(resolve_db(), take_back, auth.require("editor")),
                lambda _: f"报送 #{take_back} 已撤回")
