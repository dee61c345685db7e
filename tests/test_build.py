"""The warehouse built from the seed: every figure of the notice, exact, with its source."""

import csv
import os
import signal
import subprocess
import sys
import time

import pytest
from support import export_text, seeded_warehouse

from metrics.paths import ROOT, SEED_DIR
from metrics.store import queries
from metrics.store.build import build
from metrics.store.warehouse import WarehouseError


def seed_rows(name: str) -> list[dict]:
    with open(SEED_DIR / name, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_seed_figure_round_trips_to_export(seed_db):
    regions = {r["region_id"]: r["name"] for r in seed_rows("regions.csv")}
    units = {i["indicator_id"]: i["unit"] for i in seed_rows("indicators.csv")}
    expected = {
        (r["indicator_id"], regions[r["region_id"]], r["period_id"]):
            (r["value"], units[r["indicator_id"]], r["qualifier"], r["source"], r["evidence"])
        for r in seed_rows("observations.csv")
    }
    exported = {
        (r["indicator_id"], r["region"], r["period"]):
            (r["value"], r["unit"], r["qualifier"], r["source"], r["evidence"])
        for r in csv.DictReader(export_text(seed_db).splitlines())
    }
    assert exported == expected
    assert len(exported) == 58


@pytest.mark.parametrize(
    ("indicator_id", "region", "period", "value", "unit", "qualifier", "source"),
    [
        ("one_window_share", "华容区", "asof-notice", "97.47", "%", "exact", "二、4 整改情况 二是"),
        ("one_window_share", "临空经济区", "asof-notice", "81.9", "%", "exact", "二、4 整改情况 二是"),
        ("one_window_share", "全市乡镇(街道)", "asof-notice", "50", "%", "all_at_least",
         "二、4 整改情况 二是"),
        ("supervision_push_volume", "鄂州市", "2023Q3", "34270000", "条", "at_least", "二、7 整改情况 三是"),
        ("supervision_rank", "鄂州市", "2023Q3", "4", "名", "exact", "二、7 整改情况"),
        ("gxbc_one_window_points", "鄂州市", "2023Q2", "2", "分", "exact", "二、4 整改情况 三是"),
        ("circle_items_full_online", "鄂州市", "asof-2023-12", "957", "项", "exact", "二、6 整改情况 四是"),
        ("tender_projects_sampled", "鄂州市", "2023", "21", "个", "exact", "二、10 整改情况 二是"),
        ("measures_total", "市数据局(本局)", "asof-2023-12-05", "71", "条", "exact", "一、(二)"),
    ],
)
def test_export_rows_are_exact(seed_db, indicator_id, region, period, value, unit, qualifier, source):
    rows = [r for r in csv.DictReader(export_text(seed_db).splitlines())
            if (r["indicator_id"], r["region"], r["period"]) == (indicator_id, region, period)]
    assert [(r["value"], r["unit"], r["qualifier"], r["source"]) for r in rows] == [
        (value, unit, qualifier, source)
    ]


def test_export_header_is_the_long_format(seed_db):
    header = export_text(seed_db).splitlines()[0]
    assert header.startswith("indicator_id,indicator_name,region,period,value,unit,qualifier,source")


def test_derived_values_are_computed_not_typed(seed_con):
    derived = seed_con.execute("select * from latest_facts").df()
    derived = derived[derived["is_derived"]].set_index("indicator_id")["value"].to_dict()
    assert derived == {
        "one_window_share_of_claimed": 98.83,  # 1937 / 1960
        "circle_full_online_share": 86.92,  # 957 / 1101
        "tender_sample_share": 20.79,  # 21 / 101
        "disclosure_total": 23.0,  # 10 + 11 + 2
    }
    typed = {r["indicator_id"] for r in seed_rows("observations.csv")}
    assert typed.isdisjoint(derived)


def test_data_tests_pass_on_the_seed(seed_con):
    assert queries.run(seed_con, "integrity_violations").empty


def test_seed_keys_are_unique_and_reference_known_rows():
    observations = seed_rows("observations.csv")
    keys = [(r["indicator_id"], r["region_id"], r["period_id"]) for r in observations]
    assert len(keys) == len(set(keys))
    indicators = {r["indicator_id"] for r in seed_rows("indicators.csv")}
    regions = {r["region_id"] for r in seed_rows("regions.csv")}
    periods = {r["period_id"] for r in seed_rows("periods.csv")}
    assert all(r["indicator_id"] in indicators for r in observations)
    assert all(r["region_id"] in regions for r in observations)
    assert all(r["period_id"] in periods for r in observations)
    assert all(r["source"] and r["evidence"] for r in observations)


def test_ledger_holds_the_26_problems(seed_con):
    problems = queries.run(seed_con, "problems", category=None)
    assert problems["problem_no"].tolist() == list(range(1, 27))
    assert problems.loc[problems["problem_no"] == 4, "title"].item() == "“一门一窗”政策要求未落实到位"


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("one_window_share,echeng,2023,120,exact,x,y", "比率超出0–100%"),
        ("circle_trainings,ezhou,2023,-1,exact,x,y", "数量为负数"),
        ("supervision_rank,ezhou,2023Q1,0,exact,x,y", "名次小于1或不是整数"),
        ("tender_projects_sampled,ezhou,asof-notice,200,exact,x,y", None),
        ("gxbc_one_window_points,echeng,2023Q1,3,exact,x,y", "得分超过满分"),
    ],
)
def test_a_seed_that_breaks_a_data_test_is_not_published(seed_copy, tmp_path, row, problem):
    db = seeded_warehouse(tmp_path / "w.duckdb")
    before = export_text(db)
    with open(seed_copy / "observations.csv", "a", encoding="utf-8") as handle:
        handle.write(row + "\n")
    if row.startswith("tender_projects_sampled"):
        with open(seed_copy / "observations.csv", "a", encoding="utf-8") as handle:
            handle.write("tender_projects_pool,ezhou,asof-notice,101,exact,x,y\n")
        problem = "部分大于整体：“双随机”检查项目库项目数"
    with pytest.raises(WarehouseError, match="种子数据未通过校验") as raised:
        build(db, seed_copy)
    assert problem in str(raised.value)
    assert export_text(db) == before


def test_build_twice_gives_the_same_export(fresh_db):
    first = export_text(fresh_db)
    build(fresh_db)
    assert export_text(fresh_db) == first


@pytest.mark.slow  # kills processes, as test_faults does
@pytest.mark.parametrize("delay", [0.3, 0.8, 1.5, 2.5])
def test_killed_build_leaves_previous_warehouse_intact(fresh_db, delay):
    before = export_text(fresh_db)
    process = subprocess.Popen(
        [sys.executable, "-m", "metrics", "build", "--db", str(fresh_db)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert export_text(fresh_db) == before


def test_cli_build_export_and_indicators(tmp_path):
    db = tmp_path / "cli.duckdb"
    env = {**os.environ, "METRICS_DB": str(db)}
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "metrics", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    built = run("build")
    assert built.returncode == 0, built.stderr
    assert built.stderr.strip() == f"已构建数据仓库 {db}：58 条通报观测值"
    out = tmp_path / "export.csv"
    assert run("export", "--out", str(out)).returncode == 0
    assert out.read_text(encoding="utf-8") == export_text(db)
    catalog = run("indicators")
    assert catalog.returncode == 0
    lines = catalog.stdout.splitlines()
    assert lines[0] == (
        "indicator_id,name,unit,kind,temporal,better,category,definition,formula,owner,notice_item"
    )
    assert len(lines) == 1 + len(seed_rows("indicators.csv"))


@pytest.mark.parametrize(
    ("make_path", "message"),
    [
        (lambda tmp: tmp / "missing.duckdb",
         "错误：找不到数据仓库 {path}，请先运行 python -m metrics build"),
        (lambda tmp: (tmp / "garbage.duckdb").write_text("not a database") and tmp / "garbage.duckdb",
         "错误：无法打开数据仓库 {path}：不是有效的 DuckDB 文件或无读取权限"),
        (lambda tmp: tmp,
         "错误：数据仓库路径 {path} 是一个目录，应为 .duckdb 文件"),
    ],
)
def test_cli_errors_are_one_clear_line(tmp_path, make_path, message):
    path = make_path(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "metrics", "export", "--db", str(path)],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert result.stderr == message.format(path=path) + "\n"
    assert result.stdout == ""
