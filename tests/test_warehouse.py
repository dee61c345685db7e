"""The warehouse as a DuckLake: private, every change a snapshot that readers see whole or not at all,
rollbacks to the exact prior state, movable, a full disk or a damaged catalog as one Chinese line that
changes nothing, never replaced without --force, and a warehouse of the earlier format migrated whole."""

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from support import export_text

from metrics import accounts, changes, ingest
from metrics.cli import main
from metrics.paths import ROOT
from metrics.store import engine, queries, upgrade, warehouse
from metrics.store.build import build
from metrics.store.warehouse import catalog_file, lake_dir, open_reader


def load_one(db: Path, tmp_path: Path, value: int) -> ingest.LoadResult:
    upload = tmp_path / f"q{value}.csv"
    upload.write_text(f"指标名称,地区,期间,数值,来源\n一窗通办事项数,华容区,2031-{value:02d},{value},季报\n",
                      encoding="utf-8")
    return ingest.apply(db, ingest.check_file(db, upload), user="测试")


def count(db: Path, snapshot: int | None = None) -> int:
    con = open_reader(db, snapshot)
    try:
        return int(queries.run(con, "count_observations").iloc[0, 0])
    finally:
        con.close()


def test_the_lake_is_private(fresh_db, tmp_path):
    load_one(fresh_db, tmp_path, 1)
    assert stat.S_IMODE(lake_dir(fresh_db).stat().st_mode) == 0o700
    assert stat.S_IMODE((lake_dir(fresh_db) / "data").stat().st_mode) == 0o700
    assert stat.S_IMODE(catalog_file(fresh_db).stat().st_mode) == 0o600


def test_a_new_data_directory_is_private(tmp_path):
    db = tmp_path / "new" / "warehouse.duckdb"
    build(db)
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700


def test_every_change_is_a_snapshot_and_rollbacks_restore_the_exact_prior_state(fresh_db, tmp_path):
    seed = export_text(fresh_db)
    versions = [warehouse.version_id(fresh_db)]
    results = []
    for month in (1, 2, 3):
        results.append(load_one(fresh_db, tmp_path, month))
        versions.append(warehouse.version_id(fresh_db))
    assert len(set(versions)) == 4 and results[-1].version == versions[-1]
    for result in reversed(results):
        ingest.rollback(fresh_db, result.load_id, "测试")
    assert export_text(fresh_db) == seed


def test_a_reader_keeps_the_snapshot_it_opened_while_later_changes_commit(fresh_db, tmp_path):
    reader = open_reader(fresh_db)
    try:
        load_one(fresh_db, tmp_path, 1)
        assert int(queries.run(reader, "count_observations").iloc[0, 0]) == 58
        assert count(fresh_db) == 59
    finally:
        reader.close()


def test_a_moved_warehouse_opens_where_it_now_is(fresh_db, tmp_path):
    load_one(fresh_db, tmp_path, 1)
    before = export_text(fresh_db)
    moved = tmp_path / "moved" / "warehouse.duckdb"
    moved.parent.mkdir()
    shutil.copytree(lake_dir(fresh_db), lake_dir(moved))
    warehouse.forget(fresh_db)
    shutil.rmtree(lake_dir(fresh_db))
    assert export_text(moved) == before
    load_one(moved, tmp_path, 2)
    assert count(moved) == 60 and not lake_dir(fresh_db).exists()


def in_small_filesystem(tmp_path: Path, size_kib: int, script: str) -> subprocess.CompletedProcess:
    """Run a shell script with $FS a fresh tmpfs of size_kib KiB, in a mount namespace of its own."""
    mount = tmp_path / "fs"
    mount.mkdir()
    probe = subprocess.run(["unshare", "-m", "mount", "-t", "tmpfs", "-o", "size=1k", "tmpfs", str(mount)],
                           capture_output=True)
    if probe.returncode != 0:
        pytest.skip("no permission to mount a small filesystem here (needs root)")
    body = f"mount -t tmpfs -o size={size_kib}k tmpfs {mount} && {script}"
    return subprocess.run(["unshare", "-m", "sh", "-c", body], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "FS": str(mount), "PY": sys.executable})


def test_disk_full_is_one_line_and_changes_nothing(fresh_db, tmp_path):
    lake_kib = sum(p.stat().st_size for p in lake_dir(fresh_db).rglob("*") if p.is_file()) // 1024
    months = [f"{1900 + m // 12}-{m % 12 + 1:02d}" for m in range(2400)]
    regions = ("鄂城区", "华容区", "梁子湖区", "葛店经开区")
    upload = tmp_path / "big.csv"
    upload.write_text("指标名称,地区,期间,数值,来源\n" + "".join(
        f"监管行为推送数据量,{region},{month},{n},满盘测试\n" for n, (region, month) in enumerate(
            (region, month) for region in regions for month in months)), encoding="utf-8")
    script = (
        f'cp -a {lake_dir(fresh_db)} "$FS"/ && '
        f'"$PY" -m metrics load {upload} --db "$FS"/{fresh_db.name} --user 测试; echo "status=$?"; '
        f'"$PY" -m metrics export --db "$FS"/{fresh_db.name} --out {tmp_path / "after.csv"}'
    )
    done = in_small_filesystem(tmp_path, lake_kib + 128, script)  # room to open the lake, not to load
    lines = done.stdout.splitlines()
    assert done.stderr.splitlines() == [f"错误：磁盘空间不足，未写入，数据仓库保持原样：{tmp_path / 'fs'}"]
    assert lines[0] == "status=2"
    assert (tmp_path / "after.csv").read_text(encoding="utf-8") == export_text(fresh_db)


def test_a_damaged_catalog_is_one_line_and_ensure_changes_nothing(fresh_db, tmp_path, capsys):
    load_one(fresh_db, tmp_path, 1)
    warehouse.forget(fresh_db)
    catalog_file(fresh_db).write_bytes(b"not a database" * 100)
    refusal = (f"错误：数据仓库 {fresh_db} 不可用：目录库 {catalog_file(fresh_db)} 不是 SQLite 数据库；"
               f"未做任何修改，请从备份恢复 {lake_dir(fresh_db)}，"
               "确认放弃原有数据后可运行 python -m metrics build --force\n")
    assert main(["load", str(tmp_path / "q1.csv"), "--db", str(fresh_db)]) == 2
    assert capsys.readouterr().err == refusal
    assert main(["ensure", "--db", str(fresh_db)]) == 2
    assert capsys.readouterr().err == refusal
    assert catalog_file(fresh_db).read_bytes().startswith(b"not a database")


def test_build_over_loaded_data_needs_force_keeps_the_old_snapshot_and_is_audited(fresh_db, tmp_path, capsys):
    load_one(fresh_db, tmp_path, 1)
    loaded = export_text(fresh_db)
    assert main(["build", "--db", str(fresh_db)]) == 2
    assert capsys.readouterr().err == (
        f"错误：数据仓库 {fresh_db} 已有 1 次载入，重建会以种子数据替换；确认请加 --force(原版本会保留)\n"
    )
    assert export_text(fresh_db) == loaded
    replaced = warehouse.current_snapshot(fresh_db)
    assert main(["build", "--db", str(fresh_db), "--force"]) == 0
    assert export_text(fresh_db) != loaded
    kept = open_reader(fresh_db, replaced)
    try:
        assert kept.execute("select load_id, kind from loads order by load_id").fetchall() == [
            (1, "seed"), (2, "observations")]
    finally:
        kept.close()
    rebuilt = accounts.audit_trail(accounts.accounts_path(fresh_db))
    assert rebuilt.iloc[0][["action", "detail", "count_before", "count_after"]].tolist() == [
        "重建数据仓库", f"种子数据 58 条观测值；原版本(含载入)保留为快照 {replaced}", 59, 58
    ]


def as_earlier_release(db: Path) -> Path:
    """The warehouse rewritten in the format of the releases before DuckLake: one DuckDB file per
    version behind a symlink at the warehouse path. Returns the version file."""
    version = db.with_name(db.name + ".versions") / "v1-0000.duckdb"
    version.parent.mkdir()
    con = open_reader(db)
    try:
        tables = queries.run(con, "warehouse_tables")["table_name"].tolist()
        con.execute(f"attach '{version}' as earlier")
        for table in tables:
            con.execute(f'create table earlier."{table}" as select * from "{table}"')
        con.execute("detach earlier")
    finally:
        con.close()
    warehouse.forget(db)
    shutil.rmtree(lake_dir(db))
    db.symlink_to(version.relative_to(db.parent))
    return version


def test_ensure_migrates_a_warehouse_of_the_earlier_format_whole_and_leaves_its_files(fresh_db, tmp_path,
                                                                                       capsys):
    first, second = load_one(fresh_db, tmp_path, 1), load_one(fresh_db, tmp_path, 2)
    ingest.rollback(fresh_db, first.load_id, "测试")
    before = export_text(fresh_db)
    version = as_earlier_release(fresh_db)
    assert main(["export", "--db", str(fresh_db)]) == 2
    assert capsys.readouterr().err == (
        f"错误：数据仓库 {fresh_db} 是旧版本的格式，请运行 python -m metrics ensure 迁移到当前格式\n")
    assert main(["ensure", "--db", str(fresh_db)]) == 0
    earlier = engine.connect(version, read_only=True)
    tables = len(set(queries.run(earlier, "warehouse_tables")["table_name"]) - set(upgrade.RECOMPUTED))
    earlier.close()
    assert capsys.readouterr().err.splitlines()[0] == (
        f"已将旧格式数据仓库 {fresh_db} 迁移到 DuckLake（{lake_dir(fresh_db)}）：{tables} 张表，观测值 59 条，"
        "逐表核对行数一致；旧文件保留未动")
    assert export_text(fresh_db) == before and version.exists()
    ingest.rollback(fresh_db, second.load_id, "测试")  # the history came along: loads still undo
    assert count(fresh_db) == 58
    trail = accounts.audit_trail(accounts.accounts_path(fresh_db))
    assert "迁移数据仓库" in trail["action"].tolist()


def test_a_file_that_is_no_warehouse_is_refused_as_such(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    db.write_bytes(b"x" * 4096)
    with pytest.raises(warehouse.WarehouseError, match="不是有效的 DuckDB 文件"):
        open_reader(db)


def test_changes_merge_the_files_of_the_small_tables_they_append_to(fresh_db, monkeypatch):
    """Every change appends a file to loads and change_log; after more than MERGE_AFTER_FILES the next change
    merges them. The rows and every earlier snapshot read as before; with another writer holding the lock
    the merge is left to a later change rather than waited for."""
    monkeypatch.setattr(warehouse, "MERGE_AFTER_FILES", 3)

    def loads_files() -> int:
        con = open_reader(fresh_db)
        try:
            return con.execute("select file_count from ducklake_table_info('lake') "
                               "where table_name = 'loads'").fetchone()[0]
        finally:
            con.close()

    def loads_rows(snapshot: int | None = None) -> list[tuple]:
        con = open_reader(fresh_db, snapshot)
        try:
            return con.execute("select * from loads order by load_id").fetchall()
        finally:
            con.close()

    first, files, rows = warehouse.current_snapshot(fresh_db), loads_files(), loads_rows()
    with warehouse.writer_lock(fresh_db):
        assert warehouse.merge_small_tables(fresh_db) == []  # held: skipped at once
    for value in (90, 91, 92, 93):
        changes.set_target(fresh_db, "测试", "one_window_share", None, 2031, value, ">=")
    assert loads_files() <= 3 < files + 4
    assert loads_rows()[:len(rows)] == rows and len(loads_rows()) == len(rows) + 4
    assert loads_rows(first) == rows


def test_deleted_data_files_are_one_line_in_the_cli_on_pages_and_in_healthz(fresh_db, app, capsys, monkeypatch):
    """The files of the observations (the CLI reads them) and of the newest facts (every page does) deleted."""
    tables = [lake_dir(fresh_db) / "data" / "main" / table for table in ("newest_quarter_facts", "observations")]
    deleted = [path for table in tables for path in sorted(table.iterdir())]
    for table in tables:
        shutil.rmtree(table)
    assert sorted(warehouse.missing_files(fresh_db)) == deleted
    first = warehouse.missing_files(fresh_db)[0].relative_to(lake_dir(fresh_db))
    cli_line = (f"错误：数据仓库 {fresh_db} 缺少 {len(deleted)} 个数据文件（如 {first}），"
                f"已被删除或丢失，无法读取；请从备份恢复 {lake_dir(fresh_db)}")
    for command in (["export"], ["score"], ["brief", "--period", "2024Q3", "--format", "docx", "--out", "b.docx"]):
        assert main([*command, "--db", str(fresh_db)]) == 2
        assert capsys.readouterr().err == cli_line + "\n"
    assert main(["ensure", "--db", str(fresh_db)]) == 2
    assert capsys.readouterr().err == cli_line + "；未做任何修改\n"
    page_line = f"数据仓库缺少 {len(deleted)} 个数据文件（已被删除或丢失），无法读取；请管理员从备份恢复数据目录"
    assert [error.value for error in app(db=fresh_db, expect_error=True).error] == [page_line]
    monkeypatch.setenv("METRICS_DB", str(fresh_db))
    from ui import web
    assert web._health_problems() == [page_line]


def test_files_no_snapshot_refers_to_are_removed_once_old_and_never_while_a_writer_works(fresh_db, tmp_path):
    """A killed or failed change leaves Parquet files the catalog never recorded: `ensure` and every later change
    remove them once older than ORPHAN_AGE_SECONDS, under the writer lock; the files of every snapshot stay."""
    load_one(fresh_db, tmp_path, 1)
    ingest.rollback(fresh_db, 2, "测试")  # files that only an earlier snapshot reads now
    kept = sorted(path for path in (lake_dir(fresh_db) / "data").rglob("*") if path.is_file())
    observations = lake_dir(fresh_db) / "data" / "main" / "observations"
    old, new = observations / "ducklake-killed-old.parquet", observations / "ducklake-killed-new.parquet"
    for orphan in (old, new):
        orphan.write_bytes(b"PAR1")
    an_hour_ago = os.path.getmtime(new) - warehouse.ORPHAN_AGE_SECONDS - 1
    os.utime(old, (an_hour_ago, an_hour_ago))
    with warehouse.writer_lock(fresh_db):
        assert warehouse.remove_orphan_files(fresh_db) == 0  # a writer may be working: skipped
    assert old.exists()
    assert main(["ensure", "--db", str(fresh_db)]) == 0
    assert not old.exists() and new.exists()
    os.utime(new, (an_hour_ago, an_hour_ago))
    changes.set_target(fresh_db, "测试", "one_window_share", None, 2031, 90, ">=")
    assert not new.exists()
    assert all(path.exists() for path in kept)
    first = open_reader(fresh_db, 1)
    try:
        assert int(queries.run(first, "count_observations").iloc[0, 0]) == 58
    finally:
        first.close()


def test_a_page_runs_connection_reads_the_snapshot_pinned_at_its_start_not_a_later_one(fresh_db):
    """A change committed while a page runs (here: before its first query) is not what that run's queries read:
    the connection of a version is opened at that version's snapshot."""
    from support import load_text

    from ui import common

    def loads(con) -> int:
        return con.execute("select count(*) from loads").fetchone()[0]

    pinned = warehouse.version_id(fresh_db)
    with open_reader(fresh_db) as con:
        before = loads(con)
    load_text(fresh_db, "late.csv", "指标名称,地区,期间,数值,来源\n一窗通办事项数,华容区,2024Q1,120,季报\n")
    assert warehouse.version_id(fresh_db) != pinned
    common._connection.clear()
    try:
        assert loads(common._connection(str(fresh_db), pinned)) == before
        assert loads(common._connection(str(fresh_db), warehouse.version_id(fresh_db))) == before + 1
        with warehouse.open_version(fresh_db, pinned) as con:
            assert loads(con) == before
    finally:
        common._connection.clear()
