"""通报导入 (issue #23): a notice's figures proposed from its text, what is not a figure, periods without a
year, the readers of .txt/.docx/.pdf/.html, bad files, and `python -m metrics notice`. No warehouse."""

import csv
import datetime as dt
import importlib.util
import io

import pytest
from support import ROOT

from metrics import config
from metrics.cli import main
from metrics.ingest import files, notice

CORPUS = ROOT / "tests" / "fixtures" / "notices"
CATALOG = notice.seed_catalog()

spec = importlib.util.spec_from_file_location("bench_notice", ROOT / "scripts" / "bench_notice.py")
bench_notice = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench_notice)


def proposed(text: str, date: dt.date | None = None, *columns: str) -> list[tuple]:
    columns = columns or ("text", "value", "qualifier", "unit")
    rows = notice.propose(notice.from_text(text), CATALOG, date)
    return [tuple(getattr(row, column) for column in columns) for row in rows]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("全年共产生评价数据2,752,087条。", [("2,752,087条", "2752087", "exact", "条")]),
        ("办件量858万件，电子证照签发1.2亿张。",
         [("858万件", "8580000", "exact", "件"), ("1.2亿张", "120000000", "exact", "张")]),
        ("服务群众1100余人，访问超1万次，推送数据3427万条以上，等待不足5分钟，满意度约95%，覆盖近2000人次。",
         [("1100余人", "1100", "over", "人"), ("超1万次", "10000", "over", "次"),
          ("3427万条以上", "34270000", "at_least", "条"), ("不足5分钟", "5", "under", "分钟"),
          ("约95%", "95", "approx", "%"), ("近2000人次", "2000", "approx", "人次")]),
        ("报送时限为7日内，办理时间不超过15分钟。",
         [("7日内", "7", "at_most", "日"), ("不超过15分钟", "15", "at_most", "分钟")]),
        ("细化整改措施71，逐一明确责任。", [("71", "71", "exact", "")]),
        ("办理不动产登记3.6万件、发放证书2.1万本、收取费用860万元。",
         [("3.6万件", "36000", "exact", "件"), ("2.1万本", "21000", "exact", "本"),
          ("860万元", "8600000", "exact", "元")]),
        ("新增进驻事项三十六项，两个支部均做到流程规范，每两月开展分析研判。",
         [("三十六项", "36", "exact", "项"), ("两个", "2", "exact", "个"), ("两月", "2", "exact", "月")]),
        ("满意率达到百分之九十五，网点一千二百个，共办理3万余件。",
         [("百分之九十五", "95", "exact", "%"), ("一千二百个", "1200", "exact", "个"),
          ("3万余件", "30000", "over", "件")]),
        ("全省排名第10位，鄂州市位居全省第四。", [("第10位", "10", "exact", "名"), ("第四", "4", "exact", "名")]),
        ("2024年6月28日，新增市场主体326户，12月5日印发方案，18:30前办结1件。",
         [("326户", "326", "exact", "户"), ("1件", "1", "exact", "件")]),
    ],
)
def test_hard_cases_are_proposed_with_value_qualifier_and_unit(text, expected):
    assert proposed(text) == expected


def test_a_figure_that_a_wrapped_line_starts_is_a_figure_and_a_number_without_unit_there_a_section():
    text = "全市共受理\n3,456件，办结率\n98.4%。\n1县政务服务大厅\n2.窗口服务"
    assert proposed(text) == [("3,456件", "3456", "exact", "件"), ("98.4%", "98.4", "exact", "%")]


def test_each_region_of_a_list_with_jun_wei_ling_gets_its_zero():
    assert proposed("葛店经开区、临空经济区差评均为零。", None, "text", "value", "region") == [
        ("零", "0", "gedian"), ("零", "0", "linkong")]


def test_respectively_pairs_the_regions_with_the_figures_in_turn():
    assert proposed("鄂城区、华容区好评率分别为99.98%、100%。", None, "text", "region") == [
        ("99.98%", "echeng"), ("100%", "huarong")]


def test_from_62_up_to_80_is_the_current_80_and_the_earlier_62():
    assert proposed("主动评价率由62%上升到80%，办件量从1.2万件减少到8000件，较上年提高2.5个百分点。", None,
                    "text", "value", "role") == [
        ("62%", "62", "earlier"), ("80%", "80", "current"), ("1.2万件", "12000", "earlier"),
        ("8000件", "8000", "current"), ("2.5个百分点", "2.5", "current")]


@pytest.mark.parametrize(
    "text",
    [
        "一、总体情况\n（二）工作开展\n1县政务服务大厅\n2.窗口服务",
        "根据鄂州政数发〔2023〕33号和国发(2022) 5号文件，于2023年6月20日至8月20日、18:30前完成。",
        "拨打12345热线或0711-3218520、13907110000，邮箱184731380@qq.com，地址古城路129号，网站标识码4207000024。",
        "第八届“十佳窗口”评选按照“三个最”要求推进百千万工程，落实中央八项规定精神，开展“三会一课”。",
        "1-6月、4-6月份、2021-2023年、2023年度、今年以来、截至目前，一是推进一窗通办，二是逐一落实。",
        "(1)窗口服务；（2）网上服务，按照1/3的比例评选。",
    ],
)
def test_dates_years_times_section_numbers_document_numbers_phones_and_names_are_not_figures(text):
    assert proposed(text) == []


def test_a_period_without_a_year_stays_empty_and_says_so_unless_the_document_is_dated():
    text = "上半年，共受理办件3,456件。今年1-6月，新增事项32项。3月15日，接待群众不足50人。"
    columns = ("text", "period_start", "period_end", "period_label")
    assert proposed(text, None, *columns) == [
        ("3,456件", "", "", "未注明年份：上半年"),
        ("32项", "", "", "未注明年份：今年1-6月"),
        ("不足50人", "", "", "未注明年份：3月15日"),
    ]
    assert proposed(text, dt.date(2024, 7, 5), *columns) == [
        ("3,456件", "2024-01-01", "2024-06-30", "上半年（2024年）"),
        ("32项", "2024-01-01", "2024-06-30", "今年1-6月"),
        ("不足50人", "", "2024-03-15", "3月15日（2024年）"),
    ]


def test_periods_the_text_states_with_the_year_of_its_paragraph_not_the_compared_one():
    text = ("2023年三季度全省考核中，鄂州市位居全省第四；全市第三季度推送数据3427万条以上，较二季度增长12.5%。\n"
            "截至2023年12月中旬，全市认领2977个监管事项。2023年元月以来受理10件。")
    assert proposed(text, dt.date(2024, 7, 26), "text", "period_start", "period_end") == [
        ("第四", "2023-07-01", "2023-09-30"),
        ("3427万条以上", "2023-07-01", "2023-09-30"),
        ("12.5%", "2023-07-01", "2023-09-30"),
        ("2977个", "", "2023-12-20"),
        ("10件", "2023-01-01", "2024-07-26"),
    ]


def test_a_date_the_document_year_would_put_after_the_document_is_not_given_a_year():
    assert proposed("12月5日，细化整改措施71。", dt.date(2024, 7, 26), "text", "period_end", "period_label") == [
        ("71", "", "未注明年份：12月5日")]


def test_indicator_region_and_locator_as_the_seed_rows_have_them():
    text = ("二、具体问题整改情况\n"
            "4.“一门一窗”政策要求未落实到位。\n"
            "整改情况:一是设置窗口;二是市本级共认领及发布依申请和公共服务事项1960项,"
            "全市26个乡镇(街道),乡镇(街道)综合窗口可办事项数占本级认领事项总数比例均达50%以上。")
    assert proposed(text, None, "text", "indicator_id", "region", "locator") == [
        ("1960项", "claimed_service_items", "city_level", "二、4 整改情况 二是"),
        ("26个", "township_count", "ezhou", "二、4 整改情况 二是"),
        ("50%以上", "one_window_share", "townships", "二、4 整改情况 二是"),
    ]


def test_the_corpus_is_read_as_labelled_every_figure_and_nothing_else():
    lines, passed = bench_notice.corpus_scores(CATALOG)
    assert lines == ["语料：标注数值 64 个，找到(值、限定、位置均对) 64 个，召回 100.0%；"
                     "多报 0 个；期间正确 34/34（100.0%）"]
    assert passed


# ---------------------------------------------------------------------------------------------- the readers


def test_txt_in_gb18030_with_crlf_keeps_offsets_of_the_text_with_lf(tmp_path):
    path = tmp_path / "通报.txt"
    path.write_bytes("关于办件情况的通报\r\n  全市办件量858万件。\r\n2024年7月15日\r\n".encode("gb18030"))
    document = notice.read_text(path)
    assert document == notice.Document("关于办件情况的通报\n  全市办件量858万件。\n2024年7月15日\n",
                                       "关于办件情况的通报", dt.date(2024, 7, 15))
    [row] = notice.propose(document, CATALOG)
    assert (row.start, row.end, document.text[row.start : row.end]) == (17, 22, "858万件")


def test_docx_pdf_and_html_are_read_as_their_text():
    docx = notice.read_text(CORPUS / "notice.docx")
    assert docx.text.split("\n")[:3] == ["关于2024年第一季度全市政务服务运行情况的通报", "一、总体情况",
                                         "2024年第一季度，全市政务服务大厅共接待办事群众15.2万人次，办结率99.6%。"]
    assert (docx.title, docx.date) == ("关于2024年第一季度全市政务服务运行情况的通报", dt.date(2024, 4, 8))
    assert docx.text.split("\n")[5:8] == ["地区\t办件量\t好评率", "鄂城区\t12,408件\t99.98%", "华容区\t8,016件\t99.95%"]
    rows = notice.propose(docx, CATALOG)
    assert [(row.text, row.region) for row in rows[-4:]] == [
        ("12,408件", "echeng"), ("99.98%", "echeng"), ("8,016件", "huarong"), ("99.95%", "huarong")]
    pdf = notice.read_text(CORPUS / "notice.pdf")
    assert "企业开办时间压缩至1个工作日以内" in pdf.text
    assert pdf.date == dt.date(2024, 7, 20)
    page = notice.read_text(CORPUS / "web_page.html")
    assert page.title == "鄂州市2024年第三季度政务服务“一网通办”情况发布"
    assert page.date == dt.date(2024, 10, 12)
    assert page.text.split("\n")[:2] == ["首页 > 政务公开", "鄂州市2024年第三季度政务服务“一网通办”情况发布"]
    for hidden in ("3021", "88%", "1200px", "7个栏目"):  # script, style and noscript are no text
        assert hidden not in page.text


def _pdf(content: bytes) -> bytes:
    """A one-page PDF drawing content: with no text operators, what a scan is to pdftotext."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("scan.pdf", _pdf(b"0 0 0 rg 20 20 160 160 re f"), notice.NO_TEXT),
        ("notice.txt", b"\x89PNG\r\n\x1a\n" + bytes(64), "文件内容是PNG图片，不是文本通报"),
        ("notice.txt", "办件858万件".encode("utf-16-le") + b"\x00\x00", "文件内容是二进制数据，不是文本通报"),
        ("notice.docx", b"%PDF-1.4 not a word file", "无法读取 Word 文件：文件已损坏或不是有效的 .docx"),
        ("notice.pdf", b"PK\x03\x04 not a pdf", "无法读取 PDF 文件：文件已损坏或不是有效的 PDF"),
        ("notice.xlsx", b"a,b\n1,2\n", "不支持的文件类型“.xlsx”：请提供 .txt、.docx、.pdf 或 .html"),
        ("notice.txt", b"  \n", "文件为空"),
    ],
)
def test_bad_files_are_refused_in_one_chinese_line(name, data, message):
    with pytest.raises(notice.NoticeRefused) as refused:
        notice.read_bytes(name, data)
    assert str(refused.value) == message


def test_an_oversized_file_is_refused_as_uploads_are(tmp_path, monkeypatch):
    monkeypatch.setenv(config.MAX_UPLOAD_MB.name, "0.001")
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 1800)
    with pytest.raises(notice.NoticeRefused) as refused:
        notice.read_text(path)
    assert str(refused.value) == "文件大小 0.00172 MiB，超过上限 0.001 MiB" == files.oversize_message(1800, 0.001)


def test_a_text_longer_or_with_more_figures_than_the_limits_is_refused(monkeypatch):
    with pytest.raises(notice.NoticeRefused) as refused:
        notice.propose(notice.from_text("无" * (notice.MAX_CHARS + 1)), CATALOG)
    assert str(refused.value) == "通报文字 1,000,001 字，超过 1,000,000 字上限：请分成几份读取"
    monkeypatch.setattr(notice, "MAX_FIGURES", 3)
    assert len(notice.propose(notice.from_text("办件1件，2件，3件。"), CATALOG)) == 3
    with pytest.raises(notice.NoticeRefused) as refused:
        notice.propose(notice.from_text("办件1件，2件，3件，4件。"), CATALOG)
    assert str(refused.value) == "通报中的数值超过 3 个上限：请分成几份读取"


# ---------------------------------------------------------------------------------------------- the command


def test_command_writes_the_csv_with_bom_prints_a_summary_and_leaves_the_warehouse_alone(
    tmp_path, monkeypatch, capsys
):
    db = tmp_path / "never.duckdb"
    monkeypatch.setenv("METRICS_DB", str(db))
    out = tmp_path / "proposals.csv"
    assert main(["notice", str(CORPUS / "half_year_summary.txt"), "--out", str(out), "--date", "2024-07-05"]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == notice.COLUMNS == (
        "start", "end", "text", "value", "qualifier", "unit", "subject", "region", "period_start", "period_end",
        "period_label", "indicator_id", "role", "sentence", "locator")
    assert rows[0] == {
        "start": "38", "end": "44", "text": "3,456件", "value": "3456", "qualifier": "exact", "unit": "件",
        "subject": "中心共受理各类办件", "region": "", "period_start": "2024-01-01", "period_end": "2024-06-30",
        "period_label": "上半年（2024年）", "indicator_id": "", "role": "current",
        "sentence": "上半年，中心共受理各类办件3,456件，办结3,401件，办结率98.4%。", "locator": "一、"}
    assert len(rows) == 8
    err = capsys.readouterr().err.splitlines()
    assert err[:3] == ["通报：市政务服务中心上半年工作总结", "日期：2024-07-05",
                       "发现数值 8 个，其中 1 个对应目录中的指标，0 个未注明年份(期间留空)"]
    assert err[-1] == f"已写入 {out}：8 行(未写入数据仓库；核对后载入)"
    assert not db.exists() and list(tmp_path.iterdir()) == [out]


def test_document_text_reaches_the_terminal_and_the_csv_inert(tmp_path, capsys):
    path = tmp_path / "恶意.txt"
    path.write_text("\x1b[2J标题\x07通报\n=HYPERLINK(\"http://x\")办件5件\n", encoding="utf-8")
    out = tmp_path / "p.csv"
    assert main(["notice", str(path), "--out", str(out)]) == 0
    assert capsys.readouterr().err.splitlines()[0] == "通报：\\x1b[2J标题\\x07通报"
    [row] = csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig")))
    assert (row["text"], row["sentence"]) == ("5件", "'=HYPERLINK(\"http://x\")办件5件")


def test_command_on_a_text_without_figures_says_so(tmp_path, capsys):
    path = tmp_path / "无数值.txt"
    path.write_text("关于做好政务服务工作的通知\n请各单位认真落实。\n", encoding="utf-8")
    assert main(["notice", str(path), "--out", str(tmp_path / "p.csv")]) == 1
    assert capsys.readouterr().err == "未发现数值\n"
    assert (tmp_path / "p.csv").read_bytes() == "\ufeff".encode() + ",".join(notice.COLUMNS).encode() + b"\r\n"


@pytest.mark.parametrize(
    ("name", "data", "arguments", "message"),
    [
        ("scan.pdf", _pdf(b"0 0 0 rg 20 20 160 160 re f"), [], f"错误：{notice.NO_TEXT}\n"),
        ("a.txt", "办件858万件".encode(), ["--date", "2024-13-01"],
         "错误：日期“2024-13-01”应为 YYYY-MM-DD，如 2024-07-26\n"),
    ],
)
def test_command_errors_are_one_chinese_line(tmp_path, capsys, name, data, arguments, message):
    path = tmp_path / name
    path.write_bytes(data)
    assert main(["notice", str(path), *arguments]) == 2
    assert capsys.readouterr().err == message
