"""Stored facts: after every change the tables pages read equal the rules in sql/views.sql, for every key."""

from pathlib import Path

import duckdb
import pytest
from support import TWO_QUARTERS_CSV, load_text

from metrics import config, ingest, targets
from metrics.store import stored_facts, warehouse
from metrics.store.warehouse import new_version, open_reader

# Each stored table beside the rule it must equal, row for row.
STORED_AND_RULE = {
    "stored_observation_facts": "select * from observation_facts",
    "stored_quarter_facts": "select * from quarter_facts",
    "newest_quarter_facts": """select * from quarter_facts
        qualify row_number() over (partition by indicator_id, region_id order by quarter_index desc) = 1""",
}


def differences(db: Path) -> dict[str, int]:
    """Per stored table, the rows it has that its rule has not, and the other way round."""
    con = open_reader(db)
    try:
        found = {
            table: con.execute(f"select count(*) from ((from {table} except all {rule}) union all "
                               f"({rule} except all from {table}))").fetchone()[0]
            for table, rule in STORED_AND_RULE.items()
        }
        found["refresh_keys"] = con.execute("select count(*) from refresh_keys").fetchone()[0]
        return found
    finally:
        con.close()


def stored_rows(db: Path, table: str) -> int:
    con = open_reader(db)
    try:
        return con.execute(f"select count(*) from {table}").fetchone()[0]
    finally:
        con.close()


NOTHING_DIFFERS = {"stored_observation_facts": 0, "stored_quarter_facts": 0, "newest_quarter_facts": 0,
                   "refresh_keys": 0}

# Operands of a computed ratio (一窗通办事项数 ÷ 认领及发布的事项数 × 100), then one of them changed.
OPERANDS = """指标名称,地区,期间,数值,限定,来源,依据
一窗通办事项数,市本级,2024Q3,1900,,测试报表,
认领及发布的依申请和公共服务事项数,市本级,2024Q3,2000,,测试报表,
"""
CHANGED_OPERAND = """指标名称,地区,期间,数值,限定,来源,依据
一窗通办事项数,市本级,2024Q3,1950,,测试报表,
"""


def test_a_build_stores_every_key(seed_db, two_quarters_db):
    assert differences(seed_db) == NOTHING_DIFFERS
    assert differences(two_quarters_db) == NOTHING_DIFFERS
    assert stored_rows(seed_db, "stored_observation_facts") == stored_rows(seed_db, "observation_facts") > 0


@pytest.mark.parametrize("copied_up_to_keys", [stored_facts.COPIED_UP_TO_KEYS, 0])
def test_load_rollback_and_target_keep_the_stored_facts_equal_to_the_rules(fresh_db, monkeypatch, copied_up_to_keys):
    """With the rules' tables copied to memory (a small change) and read from the lake (a large one)."""
    monkeypatch.setattr(stored_facts, "COPIED_UP_TO_KEYS", copied_up_to_keys)
    load = load_text(fresh_db, "2024Q3-Q4.csv", TWO_QUARTERS_CSV)
    assert differences(fresh_db) == NOTHING_DIFFERS
    targets.set_bureau_target(fresh_db, "one_window_share", None, 2024, 96, ">=", "张三")
    assert differences(fresh_db) == NOTHING_DIFFERS
    ingest.rollback(fresh_db, load.load_id, user="测试")
    assert differences(fresh_db) == NOTHING_DIFFERS


def test_a_changed_operand_recomputes_the_ratio_it_is_part_of(fresh_db):
    def ratio():
        con = open_reader(fresh_db)
        try:
            return con.execute("select value from stored_quarter_facts where indicator_id = "
                               "'one_window_share_of_claimed' and period_id = '2024Q3'").fetchall()
        finally:
            con.close()

    load_text(fresh_db, "operands.csv", OPERANDS)
    assert ratio() == [(95.0,)]
    con = open_reader(fresh_db)
    try:
        validation = ingest.validate(con, ingest.read_upload("changed.csv", CHANGED_OPERAND.encode("utf-8")))
    finally:
        con.close()
    ingest.apply(fresh_db, validation, user="测试", replace=True)
    assert ratio() == [(97.5,)]
    assert differences(fresh_db) == NOTHING_DIFFERS


def test_refresh_all_in_batches_stores_what_one_step_stores(fresh_db, monkeypatch):
    """Batches of two observations split the ratios of the seed from their operands; the stored facts
    still equal the rules."""
    monkeypatch.setattr(stored_facts, "REFRESH_BATCH_ROWS", 2)
    with new_version(fresh_db, from_current=True) as con:
        con.execute("delete from stored_observation_facts; delete from stored_quarter_facts; "
                    "delete from newest_quarter_facts")
        stored_facts.refresh_all(con)
    assert differences(fresh_db) == {table: 0 for table in (*STORED_AND_RULE, "refresh_keys")}
    assert stored_rows(fresh_db, "stored_observation_facts") > 0


def test_indicator_batches_hold_about_the_batch_size_each_and_every_indicator_once(monkeypatch):
    monkeypatch.setattr(stored_facts, "REFRESH_BATCH_ROWS", 10)
    assert stored_facts.indicator_batches(["a", "b", "c", "d", "e"], [4, 4, 4, 30, 1]) == [
        ("a", "c"), ("d", "d"), ("e", "e")]
    assert stored_facts.indicator_batches([], []) == []


def test_a_load_checks_the_keys_it_touched(fresh_db, tmp_path):
    class Undo(Exception):
        pass

    with pytest.raises(Undo), new_version(fresh_db, from_current=True) as con:
        con.execute("update observations set value = 120 where indicator_id = 'one_window_share' "
                    "and region_id = 'huarong'")
        con.execute("insert into refresh_keys values ('one_window_share', 'linkong', 0)")
        assert stored_facts.checked_refresh(con).empty
        assert_nothing_left_of_the_refresh(con)
        con.execute("insert into refresh_keys values ('one_window_share', 'huarong', 0)")
        found = stored_facts.checked_refresh(con)
        assert found[["indicator_id", "region_id", "problem"]].values.tolist() == [
            ["one_window_share", "huarong", "比率超出0–100%"]]
        raise Undo


def assert_nothing_left_of_the_refresh(con):
    """The rules' in-memory copies are gone (later statements of the change read and write the lake's
    tables) and the list of touched keys is empty."""
    assert con.execute("select table_name from duckdb_tables() where temporary").fetchall() == []
    assert con.execute("select count(*) from refresh_keys").fetchone() == (0,)


def test_a_refresh_judges_by_what_its_own_transaction_wrote_to_the_tables_the_rules_read(fresh_db):
    """A change that raises a target and refreshes in the same transaction: the rules read their copies
    of the tables after the change, so the stored statuses are by the new target, as the committed rules'."""
    with new_version(fresh_db, from_current=True) as con:
        con.execute("update targets set value = 95, comparator = '>=' where indicator_id = 'one_window_share'")
        con.execute("insert into refresh_keys select distinct indicator_id, region_id, 0 from observations "
                    "where indicator_id = 'one_window_share'")
        stored_facts.refresh(con)
        assert_nothing_left_of_the_refresh(con)
    assert differences(fresh_db) == NOTHING_DIFFERS
    con = open_reader(fresh_db)
    try:
        assert con.execute("select region_id, status from stored_quarter_facts where indicator_id = "
                           "'one_window_share' order by region_id").fetchall() == [
            ("city_level", "met"), ("echeng", "missed"), ("gedian", "met"), ("huarong", "met"),
            ("liangzihu", "met"), ("linkong", "missed"), ("townships", "undecided")]
    finally:
        con.close()


@pytest.mark.parametrize("configured, expected", [(None, "1.5GB"), ("512MB", "512MB")])
def test_every_connection_has_the_configured_memory_limit_and_spill_directory(
        fresh_db, tmp_path, monkeypatch, configured, expected):
    if configured:
        monkeypatch.setenv(config.MEMORY_LIMIT.name, configured)
        monkeypatch.setenv(config.TEMP_DIR.name, str(tmp_path / "spill"))
    else:
        monkeypatch.delenv(config.MEMORY_LIMIT.name, raising=False)
        monkeypatch.delenv(config.TEMP_DIR.name, raising=False)
    reference = duckdb.connect(config={"memory_limit": expected})
    spill_name = warehouse.spill_name(fresh_db)
    warehouse.forget(fresh_db)  # the settings are read when a process opens the warehouse
    con = open_reader(fresh_db)
    try:
        assert con.execute("select current_setting('memory_limit')").fetchone() == \
            reference.execute("select current_setting('memory_limit')").fetchone()
        spill = (tmp_path / "spill" / f"{spill_name.name}.tmp" if configured
                 else spill_name.with_name(f"{spill_name.name}.tmp"))
        assert con.execute("select current_setting('temp_directory')").fetchone()[0] == str(spill)
    finally:
        con.close()
        reference.close()


def test_ensure_upgrades_a_warehouse_of_an_earlier_release_without_touching_its_data(fresh_db):
    """A warehouse with loads, made before the stored facts, the aliases and the schema record existed,
    and with an older rule: `ensure` adds what is missing, replaces the rule, stores every key; once."""
    import subprocess
    import sys

    from support import ROOT, export_text

    load_text(fresh_db, "2024Q3-Q4.csv", TWO_QUARTERS_CSV)
    before = export_text(fresh_db)
    with new_version(fresh_db, from_current=True) as con:
        for statement in ("drop table stored_observation_facts", "drop table stored_quarter_facts",
                          "drop table newest_quarter_facts", "drop table refresh_keys", "drop table indicator_aliases",
                          "drop table schema_release", "drop table source_documents",
                          "create or replace view latest_facts as select 1 as stale"):
            con.execute(statement)

    def ensure() -> str:
        done = subprocess.run([sys.executable, "-m", "metrics", "ensure", "--db", str(fresh_db)], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stderr

    assert "已将数据仓库" in ensure()
    assert export_text(fresh_db) == before
    assert differences(fresh_db) == NOTHING_DIFFERS
    con = open_reader(fresh_db)
    try:
        assert con.execute("select alias from indicator_aliases where indicator_id = 'circle_full_online_share' "
                           "order by alias").fetchall() == [("圈内通办网办率",), ("跨域通办全程网办率",)]
        assert "stale" not in [c[0] for c in con.execute("select * from latest_facts limit 0").description]
        assert con.execute("select load_id, name, issued_on::varchar from source_documents").fetchall() == [
            (1, "鄂州市数据局巡察整改进展通报", "2024-07-26")]
        assert con.execute("select action from change_log order by happened_at desc, action limit 1").fetchone() == (
            "升级数据仓库",)
    finally:
        con.close()
    assert "已将数据仓库" not in ensure()  # the same release: nothing to do


def test_an_upgrade_restates_the_stored_statuses_of_an_earlier_release_as_codes(fresh_db):
    """Releases before the status codes stored '达标', '无目标'… in the facts: the upgrade that the changed rules
    bring recomputes them, so that no word is left for a page to misread."""
    from metrics.claims import Status
    from metrics.formatting import STATUS_NAMES
    from metrics.store import upgrade

    words = {code.value: word for code, word in STATUS_NAMES.items()}
    with new_version(fresh_db, from_current=True) as con:
        for table in stored_facts.STORED_TABLES:
            con.execute(f"update {table} set status = case status "
                        + " ".join(f"when '{code}' then '{word}'" for code, word in words.items()) + " end")
        con.execute("delete from schema_release")
    assert upgrade.upgrade(fresh_db)
    con = open_reader(fresh_db)
    try:
        stored = {table: {row[0] for row in con.execute(f"select distinct status from {table}").fetchall()}
                  for table in stored_facts.STORED_TABLES}
    finally:
        con.close()
    assert stored == {table: {Status.MET, Status.UNDECIDED, Status.NO_TARGET} for table in stored_facts.STORED_TABLES}
