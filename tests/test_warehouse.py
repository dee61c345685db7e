"""Versioned warehouse files: private, cleaned after crashes, pruned to published versions only,
recovered rather than rebuilt, never replaced without --force, and failures as one Chinese line."""

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from support import export_text

from metrics import accounts, ingest
from metrics.build import build
from metrics.cli import main
from metrics.paths import ROOT
from metrics.warehouse import VERSIONS_KEPT, current_file, versions_dir


def load_one(db: Path, tmp_path: Path, value: int) -> ingest.LoadResult:
    upload = tmp_path / f"q{value}.csv"
    upload.write_text(f"指标名称,地区,期间,数值,来源\n一窗通办事项数,华容区,2031-{value:02d},{value},季报\n",
                      encoding="utf-8")
    return ingest.apply(db, ingest.check_file(db, upload), user="测试")


def published(db: Path) -> list[str]:
    return sorted(p.name for p in versions_dir(db).glob("v*.duckdb"))


def test_version_files_are_private(fresh_db, tmp_path):
    load_one(fresh_db, tmp_path, 1)
    assert stat.S_IMODE(versions_dir(fresh_db).stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in versions_dir(fresh_db).glob("*.duckdb")} == {0o600}


def test_a_new_data_directory_is_private(tmp_path):
    db = tmp_path / "new" / "warehouse.duckdb"
    build(db)
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700


def test_leftovers_of_killed_writers_go_and_pruning_keeps_published_versions(fresh_db, tmp_path):
    seed = export_text(fresh_db)
    first, second = load_one(fresh_db, tmp_path, 1), load_one(fresh_db, tmp_path, 2)
    chain = published(fresh_db)
    directory = versions_dir(fresh_db)
    # What kills leave: a half-written copy, one killed after linking its final name (named newest
    # of all, as the orphans that pruning once kept), a failed checkpoint's log, a half-made symlink.
    (directory / "incomplete-v1-dead.duckdb").write_bytes(b"\0" * 4096)
    (directory / "incomplete-v1-dead.duckdb.wal").write_bytes(b"\0" * 10)
    shutil.copyfile(current_file(fresh_db), directory / "incomplete-v9999999999999999999-dead.duckdb")
    os.link(directory / "incomplete-v9999999999999999999-dead.duckdb", directory / "v9999999999999999999-dead.duckdb")
    (directory / (chain[0] + ".wal")).write_bytes(b"\0" * 10)
    (directory / "incomplete-v2-dead.duckdb.tmp").mkdir()  # DuckDB's spill directory, its file gone
    (directory / "incomplete-v2-dead.duckdb.tmp" / "duckdb_temp_storage-0.tmp").write_bytes(b"\0" * 10)
    (fresh_db.parent / f".{fresh_db.name}.deadbeef.tmp").symlink_to("nowhere")

    third = load_one(fresh_db, tmp_path, 3)
    remaining = sorted(p.name for p in directory.iterdir() if p.name != ".lock")
    assert remaining == sorted([*chain, current_file(fresh_db).name])
    assert not (fresh_db.parent / f".{fresh_db.name}.deadbeef.tmp").is_symlink()

    later = [load_one(fresh_db, tmp_path, month) for month in (4, 5)]
    assert len(published(fresh_db)) == VERSIONS_KEPT
    assert published(fresh_db)[-1] == current_file(fresh_db).name
    for result in [*later[::-1], third, second, first]:  # older files are gone, yet every load undoes
        ingest.rollback(fresh_db, result.load_id, "测试")
    assert export_text(fresh_db) == seed


def test_a_writer_killed_after_switching_keeps_what_it_published(fresh_db, tmp_path):
    load_one(fresh_db, tmp_path, 1)
    current = current_file(fresh_db)
    os.link(current, current.with_name("incomplete-" + current.name))  # killed before removing this name
    after = export_text(fresh_db)
    load_one(fresh_db, tmp_path, 2)
    assert current.exists() and not current.with_name("incomplete-" + current.name).exists()
    assert after != export_text(fresh_db)


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


@pytest.mark.parametrize("room", ["copy", "write"])
def test_disk_full_is_one_line_leaves_no_partial_file_and_changes_nothing(fresh_db, tmp_path, room):
    """room=copy: the disk fills while copying the current version; room=write: while writing the load."""
    version_kib = current_file(fresh_db).stat().st_size // 1024
    months = [f"{1900 + m // 12}-{m % 12 + 1:02d}" for m in range(2400)]
    regions = ("鄂城区", "华容区", "梁子湖区", "葛店经开区")
    upload = tmp_path / "big.csv"
    upload.write_text("指标名称,地区,期间,数值,来源\n" + "".join(
        f"监管行为推送数据量,{region},{month},{n},满盘测试\n" for n, (region, month) in enumerate(
            (region, month) for region in regions for month in months)), encoding="utf-8")
    size_kib = version_kib * 3 // 2 if room == "copy" else version_kib * 2 + 512
    script = (
        f'cp -a {fresh_db} {versions_dir(fresh_db)} "$FS"/ && '
        f'"$PY" -m metrics load {upload} --db "$FS"/{fresh_db.name} --user 测试; echo "status=$?"; '
        f'ls -a "$FS"/{versions_dir(fresh_db).name}; '
        f'"$PY" -m metrics export --db "$FS"/{fresh_db.name} --out {tmp_path / "after.csv"}'
    )
    done = in_small_filesystem(tmp_path, size_kib, script)
    lines = done.stdout.splitlines()
    assert done.stderr.splitlines() == [f"错误：磁盘空间不足，未写入，数据仓库保持原样：{tmp_path / 'fs'}"]
    assert lines[0] == "status=2"
    assert sorted(lines[1:]) == sorted([".", "..", ".lock", current_file(fresh_db).name])
    assert (tmp_path / "after.csv").read_text(encoding="utf-8") == export_text(fresh_db)


def test_a_corrupt_current_version_is_one_line_and_ensure_recovers_the_one_before(fresh_db, tmp_path, capsys):
    load_one(fresh_db, tmp_path, 1)
    previous = export_text(fresh_db)
    load_one(fresh_db, tmp_path, 2)
    damaged = current_file(fresh_db)
    damaged.write_bytes(b"not a database" * 100)
    assert main(["load", str(tmp_path / "q1.csv"), "--db", str(fresh_db)]) == 2
    assert capsys.readouterr().err == f"错误：无法打开数据仓库 {fresh_db}：不是有效的 DuckDB 文件或无读取权限\n"
    assert main(["rollback", "2", "--db", str(fresh_db)]) == 2  # a writer, which copies the damaged file
    assert capsys.readouterr().err == (f"错误：无法打开数据仓库 {fresh_db}：不是有效的 DuckDB 文件或无读取权限，"
                                       "请运行 python -m metrics ensure 从最近的完好版本恢复\n")
    assert not list(versions_dir(fresh_db).glob("incomplete-*"))
    assert main(["ensure", "--db", str(fresh_db)]) == 0
    recovered = current_file(fresh_db).name
    assert capsys.readouterr().err.splitlines()[0] == (
        f"注意：数据仓库 {fresh_db} 的当前版本缺失或损坏，已恢复到最近的完好版本 {recovered}；"
        "此后的变更不在其中，请用 history 核对载入记录"
    )
    assert export_text(fresh_db) == previous
    assert damaged.with_name("damaged-" + damaged.name).read_bytes().startswith(b"not a database")
    trail = accounts.audit_trail(accounts.accounts_path(fresh_db))
    assert trail[trail["action"] == "恢复数据仓库"]["detail"].tolist() == [f"恢复到 {recovered}"]


def test_ensure_recovers_a_missing_current_version_instead_of_rebuilding(fresh_db, tmp_path):
    load_one(fresh_db, tmp_path, 1)
    previous = export_text(fresh_db)
    load_one(fresh_db, tmp_path, 2)
    current_file(fresh_db).unlink()
    done = subprocess.run([sys.executable, "-m", "metrics", "export", "--db", str(fresh_db)], cwd=ROOT,
                          capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (2, (
        f"错误：数据仓库 {fresh_db} 的当前版本 {os.readlink(fresh_db)} 缺失，"
        "请运行 python -m metrics ensure 从最近的完好版本恢复\n"))
    assert main(["ensure", "--db", str(fresh_db)]) == 0
    assert export_text(fresh_db) == previous


def test_ensure_with_no_intact_version_stops_and_builds_nothing(fresh_db, capsys):
    for version in versions_dir(fresh_db).glob("v*.duckdb"):
        version.write_bytes(b"x" * 4096)
    assert main(["ensure", "--db", str(fresh_db)]) == 2
    assert capsys.readouterr().err == (
        f"错误：数据仓库 {fresh_db} 的当前版本缺失或损坏，{versions_dir(fresh_db)} 中也没有完好的版本；"
        "未做任何修改。确认放弃原有数据后可运行 python -m metrics build --force\n"
    )
    assert not list(versions_dir(fresh_db).glob("v*.duckdb"))  # the damaged one kept aside, nothing built


def test_build_over_loaded_data_needs_force_keeps_the_old_version_and_is_audited(fresh_db, tmp_path, capsys):
    load_one(fresh_db, tmp_path, 1)
    loaded = export_text(fresh_db)
    assert main(["build", "--db", str(fresh_db)]) == 2
    assert capsys.readouterr().err == (
        f"错误：数据仓库 {fresh_db} 已有 1 次载入，重建会以种子数据替换；确认请加 --force(原版本会保留)\n"
    )
    assert export_text(fresh_db) == loaded
    replaced = current_file(fresh_db)
    assert main(["build", "--db", str(fresh_db), "--force"]) == 0
    assert export_text(fresh_db) != loaded
    kept = versions_dir(fresh_db) / ("kept-" + replaced.name)
    con = duckdb.connect(str(kept), read_only=True)
    try:
        assert con.execute("select load_id, kind from loads order by load_id").fetchall() == [
            (1, "seed"), (2, "observations")]
    finally:
        con.close()
    rebuilt = accounts.audit_trail(accounts.accounts_path(fresh_db))
    assert rebuilt.iloc[0][["action", "detail", "count_before", "count_after"]].tolist() == [
        "重建数据仓库", f"种子数据 58 条观测值；原版本(含载入)保留为 {kept}", 59, 58
    ]
