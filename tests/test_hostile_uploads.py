"""Untrusted uploads (issue 16): bounded work, one-line refusals, no lost rows, values never formulas.

Every hostile file is built by tests/fixtures/hostile/make_hostile_files.py into a temporary directory.
"""

import csv
import datetime as dt
import io
import json
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fixtures.hostile import make_hostile_files as hostile

from metrics import config, ingest
from metrics.ingest import xlsx
from metrics.ingest.files import NO_HEADER
from metrics.ingest.normalise import UnreadableValue, parse_value
from metrics.paths import ROOT
from metrics.store.warehouse import open_reader

# The bound, asserted on CPU time: this machine is shared, and its wall clock shows its other load
# (printed beside it; wall time is only bounded loosely, to catch a wait or a hang).
SECONDS = 5
WALL_SECONDS = 4 * SECONDS
RSS_GROWTH_MIB = 300
NINES = "9" * 400
REFUSED = "文件过大或结构异常：{}，已拒绝"
REFUSALS = {
    # The 5 KB file: nothing declared is trusted, so it is only a sheet without a header.
    "dimension_bomb.xlsx": NO_HEADER,
    "shared_string_bomb.xlsx": REFUSED.format("展开后的文字超过 16,777,216 字上限"),
    "compressible_shared_string.xlsx": "RATIO",
    "oversized_member.xlsx": REFUSED.format("压缩包中有部件解压后超过 128 MiB 上限"),
    "oversized_archive.xlsx": REFUSED.format("解压后大小超过 256 MiB 上限"),
    "deflate_bomb.xlsx": "RATIO",
    "many_members.xlsx": REFUSED.format("压缩包部件超过 1000 个上限"),
    "long_member_names.xlsx": REFUSED.format("压缩包目录超过 1 MiB 上限"),
    "many_sheets.xlsx": REFUSED.format("工作表超过 100 个上限"),
    "row_beyond_excel.xlsx": REFUSED.format("行数超过 Excel 的 1,048,576 行上限"),
    "column_beyond_excel.xlsx": REFUSED.format("列号超过 Excel 的 16,384 列上限"),
    "too_many_cells.xlsx": REFUSED.format("单元格超过 250,000 个上限(更大的表请另存为 CSV 载入)"),
    "entity_bomb.xlsx": REFUSED.format("文件含有 XML 文档类型声明(DTD)"),
    "styles_bomb.xlsx": REFUSED.format("单元格格式超过 65,536 个上限"),
    "giant_attribute.xlsx": REFUSED.format("有超过 1 MiB 的单个 XML 标签或文字"),
    "text_over_the_limit_at_the_end.xlsx": REFUSED.format("展开后的文字超过 16,777,216 字上限"),
    "nul_after_64_kib.csv": "文件内容是二进制数据，不是 CSV 文本或 .xlsx 表格",
    "wide.csv": REFUSED.format("列数超过 16,384 列上限"),
    "long_cell.csv": REFUSED.format("第2行“依据”列有 40,000 个字符，超过单元格上限 32,767 个"),
    "long_cell.xlsx": REFUSED.format("第2行“观测值!依据”列有 40,000 个字符，超过单元格上限 32,767 个"),
    "giant_field.csv": REFUSED.format("第2行“依据”列有 15,728,640 个字符，超过单元格上限 32,767 个"),
}


def expected_refusal(path: Path) -> str:
    """The refusal a file must get; a ratio refusal names the ratio of its most compressed member."""
    if REFUSALS[path.name] != "RATIO":
        return REFUSALS[path.name]
    with zipfile.ZipFile(path) as archive:
        ratio = max(member.file_size / member.compress_size for member in archive.infolist())
    assert ratio > 900  # a deflate bomb, far beyond any real sheet
    return REFUSED.format(f"压缩比 {ratio:.0f}:1 超过 200:1 上限")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("hostile")
    hostile.main(directory)
    return directory


def problems(validation: ingest.Validation) -> list[tuple]:
    return [
        (None if pd.isna(row) else int(row), column, value, problem)
        for row, column, value, problem in validation.errors.itertuples(index=False)
    ]


def checked(con, name: str, data: bytes) -> ingest.Validation:
    return ingest.validate(con, ingest.read_upload(name, data))


def _status_kib(field: str) -> int:
    line = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith(field))
    return int(line.split()[1])


@dataclass(frozen=True)
class Cost:
    cpu_seconds: float
    wall_seconds: float
    rss_growth_mib: float  # how far the peak RSS rose above the RSS before

    def __str__(self) -> str:
        return f"{self.cpu_seconds:.2f} s CPU, {self.wall_seconds:.2f} s wall, peak RSS +{self.rss_growth_mib:.0f} MiB"

    def within_bounds(self) -> bool:
        return self.cpu_seconds < SECONDS and self.wall_seconds < WALL_SECONDS and self.rss_growth_mib < RSS_GROWTH_MIB


def measured(function):
    """function() and its Cost in this process."""
    Path("/proc/self/clear_refs").write_text("5")  # the kernel resets the peak (VmHWM) to the current RSS
    before = _status_kib("VmRSS")
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return result, Cost(cpu, wall, (_status_kib("VmHWM") - before) / 1024)


def test_the_rss_measure_sees_an_allocation():
    _, cost = measured(lambda: bytearray(100 * 2**20)[:: 2**12].count(0))
    assert cost.rss_growth_mib >= 95


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_hostile_file_is_refused_fast_in_bounded_memory(corpus, name):
    data = (corpus / name).read_bytes()
    parsed, cost = measured(lambda: ingest.read_upload(name, data))
    print(f"{name}: read_upload {cost}")
    refusal = expected_refusal(corpus / name)
    assert list(parsed.problems.itertuples(index=False, name=None)) == [(pd.NA, "", "", refusal)]
    assert parsed.tables == ()
    assert cost.within_bounds(), cost


# Run by a small Python of its own: a child's ru_maxrss includes what it inherited before exec, and a
# child of pytest inherits pytest's ~250 MiB, which would hide the growth being measured.
_MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": done.returncode, "stderr": done.stderr.decode("utf-8"),
                  "cpu_seconds": usage.ru_utime + usage.ru_stime, "wall_seconds": time.perf_counter() - started,
                  "peak_kib": usage.ru_maxrss}))
"""


def _measured_child(command: list[str]) -> tuple[int, str, float, float, float]:
    """Run command: its exit code, stderr, CPU seconds, wall seconds and peak RSS in MiB."""
    measure = subprocess.run(
        [sys.executable, "-S", "-c", _MEASURE, *command], cwd=ROOT, capture_output=True, text=True, check=True
    )
    result = json.loads(measure.stdout)
    return (
        result["code"], result["stderr"], result["cpu_seconds"], result["wall_seconds"], result["peak_kib"] / 1024
    )


def _cli_load(path: Path, db: Path) -> tuple[int, str, float, float, float]:
    """`python -m metrics load PATH --dry-run`, measured."""
    return _measured_child([sys.executable, "-m", "metrics", "load", str(path), "--dry-run", "--db", str(db)])


def test_the_child_rss_measure_sees_an_allocation():
    code, _, _, _, peak = _measured_child(
        [sys.executable, "-c", "print(bytearray(200 * 2**20)[:: 2**12].count(0))"]
    )
    assert code == 0
    assert 200 <= peak < 260


@pytest.fixture(scope="module")
def baseline_rss(seed_db, tmp_path_factory) -> float:
    """The peak RSS of the CLI checking a one-row file: imports, warehouse and all."""
    small = tmp_path_factory.mktemp("baseline") / "one_row.csv"
    small.write_text(hostile.csv_text([hostile.HEADER, hostile.ROW]), encoding="utf-8")
    code, stderr, _, _, peak = _cli_load(small, seed_db)
    assert code == 0, stderr
    return peak


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_cli_refuses_in_one_chinese_line_fast_in_bounded_memory(corpus, seed_db, baseline_rss, name):
    code, stderr, cpu, wall, peak = _cli_load(corpus / name, seed_db)
    cost = Cost(cpu, wall, peak - baseline_rss)
    print(f"{name}: CLI {cost} over a one-row load (peak {peak:.0f} MiB)")
    assert code == 1
    assert stderr.splitlines() == [f"文件：{expected_refusal(corpus / name)}"]
    assert "Traceback" not in stderr
    assert cost.within_bounds(), cost


def test_a_workbook_just_under_every_limit_is_read_within_the_budget(corpus):
    data = (corpus / "just_under_every_limit.xlsx").read_bytes()
    parsed, cost = measured(lambda: ingest.read_upload("full.xlsx", data))
    print(f"just under every limit: read_upload {cost}")
    assert parsed.problems.empty
    [table] = parsed.tables
    assert len(table.cells) == 24_999
    assert table.cells["indicator_name"].str.len().eq(150).all()
    assert list(table.cells["value"][:2]) == ["2", "3"]
    assert cost.rss_growth_mib < RSS_GROWTH_MIB


# ---------------------------------------------------------------- item 2: the declared dimension


def test_stale_dimension_loses_no_row(corpus, seed_con):
    validation = checked(seed_con, "stale.xlsx", (corpus / "stale_dimension.xlsx").read_bytes())
    assert validation.ok, problems(validation)
    assert list(validation.rows["row_number"]) == [2, 3, 4, 5, 6]
    assert list(validation.rows.region_id) == ["huarong", "echeng", "liangzihu", "gedian", "linkong"]
    assert list(validation.rows.value) == [100, 101, 102, 103, 104]


@pytest.mark.parametrize("name", ["one_cell_dimension.xlsx", "far_corner_beside_data.xlsx"])
def test_a_sheet_is_read_whatever_its_dimension_claims(corpus, seed_con, name):
    validation = checked(seed_con, name, (corpus / name).read_bytes())
    assert validation.ok, problems(validation)
    assert validation.rows[["row_number", "indicator_id", "region_id", "period_id", "value"]].values.tolist() == [
        [2, "one_window_items", "huarong", "2024Q1", 120.0]
    ]


# ---------------------------------------------------------------- values only, as Excel shows them


def test_formulas_and_external_links_give_their_cached_values(corpus, seed_con):
    validation = checked(seed_con, "f.xlsx", (corpus / "formulas_and_external_links.xlsx").read_bytes())
    assert validation.ok, problems(validation)
    assert validation.rows[["indicator_id", "region_id", "value", "source"]].values.tolist() == [
        ["one_window_items", "huarong", 120.0, "季报"]
    ]


def test_cells_read_as_openpyxl_showed_them():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["整数", "百分比", "月份", "日期", "真假", "小数", "负数", "千分之一", "公式"])
    sheet.append([120, 0.9747, dt.datetime(2024, 3, 1), dt.datetime(2024, 3, 15), True, 1.5, -3, 1e-3, "=1+1"])
    sheet["B2"].number_format = "0.00%"
    sheet.cell(row=4, column=1, value="跳过一行")
    buffer = io.BytesIO()
    workbook.save(buffer)
    [(name, state, rows)] = list(xlsx.sheets(buffer.getvalue()))
    assert (name, state) == ("Sheet", "visible")
    assert list(rows)[1:] == [
        (2, dict(enumerate(["120", "97.47%", "2024-03", "2024-03-15", "True", "1.5", "-3", "0.001"]))),
        (4, {0: "跳过一行"}),
    ]  # a formula without a cached value is an empty cell


def test_limits_follow_the_environment(monkeypatch):
    text_workbook = hostile.workbook({"观测值": hostile.sheet_xml(hostile.table_rows([hostile.HEADER, hostile.ROW]))})
    monkeypatch.setenv(config.MAX_UPLOAD_TEXT_CHARS.name, "20")
    assert ingest.read_upload("t.xlsx", text_workbook).problems["problem"].tolist() == [
        REFUSED.format("展开后的文字超过 20 字上限")
    ]
    monkeypatch.delenv(config.MAX_UPLOAD_TEXT_CHARS.name)
    monkeypatch.setenv(config.MAX_UPLOAD_CELLS.name, "9")
    assert ingest.read_upload("t.xlsx", text_workbook).problems["problem"].tolist() == [
        REFUSED.format("单元格超过 9 个上限(更大的表请另存为 CSV 载入)")
    ]
    monkeypatch.setenv(config.MAX_UPLOAD_CELLS.name, "10")
    monkeypatch.setenv(config.MAX_XLSX_EXPANDED_MB.name, "0.001")
    assert ingest.read_upload("t.xlsx", text_workbook).problems["problem"].tolist() == [
        REFUSED.format("解压后大小超过 0.001 MiB 上限")
    ]
    monkeypatch.delenv(config.MAX_XLSX_EXPANDED_MB.name)
    assert ingest.read_upload("t.xlsx", text_workbook).problems.empty


def test_a_browsers_csv_is_held_to_the_cell_and_text_limits_and_the_command_lines_is_not(monkeypatch, tmp_path,
                                                                                         seed_db):
    """A CSV's cells are its records times its header's width; the command line loads what its size allows."""
    data = hostile.csv_text([hostile.HEADER, *[hostile.ROW] * 4]).encode()  # 4 records of 5 cells
    path = tmp_path / "q.csv"
    path.write_bytes(data)
    larger = "(更大的文件请由管理员用命令行 python -m metrics load 载入)"
    monkeypatch.setattr(ingest.files, "CSV_CHUNK_ROWS", 1)  # counted as read: refused at the record over the limit
    monkeypatch.setenv(config.MAX_UPLOAD_CELLS.name, "19")
    assert ingest.read_upload("q.csv", data).problems["problem"].tolist() == [
        REFUSED.format(f"单元格超过 19 个上限{larger}")]
    monkeypatch.setenv(config.MAX_UPLOAD_CELLS.name, "20")
    assert ingest.read_upload("q.csv", data).problems.empty
    monkeypatch.setenv(config.MAX_UPLOAD_TEXT_CHARS.name, str(len(data.decode()) - 1))
    assert ingest.read_upload("q.csv", data).problems["problem"].tolist() == [
        REFUSED.format(f"文字超过 {len(data.decode()) - 1:,} 字上限{larger}")]
    monkeypatch.setenv(config.MAX_UPLOAD_CELLS.name, "1")
    assert ingest.check_file(seed_db, path).rows_total == 4


def test_a_shared_string_table_longer_than_the_cell_limit_is_refused(monkeypatch):
    monkeypatch.setenv(config.MAX_UPLOAD_CELLS.name, "20")
    data = hostile.workbook(
        {"观测值": hostile.sheet_xml(hostile.table_rows([hostile.HEADER]))},
        {"xl/sharedStrings.xml": hostile.shared_strings([str(n) for n in range(21)])},
    )
    assert ingest.read_upload("s.xlsx", data).problems["problem"].tolist() == [
        REFUSED.format("共享字符串超过 20 个上限")]


DAMAGED = "无法读取 Excel 文件：文件已损坏或不是有效的 .xlsx"
BELOW_THE_HEADER = {
    "tags that do not match": '<row r="3"><c r="A3"><v>1</v></row>',
    "a shared string that does not exist": '<row r="3"><c r="A3" t="s"><v>7</v></c></row>',
    "a cell reference that is not one": '<row r="3"><c r="3A"><v>1</v></c></row>',
}


@pytest.mark.parametrize("damage", sorted(BELOW_THE_HEADER))
def test_damage_found_while_rows_are_read_is_one_problem(damage):
    rows = hostile.table_rows([hostile.HEADER, hostile.ROW]) + BELOW_THE_HEADER[damage]
    data = hostile.workbook({"观测值": hostile.sheet_xml(rows)})
    assert ingest.read_upload("d.xlsx", data).problems["problem"].tolist() == [DAMAGED]


# ---------------------------------------------------------------- items 17, 18, 21 and cells no one can see


@pytest.mark.parametrize("name", ["four_hundred_digits.csv", "four_hundred_digits.xlsx"])
def test_a_number_beyond_a_double_is_a_problem_not_infinity(corpus, seed_con, name):
    validation = checked(seed_con, name, (corpus / name).read_bytes())
    assert problems(validation) == [(2, "数值", NINES, f"数值“{NINES}”过大，超出可存储的范围")]


def test_scaled_numbers_that_overflow_are_refused_too():
    with pytest.raises(UnreadableValue, match="^数值“9{300}万亿”过大，超出可存储的范围$"):
        parse_value("9" * 300 + "万亿")
    assert parse_value("9" * 300).value == float("9" * 300)


def test_nul_after_the_first_64_kib_is_refused(corpus, seed_con):
    validation = checked(seed_con, "n.csv", (corpus / "nul_after_64_kib.csv").read_bytes())
    assert problems(validation) == [(None, "", "", "文件内容是二进制数据，不是 CSV 文本或 .xlsx 表格")]


@pytest.mark.parametrize("name", ["utf16_le.csv", "utf16_be.csv"])
def test_utf16_csv_with_a_byte_order_mark_is_read(corpus, seed_con, name):
    validation = checked(seed_con, name, (corpus / name).read_bytes())
    assert validation.ok, problems(validation)
    assert validation.rows[["indicator_id", "region_id", "period_id", "value", "source"]].values.tolist() == [
        ["one_window_items", "huarong", "2024Q1", 120.0, "季报"]
    ]


def test_control_characters_are_named_by_row_and_column(corpus, seed_con):
    validation = checked(seed_con, "c.csv", (corpus / "control_character.csv").read_bytes())
    assert problems(validation) == [(2, "依据", "原文\\x07摘录", "含有不可见的控制字符，请删除")]


# ---------------------------------------------------------------- item 14: the template writes values only


def _load(db: Path, name: str, rows: list[list[str]]) -> None:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    con = open_reader(db)
    try:
        validation = ingest.validate(con, ingest.read_upload(name, text.getvalue().encode("utf-8")))
    finally:
        con.close()
    assert validation.ok, problems(validation)
    ingest.apply(db, validation, user="测试")


HYPERLINK = '=HYPERLINK("http://example.invalid","点我")'
COMMAND = "=cmd|' /C calc'!A0"


def test_template_writes_formula_like_names_as_text_that_loads_back(fresh_db):
    _load(
        fresh_db, "地区.csv", [["地区编码", "地区名称", "级别", "上级地区"], ["town", HYPERLINK, "乡镇街道", "鄂城区"]]
    )
    _load(
        fresh_db,
        "指标.csv",
        [
            ["指标编码", "指标名称", "单位", "类型", "时态", "方向", "类别", "口径", "责任单位"],
            ["fake_count", COMMAND, "项", "数量", "流量", "越高越好", "一窗通办", "测试", "市数据局"],
        ],
    )
    con = open_reader(fresh_db)
    try:
        template = ingest.template_bytes(con)
    finally:
        con.close()
    with zipfile.ZipFile(io.BytesIO(template)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert not [name for name in sheets if b"<f>" in archive.read(name) or b"<f " in archive.read(name)]
    choices = openpyxl.load_workbook(io.BytesIO(template))["下拉选项"]
    written = {cell.value: cell.data_type for column in choices.iter_cols() for cell in column if cell.value}
    assert written["'" + HYPERLINK] == written["'" + COMMAND] == "s"
    assert HYPERLINK not in written and COMMAND not in written

    # A name picked from the drop-down carries the apostrophe; loading takes it off again.
    filled = openpyxl.load_workbook(io.BytesIO(template))
    filled["观测值"].append(["'" + COMMAND, "'" + HYPERLINK, "2024Q1", 7, "项", None, "季报", None])
    buffer = io.BytesIO()
    filled.save(buffer)
    con = open_reader(fresh_db)
    try:
        validation = checked(con, "已填.xlsx", buffer.getvalue())
    finally:
        con.close()
    assert validation.ok, problems(validation)
    assert validation.rows[["indicator_id", "region_id", "value"]].values.tolist() == [["fake_count", "town", 7.0]]
