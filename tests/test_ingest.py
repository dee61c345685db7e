"""Loading files: every problem reported exactly, loads recorded and reversible, exports unchanged."""

import datetime as dt
import io
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from support import export_text

from metrics import config, ingest, targets
from metrics.store import queries
from metrics.store.warehouse import open_reader, version_id

BAD_FILES = Path(__file__).resolve().parent / "fixtures" / "bad_files"
FORMATS = ("_utf8.csv", "_utf8_bom.csv", "_gb18030.csv", ".xlsx")

# Each file of the corpus has a title row, so its header is row 2 and its first data row row 3.
EXPECTED = {
    "unknown_region": [(3, "地区", "华荣区", "未知地区“华荣区”，是否为“华容区”？")],
    "unknown_indicator": [
        (3, "指标名称", "一窗通办事项", "未知指标“一窗通办事项”，是否为“一窗通办事项数”？")
    ],
    "bad_quarter": [(3, "期间", "2024Q5", "期间“2024Q5”不存在：季度应为1–4")],
    "bad_month": [(3, "期间", "2024-13", "期间“2024-13”不存在：月份应为1–12")],
    "unreadable_period": [
        (
            3,
            "期间",
            "上季度",
            "无法识别的期间“上季度”：应为 2024Q1、2024年第一季度、2024-03、2024年3月 或 2024年",
        )
    ],
    "not_a_number": [(3, "数值", "一百二十", "数值“一百二十”不是数字")],
    "empty_value": [(3, "数值", "", "必填项为空")],
    "rate_out_of_range": [(3, "数值", "101%", "比率应在0到100之间")],
    "negative_count": [(3, "数值", "-5", "数量不能为负数")],
    "bad_rank": [(3, "数值", "0", "名次应为不小于1的整数"), (4, "数值", "2.5", "名次应为不小于1的整数")],
    "score_above_max": [(3, "数值", "3", "得分应在0到满分2之间")],
    "part_above_whole": [
        (4, "数值", "957", "部分大于整体：“圈内通办全程网办事项数”957 大于 “圈内通办上线事项数”900")
    ],
    "part_above_stored_whole": [
        (3, "数值", "1200", "部分大于整体：“圈内通办全程网办事项数”1200 大于 “圈内通办上线事项数”1101")
    ],
    "derived_indicator": [
        (3, "指标名称", "圈内通办全程网办比例(计算)", "该指标由其他指标计算得出，不能载入")
    ],
    "duplicate_keys": [(4, "", "一窗通办事项数/鄂州市/2024年一季度", "与第3行重复(同一指标、地区、期间)")],
    "unit_mismatch": [(3, "单位", "个", "单位“个”与指标单位“项”不符")],
    "unknown_qualifier": [
        (
            3,
            "限定",
            "大概",
            "无法识别的限定“大概”：应为 精确、以上、超过、以内、约、均达…以上 或其代码(exact、at_least…)",
        )
    ],
    "missing_source": [(3, "来源", "", "必填项为空")],
    "missing_column": [(None, "来源", "", "缺少必填列“来源”")],
    "header_only": [(None, "", "", "文件只有表头，没有数据行")],
    "many_problems": [
        (3, "地区", "华荣区", "未知地区“华荣区”，是否为“华容区”？"),
        (3, "期间", "2024Q5", "期间“2024Q5”不存在：季度应为1–4"),
        (3, "数值", "abc", "数值“abc”不是数字"),
        (5, "数值", "120%", "比率应在0到100之间"),
        (5, "来源", "", "必填项为空"),
        (5, "", "综合窗口可办事项占比(一窗通办)/华容区/2024Q1", "与第4行重复(同一指标、地区、期间)"),
    ],
}
WHOLE_FILE_EXPECTED = {
    "empty.csv": "文件为空",
    "bom_only_utf8_bom.csv": "文件为空",
    "picture_renamed.csv": "文件内容是PNG图片，不是 CSV 文本或 .xlsx 表格",
    "archive_renamed.csv": "文件内容是压缩包，不是 CSV 文本或 .xlsx 表格",
    "undecodable.csv": "文件编码无法识别：请另存为 UTF-8 或 GB18030(GBK) 编码的 CSV",
    "no_header.csv": "找不到表头：前20行中没有可识别的列名(如 指标名称、地区、期间、数值、来源)",
}


def problems(validation: ingest.Validation) -> list[tuple]:
    return [
        (None if pd.isna(row) else int(row), column, value, problem)
        for row, column, value, problem in validation.errors.itertuples(index=False)
    ]


def check(con, name: str, data: bytes, **options) -> ingest.Validation:
    return ingest.validate(con, ingest.read_upload(name, data, **options))


def check_db(db: Path, name: str, data: bytes) -> ingest.Validation:
    con = open_reader(db)
    try:
        return check(con, name, data)
    finally:
        con.close()


def load(db: Path, name: str, data: bytes, replace: bool = False) -> ingest.LoadResult:
    validation = check_db(db, name, data)
    assert validation.ok, problems(validation)
    return ingest.apply(db, validation, user="测试", replace=replace)


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_each_bad_file_reports_its_exact_problems(seed_con, case, suffix):
    path = BAD_FILES / f"{case}{suffix}"
    validation = check(seed_con, path.name, path.read_bytes())
    assert problems(validation) == EXPECTED[case]
    assert not validation.ok
    assert list(validation.errors.columns) == ["row_number", "column", "value", "problem"]
    assert list(ingest.problem_table(validation.errors).columns) == ["行", "列", "值", "问题"]


@pytest.mark.parametrize("name", sorted(WHOLE_FILE_EXPECTED))
def test_whole_file_problems(seed_con, name):
    validation = check(seed_con, name, (BAD_FILES / name).read_bytes())
    assert problems(validation) == [(None, "", "", WHOLE_FILE_EXPECTED[name])]


def test_content_decides_the_format_not_the_extension(seed_con):
    validation = check(
        seed_con, "csv_content_named.xlsx", (BAD_FILES / "csv_content_named.xlsx").read_bytes()
    )
    assert validation.ok
    assert list(validation.rows.value) == [120]


def test_size_limit_from_parameter_and_environment(seed_con, monkeypatch):
    data = (BAD_FILES / "unknown_region_utf8.csv").read_bytes() * 20
    limited = check(seed_con, "big.csv", data, max_mb=0.001)
    size = f"{len(data) / 2**20:.3g}"
    assert problems(limited) == [(None, "", "", f"文件大小 {size} MiB，超过上限 0.001 MiB")]
    monkeypatch.setenv(config.MAX_UPLOAD_MB.name, "0.002")
    assert problems(check(seed_con, "big.csv", data))[0][3] == f"文件大小 {size} MiB，超过上限 0.002 MiB"
    monkeypatch.setenv(config.MAX_UPLOAD_MB.name, "50")
    assert problems(check(seed_con, "big.csv", data))[0][3] != "文件大小"


def test_rejected_load_leaves_the_warehouse_byte_identical(fresh_db):
    before, version = export_text(fresh_db), version_id(fresh_db)
    validation = check_db(fresh_db, "many.csv", (BAD_FILES / "many_problems_gb18030.csv").read_bytes())
    with pytest.raises(ingest.LoadError, match="^文件有 6 处问题，未载入$"):
        ingest.apply(fresh_db, validation, user="测试")
    assert export_text(fresh_db) == before
    assert version_id(fresh_db) == version


GB18030_QUARTER = """鄂州市政务服务指标 2024年第一季度
填报单位：市数据局
指标名称,地区,期间,数值,限定,来源,依据
综合窗口可办事项占比(一窗通办),华容区,2024年一季度,９７．４７％,,2024年一季度报表,
综合窗口可办事项占比(一窗通办),鄂城区,2024年第一季度, 91.5% ,,2024年一季度报表,
监管行为推送数据量,鄂州市,2024年第一季度,3427万条以上,,2024年一季度报表,推送数据量达到3427万条以上
鄂汇办上线便民服务事项数,鄂州市,2024年3月,"1,234",约,2024年一季度报表,
“互联网+监管”考核全省排名,鄂州市,2024Q1,3,exact,2024年一季度报表,
,,,,,,
,,,,,,
"""


def test_gb18030_file_with_percentages_and_wan_loads(fresh_db):
    result = load(fresh_db, "2024Q1.csv", GB18030_QUARTER.encode("gb18030"))
    assert (result.inserted, result.updated, result.rows_total) == (5, 0, 5)
    con = open_reader(fresh_db)
    try:
        rows = con.execute(
            "select indicator_id, region_id, period_id, value, qualifier, evidence from observations "
            "where load_id = $id order by indicator_id, region_id",
            {"id": result.load_id},
        ).fetchall()
        periods = con.execute(
            "select period_id, grain, start_date, end_date, label from periods where period_id like '2024%' "
            "order by period_id"
        ).fetchall()
    finally:
        con.close()
    assert rows == [
        ("ehb_convenience_items", "ezhou", "2024-03", 1234.0, "approx", None),
        ("one_window_share", "echeng", "2024Q1", 91.5, "exact", None),
        ("one_window_share", "huarong", "2024Q1", 97.47, "exact", None),
        ("supervision_push_volume", "ezhou", "2024Q1", 34270000.0, "at_least", "推送数据量达到3427万条以上"),
        ("supervision_rank", "ezhou", "2024Q1", 3.0, "exact", None),
    ]
    assert periods == [
        ("2024-03", "month", dt.date(2024, 3, 1), dt.date(2024, 3, 31), "2024年3月"),
        ("2024Q1", "quarter", dt.date(2024, 1, 1), dt.date(2024, 3, 31), "2024年第一季度"),
    ]


def test_export_loads_back_unchanged(fresh_db):
    before = export_text(fresh_db)
    validation = check_db(fresh_db, "export.csv", before.encode("utf-8"))
    assert validation.ok and validation.conflicts.empty
    assert validation.unchanged == len(validation.rows) == before.count("\n") - 1
    result = ingest.apply(fresh_db, validation, user="测试")
    assert (result.inserted, result.updated) == (0, 0)
    assert export_text(fresh_db) == before


def test_edited_export_is_a_conflict_until_replaced_and_rollback_restores(fresh_db):
    before = export_text(fresh_db)
    edited = before.replace("1101,项,exact", "1102,项,exact").replace(
        "\n", "\ncircle_items_online,圈内通办上线事项数,鄂州市,2024Q1,1200,项,exact,季报,,,\n", 1
    )
    validation = check_db(fresh_db, "edited.csv", edited.encode("utf-8"))
    assert validation.ok
    conflict = validation.conflicts.iloc[0]
    assert len(validation.conflicts) == 1
    assert validation.unchanged == before.count("\n") - 2  # every exported row but the edited one
    assert (conflict.indicator, conflict.region, conflict.period, conflict.old_value, conflict.new_value) == (
        "圈内通办上线事项数", "鄂州市", "asof-2023-12", 1101, 1102,
    )  # fmt: skip
    with pytest.raises(
        ingest.ConflictError, match="^有 1 行与已有数据不同，未载入；确认覆盖请选择替换\\(--replace\\)$"
    ):
        ingest.apply(fresh_db, validation, user="测试")
    assert export_text(fresh_db) == before
    result = ingest.apply(fresh_db, validation, user="测试", replace=True)
    assert (result.inserted, result.updated) == (1, 1)
    assert export_text(fresh_db) != before
    undone = ingest.rollback(fresh_db, result.load_id, "测试")
    assert undone.note == f"撤销载入 #{result.load_id}：删除新增 1 行，恢复被修改 1 行"
    assert export_text(fresh_db) == before
    con = open_reader(fresh_db)
    try:
        assert con.execute("select count(*) from periods where period_id = '2024Q1'").fetchone() == (0,)
        history = ingest.history(con)
    finally:
        con.close()
    assert list(history.columns) == [
        "编号", "类型", "文件", "SHA-256", "总行数", "新增", "修改", "操作人", "时间", "状态", "说明",
    ]  # fmt: skip
    assert list(history.状态)[-2:] == ["已撤销", "已生效"]
    assert list(history.类型)[-2:] == ["观测值", "撤销"]


def test_rollback_refusals(fresh_db):
    first = load(
        fresh_db, "a.csv", "指标名称,地区,期间,数值,来源\n一窗通办事项数,华容区,2024Q1,120,季报\n".encode()
    )
    second = load(
        fresh_db,
        "b.csv",
        "指标名称,地区,期间,数值,来源\n一窗通办事项数,华容区,2024Q1,130,季报\n".encode(),
        replace=True,
    )
    with pytest.raises(ingest.LoadError) as refused:
        ingest.rollback(fresh_db, first.load_id, "测试")
    assert str(refused.value) == (
        f"载入 #{first.load_id} 之后的载入 #{second.load_id} 修改了它写入的数据或使用了它新增的地区、指标，"
        f"请先撤销 #{second.load_id}"
    )
    undo_second = ingest.rollback(fresh_db, second.load_id, "测试")
    ingest.rollback(fresh_db, first.load_id, "测试")
    for load_id, message in [
        (first.load_id, f"载入 #{first.load_id} 已撤销过"),
        (
            undo_second.load_id,
            f"载入 #{undo_second.load_id} 本身是一次撤销，不能再撤销；如需恢复，请重新载入原文件",
        ),
        (1, "种子数据是数据仓库的初始构建，不能撤销；如需重建请运行 python -m metrics build"),
        (999, "没有编号为 999 的载入"),
    ]:
        with pytest.raises(ingest.LoadError) as refused:
            ingest.rollback(fresh_db, load_id, "测试")
        assert str(refused.value) == message


TOWNSHIPS = """地区编码,地区名称,级别,上级地区,排序
fenghuang,凤凰街道,乡镇街道,鄂城区,
gulou,古楼街道,乡镇街道,echeng,
huarong_town,华容镇,乡镇街道,华容区,
"""


def test_townships_are_added_used_and_removed_in_order(fresh_db):
    before = export_text(fresh_db)
    regions = load(fresh_db, "乡镇.csv", TOWNSHIPS.encode("gb18030"))
    assert regions.kind == "regions" and regions.inserted == 3
    observations = load(
        fresh_db,
        "乡镇数据.csv",
        "指标名称,地区,期间,数值,来源\n一窗通办事项数,凤凰街道,2024Q1,88,季报\n".encode(),
    )
    with pytest.raises(
        ingest.LoadError, match=f"之后的载入 #{observations.load_id} 修改了它写入的数据或使用了它新增的地区"
    ):
        ingest.rollback(fresh_db, regions.load_id, "测试")
    ingest.rollback(fresh_db, observations.load_id, "测试")
    ingest.rollback(fresh_db, regions.load_id, "测试")
    con = open_reader(fresh_db)
    try:
        assert con.execute("select count(*) from regions where level = '乡镇街道'").fetchone() == (0,)
    finally:
        con.close()
    assert export_text(fresh_db) == before


def test_region_file_problems(seed_con):
    data = """地区编码,地区名称,级别,上级地区
Fenghuang,凤凰街道,乡镇街道,鄂城区
gulou,古楼街道,乡镇,鄂城区
xishan,西山街道,乡镇街道,鄂城县
town_a,甲镇,乡镇街道,鄂州市
huarong,华容区,区,鄂州市
echeng,鄂城,区,鄂州市
town_b,华容区,乡镇街道,华容区
town_c,丙镇,,华容区
""".encode()
    assert problems(check(seed_con, "regions.csv", data)) == [
        (2, "地区编码", "Fenghuang", "编码只能由小写字母、数字、下划线或连字符组成，并以字母开头"),
        (
            3,
            "级别",
            "乡镇",
            "未知级别“乡镇”：应为 市、市本级、区、功能区、乡镇街道、乡镇街道汇总、机关、村(社区) 之一",
        ),
        (4, "上级地区", "鄂城县", "未知上级地区“鄂城县”，是否为“鄂城区”？"),
        (5, "上级地区", "鄂州市", "乡镇街道的上级应为区或功能区"),
        (7, "地区编码", "echeng", "地区编码“echeng”已存在(“鄂城区”)，已有地区不能通过载入修改"),
        (8, "地区名称", "华容区", "地区名称“华容区”已被地区编码“huarong”使用"),
        (9, "级别", "", "必填项为空"),
    ]


def test_indicator_file_adds_an_indicator_observations_can_use(fresh_db):
    indicators = """指标编码,指标名称,单位,类型,时态,方向,类别,口径,责任单位
township_one_window_share,乡镇一窗通办比例,%,比率,水平,越高越好,一窗通办,乡镇综合窗口可办事项占比,市数据局
bad-rate,错误比率,个,rate,level,higher,一窗通办,单位不对,市数据局
""".encode()
    validation = check_db(fresh_db, "指标.csv", indicators)
    assert problems(validation) == [(3, "单位", "个", "比率类指标的单位应为%")]
    load(
        fresh_db,
        "指标.csv",
        indicators.splitlines(keepends=True)[0] + indicators.splitlines(keepends=True)[1],
    )
    result = load(
        fresh_db, "值.csv", "指标名称,地区,期间,数值,来源\n乡镇一窗通办比例,鄂城区,2024Q1,88%,季报\n".encode()
    )
    assert result.inserted == 1


def test_template_has_sheets_drop_downs_and_loads_back(fresh_db):
    con = open_reader(fresh_db)
    try:
        template = ingest.template_bytes(con)
        empty = check(con, "模板.xlsx", template)
    finally:
        con.close()
    assert problems(empty) == [(None, "", "", "文件只有表头，没有数据行")]
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    assert workbook.sheetnames[:4] == ["说明", "观测值", "地区", "指标"]
    observations = workbook["观测值"]
    assert [c.value for c in observations[1]] == [
        "指标名称",
        "地区",
        "期间",
        "数值",
        "单位",
        "限定",
        "来源",
        "依据",
    ]
    drop_downs = {str(v.sqref): v.formula1 for v in observations.data_validations.dataValidation}
    assert set(drop_downs) == {"A2:A5001", "B2:B5001", "F2:F5001"}
    choices = workbook["下拉选项"]
    assert [c.value for c in choices[1]] == ["可选指标", "可选地区", "可选限定", "可选级别", "可选上级", "可选类型",
                                           "可选时态", "可选方向"]
    indicator_names = [c.value for c in choices["A"][1:] if c.value]
    assert "一窗通办事项数" in indicator_names and "圈内通办全程网办比例(计算)" not in indicator_names
    assert "华容区" in [c.value for c in choices["B"][1:]]

    workbook["地区"].append(["fenghuang", "凤凰街道", "乡镇街道", "鄂城区", None])
    observations.append(["一窗通办事项数", "凤凰街道", "2024年第一季度", 88, "项", "以上", "季报", None])
    observations.append(["一窗通办事项数", "凤凰镇", "2024年第一季度", 88, "项", None, "季报", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    validation = check_db(fresh_db, "已填.xlsx", buffer.getvalue())
    assert problems(validation) == [(3, "观测值!地区", "凤凰镇", "未知地区“凤凰镇”，是否为“凤凰街道”？")]
    observations.delete_rows(3)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = load(fresh_db, "已填.xlsx", buffer.getvalue())
    assert (result.kind, result.inserted) == ("regions+observations", 2)


def test_xlsx_percent_formatted_cells_and_typed_months(seed_con):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["指标名称", "地区", "期间", "数值", "来源"])
    sheet.append(["综合窗口可办事项占比(一窗通办)", "华容区", dt.datetime(2024, 3, 1), 0.9747, "季报"])
    sheet["D2"].number_format = "0.00%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    validation = check(seed_con, "percent.xlsx", buffer.getvalue())
    assert validation.ok
    assert validation.rows[["period_id", "value"]].values.tolist() == [["2024-03", 97.47]]


def test_progress_is_reported(seed_con):
    seen = []
    ingest.validate(
        seed_con,
        ingest.read_upload("q.csv", GB18030_QUARTER.encode("gb18030")),
        lambda f, t: seen.append((f, t)),
    )
    assert seen[-1] == (1.0, "校验完成")
    assert [fraction for fraction, _ in seen] == sorted(fraction for fraction, _ in seen)


def test_two_sheets_of_one_kind_must_be_merged(seed_con):
    workbook = openpyxl.Workbook()
    for title, period in (("一月", "2024-01"), ("二月", "2024-02")):
        sheet = workbook.create_sheet(title)
        sheet.append(["指标名称", "地区", "期间", "数值", "来源"])
        sheet.append(["一窗通办事项数", "华容区", period, 12, "月报"])
    del workbook["Sheet"]
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert problems(check(seed_con, "两个月.xlsx", buffer.getvalue())) == [
        (None, "", "", "工作表“一月”、“二月”都是观测值表，请合并为一个工作表")
    ]


def periods_of(db: Path) -> list[str]:
    con = open_reader(db)
    try:
        return [row[0] for row in con.execute("select period_id from periods order by period_id").fetchall()]
    finally:
        con.close()


def test_a_period_two_undone_loads_used_goes_with_the_last_of_them(fresh_db):
    before, seed_periods = export_text(fresh_db), periods_of(fresh_db)
    creator = load(fresh_db, "a.csv", "指标名称,地区,期间,数值,来源\n一窗通办事项数,华容区,2031Q1,1,季报\n".encode())
    user = load(fresh_db, "b.csv", "指标名称,地区,期间,数值,来源\n一窗通办事项数,鄂城区,2031Q1,2,季报\n".encode())
    ingest.rollback(fresh_db, creator.load_id, "测试")
    assert "2031Q1" in periods_of(fresh_db)  # the other load still uses it
    ingest.rollback(fresh_db, user.load_id, "测试")
    assert periods_of(fresh_db) == seed_periods
    assert export_text(fresh_db) == before


def test_two_loads_of_one_new_region_count_it_once(fresh_db):
    first = check_db(fresh_db, "乡镇.csv", TOWNSHIPS.encode())
    second = check_db(fresh_db, "乡镇.csv", TOWNSHIPS.encode())  # validated before the first is applied
    applied = ingest.apply(fresh_db, first, user="甲")
    again = ingest.apply(fresh_db, second, user="乙")
    assert (applied.inserted, applied.note) == (3, "新增 0 行，修改 0 行，不变 0 行；新增地区 3 个")
    assert (again.inserted, again.note) == (0, "新增 0 行，修改 0 行，不变 0 行")


def test_a_load_whose_new_indicator_has_a_target_is_refused_with_the_reason(fresh_db):
    indicators = """指标编码,指标名称,单位,类型,时态,方向,类别,口径,责任单位
township_one_window_share,乡镇一窗通办比例,%,比率,水平,越高越好,一窗通办,乡镇综合窗口可办事项占比,市数据局
""".encode()
    added = load(fresh_db, "指标.csv", indicators)
    target_load = targets.set_bureau_target(fresh_db, "township_one_window_share", None, 2024, 60.0, ">=", "测试")
    before = export_text(fresh_db)
    with pytest.raises(ingest.LoadError) as refused:
        ingest.rollback(fresh_db, added.load_id, "测试")
    assert str(refused.value) == (
        f"载入 #{added.load_id} 新增的地区或指标已设置了目标(载入 #{target_load})，"
        "目标只能修改不能删除，因此该载入不能撤销"
    )
    assert export_text(fresh_db) == before


def test_staged_frames_reach_duckdb_with_their_types_and_nulls():
    con = duckdb.connect()
    queries.register_frame(con, "staged", pd.DataFrame({"text": ["x", None], "number": [1.5, None]}).astype(
        {"text": "str"}))
    assert con.execute("select text, number, typeof(text), typeof(number) from staged").fetchall() == [
        ("x", 1.5, "VARCHAR", "DOUBLE"), (None, None, "VARCHAR", "DOUBLE")]
    queries.register_frame(con, "nothing", pd.DataFrame(columns=["text"]))
    assert con.execute("select count(*) from nothing where text = 'x'").fetchone() == (0,)


def test_indicator_file_problems(seed_con):
    """A code the warehouse holds must come unchanged, a code or name only once in the file, and a new code must not
    take a name the warehouse gives another."""
    data = """指标编码,指标名称,单位,类型,时态,方向,类别,口径,责任单位
one_window_items,一窗通办事项数,个,数量,时点,越高越好,一窗通办,通过无差别或分领域综合窗口可办理的事项数,市数据局
one_window_items,一窗通办事项数,项,数量,时点,越高越好,一窗通办,通过无差别或分领域综合窗口可办理的事项数,市数据局
new_items,一窗通办事项数,项,数量,时点,越高越好,一窗通办,新口径,市数据局
new_share,新比例,%,比率,水平,越高越好,一窗通办,新口径,市数据局
""".encode()
    validation = check(seed_con, "指标.csv", data)
    assert problems(validation) == [
        (2, "指标编码", "one_window_items",
         "指标编码“one_window_items”已存在(“一窗通办事项数”)，已有指标不能通过载入修改"),
        (3, "指标编码", "one_window_items", "与第2行重复(同一指标编码)"),
        (3, "指标名称", "一窗通办事项数", "与第2行重复(同一指标名称)"),
        (4, "指标名称", "一窗通办事项数", "与第2行重复(同一指标名称)"),
        (4, "指标名称", "一窗通办事项数", "指标名称“一窗通办事项数”已被指标编码“one_window_items”使用"),
    ]
    assert validation.indicators["indicator_id"].tolist() == ["new_share"]
