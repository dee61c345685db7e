"""`python -m metrics user …` and the first-start admin of `ensure`."""

import csv
import subprocess
import sys

from metrics import accounts
from metrics.paths import ROOT


def cli(*args, stdin: str = "", env_db=None):
    return subprocess.run([sys.executable, "-m", "metrics", *args, "--db", str(env_db)], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=120)


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
    assert accounts.authenticate(store, "zhangsan", "a-good-password").scope_regions == ("华容区", "鄂城区")
    assert cli("user", "passwd", "zhangsan", "--password-stdin", stdin="another-password\n",
               env_db=fresh_db).returncode == 0
    assert accounts.authenticate(store, "zhangsan", "another-password").username == "zhangsan"
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
