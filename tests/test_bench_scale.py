"""scripts/bench_scale.py's generator at a tiny size: exact row counts, the same bytes for the same
seed, and load files that the product's loader accepts."""

import numbers
from pathlib import Path

import pandas as pd
from support import export_text

from metrics import ingest
from metrics.store import stored_facts
from metrics.store.warehouse import new_version, open_reader
from scripts import bench_scale

SHAPE = bench_scale.Shape(indicators=3, quarters=4, regions=5)


def generated(folder: Path, seed: int) -> Path:
    db = folder / "warehouse.duckdb"
    bench_scale.generate(db, SHAPE, seed)
    return db


def test_generator_writes_the_shape_it_is_given(tmp_path):
    db = generated(tmp_path, seed=7)
    con = open_reader(db)
    try:
        counts = con.execute("""
            select
                (select count(*) from observations where indicator_id like 'bench_%'),
                (select count(distinct period_id) from observations where indicator_id like 'bench_%'),
                (select count(*) from indicators where indicator_id like 'bench_%'),
                (select list(level order by sort_order) from regions where region_id like 'bench_%'),
                (select count(*) from targets where indicator_id like 'bench_%'),
                (select count(*) from loads),
                (select count(*) from newest_quarter_facts where indicator_id like 'bench_%'),
                (select count(*) from stored_quarter_facts where indicator_id like 'bench_%')
        """).fetchone()
    finally:
        con.close()
    # The pages read the stored facts: one newest row per indicator and region, one per quarter.
    assert counts == (60, 4, 3, ["市", "区", "乡镇街道", "乡镇街道", "乡镇街道"], 1, 2, 15, 60)


def test_the_same_seed_gives_the_same_export(tmp_path, monkeypatch):
    first = export_text(generated(tmp_path / "a", seed=7))
    assert first == export_text(generated(tmp_path / "b", seed=7))
    assert first != export_text(generated(tmp_path / "c", seed=8))
    monkeypatch.setattr(bench_scale, "INSERT_CHUNK_ROWS", 7)  # inserted in chunks: the same rows
    assert first == export_text(generated(tmp_path / "d", seed=7))


def test_load_files_are_new_quarters_the_loader_accepts(tmp_path):
    db = generated(tmp_path, seed=7)
    csv_path = tmp_path / "load.csv"
    bench_scale.write_load_file(csv_path, SHAPE, seed=7, start=0, count=10)
    validation = ingest.check_file(db, csv_path)
    assert validation.ok, validation.errors
    assert len(validation.rows) == 10 and validation.unchanged == 0 and validation.conflicts.empty


def with_an_unreported_district(folder: Path) -> tuple[Path, bench_scale.Shape]:
    """A generated warehouse where the first district has not reported the compared indicator's last
    quarter: 区域对比 lists it as 未报送 with its value of the quarter before."""
    shape = bench_scale.Shape(indicators=5, quarters=8, regions=14)
    db = folder / "warehouse.duckdb"
    bench_scale.generate(db, shape, seed=3)
    with new_version(db, from_current=True) as con:
        con.execute("delete from observations where indicator_id = ? and region_id = 'bench_d001' and period_id = ?",
                    [shape.indicator_id(0), shape.quarter_ids()[-1]])
        con.execute("insert into refresh_keys values (?, 'bench_d001', 0)", [shape.indicator_id(0)])
        stored_facts.refresh(con)
    return db, shape


def test_raw_sql_and_pandas_give_the_same_answers(tmp_path):
    """pandas on the frame held in memory and pandas reading the warehouse's Parquet files (the row deleted from
    the compared indicator left in its data file, dropped by its delete file) answer what the raw SQL answers."""
    db, shape = with_an_unreported_district(tmp_path)
    con = open_reader(db)
    try:
        params = bench_scale.answer_params(con, shape)
        assert len(params["regions"]) == bench_scale.TREND_REGIONS
        assert any(delete_file for _, delete_file in bench_scale.lake_files(con, "observations"))
        frame = bench_scale.observation_frame(con)
        for page, sql in bench_scale.RAW_SQL.items():
            used = {name: value for name, value in params.items() if f"${name}" in sql}
            raw = con.execute(sql, used).df()
            for way, computed in (("in memory", bench_scale.pandas_answer(frame, page, params)),
                                  ("from Parquet", bench_scale.pandas_parquet_answer(con, page, params))):
                columns = [c for c in ("indicator_id", "region_id", "quarter_index", "value", "previous_value",
                                       "region_rank", "change_vs_previous", "year_ago_value", "change_vs_year_ago",
                                       "earlier_value") if c in raw and c in computed]
                expected = raw[columns].astype({"region_id": str}).sort_values(columns[:3]).reset_index(drop=True)
                got = computed[columns].astype({c: str for c in ("indicator_id", "region_id") if c in columns})
                got = got.sort_values(columns[:3]).reset_index(drop=True)
                assert len(raw) and len(got) == len(expected), (page, way)
                assert (got.fillna(-1).to_numpy() == expected.fillna(-1).to_numpy()).all(), (page, way)
    finally:
        con.close()


def test_the_parquet_column_is_timed_and_reported(tmp_path, monkeypatch):
    """bench_scale's answers time pandas from Parquet beside pandas in memory, and the report shows it with its
    ratio to the app's query (the goal: the app ≥ 10× faster than pandas including its read)."""
    db, shape = with_an_unreported_district(tmp_path)
    monkeypatch.setattr(bench_scale, "EXTRA_RUNS", 1)
    found = bench_scale.answers(db, shape, list(bench_scale.RAW_SQL))
    assert {page: answer["parquet_rows"] for page, answer in found.items()} == {
        page: answer["raw_rows"] for page, answer in found.items()}
    assert all(answer["parquet_ms"] > 0 for answer in found.values())
    found["pages/districts.py"] |= {"app_ms": 20.0, "raw_ms": 40.0, "pandas_ms": 10.0, "parquet_ms": 500.0}
    report = {"machine": {"date": "d", "nproc": 2, "cpu": "c", "ram_gib": 1, "load_average": 0, "python": "3",
                          "duckdb": "1", "streamlit": "1", "pandas": "3"}, "commit": "x", "seed": 3, "runs": 1,
              "timeout": 1, "memory_gib": 1,
              "sizes": [{"label": "tiny", "rows": 1, "regions": 14, "districts": 1, "generate": "1 s", "file_gib": 0,
                         "load_average": [0, 0, 0], "loads": [], "answers": found,
                         "pages": {"pages/districts.py": {"cold_s": 1.0, "warm_p50_ms": 50.0, "warm_p95_ms": 60.0,
                                                          "peak_rss_mib": 300.0, "timed_out": False}}}]}
    lines = bench_scale.markdown(report).splitlines()
    header = next(line for line in lines if line.startswith("| 页面 |")).split(" | ")
    row = next(line for line in lines if line.startswith("| 区域对比 |")).split(" | ")
    assert dict(zip(header, row, strict=True))["pandas(读 Parquet)"] == "500 ms"
    assert dict(zip(header, row, strict=True))["pandas(读 Parquet)/app查询"] == "25.0×"


def test_the_app_queries_answer_what_the_raw_sql_answers(tmp_path):
    """The app's own query functions (timed beside the raw SQL) return the raw SQL's rows and values, so
    that the comparison cannot drift: the synthetic rows of 总览's table, 区域对比's comparison (every
    district, 未报送 ones included, ranked among districts) and 趋势's quarterly table."""
    db, shape = with_an_unreported_district(tmp_path)
    con = open_reader(db)
    try:
        params = bench_scale.answer_params(con, shape)
        for page, sql in bench_scale.RAW_SQL.items():
            used = {name: value for name, value in params.items() if f"${name}" in sql}
            raw = con.execute(sql, used).df()
            app = bench_scale.APP_QUERIES[page](con, params).rename(columns={"district_rank": "region_rank",
                                                                   "district_rank_worst": "region_rank_worst"})
            if "indicator_id" in raw:
                # The seed warehouse's own figures differ (the app adds its derived ones): compare the synthetic.
                raw = raw[raw["indicator_id"].str.startswith("bench_")]
                app = app[app["indicator_id"].str.startswith("bench_")]
            columns = [c for c in raw if c in app]
            keys = [c for c in columns if c in ("indicator_id", "region_id", "quarter_index")]
            expected = raw[columns].sort_values(keys).reset_index(drop=True)
            got = app[columns].sort_values(keys).reset_index(drop=True)
            assert len(expected) and len(got) == len(expected), page
            for column in columns:
                assert plain(got[column]) == plain(expected[column]), (page, column)
            if page == "pages/districts.py":
                unreported = expected[expected["region_id"] == "bench_d001"].iloc[0]
                assert pd.isna(unreported["value"]) and unreported["earlier_value"] > 0
                assert len(columns) == len(app.columns)  # every column the page reads is compared
    finally:
        con.close()


def plain(column) -> list:
    """A column's values as strings or numbers (to 9 places: a lag and a stored difference may differ in
    the last bit), missing as None, whatever its dtype."""
    return [None if pd.isna(value) else round(float(value), 9) if isinstance(value, numbers.Number) else str(value)
            for value in column.tolist()]
