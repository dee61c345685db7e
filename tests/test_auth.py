"""Accounts, roles, sign-in throttling, sessions and their revocation, OIDC identities, the audit trail,
and the pages each role may reach."""

import asyncio
import fcntl
import stat
import time
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.testing.v1 import AppTest
from support import APP, PASSWORD, signed_in

from metrics import accounts, changes
from metrics.accounts import sessions
from metrics.accounts.store import transaction
from ui.common import plain

VIEW = ["pages/overview.py", "pages/cockpit.py", "pages/districts.py", "pages/trends.py", "pages/assessment.py",
        "pages/reporting.py", "pages/ledger.py", "pages/catalog.py"]
HERE = "127.0.0.1"


def with_users(store: accounts.Store) -> accounts.Store:
    accounts.add_user(store, "viewer1", PASSWORD, "viewer", actor="test")
    accounts.add_user(store, "hr_editor", PASSWORD, "editor", actor="test", scope_regions=("华容区",))
    accounts.add_user(store, "boss", PASSWORD, "admin", actor="test")
    return store


@pytest.fixture
def file_store(tmp_path) -> Path:
    """The embedded store: a DuckDB file beside the warehouse."""
    return with_users(tmp_path / "accounts.duckdb")


@pytest.fixture(params=["file", "postgres"])
def store(request, tmp_path) -> accounts.Store:
    """The store in each shape: the file, and a database of its own in the test PostgreSQL (conftest.py)."""
    if request.param == "file":
        return with_users(tmp_path / "accounts.duckdb")
    return with_users(request.getfixturevalue("postgres_store"))


def sign_in(store: accounts.Store, username: str, password: str = PASSWORD, client: str = HERE) -> str:
    return accounts.sign_in(store, username, password, client_address=client, user_agent="pytest")


def refusal(store: accounts.Store, username: str, password: str, client: str = HERE) -> tuple[str, int]:
    with pytest.raises(accounts.LoginRefused) as refused:
        sign_in(store, username, password, client)
    return refused.value.message, refused.value.failed_attempts


@pytest.fixture
def session(seed_db, file_store, monkeypatch):
    monkeypatch.setenv("METRICS_DB", str(seed_db))
    monkeypatch.setenv("METRICS_ACCOUNTS", str(file_store))
    monkeypatch.delenv("METRICS_VIEW_LOGIN", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()

    def start(username: str | None = None, password: str = PASSWORD) -> AppTest:
        """A run of app.py for a browser signed in as username (or not signed in at all)."""
        if username:
            signed_in(monkeypatch, file_store, username, password)
        test = AppTest.from_file(APP, default_timeout=30)
        test.run()
        assert not test.exception, [e.value for e in test.exception]
        return test

    return start


def reachable(test: AppTest) -> set[str]:
    """The page files this session's navigation holds."""
    pages = set()
    for page in [*VIEW, "pages/login.py", "pages/account.py", "pages/supervision.py", "pages/data_admin.py",
                 "pages/notice_import.py",
                 "pages/review.py", "pages/users.py", "pages/audit.py"]:
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
        ("hr_editor", {"pages/data_admin.py", "pages/notice_import.py", "pages/review.py"}),
        ("boss", {"pages/data_admin.py", "pages/notice_import.py", "pages/review.py", "pages/users.py",
                  "pages/audit.py"}),
    ],
)
def test_each_role_sees_exactly_its_pages(session, username, extra):
    test = session(username)
    assert reachable(test) == {*VIEW, "pages/account.py", "pages/supervision.py", *extra}
    assert test.sidebar.caption[0].value.startswith(f"当前用户：{plain(username)}（")


def test_wrong_password_and_unknown_name_are_refused_alike(store):
    assert refusal(store, "viewer1", "wrong-password") == ("用户名或密码错误", 1)
    assert refusal(store, "nobody", "whatever-pass") == ("用户名或密码错误", 1)


def test_unknown_and_known_names_look_the_same_through_the_lock(store):
    """Same message, same failure count (so the same delay) and the same lock, known name or not."""
    known = [refusal(store, "viewer1", "bad") for _ in range(7)]
    unknown = [refusal(store, "ghost", "bad") for _ in range(7)]
    assert known == unknown == [
        ("用户名或密码错误", 1), ("用户名或密码错误", 2), ("用户名或密码错误", 3), ("用户名或密码错误", 4),
        ("登录失败次数过多，请15分钟后再试", 5), ("登录失败次数过多，请15分钟后再试", 5),
        ("登录失败次数过多，请15分钟后再试", 5),
    ]


def test_disabled_account_with_the_right_password_gets_the_same_answer(store):
    accounts.set_disabled(store, "viewer1", True, actor="boss")
    assert refusal(store, "viewer1", PASSWORD) == ("用户名或密码错误", 1)


def test_lock_holds_for_the_client_that_earned_it_not_for_the_account(store):
    """Five failures from one address lock that address out of the name; the right password from any
    other address still signs in at once, so nobody can keep `boss` locked for everyone."""
    for _ in range(5):
        refusal(store, "boss", "bad", client="10.0.0.66")
    assert refusal(store, "boss", PASSWORD, client="10.0.0.66") == ("登录失败次数过多，请15分钟后再试", 5)
    assert accounts.session(store, sign_in(store, "boss", client="10.0.0.7")).account.role == "admin"
    assert refusal(store, "boss", PASSWORD, client="10.0.0.66")[0] == "登录失败次数过多，请15分钟后再试"
    trail = accounts.audit_trail(store)
    assert trail.iloc[0][["actor", "action", "target", "detail"]].tolist() == [
        "system", "登录锁定", "boss", "来自 10.0.0.66 连续失败 5 次，该地址 15 分钟内不能再试"]
    accounts.set_password(store, "boss", "a-new-password-1", actor="cli:root")
    assert sign_in(store, "boss", "a-new-password-1", client="10.0.0.66")


def test_one_client_trying_many_names_is_throttled(store):
    for number in range(accounts.MAX_CLIENT_FAILURES):
        refusal(store, f"user{number}", "bad", client="10.0.0.99")
    assert refusal(store, "viewer1", PASSWORD, client="10.0.0.99")[0] == "登录失败次数过多，请15分钟后再试"
    assert sign_in(store, "viewer1", client="10.0.0.100")


def test_failed_logins_slow_down():
    assert [accounts.login_delay(n) for n in range(0, 7)] == [0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def test_sign_in_fails_closed_when_the_store_cannot_write(store, monkeypatch):
    """A full disk: the failure cannot be counted, so nobody signs in, with either password."""
    real_run = sessions._run

    def disk_full(con, name, **params):
        if name in ("account_failure_insert", "session_insert"):
            raise duckdb.IOException("IO Error: No space left on device")
        return real_run(con, name, **params)

    monkeypatch.setattr(sessions, "_run", disk_full)
    for password in ("wrong-password", PASSWORD):
        with pytest.raises(accounts.StoreUnavailable, match=r"^账户库 .* 无法写入（IOException），未做任何更改$"):
            sign_in(store, "viewer1", password)
    monkeypatch.setattr(sessions, "_run", real_run)
    assert refusal(store, "viewer1", "wrong-password") == ("用户名或密码错误", 1)


def test_a_locked_store_gives_one_chinese_line_after_a_bounded_wait(file_store, monkeypatch):
    monkeypatch.setenv("METRICS_ACCOUNTS_WAIT_SECONDS", "0.5")
    with open(file_store.with_name(file_store.name + ".lock"), "w") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        start = time.monotonic()
        with pytest.raises(accounts.StoreUnavailable) as refused:
            accounts.list_users(file_store)
        waited = time.monotonic() - start
    assert str(refused.value) == f"账户库 {file_store} 被其他进程占用，0.5 秒内未释放，请稍后重试"
    assert 0.5 <= waited < 1.5
    assert len(accounts.list_users(file_store)) == 3


def test_accounts_file_is_readable_by_its_owner_only(file_store):
    for path in (file_store, file_store.with_name(file_store.name + ".lock")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_sessions_are_random_stored_hashed_and_expire(store):
    token = sign_in(store, "viewer1")
    assert len(token) >= 43  # 32 random bytes, url-safe base64: 256 bits
    assert sign_in(store, "viewer1") != token
    found = accounts.session(store, token)
    assert (found.account.username, found.account.role) == ("viewer1", "viewer")
    with transaction(store) as con:
        assert con.execute("select count(*) from sessions where token_sha256 = ?", [token]).fetchone()[0] == 0
        con.execute("update sessions set last_seen_at = last_seen_at - interval 31 minute")
    assert accounts.session(store, token) is None  # idle for 30 minutes
    fresh = sign_in(store, "viewer1")
    with transaction(store) as con:
        con.execute("update sessions set created_at = created_at - interval 12 hour")
    assert accounts.session(store, fresh) is None  # 12 hours after sign-in, however active
    assert accounts.session(store, "not-a-token") is None


@pytest.mark.parametrize(
    "change",
    [
        lambda s: accounts.set_password(s, "hr_editor", "reset-by-admin-1", actor="boss", must_change_password=True),
        lambda s: accounts.change_own_password(s, "hr_editor", PASSWORD, "my-own-new-one", client_address=HERE),
        lambda s: accounts.set_role(s, "hr_editor", "viewer", actor="boss"),
        lambda s: accounts.set_disabled(s, "hr_editor", True, actor="boss"),
    ],
    ids=["reset", "own change", "role", "disable"],
)
def test_account_changes_end_every_session_of_the_account(store, change):
    tabs = [sign_in(store, "hr_editor"), sign_in(store, "hr_editor", client="10.0.0.2")]
    other = sign_in(store, "viewer1")
    change(store)
    assert [accounts.session(store, token) for token in tabs] == [None, None]
    assert accounts.session(store, other).account.username == "viewer1"


def test_own_password_change_ends_the_old_sessions_and_starts_one_for_this_browser(store):
    old = sign_in(store, "hr_editor")
    renewed = accounts.change_own_password(store, "hr_editor", PASSWORD, "my-own-new-one", client_address=HERE,
                                           user_agent="pytest")
    assert accounts.session(store, old) is None
    assert accounts.session(store, renewed).account.username == "hr_editor"
    assert accounts.live_sessions(store)[["display_name", "client_address"]].values.tolist() == [
        ["hr_editor", HERE]]


def test_admin_sees_live_sessions_and_ends_one(store):
    token = sign_in(store, "viewer1", client="10.1.2.3")
    sign_in(store, "boss")
    live = accounts.live_sessions(store)
    assert live[["display_name", "client_address", "user_agent"]].values.tolist() == [
        ["boss", HERE, "pytest"], ["viewer1", "10.1.2.3", "pytest"]]
    target = int(live.loc[live["display_name"] == "viewer1", "session_id"].iloc[0])
    accounts.end_session_by_id(store, target, actor="boss")
    assert accounts.session(store, token) is None
    assert accounts.live_sessions(store)["display_name"].tolist() == ["boss"]
    event = accounts.audit_trail(store).iloc[0]
    assert event[["actor", "action", "target", "detail", "count_before", "count_after"]].tolist() == [
        "boss", "结束会话", "viewer1", f"会话 {target}", 2, 1]
    with pytest.raises(accounts.AccountError, match=f"会话 {target} 不存在或已结束"):
        accounts.end_session_by_id(store, target, actor="boss")


def test_ended_session_sends_the_tab_back_to_sign_in(session, file_store):
    test = session("viewer1")
    assert test.title[0].value == "驾驶舱"  # a leader's landing page
    accounts.set_password(file_store, "viewer1", "changed-elsewhere", actor="boss")
    test = session()  # the same browser's cookie, on its next run through app.py
    assert [info.value for info in test.info] == ["登录已失效，正在返回登录页…"]
    assert not test.title


def test_one_time_password_must_be_changed_first(session, file_store):
    one_time = accounts.bootstrap_admin(file_store.with_name("fresh.duckdb"))
    assert one_time and len(one_time) >= 16
    accounts.set_password(file_store, "boss", "one-time-password", actor="test", must_change_password=True)
    test = session("boss", "one-time-password")
    assert reachable(test) == {"pages/account.py"}
    assert "一次性密码" in test.warning[0].value


def test_forced_change_refuses_the_one_time_password(file_store):
    one_time_store = file_store.with_name("first.duckdb")
    one_time = accounts.bootstrap_admin(one_time_store)
    with pytest.raises(accounts.AccountError, match="^新密码不能与当前密码相同$"):
        accounts.change_own_password(one_time_store, "admin", one_time, one_time, client_address=HERE)
    with pytest.raises(accounts.AccountError, match="^密码至少需要10个字符$"):
        accounts.change_own_password(one_time_store, "admin", one_time, "short", client_address=HERE)
    with pytest.raises(accounts.LoginRefused, match="^用户名或密码错误$"):
        accounts.change_own_password(one_time_store, "admin", "not-the-one-time", "a-brand-new-one",
                                     client_address=HERE)
    accounts.set_password(file_store, "viewer1", "reset-by-admin-1", actor="boss", must_change_password=True)
    with pytest.raises(accounts.AccountError, match="^新密码不能与当前密码相同$"):
        accounts.change_own_password(file_store, "viewer1", "reset-by-admin-1", "reset-by-admin-1", client_address=HERE)
    accounts.change_own_password(one_time_store, "admin", one_time, "a-brand-new-one", client_address=HERE)
    assert not accounts.session(one_time_store, sign_in(one_time_store, "admin", "a-brand-new-one")).account \
        .must_change_password


def test_hashes_never_equal_passwords(store):
    with transaction(store) as con:
        hashes = [row[0] for row in con.execute("select password_hash from users").fetchall()]
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
        (lambda s: accounts.set_password(s, "boss", PASSWORD, actor="t"), "新密码不能与当前密码相同"),
    ],
)
def test_account_changes_are_validated(store, call, message):
    with pytest.raises(accounts.AccountError, match=message):
        call(store)


def test_user_names_in_any_script_are_stored_in_their_normal_form(store):
    assert accounts.add_user(store, "张三", PASSWORD, "viewer", actor="t") == "张三"
    assert accounts.add_user(store, "Ólafur", PASSWORD, "viewer", actor="t") == "Ólafur"
    assert accounts.add_user(store, "ｌｉｓｉ_02", PASSWORD, "viewer", actor="t") == "lisi_02"  # NFKC
    assert accounts.add_user(store, "admin", PASSWORD, "admin", actor="t") == "admin"
    with pytest.raises(accounts.AccountError) as twin:
        accounts.add_user(store, "ａｄｍｉｎ", PASSWORD, "admin", actor="t")
    assert str(twin.value) == "用户“admin”已存在"
    assert sorted(accounts.list_users(store)["username"]) == sorted(
        ["viewer1", "hr_editor", "boss", "张三", "Ólafur", "lisi_02", "admin"])
    assert accounts.session(store, sign_in(store, "张三")).account.username == "张三"
    # a name typed in full width at the sign-in page finds the account it was stored as
    assert accounts.session(store, sign_in(store, "ｌｉｓｉ_02")).account.username == "lisi_02"


@pytest.mark.parametrize(("name", "message"), [
    ("zhang\u200bsan", "用户名不能包含控制字符、格式字符（如零宽字符、双向文本控制符）或其他不可见字符：U+200B"),
    ("张\u200d三", "用户名不能包含控制字符、格式字符（如零宽字符、双向文本控制符）或其他不可见字符：U+200D"),
    ("boss\u202egpj", "用户名不能包含控制字符、格式字符（如零宽字符、双向文本控制符）或其他不可见字符：U+202E"),
    ("li\x07si", "用户名不能包含控制字符、格式字符（如零宽字符、双向文本控制符）或其他不可见字符：U+0007"),
    ("王五\ufe0f", "用户名不能包含控制字符、格式字符（如零宽字符、双向文本控制符）或其他不可见字符：U+FE0F"),
    ("zhang san", "用户名只能包含文字、数字、点、下划线或连字符，长度2–32"),
    ("张", "用户名只能包含文字、数字、点、下划线或连字符，长度2–32"),
    ("Boss", "用户名“Boss”与已有账户“boss”字形相近，容易混淆，请换一个"),
    ("b\u043ess", "用户名“b\u043ess”与已有账户“boss”字形相近，容易混淆，请换一个"),  # Cyrillic о
    ("viewerl", "用户名“viewerl”与已有账户“viewer1”字形相近，容易混淆，请换一个"),
    ("hr_ed\u0456tor", "用户名“hr_ed\u0456tor”与已有账户“hr_editor”字形相近，容易混淆，请换一个"),  # Ukrainian і
])
def test_invisible_and_look_alike_user_names_are_refused(store, name, message):
    with pytest.raises(accounts.AccountError) as refused:
        accounts.add_user(store, name, PASSWORD, "viewer", actor="t")
    assert str(refused.value) == message
    assert sorted(accounts.list_users(store)["username"]) == ["boss", "hr_editor", "viewer1"]


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
    assert accounts.role_from_claims({"role": "admin"}, "role") == "admin"
    assert accounts.role_from_claims({"groups": ["x", "editor"]}, "groups") == "editor"
    assert accounts.role_from_claims({"role": "guest"}, "role") == "viewer"
    assert accounts.role_from_claims({}, "role") == "viewer"


def oidc(store: accounts.Store, **claims) -> accounts.Account:
    token = accounts.oidc_sign_in(store, {"iss": "https://idp.example", **claims}, client_address=HERE,
                                  user_agent="pytest")
    return accounts.session(store, token).account


def test_oidc_identity_is_keyed_by_issuer_and_subject_never_by_a_local_name(store):
    account = oidc(store, sub="u-42", preferred_username="boss", role="viewer")
    assert (account.username, account.role, account.name) == ("oidc:https://idp.example|u-42", "viewer", "boss")
    with pytest.raises(accounts.AccountError, match="需要“管理”权限，当前账户为“查看”"):
        accounts.authorise(store, account.username, "admin")
    assert accounts.authorise(store, "boss", "admin").username == "boss"  # the local admin is untouched
    promoted = oidc(store, sub="u-42", preferred_username="boss", role="admin")
    assert accounts.authorise(store, promoted.username, "admin").role == "admin"  # the claim decides, each time


def test_oidc_editor_without_local_account_may_load_within_its_claimed_scope(file_store, seed_con):
    editor = oidc(file_store, sub="e-7", name="区填报员", role="editor", regions=["华容区"])
    assert accounts.authorise(file_store, editor.username, "editor").scope_regions == ("华容区",)
    assert changes._actor(file_store.with_name("warehouse.duckdb"), editor, "editor") == editor.username


def test_oidc_display_name_cannot_carry_markdown(store):
    account = oidc(store, sub="m-1", name="**作废**:red[假通知]![x](http://evil/x.png)", role="viewer")
    assert account.name == "作废red假通知xhttpevilx.png"


def clear_cache_message() -> bytes:
    message = BackMsg()
    message.clear_cache = True
    return message.SerializeToString()


def rerun_message() -> bytes:
    message = BackMsg()
    message.rerun_script.query_string = "a=1"
    return message.SerializeToString()


def test_websocket_clear_cache_command_is_dropped():
    from ui.web import _without_clear_cache

    incoming = [
        {"type": "websocket.receive", "bytes": clear_cache_message()},
        {"type": "websocket.receive", "bytes": rerun_message()},
        {"type": "websocket.disconnect"},
    ]

    async def receive():
        return incoming.pop(0)

    async def read_all():
        filtered = _without_clear_cache(receive)
        return [await filtered(), await filtered()]

    assert asyncio.run(read_all()) == [
        {"type": "websocket.receive", "bytes": rerun_message()},
        {"type": "websocket.disconnect"},
    ]


@pytest.mark.parametrize(
    ("asked", "answer"),
    [
        ("/districts?indicator=x", "/districts?indicator=x"),
        ("/", "/"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("/auth/login?next=/x", "/"),
        ("javascript:alert(1)", "/"),
        ("/trends\r\nSet-Cookie: x=1", "/"),
        (None, "/"),
    ],
)
def test_next_is_a_same_origin_path(asked, answer):
    from ui.web import safe_next

    assert safe_next(asked) == answer


def test_admin_page_lists_live_sessions_and_ends_the_chosen_one(session, file_store):
    other = sign_in(file_store, "viewer1", client="10.9.8.7")
    test = session("boss")
    test.switch_page("pages/users.py").run()
    assert not test.exception, [e.value for e in test.exception]
    assert "在线会话" in [header.value for header in test.subheader]
    table = test.dataframe[1].value
    assert sorted(table["账户"]) == ["boss", "viewer1"]
    assert table.loc[table["账户"] == "viewer1", "客户端地址"].tolist() == ["10.9.8.7"]
    target = int(table.loc[table["账户"] == "viewer1", "会话"].iloc[0])
    chooser = next(box for box in test.selectbox if box.label == "结束会话")
    chooser.set_value(target)
    next(button for button in test.button if button.label == "结束所选会话").click().run()
    assert accounts.session(file_store, other) is None
    assert accounts.audit_trail(file_store).iloc[0]["action"] == "结束会话"


def test_a_locked_store_shows_one_line_on_the_page_not_a_traceback(session, file_store, monkeypatch):
    signed_in(monkeypatch, file_store, "viewer1")
    monkeypatch.setenv("METRICS_ACCOUNTS_WAIT_SECONDS", "0.3")
    with open(file_store.with_name(file_store.name + ".lock"), "w") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        test = session()
    # The page names the store by its file name only: the server's directories are nobody's business.
    assert [error.value for error in test.error] == [
        "账户库 accounts.duckdb 被其他进程占用，0.3 秒内未释放，请稍后重试"]
    assert not test.title


@pytest.mark.parametrize(
    ("peer", "headers", "expected"),
    [
        ("127.0.0.1", [(b"x-forwarded-for", b"203.0.113.5, 10.0.0.8"), (b"x-forwarded-proto", b"https")],
         ("10.0.0.8", True)),
        ("127.0.0.1", [], ("127.0.0.1", False)),
        ("198.51.100.7", [(b"x-forwarded-for", b"10.0.0.8"), (b"x-forwarded-proto", b"https")],
         ("198.51.100.7", False)),  # not a trusted proxy: its forwarding headers are ignored
    ],
)
def test_client_address_and_https_come_from_a_trusted_proxy_only(peer, headers, expected):
    from ui.web import client_of

    scope = {"type": "http", "scheme": "http", "client": (peer, 50000), "headers": headers}
    assert client_of(scope) == expected


def test_trusted_proxies_are_addresses_or_networks_never_host_names(monkeypatch):
    from ui import web

    monkeypatch.setenv("METRICS_TRUSTED_PROXIES", "172.30.0.0/24, 10.0.0.9")
    forwarded = [(b"x-forwarded-for", b"203.0.113.5"), (b"x-forwarded-proto", b"https")]
    for peer, expected in [("172.30.0.10", ("203.0.113.5", True)), ("10.0.0.9", ("203.0.113.5", True)),
                           ("172.30.1.10", ("172.30.1.10", False)), ("127.0.0.1", ("127.0.0.1", False))]:
        assert web.client_of({"type": "http", "scheme": "http", "client": (peer, 1), "headers": forwarded}) == expected
    monkeypatch.setenv("METRICS_TRUSTED_PROXIES", "proxy")
    with pytest.raises(web.ProxySettingError) as refused:
        web.trusted_networks()
    assert str(refused.value) == ("METRICS_TRUSTED_PROXIES 中的“proxy”不是 IP 地址或网段（应写作 172.30.0.10 或 "
                                  "172.30.0.0/24，多个用逗号分隔；不接受主机名）")


def test_parallel_guesses_are_counted_exactly_and_a_right_password_is_no_failure(store):
    """Passwords are checked outside the store's lock: attempts side by side still see each other's failures."""
    from concurrent.futures import ThreadPoolExecutor

    def guess(n):
        try:
            accounts.sign_in(store, "viewer1", f"wrong-{n}", client_address="198.51.100.1", user_agent="t")
        except accounts.LoginRefused as refused:
            return refused.message

    with ThreadPoolExecutor(8) as pool:
        messages = list(pool.map(guess, range(8)))
    assert sorted(messages) == sorted([accounts.WRONG] * 4 + [accounts.THROTTLED] * 4)
    # The right current password with a refused new one leaves no failure behind.
    for _ in range(accounts.MAX_FAILED_ATTEMPTS):
        with pytest.raises(accounts.AccountError, match="新密码不能与当前密码相同"):
            accounts.change_own_password(store, "viewer1", PASSWORD, PASSWORD, client_address="198.51.100.2")
    assert accounts.sign_in(store, "viewer1", PASSWORD, client_address="198.51.100.2", user_agent="t")
