"""A lake whose catalog is missing (its data files still there), empty, a SQLite file that is no
DuckLake's, or a DuckLake catalog without tables: every command refuses in one Chinese line and leaves the
catalog byte for byte, nothing is built over it, `build --force` sets it aside whole, and the dashboard
and /healthz say so instead of showing an empty warehouse."""

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from support import load_text

from metrics.paths import ROOT
from metrics.store import engine
from metrics.store.warehouse import DATA_DIRECTORY, catalog_file, forget, lake_dir
from ui import web
from ui.common import without_server_paths

READING_COMMANDS = ("export", "history", "indicators")
QUARTER_CSV = "指标名称,地区,期间,数值,来源\n一窗通办事项数,华容区,2024年第一季度,120,季报\n"


def metrics(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "metrics", *args, "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "METRICS_ACCOUNTS": str(db.with_name("accounts.duckdb"))})


def files(directory: Path) -> dict[str, bytes]:
    return {str(path.relative_to(directory)): path.read_bytes() for path in directory.rglob("*") if path.is_file()}


def break_catalog(db: Path, how: str) -> None:
    forget(db)
    catalog = catalog_file(db)
    for path in lake_dir(db).glob(catalog.name + "*"):
        path.unlink()
    if how == "empty":
        catalog.write_bytes(b"")
    elif how == "not_ducklake":
        with sqlite3.connect(catalog) as con:
            con.execute("create table notes (text)")
        con.close()
    elif how == "no_tables":  # DuckLake's catalog with nothing in it yet, as a first build killed early leaves
        con = engine.connect(db, in_memory=True, extensions=("ducklake", "sqlite"))
        con.execute(f"attach 'ducklake:sqlite:{catalog}' as lake (data_path '{lake_dir(db) / DATA_DIRECTORY}/')")
        con.close()


def problem(db: Path, how: str) -> str:
    catalog = catalog_file(db)
    return {
        "missing": f"目录库 {catalog} 不存在，而 {lake_dir(db) / DATA_DIRECTORY} 中有 "
                   f"{len(files(lake_dir(db) / DATA_DIRECTORY))} 个数据文件",
        "empty": f"目录库 {catalog} 是空文件(0 字节)",
        "not_ducklake": f"目录库 {catalog} 中没有 DuckLake 的元数据表",
        "no_tables": f"目录库 {catalog} 中没有任何数据表",
    }[how]


def refusal(db: Path, how: str) -> str:
    return (f"错误：数据仓库 {db} 不可用：{problem(db, how)}；未做任何修改，请从备份恢复 {lake_dir(db)}，"
            "确认放弃原有数据后可运行 python -m metrics build --force\n")


@pytest.fixture
def loaded_db(fresh_db) -> Path:
    load_text(fresh_db, "q.csv", QUARTER_CSV)
    return fresh_db


@pytest.mark.parametrize("how", ["missing", "empty", "not_ducklake", "no_tables"])
def test_every_command_refuses_in_one_line_and_leaves_the_catalog_as_it_was(loaded_db, how):
    break_catalog(loaded_db, how)
    catalog = catalog_file(loaded_db)
    before = catalog.read_bytes() if catalog.exists() else None, files(lake_dir(loaded_db) / DATA_DIRECTORY)
    # A catalog without tables has nothing a build would lose (a first build killed early): build goes ahead.
    for command in ("ensure", *(["build"] if how != "no_tables" else []), *READING_COMMANDS):
        done = metrics(loaded_db, command)
        assert (command, done.returncode, done.stdout, done.stderr) == (command, 2, "", refusal(loaded_db, how))
        after = catalog.read_bytes() if catalog.exists() else None, files(lake_dir(loaded_db) / DATA_DIRECTORY)
        assert after == before, command


def test_build_force_sets_the_lost_lake_aside_and_starts_afresh(loaded_db):
    break_catalog(loaded_db, "missing")
    data_before = files(lake_dir(loaded_db) / DATA_DIRECTORY)
    done = metrics(loaded_db, "build", "--force")
    [aside] = lake_dir(loaded_db).glob("abandoned-*")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [f"已将无法打开的目录库及数据文件移至 {aside}",
                                        f"已构建数据仓库 {loaded_db}：58 条通报观测值"]
    assert files(aside / DATA_DIRECTORY) == data_before
    history = metrics(loaded_db, "history")
    assert [line.split(",")[0] for line in history.stdout.splitlines()] == ["编号", "1"]


@pytest.mark.parametrize("how", ["empty", "no_tables"])
def test_a_page_and_healthz_report_the_broken_catalog(loaded_db, app, how):
    break_catalog(loaded_db, how)
    before = catalog_file(loaded_db).read_bytes()
    # a browser is told the file names, never the server's directories
    message = without_server_paths(refusal(loaded_db, how).removeprefix("错误：").removesuffix("\n"))
    assert "warehouse.duckdb 不可用：目录库 catalog.sqlite" in message and str(loaded_db.parent) not in message
    test = app(db=loaded_db, expect_error=True)
    assert [error.value for error in test.error] == [f"数据仓库不可用：{message}"]
    health = asyncio.run(web.healthz(None))
    assert (health.status_code, health.body.decode()) == (503, f"数据仓库不可读：{message}")
    assert catalog_file(loaded_db).read_bytes() == before
