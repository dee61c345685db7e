"""python -m metrics load, history, rollback, template: exit codes, printed problems, no change on error."""

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import openpyxl

from metrics import config
from metrics.cli import main
from metrics.paths import ROOT
from metrics.store import warehouse

BAD_FILES = Path(__file__).resolve().parent / "fixtures" / "bad_files"
QUARTER = "指标名称,地区,期间,数值,来源\n一窗通办事项数,华容区,2024年第一季度,120,季报\n"


def export(db: Path, tmp_path: Path) -> bytes:
    out = tmp_path / "export.csv"
    assert main(["export", "--db", str(db), "--out", str(out)]) == 0
    return out.read_bytes()


def test_bad_file_exits_1_prints_every_problem_and_changes_nothing(fresh_db, tmp_path, capsys):
    before = export(fresh_db, tmp_path)
    code = main(["load", str(BAD_FILES / "many_problems_gb18030.csv"), "--db", str(fresh_db)])
    assert code == 1
    assert capsys.readouterr().err.splitlines() == [
        "第3行 地区“华荣区”：未知地区“华荣区”，是否为“华容区”？",
        "第3行 期间“2024Q5”：期间“2024Q5”不存在：季度应为1–4",
        "第3行 数值“abc”：数值“abc”不是数字",
        "第5行 数值“120%”：比率应在0到100之间",
        "第5行 来源：必填项为空",
        "第5行 “综合窗口可办事项占比(一窗通办)/华容区/2024Q1”：与第4行重复(同一指标、地区、期间)",
        "错误：6 处问题，未载入",
    ]
    assert export(fresh_db, tmp_path) == before


def test_whole_file_problem_is_printed_as_such(fresh_db, capsys):
    assert main(["load", str(BAD_FILES / "picture_renamed.csv"), "--db", str(fresh_db)]) == 1
    assert capsys.readouterr().err.splitlines()[0] == "文件：文件内容是PNG图片，不是 CSV 文本或 .xlsx 表格"


def test_dry_run_writes_nothing(fresh_db, tmp_path, capsys):
    before = export(fresh_db, tmp_path)
    (tmp_path / "q.csv").write_text(QUARTER, encoding="utf-8")
    assert main(["load", str(tmp_path / "q.csv"), "--db", str(fresh_db), "--dry-run"]) == 0
    assert "校验通过(试运行，未写入)：新增 1 行，与已有不同 0 行，不变 0 行" in capsys.readouterr().err
    assert export(fresh_db, tmp_path) == before


def test_load_conflict_replace_history_rollback(fresh_db, tmp_path, capsys):
    before = export(fresh_db, tmp_path)
    first = tmp_path / "q.csv"
    first.write_text(QUARTER, encoding="gb18030")
    assert main(["load", str(first), "--db", str(fresh_db), "--user", "张三"]) == 0
    assert "已载入 #2：新增 1 行，修改 0 行，不变 0 行；新建期间 1 个" in capsys.readouterr().err

    changed = tmp_path / "q2.csv"
    changed.write_text(QUARTER.replace(",120,", ",130,"), encoding="utf-8")
    assert main(["load", str(changed), "--db", str(fresh_db)]) == 1
    err = capsys.readouterr().err
    assert "第2行 一窗通办事项数/华容区/2024Q1：已有 120(exact，季报) → 130(exact，季报)" in err
    assert "错误：有 1 行与已有数据不同，未载入；确认覆盖请选择替换(--replace)" in err
    assert main(["load", str(changed), "--db", str(fresh_db), "--replace"]) == 0

    assert main(["history", "--db", str(fresh_db)]) == 0
    history = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(h["编号"], h["类型"], h["操作人"], h["新增"], h["修改"], h["状态"]) for h in history[1:]] == [
        ("2", "观测值", "张三", "1", "0", "已生效"),
        ("3", "观测值", history[2]["操作人"], "0", "1", "已生效"),
    ]

    assert main(["rollback", "2", "--db", str(fresh_db)]) == 2
    assert "错误：载入 #2 之后的载入 #3 修改了它写入的数据" in capsys.readouterr().err
    assert main(["rollback", "3", "--db", str(fresh_db)]) == 0
    assert main(["rollback", "2", "--db", str(fresh_db)]) == 0
    assert main(["rollback", "2", "--db", str(fresh_db)]) == 2
    assert "错误：载入 #2 已撤销过" in capsys.readouterr().err
    assert export(fresh_db, tmp_path) == before


def test_template_command_writes_the_workbook(fresh_db, tmp_path):
    out = tmp_path / "模板.xlsx"
    assert main(["template", "--db", str(fresh_db), "--out", str(out)]) == 0
    assert openpyxl.load_workbook(out).sheetnames[:4] == ["说明", "观测值", "地区", "指标"]


def test_missing_warehouse_exits_2(tmp_path, capsys):
    (tmp_path / "q.csv").write_text(QUARTER, encoding="utf-8")
    assert main(["load", str(tmp_path / "q.csv"), "--db", str(tmp_path / "none.duckdb")]) == 2
    assert "找不到数据仓库" in capsys.readouterr().err


def test_out_of_memory_is_one_line_and_changes_nothing(fresh_db, tmp_path, monkeypatch, capsys):
    """Whether the memory runs out opening the warehouse or reading it, the operator reads why and what to set."""
    before = export(fresh_db, tmp_path)
    (tmp_path / "q.csv").write_text(QUARTER, encoding="utf-8")
    for limit in ("1MB", "10MB"):
        monkeypatch.setenv("METRICS_MEMORY_LIMIT", limit)
        warehouse.forget(fresh_db)
        assert main(["load", str(tmp_path / "q.csv"), "--db", str(fresh_db)]) == 2
        assert capsys.readouterr().err.splitlines() == [
            f"错误：内存不足，操作未完成，数据仓库未改变；可用 METRICS_MEMORY_LIMIT 调高内存上限（现为 {limit}）"]
    monkeypatch.delenv("METRICS_MEMORY_LIMIT")
    warehouse.forget(fresh_db)
    assert export(fresh_db, tmp_path) == before


def test_exit_codes_through_the_real_command(fresh_db):
    command = [sys.executable, "-m", "metrics", "load", "--db", str(fresh_db)]
    bad = subprocess.run(
        [*command, str(BAD_FILES / "unknown_region_utf8.csv")], cwd=ROOT, capture_output=True, text=True
    )
    assert bad.returncode == 1
    assert bad.stderr.splitlines()[0] == "第3行 地区“华荣区”：未知地区“华荣区”，是否为“华容区”？"
    good = subprocess.run(
        [*command, str(BAD_FILES / "csv_content_named.xlsx")], cwd=ROOT, capture_output=True, text=True
    )
    assert good.returncode == 0, good.stderr


def test_many_conflicts_are_counted_and_listed_whole_in_a_file(fresh_db, tmp_path, capsys):
    months = [f"2031-{month:02d}" for month in range(1, 13)] + [f"2032-{month:02d}" for month in range(1, 13)]
    rows = "".join(f"一窗通办事项数,华容区,{month},{n},季报\n" for n, month in enumerate(months, start=1))
    (tmp_path / "a.csv").write_text("指标名称,地区,期间,数值,来源\n" + rows, encoding="utf-8")
    assert main(["load", str(tmp_path / "a.csv"), "--db", str(fresh_db)]) == 0
    (tmp_path / "b.csv").write_text("指标名称,地区,期间,数值,来源\n" + rows.replace(",季报", "0,季报"),
                                    encoding="utf-8")
    capsys.readouterr()
    full_list = tmp_path / "差异.csv"
    code = main(["load", str(tmp_path / "b.csv"), "--db", str(fresh_db), "--full-list", str(full_list)])
    assert code == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "第2行 一窗通办事项数/华容区/2031-01：已有 1(exact，季报) → 10(exact，季报)"
    assert err[19] == "第21行 一窗通办事项数/华容区/2032-08：已有 20(exact，季报) → 200(exact，季报)"
    assert err[20:] == [
        f"……共 24 处与已有数据不同，以上为前 20 处，完整列表见 {full_list}",
        "错误：有 24 行与已有数据不同，未载入；确认覆盖请选择替换(--replace)",
    ]
    listed = list(csv.DictReader(io.StringIO(full_list.read_text(encoding="utf-8"))))
    assert [row["期间"] for row in listed] == months



def test_many_problems_are_listed_whole_in_a_file_under_the_words_a_reader_knows(fresh_db, tmp_path, capsys):
    """The problems are kept by code (row_number, column, value, problem); the list a person opens is headed in
    words, as the page's download is."""
    rows = "".join(f"一窗通办事项数,华荣区,2024Q1,{n},季报\n" for n in range(1, 23))
    (tmp_path / "bad.csv").write_text("指标名称,地区,期间,数值,来源\n" + rows, encoding="utf-8")
    full_list = tmp_path / "问题.csv"
    assert main(["load", str(tmp_path / "bad.csv"), "--db", str(fresh_db), "--full-list", str(full_list)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "第2行 地区“华荣区”：未知地区“华荣区”，是否为“华容区”？"
    assert err[20:] == [f"……共 22 处问题，以上为前 20 处，完整列表见 {full_list}", "错误：22 处问题，未载入"]
    listed = list(csv.reader(io.StringIO(full_list.read_text(encoding="utf-8"))))
    assert listed[0] == ["行", "列", "值", "问题"]
    assert listed[1:3] == [["2", "地区", "华荣区", "未知地区“华荣区”，是否为“华容区”？"],
                           ["3", "地区", "华荣区", "未知地区“华荣区”，是否为“华容区”？"]]

def test_the_command_line_has_its_own_size_limit_above_the_browsers(fresh_db, tmp_path, monkeypatch, capsys):
    assert config.MAX_CLI_LOAD_MB.default == 1024
    path = tmp_path / "quarter.csv"
    path.write_text(QUARTER, encoding="utf-8")
    monkeypatch.setenv(config.MAX_UPLOAD_MB.name, "0.00001")  # the browser's limit does not apply here
    assert main(["load", str(path), "--db", str(fresh_db), "--dry-run"]) == 0
    monkeypatch.setenv(config.MAX_CLI_LOAD_MB.name, "0.00001")
    assert main(["load", str(path), "--db", str(fresh_db), "--dry-run"]) == 1
    assert "超过上限" in capsys.readouterr().err


TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def test_escape_sequences_in_cells_and_file_names_reach_the_terminal_escaped(fresh_db, tmp_path):
    def metrics(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-m", "metrics", *args, "--db", str(fresh_db)], cwd=ROOT,
                              capture_output=True, text=True)
        assert not TERMINAL_CONTROLS.search(done.stdout + done.stderr), (done.stdout, done.stderr)
        return done

    name = "季报\x1b[2J\x1b]0;title\x07\x9b31m.csv"
    hostile = tmp_path / name
    hostile.write_text("指标名称,地区,期间,数值,来源\n一窗通办事项数,华容区\x1b[2J,2024年第一季度,120,季报\x1b]0;t\x07\n",
                       encoding="utf-8")
    refused = metrics("load", str(hostile))
    assert (refused.returncode, refused.stderr.splitlines()) == (1, [
        "第2行 地区“华容区\\x1b[2J”：未知地区“华容区\\x1b[2J”，是否为“华容区”？",
        "第2行 地区“华容区\\x1b[2J”：含有不可见的控制字符，请删除",
        "第2行 来源“季报\\x1b]0;t\\x07”：含有不可见的控制字符，请删除",
        "错误：3 处问题，未载入",
    ])
    missing = metrics("load", str(tmp_path / ("无此文件\x1b[2J.csv")))
    assert (missing.returncode, missing.stderr) == (
        2, f"错误：无法读取文件 {tmp_path}/无此文件\\x1b[2J.csv：No such file or directory\n")

    hostile.write_text(QUARTER, encoding="utf-8")
    assert metrics("load", str(hostile)).returncode == 0
    history = metrics("history")
    shown_name = "季报\\x1b[2J\\x1b]0;title\\x07\\x9b31m.csv"
    assert history.stdout.splitlines()[2].split(",")[:3] == ["2", "观测值", shown_name]
    out = tmp_path / "history.csv"
    assert metrics("history", "--out", str(out)).stdout == ""
    assert out.read_text(encoding="utf-8").splitlines()[2].split(",")[2] == name  # a file keeps the exact text
