"""What a warm page view costs the server (issue #27, item 1): a rerun that changes nothing words, converts and
opens nothing again. Each test counts the work a rerun would repeat; scripts/bench_pages.py --server measures it."""

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go
import plotly.tools

from metrics import accounts, attention, notify, targets
from ui import common

ROOT = Path(__file__).resolve().parent.parent


def test_a_table_rewrites_only_the_cells_that_need_it(monkeypatch):
    """Of a table's text cells, only those with a break, a control, a bidi control or a formula's opening go
    through _table_cell (a 1,000-row table has tens of thousands of plain cells); the result is as before."""
    hostile = ["甲\n乙", "\u202e丙丁", "=HYPERLINK(\"x\")", "@cmd", "-2分", "+2.5个百分点", "\t制表", "a\x85b"]
    column = pd.Series(["鄂城区", "综合窗口可办事项占比(一窗通办)", "—", "2024年第四季度"] * 250 + hostile + [None])
    expected = [common._table_cell(cell) for cell in column]
    calls = []
    per_cell = common._table_cell
    monkeypatch.setattr(common, "_table_cell", lambda cell: calls.append(cell) or per_cell(cell))
    cleaned = common._table_cells(column)
    assert cleaned.fillna("∅").tolist()[-9:] == ["甲 乙", "丙丁", "'=HYPERLINK(\"x\")", "'@cmd", "-2分", "+2.5个百分点",
                                                 " 制表", "a b", "∅"]
    assert cleaned.fillna("∅").tolist() == pd.Series(expected).fillna("∅").tolist()
    assert calls == hostile
    assert column.iloc[-9] == "甲\n乙"  # the frame given is left as it was
    monkeypatch.setattr(common, "_table_cell", lambda cell: calls.append(cell) or per_cell(cell))
    calls.clear()
    plain = pd.Series(["鄂城区", "97.5%", "—"] * 400, dtype="str")
    assert common._table_cells(plain) is plain and calls == []


def test_a_cached_figure_gives_plotly_chart_the_dict_made_when_it_was_cached():
    """st.plotly_chart turns a figure into a dict on every run (a deep copy that encodes every array); a figure of
    ui.common.figure hands over the one made when it was cached."""
    built = go.Figure(go.Bar(x=["鄂城区", "华容区"], y=[90.5, 81.9]), layout={"height": 300})
    drawn = common.DrawnFigure(built)
    assert drawn.to_dict() == built.to_dict()
    assert drawn.to_dict() is drawn.to_dict()
    assert plotly.tools.return_figure_from_figure_or_data(drawn, validate_figure=True) is drawn.to_dict()


def test_a_rerun_of_overview_words_its_findings_and_targets_once(app, walk_db, monkeypatch):
    """需关注's sentences and the target tables are made once per snapshot and choice (ui.common.data), not on every
    run of 总览: a rerun that changes nothing calls neither again, and shows the same."""
    test = app(db=walk_db, filter_period="2025Q1")
    shown = ([link.proto.label for link in test.get("page_link")], [frame.value.to_dict() for frame in test.dataframe])
    assert "鄂城区 综合窗口可办事项占比(一窗通办) 93%，未达到目标（≥ 95%）" in shown[0]
    assert any("达标情况" in frame for frame in shown[1])
    calls = []
    for module, name in ((attention, "summary"), (attention, "unlisted"), (targets, "target_status_rows"),
                         (targets, "goals_text")):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *args, original=original, name=name: calls.append(name)
                            or original(*args))
    test.run()
    assert not test.exception
    assert calls == []
    assert ([link.proto.label for link in test.get("page_link")], [frame.value.to_dict() for frame in test.dataframe]) \
        == shown


def test_the_server_watches_no_source_files():
    """Streamlit's watcher walked every imported module after each script run (13% of a view's server CPU); the
    server runs with none (a deploy restarts it)."""
    options = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert options["server"]["fileWatcherType"] == "none"
    assert options["server"]["runOnSave"] is False


def test_an_accounts_transaction_opens_no_new_duckdb_database(tmp_path, monkeypatch):
    """The sign-in check and the inbox, on every page run, attach the store file to this process's database
    instead of opening a new DuckDB database (15–20 ms of CPU each); between transactions the file is free for the
    CLI, and what the CLI wrote is read by the next one."""
    store = tmp_path / "accounts.duckdb"
    accounts.add_user(store, "leader", "pw-123456789abc", "viewer", actor="测试")
    notify.inbox(store, "leader")
    opened = []
    connect = duckdb.connect
    monkeypatch.setattr(duckdb, "connect", lambda *args, **kwargs: opened.append(args) or connect(*args, **kwargs))
    assert accounts.session(store, "no-such-token") is None
    assert notify.inbox(store, "leader").empty
    assert opened == []
    added = subprocess.run([sys.executable, "-m", "metrics", "user", "add", "clerk", "--role", "viewer",
                            "--password-stdin"], input="pw-123456789abc\n", capture_output=True, text=True,
                           cwd=ROOT, env={**os.environ, "METRICS_ACCOUNTS": str(store)})
    assert added.returncode == 0, added.stderr
    assert accounts.list_users(store)["username"].tolist() == ["clerk", "leader"]
