"""`python -m metrics user …` and the first-start admin of `ensure`."""

import contextlib
import csv
import io
import subprocess
import sys
from unittest import mock

from metrics import accounts
from metrics.cli import main
from metrics.paths import ROOT


def cli(*args, stdin: str = "", env_db=None) -> subprocess.CompletedProcess:
    """`python -m metrics …` in this process (the main that __main__.py runs, a second quicker than a new
    interpreter); the tests below that need the real process (a lock held by another, ensure) start one."""
    out, err = io.StringIO(), io.StringIO()
    with mock.patch("sys.stdin", io.StringIO(stdin)), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*args, "--db", str(env_db)])
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def signed_in_account(store, username: str, password: str) -> accounts.Account:
    token = accounts.sign_in(store, username, password, client_address="127.0.0.1", user_agent="pytest")
    return accounts.session(store, token).account


def test_user_commands_manage_accounts_and_are_audited(fresh_db):
    store = accounts.accounts_path(fresh_db)
    added = cli("user", "add", "zhangsan", "--role", "editor", "--regions", "华容区，鄂城区", "--password-stdin",
                stdin="a-good-password\n", env_db=fresh_db)
    assert added.returncode == 0, added.stderr
    assert added.stderr == "已新增账户 zhangsan（首次登录须修改密码）\n"
    listed = list(csv.DictReader(cli("user", "list", env_db=fresh_db).stdout.splitlines()))
    assert [(r["username"], r["role"], r["scope_regions"], r["must_change_password"]) for r in listed] == [
        ("zhangsan", "editor", "华容区、鄂城区", "True")
    ]
    assert signed_in_account(store, "zhangsan", "a-good-password").scope_regions == ("华容区", "鄂城区")
    assert cli("user", "passwd", "zhangsan", "--password-stdin", stdin="another-password\n",
               env_db=fresh_db).returncode == 0
    assert signed_in_account(store, "zhangsan", "another-password").username == "zhangsan"
    assert cli("user", "disable", "zhangsan", env_db=fresh_db).stderr == "已停用账户 zhangsan\n"
    actions = accounts.audit_trail(store)["action"].tolist()
    assert actions == ["停用账户", "修改密码", "新增账户"]
    assert all(actor.startswith("cli:") for actor in accounts.audit_trail(store)["actor"])


def test_user_command_errors_are_one_clear_line(fresh_db):
    short = cli("user", "add", "lisi", "--password-stdin", stdin="short\n", env_db=fresh_db)
    assert (short.returncode, short.stderr) == (2, "错误：密码至少需要10个字符\n")
    unscoped = cli("user", "add", "lisi", "--role", "editor", "--password-stdin", stdin="a-good-password\n",
                   env_db=fresh_db)
    assert (unscoped.returncode, unscoped.stderr) == (2, "错误：填报账户必须指定可填报的地区或指标类别\n")
    missing = cli("user", "disable", "ghost", env_db=fresh_db)
    assert (missing.returncode, missing.stderr) == (2, "错误：用户“ghost”不存在\n")


def test_scope_names_must_exist_in_the_warehouse(fresh_db):
    region = cli("user", "add", "wangwu", "--role", "editor", "--regions", "华荣区", "--password-stdin",
                 stdin="a-good-password\n", env_db=fresh_db)
    assert region.returncode == 2
    assert region.stderr.startswith("错误：未知地区“华荣区”，可选：") and "华容区" in region.stderr
    assert region.stderr.count("\n") == 1
    category = cli("user", "add", "wangwu", "--role", "editor", "--categories", "一窗通办,不存在的类别",
                   "--password-stdin", stdin="a-good-password\n", env_db=fresh_db)
    assert category.returncode == 2
    assert category.stderr.startswith("错误：未知指标类别“不存在的类别”，可选：") and "一窗通办" in category.stderr
    assert accounts.list_users(accounts.accounts_path(fresh_db)).empty


def test_user_set_changes_role_and_scope_and_ends_sessions(fresh_db):
    store = accounts.accounts_path(fresh_db)
    assert cli("user", "add", "zhaoliu", "--password-stdin", stdin="a-good-password\n",
               env_db=fresh_db).returncode == 0
    token = accounts.sign_in(store, "zhaoliu", "a-good-password", client_address="127.0.0.1", user_agent="pytest")
    unknown = cli("user", "set", "zhaoliu", "--role", "editor", "--regions", "火星区", env_db=fresh_db)
    assert (unknown.returncode, unknown.stderr.split("，")[0]) == (2, "错误：未知地区“火星区”")
    assert cli("user", "set", "zhaoliu", "--regions", "华容区", env_db=fresh_db).stderr == \
        "错误：请用 --role 指定角色（viewer、editor 或 admin）\n"
    changed = cli("user", "set", "zhaoliu", "--role", "editor", "--regions", "华容区", env_db=fresh_db)
    assert (changed.returncode, changed.stderr) == (0, "已修改 zhaoliu 的角色与范围（其会话已结束）\n")
    assert accounts.authorise(store, "zhaoliu", "editor").scope_regions == ("华容区",)
    assert accounts.session(store, token) is None


def test_a_locked_accounts_store_is_one_chinese_line_not_a_hang(fresh_db):
    import fcntl
    import os
    import time

    store = accounts.accounts_path(fresh_db)
    accounts.list_users(store)
    with open(store.with_name(store.name + ".lock"), "w") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        start = time.monotonic()
        locked = subprocess.run([sys.executable, "-m", "metrics", "user", "list", "--db", str(fresh_db)], cwd=ROOT,
                                capture_output=True, text=True, timeout=60,
                                env={**os.environ, "METRICS_ACCOUNTS_WAIT_SECONDS": "1"})
        waited = time.monotonic() - start
    assert (locked.returncode, locked.stderr) == (2, f"错误：账户库 {store} 被其他进程占用，1 秒内未释放，请稍后重试\n")
    assert waited < 20


def test_ensure_creates_the_accounts_store_for_its_owner_only(tmp_path):
    import os
    import stat

    db = tmp_path / "warehouse.duckdb"
    env = {**os.environ, "METRICS_ACCOUNTS": ""}
    first = subprocess.run([sys.executable, "-m", "metrics", "ensure", "--db", str(db)], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    store = accounts.accounts_path(db)
    assert stat.S_IMODE(store.stat().st_mode) == 0o600


def test_user_add_takes_chinese_names_in_normal_form_and_refuses_hidden_or_look_alike_ones(fresh_db):
    def add(name: str):
        done = cli("user", "add", name, "--password-stdin", stdin="a-good-password\n", env_db=fresh_db)
        return done.returncode, done.stderr

    assert add("张三") == (0, "已新增账户 张三（首次登录须修改密码）\n")
    assert add("ｚｈａｎｇｓａｎ") == (0, "已新增账户 zhangsan（首次登录须修改密码）\n")
    assert add("zhangsan") == (2, "错误：用户“zhangsan”已存在\n")
    assert add("ZhangSan") == (2, "错误：用户名“ZhangSan”与已有账户“zhangsan”字形相近，容易混淆，请换一个\n")
    assert add("张\u200b三") == (
        2, "错误：用户名不能包含控制字符、格式字符（如零宽字符、双向文本控制符）或其他不可见字符：U+200B\n")
    assert add("张三\u202e") == (
        2, "错误：用户名不能包含控制字符、格式字符（如零宽字符、双向文本控制符）或其他不可见字符：U+202E\n")
    assert cli("user", "disable", "ｚｈａｎｇｓａｎ", env_db=fresh_db).stderr == "已停用账户 zhangsan\n"
    assert sorted(accounts.list_users(accounts.accounts_path(fresh_db))["username"]) == ["zhangsan", "张三"]
