"""账户管理 — admins add accounts, set roles and scopes, reset passwords, disable accounts."""

import streamlit as st

from metrics import accounts, facts
from metrics.formatting import browser_text, inert
from ui import auth, common

auth.ensure_routed()

admin = auth.require("admin")
store = auth.store_path()
st.title("账户管理")
st.caption("角色：查看（只读）、填报（限定地区和/或指标类别载入数据）、管理（全部权限）。所有变更写入审计日志。")

users = accounts.list_users(store)
table = users.assign(
    role=users["role"].map(accounts.ROLE_NAMES),
    scope_regions=users["scope_regions"].map("、".join),
    scope_categories=users["scope_categories"].map("、".join),
).rename(columns={
    "username": "用户名", "role": "角色", "scope_regions": "地区范围", "scope_categories": "指标类别范围",
    "is_disabled": "已停用", "must_change_password": "需改密码",
    "count_recent_failures": f"近{accounts.LOCK_MINUTES}分钟登录失败", "created_at": "创建时间",
    "updated_at": "更新时间",
})
common.table(table)

region_names = common.data(facts.regions)["name"].tolist()
categories = common.data(facts.categories)
role_options = list(accounts.ROLE_NAMES)
# No leader role: the help says that leaders are given 查看 accounts, and what they may do with them.
ROLES_HELP = "  \n".join(f"**{accounts.ROLE_NAMES[role]}**：{accounts.ROLE_DUTIES[role]}" for role in role_options)

left, right = st.columns(2)
with left, st.form("add_user", clear_on_submit=True):
    st.subheader("新增账户")
    username = st.text_input("用户名")
    password = st.text_input(f"初始密码（至少{accounts.MIN_PASSWORD_LENGTH}个字符，首次登录须修改）",
                             type="password")
    role = st.selectbox("角色", role_options, format_func=accounts.ROLE_NAMES.get, help=ROLES_HELP)
    scope_regions = st.multiselect("可填报地区（填报角色）", region_names, format_func=inert,
                                   placeholder="选择地区（可多选）")
    scope_categories = st.multiselect("可填报指标类别（填报角色）", categories, placeholder="选择指标类别（可多选）")
    if st.form_submit_button("新增", type="primary"):
        try:
            stored = accounts.add_user(store, username.strip(), password, role, actor=admin.username,
                                       scope_regions=tuple(scope_regions), scope_categories=tuple(scope_categories),
                                       must_change_password=True)
        except accounts.AccountError as error:
            common.show_error(error)
        else:
            auth.flash(f"已新增账户 {stored}")
            st.rerun()

with right:
    st.subheader("修改账户")
    if users.empty:
        common.empty_state("暂无账户。")
    else:
        target = st.selectbox("账户", users["username"].tolist(), key="users_target")
        current = users.set_index("username").loc[target]
        with st.form("edit_role"):
            new_role = st.selectbox("角色", role_options, index=role_options.index(current["role"]),
                                    format_func=accounts.ROLE_NAMES.get, help=ROLES_HELP)
            new_regions = st.multiselect("可填报地区", region_names, format_func=inert,
                                         placeholder="选择地区（可多选）",
                                         default=[r for r in current["scope_regions"] if r in region_names])
            known_categories = [c for c in current["scope_categories"] if c in categories]
            new_categories = st.multiselect("可填报指标类别", categories, default=known_categories,
                                            placeholder="选择指标类别（可多选）")
            if st.form_submit_button("保存角色与范围"):
                try:
                    accounts.set_role(store, target, new_role, actor=admin.username,
                                      scope_regions=tuple(new_regions),
                                      scope_categories=tuple(new_categories))
                except accounts.AccountError as error:
                    common.show_error(error)
                else:
                    auth.flash(f"已修改 {target} 的角色与范围")
                    st.rerun()
        with st.form("reset_password", clear_on_submit=True):
            new_password = st.text_input("重置密码（对方首次登录须修改）", type="password")
            if st.form_submit_button("重置密码"):
                try:
                    accounts.set_password(store, target, new_password, actor=admin.username,
                                          must_change_password=True)
                except accounts.AccountError as error:
                    common.show_error(error)
                else:
                    auth.flash(f"已重置 {target} 的密码")
                    st.rerun()
        disabled = bool(current["is_disabled"])
        if target == admin.username:
            st.caption("不能停用自己的账户。")
        elif st.button("启用账户" if disabled else "停用账户", key="toggle_disabled"):
            accounts.set_disabled(store, target, not disabled, actor=admin.username)
            auth.flash(f"已{'启用' if disabled else '停用'}账户 {target}")
            st.rerun()

st.divider()
st.subheader("在线会话")
st.caption(f"登录后 {accounts.SESSION_HOURS} 小时或空闲 {accounts.idle_limit().total_seconds() // 60:g} 分钟自动结束；"
           "修改密码、修改角色或停用账户时，该账户的全部会话立即结束。")
sessions = accounts.live_sessions(store)
if sessions.empty:
    common.empty_state("当前没有在线会话。")
else:
    shown = sessions.drop(columns="username").assign(user_agent=sessions["user_agent"].map(browser_text))
    common.table(shown.rename(columns={
        "session_id": "会话", "display_name": "账户", "created_at": "登录时间", "last_seen_at": "最近活动",
        "client_address": "客户端地址", "user_agent": "浏览器",
    }))
    with st.form("end_session"):
        names = dict(zip(sessions["session_id"], sessions["display_name"], strict=True))
        chosen = st.selectbox("结束会话", list(names), format_func=lambda sid: f"会话 {sid}（{names[sid]}）")
        if st.form_submit_button("结束所选会话"):
            try:
                accounts.end_session_by_id(store, int(chosen), actor=admin.username)
            except accounts.AccountError as error:
                common.show_error(error)
            else:
                auth.flash(f"已结束会话 {chosen}")
                st.rerun()
