"""What only the PostgreSQL shape of the accounts store has: its writer lock, its URL's password kept out of every
message, numbering under concurrent writers, and `migrate-accounts` from the file store. The behaviours both
shapes share are tested in both by test_auth.py."""

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import duckdb
import pandas as pd
import pytest
from support import PASSWORD

from metrics import accounts, cli
from metrics.accounts import store as accounts_store
from metrics.store import postgres


def test_a_locked_store_gives_one_chinese_line_after_a_bounded_wait(postgres_store, monkeypatch):
    accounts.add_user(postgres_store, "boss", PASSWORD, "admin", actor="test")
    monkeypatch.setenv("METRICS_ACCOUNTS_WAIT_SECONDS", "0.5")
    holder = postgres.connect(postgres_store.url)
    holder.execute("begin transaction")
    holder.execute(f"call postgres_execute('{postgres.CATALOG}', 'lock table users in exclusive mode')")
    start = time.monotonic()
    with pytest.raises(accounts.StoreUnavailable) as refused:
        accounts.list_users(postgres_store)
    waited = time.monotonic() - start
    holder.execute("rollback")
    holder.close()
    assert str(refused.value) == f"账户库 {postgres_store} 被其他进程占用，0.5 秒内未释放，请稍后重试"
    assert 0.5 <= waited < 1.5
    assert accounts.list_users(postgres_store)["username"].tolist() == ["boss"]


def test_a_restarted_server_is_reconnected_without_an_error(postgres_server, postgres_store):
    accounts.add_user(postgres_store, "boss", PASSWORD, "admin", actor="test")
    token = accounts.sign_in(postgres_store, "boss", PASSWORD, client_address="10.0.0.1", user_agent="pytest")
    postgres_server.restart()  # the process's pooled connections to it are now dead
    assert accounts.session(postgres_store, token).account.username == "boss"


def causes(error: BaseException | None) -> list[str]:
    """The texts of error and of every exception a traceback of it would show."""
    texts = []
    while error is not None:
        texts.append(str(error))
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    return texts


@pytest.mark.parametrize("wrong", ["port", "password"])
def test_the_url_password_is_in_no_message(postgres_server, wrong):
    url = postgres_server.url()
    parts = urlsplit(url)
    if wrong == "port":
        url = url.replace(f":{parts.port}/", f":{parts.port + 1}/")
    else:
        url = url.replace(f":{parts.password}@", ":not-the-password-7Q@")
    password = urlsplit(url).password
    store = accounts.PostgresStore(url)
    assert password not in str(store) and password not in repr(store)
    with pytest.raises(accounts.StoreUnavailable) as refused:
        accounts.list_users(store)
    assert str(refused.value) == (f"无法连接账户库 postgresql://metrics:***@127.0.0.1:{urlsplit(url).port}/accounts，"
                                  "请检查 METRICS_ACCOUNTS_URL 与数据库服务")
    assert all(password not in text for text in causes(refused.value)), causes(refused.value)


def test_redacted_hides_the_password_in_each_form_libpq_takes():
    assert postgres.redacted("postgresql://u:p%40ss@db:5432/x?sslmode=require") == \
        "postgresql://u:***@db:5432/x?sslmode=require"
    assert postgres.redacted("postgresql://db/x?user=u&password=secret1") == "postgresql://db/x?user=u&password=***"
    assert postgres.redacted("host=db dbname=x password='two words'") == "host=db dbname=x password=***"
    assert postgres.redacted("postgresql://u@db/x") == "postgresql://u@db/x"


def test_concurrent_sign_ins_from_several_threads_get_distinct_numbers(postgres_store):
    accounts.add_user(postgres_store, "boss", PASSWORD, "admin", actor="test")
    with ThreadPoolExecutor(max_workers=6) as pool:
        tokens = list(pool.map(
            lambda n: accounts.sign_in(postgres_store, "boss", PASSWORD, client_address=f"10.0.0.{n}",
                                       user_agent="pytest"), range(12)))
    live = accounts.live_sessions(postgres_store)
    assert sorted(live["session_id"]) == list(range(1, 13))
    assert all(accounts.session(postgres_store, token) for token in tokens)


def file_store_with_every_table(path):
    """A file store with rows in every table: accounts, an OIDC identity, sessions, failures, the audit trail and
    one journalled change copied into it."""
    accounts.add_user(path, "boss", PASSWORD, "admin", actor="test")
    accounts.add_user(path, "hr_editor", PASSWORD, "editor", actor="boss", scope_regions=("华容区", "鄂城区"))
    token = accounts.sign_in(path, "hr_editor", PASSWORD, client_address="10.0.0.5", user_agent="pytest")
    with pytest.raises(accounts.LoginRefused):
        accounts.sign_in(path, "boss", "wrong-password", client_address="10.0.0.6", user_agent="pytest")
    accounts.oidc_sign_in(path, {"iss": "https://idp.example", "sub": "u-1", "role": "viewer"},
                          client_address="10.0.0.7", user_agent="pytest")
    journal = pd.DataFrame({"change_key": ["k1"], "load_id": [2], "happened_at": [dt.datetime(2024, 10, 9, 8, 0)],
                            "actor": ["cli:root"], "action": ["载入数据"], "target": ["载入 #2 季报.csv"],
                            "detail": [None], "count_before": [58], "count_after": [60]})
    accounts.reconcile_audit(path, journal, 5)
    return token, journal


def test_migrate_accounts_copies_every_table_checks_the_counts_and_refuses_a_second_time(
        tmp_path, postgres_store, monkeypatch, capsys):
    source = tmp_path / "accounts.duckdb"
    token, journal = file_store_with_every_table(source)
    before = accounts.audit_trail(source)
    monkeypatch.setenv("METRICS_ACCOUNTS_URL", postgres_store.url)

    assert cli.main(["migrate-accounts", "--db", str(tmp_path / "warehouse.duckdb")]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f"已将账户库 {source} 复制到 {postgres_store}：账户 2 行、统一身份认证账户 1 行、会话 2 行、"
                     "登录失败记录 1 行、审计记录 3 行、已补记的数据变更 1 行，逐表核对行数一致"]
    assert urlsplit(postgres_store.url).password not in lines[0]

    # The copy works as the store: the session goes on, the audit trail is the same, numbering continues,
    # and the journalled change is not copied into the audit trail a second time.
    assert accounts.session(postgres_store, token).account.scope_regions == ("华容区", "鄂城区")
    pd.testing.assert_frame_equal(accounts.audit_trail(postgres_store), before)
    accounts.sign_in(postgres_store, "boss", PASSWORD, client_address="10.0.0.8", user_agent="pytest")
    assert accounts.live_sessions(postgres_store)["session_id"].max() == 3
    accounts.reconcile_audit(postgres_store, journal, 5)
    assert len(accounts.audit_trail(postgres_store)) == len(before)

    assert cli.main(["migrate-accounts", "--from", str(source)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"错误：目标账户库 {postgres_store} 已有数据（账户 2 行、统一身份认证账户 1 行、会话 3 行、登录失败记录 1 行、"
        "审计记录 3 行、已补记的数据变更 1 行），未复制任何数据；请指定一个空的数据库"]


def test_migrate_accounts_needs_the_target_url_and_a_source_file(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("METRICS_ACCOUNTS_URL", raising=False)
    assert cli.main(["migrate-accounts", "--from", str(tmp_path / "accounts.duckdb")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "错误：请先设置 METRICS_ACCOUNTS_URL 为目标 PostgreSQL 数据库的连接串"]
    monkeypatch.setenv("METRICS_ACCOUNTS_URL", "postgresql://metrics@127.0.0.1:1/accounts")
    assert cli.main(["migrate-accounts", "--from", str(tmp_path / "accounts.duckdb")]) == 2
    assert capsys.readouterr().err.splitlines() == [f"错误：账户库文件 {tmp_path / 'accounts.duckdb'} 不存在"]


def test_a_failed_copy_leaves_the_target_empty(tmp_path, postgres_store, monkeypatch):
    source = tmp_path / "accounts.duckdb"
    file_store_with_every_table(source)
    real_count = accounts_store._count

    def short_target(con, table):
        """One audit row fewer in the target than there is."""
        counted = real_count(con, table)
        is_target = con.execute("select current_database()").fetchone()[0] == postgres.CATALOG
        return max(counted - 1, 0) if table == "audit_events" and is_target else counted

    monkeypatch.setattr(accounts_store, "_count", short_target)
    refusal = r"^复制后审计记录行数不一致（源 3 行，目标 2 行），已撤销，目标账户库未改动$"
    with pytest.raises(accounts.AccountError, match=refusal):
        accounts.migrate(source, postgres_store)
    monkeypatch.undo()
    with accounts_store.transaction(postgres_store) as con:
        counts = [accounts_store._count(con, table) for table in accounts.STORE_TABLES]
    assert counts == [0] * len(accounts.STORE_TABLES)


@pytest.mark.parametrize(
    ("statement", "refusal"),
    [
        ("create sequence probe_ids", "do not support creating sequences"),
        ("create table probe (names varchar[] default [])", 'schema "main" does not exist'),
        ("insert into users (username, password_hash, role, scope_regions, scope_categories, created_at, updated_at) "
         "values ('x', 'h', 'viewer', [], [], now()::timestamp, now()::timestamp) returning username",
         "RETURNING clause not yet supported"),
    ],
    ids=["sequence", "list default", "returning"],
)
def test_what_duckdb_cannot_do_in_postgres_so_the_shared_sql_does_without_it(postgres_store, statement, refusal):
    """Why ids are the largest + 1, inserts name every list and nothing uses RETURNING: if DuckDB learns these
    for attached PostgreSQL databases, the shared SQL may use them again."""
    accounts.list_users(postgres_store)  # lays out the tables
    con = postgres.connect(postgres_store.url)
    with pytest.raises(duckdb.Error, match=refusal):
        con.execute(statement)
    con.close()
