"""The reporting calendar: 已报 / 未报 / 逾期 per unit and indicator for a quarter, decided for a
day the caller names; the 催报 list, its Excel file, the page, and `metrics remind` posting its
digest to a webhook (a local HTTP server here)."""

import datetime as dt
import io
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import openpyxl
import pytest

from metrics import exporting, periods, reporting
from metrics.store.warehouse import open_reader

ROOT = Path(__file__).resolve().parent.parent
Q3, Q4 = periods.quarter_index("2024Q3"), periods.quarter_index("2024Q4")
DISTRICTS = ["鄂城区", "华容区", "梁子湖区", "葛店经开区", "临空经济区"]


@pytest.fixture
def quarters_con(two_quarters_db):
    con = open_reader(two_quarters_db)
    yield con
    con.close()


def one_window(frame):
    """Each unit's state of the one-window share, in words."""
    rows = frame[frame["indicator_id"] == "one_window_share"]
    return dict(zip(rows["region_name"], rows["state"].map(reporting.STATE_NAMES), strict=True))


def test_q4_before_and_after_its_due_date(quarters_con):
    before = reporting.status(quarters_con, Q4, dt.date(2025, 1, 15))
    assert one_window(before) == {"市本级": "已报", "鄂城区": "已报", "华容区": "已报", "梁子湖区": "未报",
                                  "葛店经开区": "未报", "临空经济区": "已报"}
    after = reporting.status(quarters_con, Q4, dt.date(2025, 1, 16))
    assert [one_window(after)[unit] for unit in ("梁子湖区", "葛店经开区")] == ["逾期", "逾期"]
    assert str(after["due_date"].iloc[0].date()) == "2025-01-15"


def test_q3_every_district_reported(quarters_con):
    assert set(one_window(reporting.status(quarters_con, Q3, dt.date(2024, 12, 1))).values()) == {"已报"}


def test_matrix_and_the_list_to_chase(quarters_con):
    frame = reporting.status(quarters_con, Q4, dt.date(2025, 2, 1))
    matrix = reporting.matrix(frame)
    assert matrix["单位"].tolist() == ["鄂州市", "市本级", *DISTRICTS]
    assert matrix["综合窗口可办事项占比(一窗通办)"].tolist() == [
        "—", "√ 已报", "√ 已报", "√ 已报", "× 逾期", "× 逾期", "√ 已报"]
    assert matrix.loc[0, "“互联网+监管”考核全省排名"] == "√ 已报"
    owed = reporting.outstanding(frame)
    assert owed["单位"].tolist() == ["鄂州市", "梁子湖区", "葛店经开区"]
    assert owed.loc[1].to_dict() == {"单位": "梁子湖区", "逾期指标": "综合窗口可办事项占比(一窗通办)", "待报指标": "",
                                     "截止日期": "2025-01-15", "项数": 1}


def test_chase_list_excel_opens_with_its_columns(quarters_con):
    frame = reporting.status(quarters_con, Q4, dt.date(2025, 2, 1))
    data = exporting.xlsx_bytes({"催报清单": reporting.outstanding(frame), "报送明细": reporting.detail_rows(frame)})
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["催报清单", "报送明细"]
    rows = list(book["催报清单"].iter_rows(values_only=True))
    assert rows[0] == ("单位", "逾期指标", "待报指标", "截止日期", "项数")
    assert rows[2] == ("梁子湖区", "综合窗口可办事项占比(一窗通办)", None, "2025-01-15", 1)


def test_reporting_page_shows_the_counts_and_matrix(app, two_quarters_db):
    test = app("pages/reporting.py", db=two_quarters_db)
    counts = {metric.label: metric.value for metric in test.metric}
    assert set(counts) == {"已报", "待审核", "已退回", "未报", "逾期"}
    assert sum(int(value.rstrip("项")) for value in counts.values()) == 12
    assert test.dataframe[0].value["单位"].tolist() == ["鄂州市", "市本级", *DISTRICTS]


class _Receiver(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 (the handler's API)
        length = int(self.headers["Content-Length"])
        _Receiver.received.append((self.headers["Content-Type"], json.loads(self.rfile.read(length))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_remind_posts_the_digest_to_a_webhook(two_quarters_db):
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/hook"
    try:
        done = subprocess.run([sys.executable, "-m", "metrics", "remind", "--db", str(two_quarters_db),
                               "--period", "2024Q4", "--today", "2025-02-01", "--webhook", url],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        thread.join(timeout=30)
    finally:
        server.server_close()
    assert done.returncode == 0, done.stderr
    assert f"已发送提醒到 {url}（HTTP 204）" in done.stderr
    content_type, body = _Receiver.received[-1]
    assert content_type == "application/json; charset=utf-8"
    assert body["period"] == "2024Q4" and body["today"] == "2025-02-01"
    assert body["counts"] == {"已报": 6, "待审核": 0, "已退回": 0, "未报": 0, "逾期": 6}
    assert [item["单位"] for item in body["outstanding"]] == ["鄂州市", "梁子湖区", "葛店经开区"]
    assert (body["awaiting_review"], body["overdue_problems"], body["missed_targets"]) == (0, [], [])
    assert json.loads(done.stdout) == body


@pytest.mark.parametrize(("arguments", "message"), [
    (["--period", "2024Q5"], "错误：期间“2024Q5”无法识别：应写作 2024Q3"),
    (["--today", "明天"], "错误：日期“明天”无法识别：应写作 2024-10-20"),
    (["--webhook", "ftp://x"], "错误：提醒地址应以 http:// 或 https:// 开头"),
    (["--webhook", "http://127.0.0.1:9/"], "错误：提醒未能发送到 http://127.0.0.1:9/："),
])
def test_remind_refusals_are_one_line(seed_db, arguments, message):
    done = subprocess.run([sys.executable, "-m", "metrics", "remind", "--db", str(seed_db), *arguments],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.startswith("错误")]
    assert len(lines) == 1 and lines[0].startswith(message)
    assert "Traceback" not in done.stderr


def test_digest_names_what_needs_someone(fresh_db, tmp_path, monkeypatch):
    from support import load_text

    from metrics import accounts, changes, ingest

    monkeypatch.setenv("METRICS_ACCOUNTS", str(tmp_path / "accounts.duckdb"))
    load_text(fresh_db, "q4.csv",
              "指标名称,地区,期间,数值,来源\n综合窗口可办事项占比(一窗通办),临空经济区,2024Q4,40,季报\n")
    accounts.add_user(tmp_path / "accounts.duckdb", "hr_clerk", "correct-horse-9", "editor", actor="t",
                      scope_regions=("华容区",))
    clerk = accounts.Account("hr_clerk", "editor", ("华容区",))
    data = "指标名称,地区,期间,数值,来源\n综合窗口可办事项占比(一窗通办),华容区,2024Q4,98,季报\n".encode()
    con = open_reader(fresh_db)
    try:
        validation = ingest.validate(con, ingest.read_upload("hr.csv", data))
    finally:
        con.close()
    changes.submit(fresh_db, validation, data, clerk)
    changes.update_ledger(fresh_db, "ops", 4, owner_region_id="linkong", leader=None, deadline=dt.date(2025, 1, 31),
                          status="整改中", progress="方案已定")
    con = open_reader(fresh_db)
    try:
        body = reporting.digest(con, Q4, dt.date(2025, 2, 1))
        waiting = one_window(reporting.status(con, Q4, dt.date(2025, 2, 1)))["华容区"]
    finally:
        con.close()
    assert body["awaiting_review"] == 1
    assert body["overdue_problems"] == ["问题4：“一门一窗”政策要求未落实到位（临空经济区）"]
    assert body["missed_targets"] == ["临空经济区 综合窗口可办事项占比(一窗通办)"]
    assert waiting == "待审核"  # filed, not yet published


def test_reminders_are_for_the_users_regions(quarters_con):
    after_due = dt.date(2025, 1, 20)
    clerk = reporting.reminders(quarters_con, Q4, after_due, regions=("梁子湖区",))
    assert clerk == ["梁子湖区 综合窗口可办事项占比(一窗通办) 已逾期（截止 2025-01-15）"]
    assert reporting.reminders(quarters_con, Q4, after_due, regions=("华容区",)) == []
    leader = reporting.reminders(quarters_con, Q4, dt.date(2025, 1, 10), reviewer=True)
    assert "梁子湖区 综合窗口可办事项占比(一窗通办) 待报（截止 2025-01-15）" in leader
    assert not [line for line in leader if "待审核" in line]
