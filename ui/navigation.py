"""Which pages there are and who may open them: one table for app.py's navigation and for the server,
which answers a page's URL only when that navigation would hold the page."""

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from metrics.accounts import Account


@dataclass(frozen=True)
class PageSpec:
    file: str
    title: str
    icon: str

    @property
    def url_path(self) -> str:
        return Path(self.file).stem


COCKPIT = PageSpec("pages/cockpit.py", "驾驶舱", ":material/space_dashboard:")
VIEW = [
    PageSpec("pages/overview.py", "总览", ":material/dashboard:"),
    COCKPIT,
    PageSpec("pages/districts.py", "区域对比", ":material/bar_chart:"),
    PageSpec("pages/trends.py", "趋势", ":material/show_chart:"),
    PageSpec("pages/assessment.py", "省级考核", ":material/military_tech:"),
    PageSpec("pages/reporting.py", "报送情况", ":material/fact_check:"),
]
LEDGER = [
    PageSpec("pages/ledger.py", "整改台账", ":material/checklist:"),
    PageSpec("pages/catalog.py", "指标口径", ":material/menu_book:"),
]
# 督办 needs an account: who asks, and which unit's items an editor reads, follow from it.
SUPERVISION = PageSpec("pages/supervision.py", "督办", ":material/assignment_late:")
LOGIN = PageSpec("pages/login.py", "登录", ":material/login:")
ACCOUNT = PageSpec("pages/account.py", "我的账户", ":material/person:")
EDITOR = [
    PageSpec("pages/data_admin.py", "数据管理", ":material/upload_file:"),
    PageSpec("pages/notice_import.py", "通报导入", ":material/article:"),
    PageSpec("pages/review.py", "审核", ":material/rule:"),
]
ADMIN = [
    PageSpec("pages/users.py", "账户管理", ":material/manage_accounts:"),
    PageSpec("pages/audit.py", "审计日志", ":material/history:"),
]
ALL_PAGES = [*VIEW, *LEDGER, SUPERVISION, LOGIN, ACCOUNT, *EDITOR, *ADMIN]


def sections(account: Account | None, view_open: bool) -> dict[str, list[PageSpec]]:
    """The navigation this session may reach, by section; the first page is the default (at "/")."""
    if account is None:
        if not view_open:
            return {"": [LOGIN]}
        return {"指标看板": VIEW, "整改与口径": LEDGER, "账户": [LOGIN]}
    if account.must_change_password:
        return {"": [ACCOUNT]}
    manage = []
    if account.can("editor"):
        manage += EDITOR
    if account.can("admin"):
        manage += ADMIN
    # A leader (a viewer account) opens on the cockpit; whoever enters or manages data, on 总览.
    view = [COCKPIT, *(page for page in VIEW if page is not COCKPIT)] if account.role == "viewer" else VIEW
    reachable = {"指标看板": view, "整改与口径": [*LEDGER, SUPERVISION]}
    if manage:
        reachable["数据与账户管理"] = manage
    reachable["账户"] = [ACCOUNT]
    return reachable


def url_paths(account: Account | None, view_open: bool) -> dict[str, str]:
    """Each reachable page's own path → the URL path Streamlit serves it at ("" for the default page)."""
    pages = [page for group in sections(account, view_open).values() for page in group]
    return {page.url_path: "" if page is pages[0] else page.url_path for page in pages}


def streamlit_pages(account: Account | None, view_open: bool) -> dict[str, list]:
    """The sections as st.Page objects for st.navigation."""
    reachable = sections(account, view_open)
    first = next(iter(reachable.values()))[0]
    return {
        section: [st.Page(page.file, title=page.title, icon=page.icon, default=page is first) for page in group]
        for section, group in reachable.items()
    }
