"""The shared shape: the same code with the warehouse catalog in PostgreSQL ($METRICS_CATALOG_URL) and its
data files in the directory every server mounts. A load from another process is seen on the next read
(the cache key is the catalog's snapshot); two loads started at the same moment both apply, once each;
`migrate-shared` moves an embedded install over whole; a wrong password is one line without it."""

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from support import export_text

from metrics import accounts, config, ingest
from metrics.cli import main
from metrics.paths import ROOT
from metrics.store import queries, warehouse
from metrics.store.build import build

LOAD = "指标名称,地区,期间,数值,来源\n一窗通办事项数,{region},2031-0{month},{value},季报\n"


@pytest.fixture
def catalog_url(postgres_server) -> str:
    return postgres_server.create_database(f"lake_{uuid.uuid4().hex[:12]}")


def history(db: Path):
    con = warehouse.open_reader(db)
    try:
        return queries.run(con, "load_history")
    finally:
        con.close()


def cli_load(db: Path, path: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "metrics", "load", str(path), "--db", str(db), "--user", "测试"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_the_same_code_builds_and_serves_the_warehouse_from_a_postgresql_catalog(seed_db, catalog_url, tmp_path,
                                                                                  monkeypatch):
    embedded = export_text(seed_db)
    monkeypatch.setenv(config.CATALOG_URL.name, catalog_url)
    db = tmp_path / "shared" / "warehouse.duckdb"
    assert not warehouse.exists(db)
    build(db)
    assert warehouse.exists(db) and export_text(db) == embedded
    assert not warehouse.catalog_file(db).exists()  # no SQLite catalog: the data path holds only data files
    assert list((warehouse.lake_dir(db) / "data").rglob("*.parquet"))


def test_loads_from_other_processes_are_seen_on_the_next_read_and_two_at_once_both_apply(
        catalog_url, tmp_path, monkeypatch):
    monkeypatch.setenv(config.CATALOG_URL.name, catalog_url)
    db = tmp_path / "shared" / "warehouse.duckdb"
    build(db)
    version = warehouse.version_id(db)
    files = []
    for month, region in ((1, "华容区"), (2, "鄂城区")):
        files.append(tmp_path / f"{month}.csv")
        files[-1].write_text(LOAD.format(region=region, month=month, value=month * 10), encoding="utf-8")
    loads = [cli_load(db, path) for path in files]  # at the same moment, from two processes
    outcomes = [load.communicate(timeout=120) + (load.returncode,) for load in loads]
    assert [returncode for _, _, returncode in outcomes] == [0, 0], outcomes
    assert warehouse.version_id(db) != version
    found = history(db)
    assert sorted(found["load_id"]) == [1, 2, 3] and (found["kind"] == "observations").sum() == 2
    con = warehouse.open_reader(db)
    try:
        assert queries.run(con, "count_observations").iloc[0, 0] == 60
    finally:
        con.close()


def test_migrate_shared_moves_an_embedded_install_whole_and_refuses_a_second_time(
        fresh_db, postgres_server, catalog_url, tmp_path, monkeypatch, capsys):
    upload = tmp_path / "one.csv"
    upload.write_text(LOAD.format(region="华容区", month=1, value=7), encoding="utf-8")
    ingest.apply(fresh_db, ingest.check_file(fresh_db, upload), user="测试")
    embedded = export_text(fresh_db)
    store = accounts.accounts_file(fresh_db)
    accounts.add_user(store, "clerk1", "a-long-password-1", "viewer", actor="test")
    accounts_url = postgres_server.create_database(f"accounts_{uuid.uuid4().hex[:12]}")
    monkeypatch.setenv(config.CATALOG_URL.name, catalog_url)
    monkeypatch.setenv(config.ACCOUNTS_URL.name, accounts_url)
    monkeypatch.delenv("METRICS_ACCOUNTS", raising=False)

    assert main(["migrate-shared", "--db", str(fresh_db)]) == 0
    said = capsys.readouterr().err.splitlines()
    assert said[0].startswith("已将数据仓库复制到共享目录库 ") and said[0].endswith("观测值 59 条，逐表核对行数一致")
    assert "postgresql://" in said[0] and postgres_server.password not in said[0]
    assert said[1].startswith(f"已将账户库 {store} 复制到 ")
    assert export_text(fresh_db) == embedded  # now read from PostgreSQL
    assert history(fresh_db)["kind"].tolist()[:2] == ["seed", "observations"]
    assert "clerk1" in accounts.list_users(accounts.accounts_path(fresh_db))["username"].tolist()

    assert main(["migrate-shared", "--db", str(fresh_db)]) == 2
    assert "中已有数据仓库，未复制任何数据；请指定一个空的数据库" in capsys.readouterr().err


def test_a_catalog_that_refuses_the_password_is_one_line_without_it(postgres_server, tmp_path, monkeypatch, capsys):
    wrong = postgres_server.url("postgres").replace(postgres_server.password, "not-the-password")
    monkeypatch.setenv(config.CATALOG_URL.name, wrong)
    assert main(["export", "--db", str(tmp_path / "warehouse.duckdb")]) == 2
    said = capsys.readouterr().err
    assert said.startswith("错误：无法连接数据仓库的共享目录库 ") and said.count("\n") == 1
    assert "not-the-password" not in said
