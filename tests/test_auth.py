"""Accounts, roles, lockout, audit trail and the pages each role may reach."""

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from support import APP

from metrics import accounts

VIEW = ["pages/overview.py", "pages/districts.py", "pages/trends.py", "pages/assessment.py",
        "pages/ledger.py", "pages/catalog.py"]
PASSWORD = "correct-horse-9"


@pytest.fixture
def store(tmp_path) -> Path:
    path = tmp_path / "accounts.duckdb"
    accounts.add_user(path, "viewer1", PASSWORD, "viewer", actor="test")
    accounts.add_user(path, "hr_editor", PASSWORD, "editor", actor="test", scope_regions=("华容区",))
    accounts.add_user(path, "boss", PASSWORD, "admin", actor="test")
    return path


@pytest.fixture
def session(seed_db, store, monkeypatch):
    monkeypatch.setenv("METRICS_DB", str(seed_db))
    monkeypatch.setenv("METRICS_ACCOUNTS", str(store))
    monkeypatch.setenv("METRICS_LOGIN_DELAY_SECONDS", "0")
    monkeypatch.delenv("METRICS_VIEW_LOGIN", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()

    def start(username: str | None = None, password: str = PASSWORD) -> AppTest:
        """A session after signing in through the login form (or not signed in at all).

        AppTest (Streamlit 1.67) runs a page file on its own on a rerun when a pages/ folder
        exists, skipping app.py; so the form is submitted in one AppTest and the signed-in
        session state is carried into a fresh one, whose first run goes through app.py.
        """
        form = AppTest.from_file(APP, default_timeout=30)
        form.run()
        if username:
            form.text_input(key="login_username").input(username)
            form.text_input(key="login_password").input(password)
            form.button[0].click().run()
        assert not form.exception, [e.value for e in form.exception]
        test = AppTest.from_file(APP, default_timeout=30)
        if "account" in form.session_state:
            test.session_state["account"] = form.session_state["account"]
        test.run()
        test.login_errors = [e.value for e in form.error]
        assert not test.exception, [e.value for e in test.exception]
        return test

    return start


def reachable(test: AppTest) -> set[str]:
    """The page files this session's navigation holds."""
    pages = set()
    for page in [*VIEW, "pages/login.py", "pages/account.py", "pages/data_admin.py", "pages/users.py",
                 "pages/audit.py"]:
        try:
            test.switch_page(page)
        except ValueError:
            continue
        pages.add(page)
    return pages


def test_without_login_only_the_login_page_is_reachable(session):
    test = session()
    assert reachable(test) == {"pages/login.py"}
    assert test.title[0].value == "登录"


def test_viewing_can_be_opened_without_login_but_nothing_changes(session, monkeypatch):
    monkeypatch.setenv("METRICS_VIEW_LOGIN", "open")
    assert reachable(session()) == {*VIEW, "pages/login.py"}


@pytest.mark.parametrize(
    ("username", "extra"),
    [
        ("viewer1", set()),
        ("hr_editor", {"pages/data_admin.py"}),
        ("boss", {"pages/data_admin.py", "pages/users.py", "pages/audit.py"}),
    ],
)
def test_each_role_sees_exactly_its_pages(session, username, extra):
    test = session(username)
    assert reachable(test) == {*VIEW, "pages/account.py", *extra}


def test_wrong_password_is_refused_without_saying_why(session):
    test = session("viewer1", "wrong-password")
    assert test.login_errors == ["用户名或密码错误"]
    assert reachable(test) == {"pages/login.py"}
    assert session("nobody", "whatever-pass").login_errors == ["用户名或密码错误"]


def test_forged_session_role_is_rechecked_by_the_page(session, monkeypatch, seed_db):
    monkeypatch.setenv("METRICS_VIEW_LOGIN", "open")
    test = AppTest.from_file(APP, default_timeout=30)
    test.session_state["account"] = accounts.Account("viewer1", "editor", ("华容区",))
    test.run()
    test.switch_page("pages/data_admin.py").run()
    assert test.error[0].value == "需要“填报”权限，当前账户为“查看”"


def test_one_time_password_must_be_changed_first(session, store):
    one_time = accounts.bootstrap_admin(store.with_name("fresh.duckdb"))
    assert one_time and len(one_time) >= 16
    accounts.set_password(store, "boss", PASSWORD, actor="test", must_change_password=True)
    test = session("boss")
    assert reachable(test) == {"pages/account.py"}
    assert "一次性密码" in test.warning[0].value


def test_lockout_after_five_failures_even_with_the_right_password(store):
    for attempt in range(1, 5):
        with pytest.raises(accounts.LoginRefused) as refused:
            accounts.authenticate(store, "viewer1", "bad")
        assert (refused.value.message, refused.value.failed_attempts) == ("用户名或密码错误", attempt)
    with pytest.raises(accounts.LoginRefused, match="连续登录失败次数过多，账户已锁定至"):
        accounts.authenticate(store, "viewer1", "bad")
    with pytest.raises(accounts.LoginRefused, match="账户已锁定"):
        accounts.authenticate(store, "viewer1", PASSWORD)
    accounts.set_password(store, "viewer1", PASSWORD, actor="boss")
    assert accounts.authenticate(store, "viewer1", PASSWORD).role == "viewer"


def test_failed_logins_slow_down():
    assert [accounts.login_delay(n) for n in range(0, 7)] == [0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def test_disabled_account_cannot_log_in(store):
    accounts.set_disabled(store, "viewer1", True, actor="boss")
    with pytest.raises(accounts.LoginRefused, match="账户已停用"):
        accounts.authenticate(store, "viewer1", PASSWORD)


def test_hashes_never_equal_passwords(store):
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    hashes = [row[0] for row in con.execute("select password_hash from users").fetchall()]
    con.close()
    assert len(hashes) == 3
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)
    assert len(set(hashes)) == 3  # salted


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: accounts.add_user(s, "x", PASSWORD, "viewer", actor="t"), "用户名只能包含"),
        (lambda s: accounts.add_user(s, "new", "short", "viewer", actor="t"), "密码至少需要10个字符"),
        (lambda s: accounts.add_user(s, "new", PASSWORD, "owner", actor="t"), "未知角色“owner”"),
        (lambda s: accounts.add_user(s, "new", PASSWORD, "editor", actor="t"), "填报账户必须指定"),
        (lambda s: accounts.add_user(s, "boss", PASSWORD, "viewer", actor="t"), "用户“boss”已存在"),
        (lambda s: accounts.set_password(s, "ghost", PASSWORD, actor="t"), "用户“ghost”不存在"),
    ],
)
def test_account_changes_are_validated(store, call, message):
    with pytest.raises(accounts.AccountError, match=message):
        call(store)


def test_audit_trail_records_each_action_exactly_once(store):
    accounts.set_role(store, "viewer1", "editor", actor="boss", scope_categories=("一窗通办",))
    accounts.set_disabled(store, "hr_editor", True, actor="boss")
    trail = accounts.audit_trail(store)
    rows = list(trail[["actor", "action", "target", "count_before", "count_after"]].itertuples(index=False,
                                                                                                 name=None))
    assert rows == [
        ("boss", "停用账户", "hr_editor", 3, 3),
        ("boss", "修改角色", "viewer1", 3, 3),
        ("test", "新增账户", "boss", 2, 3),
        ("test", "新增账户", "hr_editor", 1, 2),
        ("test", "新增账户", "viewer1", 0, 1),
    ]
    assert trail.iloc[1]["detail"] == "查看 → 填报，范围 指标类别：一窗通办"


def test_injection_strings_are_stored_as_text(store):
    accounts.add_user(store, "inj_user", PASSWORD, "editor", actor="boss",
                      scope_regions=("'; drop table users; --", "<script>alert(1)</script>"))
    users = accounts.list_users(store).set_index("username")
    assert list(users.loc["inj_user", "scope_regions"]) == ["'; drop table users; --",
                                                           "<script>alert(1)</script>"]
    assert len(users) == 4


def test_role_from_identity_claims():
    from ui.auth import role_from_claims

    assert role_from_claims({"role": "admin"}, "role") == "admin"
    assert role_from_claims({"groups": ["x", "editor"]}, "groups") == "editor"
    assert role_from_claims({"role": "guest"}, "role") == "viewer"
    assert role_from_claims({}, "role") == "viewer"
