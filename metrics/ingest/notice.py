"""A notice's text in (通报, 工作总结, data releases), its figures proposed with their sentences.

Nothing here writes to the warehouse: proposals are for a person to accept, edit or reject (issue #23).
Offsets index Document.text, which for a .txt file is the decoded text with CRLF turned into LF and nothing
else changed, so that text[start:end] is the figure as written.
"""

import bisect
import calendar
import csv
import datetime as dt
import html.parser
import io
import itertools
import math
import re
import subprocess
import zipfile
import zlib
from dataclasses import astuple, dataclass, fields
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

from metrics import exporting
from metrics.errors import UserFacingError
from metrics.ingest import files, normalise, xlsx
from metrics.paths import SEED_DIR

# A notice is tens of pages (1,600 characters a page); these bound the time a hostile text can take (4–8 s
# for a million characters on the shared 2-core machine: scripts/bench_notice.py --hostile).
MAX_CHARS = 1_000_000
MAX_FIGURES = 10_000
NO_TEXT = "PDF 没有可读取的文字(可能是扫描件)：请提供带文字层的 PDF、Word 或文本文件"
NO_FIGURES = "未发现数值"
PDFTOTEXT_SECONDS = 30
# word/document.xml of a .docx: far more than any notice, small enough to read in memory.
MAX_DOCX_XML_BYTES = 64 * 2**20


class NoticeRefused(UserFacingError):
    """A file that cannot be read as a notice; the message is one line of Chinese."""


@dataclass(frozen=True)
class Document:
    text: str
    title: str
    date: dt.date | None  # the notice's own date, from its text; None when it states none


# ---------------------------------------------------------------------------------------------- reading files


def read_text(path: str | Path) -> Document:
    """The plain text of a .txt, .docx, .pdf (with a text layer) or .html notice; NoticeRefused otherwise."""
    path = Path(path)
    try:
        size = path.stat().st_size
        limit_mb = files.max_upload_mb()
        if size > limit_mb * 2**20:
            raise NoticeRefused(files.oversize_message(size, limit_mb))
        data = path.read_bytes()
    except OSError as error:
        raise NoticeRefused(f"无法读取 {path.name}：{error.strerror}") from error
    return read_bytes(path.name, data)


def read_bytes(file_name: str, data: bytes) -> Document:
    """An uploaded notice, told by its name's suffix and checked against its content, as a Document."""
    limit_mb = files.max_upload_mb()
    if len(data) > limit_mb * 2**20:
        raise NoticeRefused(files.oversize_message(len(data), limit_mb))
    if not data.strip().removeprefix(files.BOM).strip():
        raise NoticeRefused("文件为空")
    suffix = Path(file_name).suffix.lower()
    if suffix == ".docx":
        return from_text(_docx_text(data))
    if suffix == ".pdf":
        return from_text(_pdf_text(data))
    if suffix == ".txt":
        return from_text(_decoded_text(data))
    if suffix in (".html", ".htm"):
        page = _html_parsed(_decoded_text(data))
        return from_text(_html_text(page), html_title=" ".join("".join(page.title).split()))
    raise NoticeRefused(f"不支持的文件类型“{suffix or file_name}”：请提供 .txt、.docx、.pdf 或 .html")


def from_text(text: str, html_title: str = "") -> Document:
    """Pasted or extracted text as a Document: CRLF (and a lone CR) turned into LF, title and date found."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Document(text, html_title or _title(text), _document_date(text))


def _decoded_text(data: bytes) -> str:
    """Text as uploads read it (UTF-8, GB18030, UTF-16 with its mark); binary content refused as there."""
    text, _codec = files.decoded(data)
    binary = next((what for magic, what in files.BINARY_SIGNATURES if data.startswith(magic)), None)
    if binary is None and ("\x00" in text if text is not None else b"\x00" in data):
        binary = "二进制数据"
    if binary:
        raise NoticeRefused(f"文件内容是{binary}，不是文本通报")
    if text is None:
        raise NoticeRefused("文件编码无法识别：请另存为 UTF-8 或 GB18030(GBK) 编码的文本")
    return text


_WORD = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_text(data: bytes) -> str:
    """The paragraphs of word/document.xml, one a line, read with the same archive limits as .xlsx uploads."""
    if not data.startswith(files.ZIP_SIGNATURE):
        raise NoticeRefused("无法读取 Word 文件：文件已损坏或不是有效的 .docx")
    try:
        archive = xlsx.open_archive(data, xlsx.Limits.from_environment())
        member = archive.getinfo("word/document.xml")
        if member.file_size > MAX_DOCX_XML_BYTES:
            raise NoticeRefused(f"Word 文件正文超过 {MAX_DOCX_XML_BYTES // 2**20} MiB 上限")
        xml = archive.read(member)
    except xlsx.UploadRefused as refusal:
        raise NoticeRefused(str(refusal)) from refusal
    except (zipfile.BadZipFile, zlib.error, KeyError, OSError, ValueError, EOFError, RuntimeError) as error:
        raise NoticeRefused("无法读取 Word 文件：文件已损坏或不是有效的 .docx") from error
    if b"<!DOCTYPE" in xml[:4096].upper():
        raise NoticeRefused("文件含有 XML 文档类型声明(DTD)")
    try:
        body = ElementTree.fromstring(xml)
    except ElementTree.ParseError as error:
        raise NoticeRefused("无法读取 Word 文件：文件已损坏或不是有效的 .docx") from error
    return "\n".join(_docx_lines(body))


def _docx_lines(element):
    """A paragraph a line; a table row a line, its cells apart by tabs, so that a region and its figure stay
    in one sentence."""
    for child in element:
        if child.tag == f"{_WORD}p":
            yield _paragraph_text(child)
        elif child.tag == f"{_WORD}tbl":
            for row in child.iter(f"{_WORD}tr"):
                cells = (" ".join(map(_paragraph_text, cell.iter(f"{_WORD}p"))) for cell in row.iter(f"{_WORD}tc"))
                yield "\t".join(cells)
        else:
            yield from _docx_lines(child)


def _paragraph_text(paragraph) -> str:
    parts = []
    for node in paragraph.iter():
        if node.tag == f"{_WORD}t":
            parts.append(node.text or "")
        elif node.tag == f"{_WORD}tab":
            parts.append("\t")
        elif node.tag in (f"{_WORD}br", f"{_WORD}cr"):
            parts.append("\n")
    return "".join(parts)


def _pdf_text(data: bytes) -> str:
    """The text layer through poppler's pdftotext (UTF-8, reading order); NO_TEXT for a scan."""
    if not data.startswith(b"%PDF"):
        raise NoticeRefused("无法读取 PDF 文件：文件已损坏或不是有效的 PDF")
    try:
        done = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, timeout=PDFTOTEXT_SECONDS
        )
    except FileNotFoundError as error:
        raise NoticeRefused("无法读取 PDF：服务器未安装 pdftotext(poppler-utils)") from error
    except subprocess.TimeoutExpired as error:
        raise NoticeRefused(f"读取 PDF 超过 {PDFTOTEXT_SECONDS} 秒，已停止") from error
    if done.returncode != 0:
        raise NoticeRefused("无法读取 PDF 文件：文件已损坏或不是有效的 PDF")
    # pdftotext ends each page with a form feed; a page break is a line break in the plain text.
    text = done.stdout.decode("utf-8", errors="replace").replace("\f", "\n")
    if not text.strip():
        raise NoticeRefused(NO_TEXT)
    return text


class _HtmlText(html.parser.HTMLParser):
    """Text only: scripts, styles and the like dropped, block elements as line breaks."""

    SKIPPED = {"script", "style", "noscript", "template", "head", "svg"}
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table",
              "ul", "ol", "header", "footer", "blockquote", "pre", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._skipping = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in_title = True
        if tag in self.SKIPPED:
            self._skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("\t")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if tag in self.SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if self._in_title:
            self.title.append(data)
        elif not self._skipping:
            self.parts.append(data)


def _html_parsed(text: str) -> _HtmlText:
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    return parser


def _html_text(page: _HtmlText) -> str:
    joined = "".join(page.parts)
    lines = (line.strip(" \t") for line in joined.replace("\xa0", " ").split("\n"))
    return "\n".join(line for line in lines if line)


def _title(text: str) -> str:
    return next((line.strip() for line in text.split("\n") if line.strip()), "")[:200]


_LABELLED_DATE = re.compile(r"(?:发布)?(?:日期|时间)\s*[:：]\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_DATE_LINE = re.compile(r"^[ \t\u3000]*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日[ \t\u3000]*$", re.M)


def _document_date(text: str) -> dt.date | None:
    """The date a notice gives itself: a labelled date (日期: 2024-07-26), else its last date line (signature)."""
    found = _LABELLED_DATE.search(text) or next(reversed(list(_DATE_LINE.finditer(text))), None)
    if not found:
        return None
    try:
        return dt.date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


# ------------------------------------------------------------------------------------------------ the catalog


@dataclass(frozen=True)
class Indicator:
    indicator_id: str
    unit: str
    kind: str
    names: tuple[str, ...]  # the name and its aliases
    definition: str


@dataclass(frozen=True)
class Catalog:
    indicators: tuple[Indicator, ...]
    region_names: tuple[tuple[str, str], ...]  # (name or alias as written, region_id)


def seed_catalog(seed_dir: Path = SEED_DIR) -> Catalog:
    """The indicators (names, aliases, definitions) and regions (names, aliases) of data/seed/."""

    def rows(name: str) -> list[dict[str, str]]:
        with (seed_dir / f"{name}.csv").open(encoding="utf-8-sig", newline="") as file:
            return list(csv.DictReader(file))

    aliases: dict[str, list[str]] = {}
    for row in rows("indicator_aliases"):
        aliases.setdefault(row["indicator_id"], []).append(row["alias"])
    indicators = tuple(
        Indicator(row["indicator_id"], row["unit"], row["kind"], (row["name"], *aliases.get(row["indicator_id"], ())),
                  row["definition"])
        for row in rows("indicators")
        # a computed indicator (formula) is never stated by a text, only derived from figures that are
        if not row["formula"].strip()
    )
    region_names = [(row["name"], row["region_id"]) for row in rows("regions")]
    region_names += [(row["alias"], row["region_id"]) for row in rows("region_aliases")]
    return Catalog(indicators, tuple(region_names))


# ---------------------------------------------------------------------------------------------- the proposals


@dataclass(frozen=True)
class Proposal:
    start: int
    end: int
    text: str
    value: str  # in base units, as a plain decimal: 858万 → 8580000, 97.47% → 97.47
    qualifier: str  # exact, at_least, over, at_most, under, approx
    unit: str
    subject: str
    region: str
    period_start: str
    period_end: str
    period_label: str
    indicator_id: str
    role: str  # current, or earlier for the 62% of 由62%上升到80%
    sentence: str
    locator: str


COLUMNS = tuple(field.name for field in fields(Proposal))
QUALIFIERS = ("exact", "at_least", "over", "at_most", "under", "approx")
NO_YEAR = "未注明年份"
NO_PERIOD = "未注明期间"


def propose(document: Document, catalog: Catalog, date: dt.date | None = None) -> list[Proposal]:
    """Every figure of the document, in text order, with what the text says about it. date: the document's
    date where its text gives none (its own date wins). NoticeRefused past MAX_CHARS or MAX_FIGURES."""
    if len(document.text) > MAX_CHARS:
        raise NoticeRefused(f"通报文字 {len(document.text):,} 字，超过 {MAX_CHARS:,} 字上限：请分成几份读取")
    return _Reading(document, catalog, document.date or date).proposals()


def to_csv_bytes(proposals: list[Proposal]) -> bytes:
    """The proposals as CSV in UTF-8 with a byte-order mark (Excel opens it as Chinese text); a cell that a
    spreadsheet would run as a formula (a sentence beginning with =) gets the exports' leading apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(map(exporting.neutralised, astuple(proposal)) for proposal in proposals)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def summary(document: Document, proposals: list[Proposal], date: dt.date | None = None) -> list[str]:
    """A screenful in Chinese: the document, how many figures, how many matched, and the first of them."""
    if not proposals:
        return [NO_FIGURES]
    own_date = document.date or date
    matched = sum(1 for proposal in proposals if proposal.indicator_id)
    no_year = sum(1 for proposal in proposals if proposal.period_label.startswith(NO_YEAR))
    lines = [
        f"通报：{document.title or '(无标题)'}",
        f"日期：{own_date.isoformat() if own_date else '未注明(可用 --date 指定)'}",
        f"发现数值 {len(proposals)} 个，其中 {matched} 个对应目录中的指标，{no_year} 个未注明年份(期间留空)",
    ]
    for proposal in proposals[:SUMMARY_ROWS]:
        where = " ".join(part for part in (proposal.locator, proposal.region) if part)
        lines.append(f"  {proposal.text}  →  {proposal.indicator_id or '(未匹配指标)'}  {where}  "
                     f"{proposal.period_label}")
    if len(proposals) > SUMMARY_ROWS:
        lines.append(f"  …另有 {len(proposals) - SUMMARY_ROWS} 个，见 CSV")
    return lines


SUMMARY_ROWS = 15


# ---------------------------------------------------------------------------------------------- how it reads

# Full-width letters, digits and signs read as ASCII, one character for one so that offsets stay; the
# full-width comma stays, so that only an ASCII comma separates thousands (a '，' between digits lists them).
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F) if code != ord("，")}
_CN_DIGITS = "零〇一二两三四五六七八九"
# How far the reader looks around a figure: for the words that qualify it, and for its sentence and clause.
_WORD_REACH = 8
_LONGEST_NUMBER = 24
_REACH = 300
_CN_NUMBER = f"[{_CN_DIGITS}十百千万亿]+(?:点[{_CN_DIGITS}]+)?"
CLAUSE_END = "，,;；。！？!?：:\n"
_SENTENCE_END = "。；;！？!?\n"
# Counting words and units a figure is written with, longest first ('个工作日' before '个').
_UNITS = sorted(
    ("个百分点", "百分点", "个工作日", "工作日", "个月", "人次", "件次", "户次", "家次", "项次", "万元", "亿元",
     "元", "项", "个", "次", "人", "名", "件", "条", "天", "日", "本", "家", "户", "所", "位", "分", "小时",
     "分钟", "秒", "倍", "台", "套", "辆", "座", "场", "批", "份", "篇", "期", "类", "种", "处", "笔", "张",
     "组", "支", "节", "门", "单", "票", "岗", "起", "宗", "例", "部", "间", "公里", "千米", "平方米", "亩",
     "吨", "周", "月", "%", "‰"),
    key=len, reverse=True,
)
_UNIT = re.compile("|".join(map(re.escape, _UNITS)))
_DURATION_UNITS = ("个工作日", "工作日", "天", "日", "小时", "分钟", "个月", "月", "周")
_SCALES = {"万亿": 10**12, "亿": 10**8, "万": 10**4, "千": 10**3}
_ARABIC = re.compile(r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<scale>万亿|亿|万|千)?")
_CHINESE = re.compile(f"(?P<number>{_CN_NUMBER})")
_PERCENT_WORDS = re.compile(f"百分之(?P<number>{_CN_NUMBER}|\\d+(?:\\.\\d+)?)")
_RANK = re.compile(
    r"(?:(?:排名|排在|位居|位列|名列|居|列)[^，,。;；\n]{0,8}?)?第(?P<number>\d+|[一二三四五六七八九十]+)(?P<unit>位|名)?")
_RANK_WORDS = re.compile(r"排名|排在|位居|位列|名列|居|列")
_ZERO = re.compile(r"(?:均|都|全部)?(?:为|是)(?P<number>零)")
# Words around a figure that qualify it; the product's own upload words (normalise) where they are the same.
_PREFIX_WORDS = ("不少于", "不低于", "不超过", "不高于", "至少", "最少", "超过", "多于", "高于", "至多", "最多",
                 "大约", "将近", "接近", "不足", "不到", "低于", "少于", "约", "超", "逾", "近")
_SUFFIX_WORDS = ("以上", "以下", "以内", "左右", "上下", "有余", "内")
_BETWEEN_WORDS = ("余", "多")  # 1100余人, 100多家
_WORD_QUALIFIERS = {
    "最少": "at_least", "高于": "over", "最多": "at_most", "将近": "approx", "接近": "approx", "近": "approx",
    "不足": "under", "不到": "under", "低于": "under", "少于": "under", "超": "over", "逾": "over",
    "上下": "approx", "有余": "over", "内": "at_most", "余": "over", "多": "over",
}
_FROM_UPLOAD_CODES = {"more_than": "over", "all_at_least": "at_least"}
_CHANGE = re.compile(r"\s*(?:上升|提高|提升|增长|增加|下降|降低|减少|降|升|增)(?:到|至|为)\s*")
# Names with numbers in them, where nothing marks them as names (quotes and 《》 do, and are read as such).
_NAMED_NUMBERS = re.compile("八项规定|三个最|两个维护|两个确立|四个意识|四个自信|两个责任|三会一课|一岗双责|三重一大")
# A document's title, and a document number's issuer (鄂州审批党字〔2023〕33号): names, where neither figures
# nor the regions and periods of the sentence are.
_NAMES = re.compile(r"《[^》\n]{0,200}》|[\u4e00-\u9fff]{1,10}[发字函办]\s*[〔\[【(（]\s*(?:19|20)\d{2}")
_NOT_FIGURES = (
    _NAMES,
    re.compile(r"[“\"「‘][^”\"」’\n]{1,12}[”\"」’]"),  # a quoted name or slogan: “三会一课”, “12345”
    re.compile(r"[〔\[【(（]\s*(?:19|20)\d{2}\s*[〕\]】)）]?\s*\d*\s*号?"),  # 〔2023〕33号, (2022) 5号
    re.compile(r"(?<!\d)\d+\s*号"),  # document numbers, addresses
    re.compile(r"[(（]\d{1,2}[)）]"),  # list numbers: (1), （2）
    re.compile(r"\d{3,4}[-—]\d{7,8}(?:[-—]\d+)?|(?<!\d)1[3-9]\d{9}(?!\d)|(?<!\d)\d+\s*(?:热线|专线)"),  # telephones
    # e-mail and web addresses, codes such as 5G
    re.compile(r"(?<![A-Za-z0-9@._-])[A-Za-z0-9@._-]*[A-Za-z@][A-Za-z0-9@._-]*"),
    re.compile(r"(?<![\d,.])(?:19|20)\d{2}\s*[-—–~至]\s*(?:19|20)\d{2}"),  # year ranges
    re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[:：]\d{2}(?::\d{2})?|\d{1,2}[时点]\d{1,2}分"),  # dates, times
    re.compile(r"(?<!\d)\d+[-—]\d+(?![\d.]*[%万亿])"),  # numbers joined by a dash: codes, ranges of item numbers
    _NAMED_NUMBERS,
)

# At most two spaces inside a period's words: an unbounded \s* would make a long run of spaces cost its
# length squared.
_SPACE = "[ \\t\u3000]{0,2}"
_YEAR = f"(?:(?P<year>(?:19|20)\\d{{2}}){_SPACE}年|(?P<this_year>今年|本年))"
_MONTH = f"(?P<month>\\d{{1,2}}|元){_SPACE}月"
_PART = r"(?P<part>底|末|中旬|上旬|下旬)"
_PERIODS = (
    ("as_of", re.compile(f"(?:截至|截止到|截止){_SPACE}(?:{_YEAR})?{_SPACE}"
                         f"(?:{_MONTH}(?:份)?{_SPACE}(?:(?P<day>\\d{{1,2}}){_SPACE}[日号])?)?{_SPACE}{_PART}?")),
    ("now", re.compile(r"(?:截至|截止)(?:目前|现在|当前)")),
    ("since", re.compile(f"(?:{_YEAR})?{_SPACE}(?:{_MONTH}(?:份)?{_SPACE}(?:(?P<day>\\d{{1,2}}){_SPACE}[日号])?)?"
                         f"{_SPACE}以来")),
    ("quarters", re.compile(f"(?:{_YEAR})?{_SPACE}第?(?P<quarters>[一二三四1-4](?:[、,和及][一二三四1-4]){{0,3}})"
                            f"{_SPACE}季度")),
    ("first_quarters", re.compile(f"(?:{_YEAR})?{_SPACE}前(?P<quarters>[二三])季度")),
    ("half", re.compile(f"(?:{_YEAR})?{_SPACE}(?P<half>上半年|下半年|全年)")),
    ("months", re.compile(f"(?:{_YEAR})?{_SPACE}(?P<first>\\d{{1,2}}|元){_SPACE}[-—–~至到]{_SPACE}"
                          f"(?P<last>\\d{{1,2}}){_SPACE}月份?")),
    ("date", re.compile(f"(?:{_YEAR})?{_SPACE}{_MONTH}{_SPACE}(?P<day>\\d{{1,2}}){_SPACE}[日号]")),
    ("month", re.compile(f"(?:{_YEAR})?{_SPACE}(?<![每个\\d]){_MONTH}份?{_SPACE}{_PART}?")),
    ("year", re.compile(f"(?P<year>(?:19|20)\\d{{2}}){_SPACE}年度?|(?P<this_year>今年|本年)")),
)
_CN_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass(frozen=True)
class _Mention:
    """A period the text names: where, as written, and its dates once its year is known."""

    start: int
    end: int
    kind: str
    groups: dict
    year: int | None  # the year the words themselves give (今年 gives the document's)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _month_number(written: str | None) -> int | None:
    if written is None:
        return None
    number = 1 if written == "元" else int(written)
    return number if 1 <= number <= 12 else None


def _periods_of(mention: _Mention, year: int, document_date: dt.date | None) -> list[tuple[dt.date | None, dt.date]]:
    """(start, end) of each period a mention names in year; start None for a point in time. ValueError for a
    date that does not exist."""
    groups, kind = mention.groups, mention.kind
    month = _month_number(groups.get("month"))
    day = int(groups["day"]) if groups.get("day") else None
    part = groups.get("part")
    if kind == "as_of":
        if month is None:
            return [(None, dt.date(year, 12, 31))]
        if day:
            return [(None, dt.date(year, month, day))]
        point = {"上旬": 10, "中旬": 20}.get(part or "")
        return [(None, dt.date(year, month, point) if point else _month_end(year, month))]
    if kind == "since":
        begin = dt.date(year, month or 1, day or 1)
        return [(begin, document_date)] if document_date else [(begin, None)]
    if kind == "quarters":
        numbers = [_CN_QUARTER[char] for char in re.findall(r"[一二三四1-4]", groups["quarters"])]
        return [(dt.date(year, 3 * q - 2, 1), _month_end(year, 3 * q)) for q in numbers]
    if kind == "first_quarters":
        return [(dt.date(year, 1, 1), _month_end(year, 3 * _CN_QUARTER[groups["quarters"]]))]
    if kind == "half":
        first, last = {"上半年": (1, 6), "下半年": (7, 12), "全年": (1, 12)}[groups["half"]]
        return [(dt.date(year, first, 1), _month_end(year, last))]
    if kind == "months":
        first, last = _month_number(groups["first"]), _month_number(groups["last"])
        if first is None or last is None or first > last:
            raise ValueError("no such months")
        return [(dt.date(year, first, 1), _month_end(year, last))]
    if kind == "date":
        return [(None, dt.date(year, month, day))]
    if kind == "month":
        if month is None:
            raise ValueError("no such month")
        if part:
            point = {"上旬": 10, "中旬": 20}.get(part)
            return [(None, dt.date(year, month, point) if point else _month_end(year, month))]
        return [(dt.date(year, month, 1), _month_end(year, month))]
    return [(dt.date(year, 1, 1), dt.date(year, 12, 31))]  # year


@dataclass
class _Figure:
    start: int  # the span, qualifier words included
    end: int
    number_start: int
    number_end: int  # the number with its scale, without unit
    value: object  # Decimal
    qualifier: str
    unit: str
    rank: bool = False
    role: str = "current"


class _Reading:
    """One pass over one document: what is not a figure, the periods and regions it names, then its figures."""

    def __init__(self, document: Document, catalog: Catalog, date: dt.date | None):
        self.text = document.text
        self.scan = document.text.translate(_FOLD)
        self.catalog = catalog
        self.date = date
        self.blocked = bytearray(len(self.text))
        self.in_name = bytearray(len(self.text))
        for pattern in _NOT_FIGURES:
            for found in pattern.finditer(self.scan):
                self._block(found.start(), found.end())
                if pattern is _NAMES:
                    self.in_name[found.start() : found.end()] = b"\x01" * (found.end() - found.start())
        self.mentions = self._period_mentions()
        self.regions = self._region_mentions()
        self.issuer = next((region for _, region in self._regions_in(document.title)), "")
        self.indicator_words = _IndicatorWords(catalog.indicators)
        self.line_starts, self.line_texts, self.line_numbers = self._numbering()
        self.region_starts = [start for start, _ in self.regions]
        self.mention_starts = [mention.start for mention in self.mentions]
        # for each mention, the last one up to it that gives a year (-1: none), for the year of a paragraph
        self.last_with_year = list(itertools.accumulate(
            (index if mention.year else -1 for index, mention in enumerate(self.mentions)), max, initial=-1))[1:]
        self.clause_marks = [(found.start(), found.end(), found[0]) for found in _CLAUSE_MARK.finditer(self.scan)]
        self.ends = {ends: [found.start() for found in re.finditer(f"[{re.escape(ends)}]", self.scan)]
                     for ends in (_SENTENCE_END, CLAUSE_END, CLAUSE_END + "、")}

    def _block(self, start: int, end: int) -> None:
        self.blocked[start:end] = b"\x01" * (end - start)

    # ------------------------------------------------------------------ periods and regions the text names

    def _period_mentions(self) -> list[_Mention]:
        found = []
        for kind, pattern in _PERIODS:
            for match in pattern.finditer(self.scan):
                groups = {name: value for name, value in match.groupdict().items() if value}
                if kind in ("as_of", "since") and not ({"year", "this_year", "month"} & groups.keys()):
                    continue
                if not groups and kind != "now":
                    continue
                start, end = match.span()
                while start < end and self.scan[start].isspace():
                    start += 1
                year = int(groups["year"]) if "year" in groups else None
                if "this_year" in groups:
                    year = self.date.year if self.date else None
                found.append(_Mention(start, end, kind, groups, year))
        chosen: list[_Mention] = []
        taken = bytearray(len(self.text))
        for mention in sorted(found, key=lambda m: (m.start, -(m.end - m.start))):
            if not any(taken[mention.start : mention.end]):
                chosen.append(mention)
                taken[mention.start : mention.end] = b"\x01" * (mention.end - mention.start)
        for mention in chosen:
            self._block(mention.start, mention.end)
        return chosen

    def _regions_in(self, text: str) -> list[tuple[int, str]]:
        return [(found.start(), self._region_ids[found[0]]) for found in self._region_pattern.finditer(text)]

    def _region_mentions(self) -> list[tuple[int, str]]:
        names = sorted({name for name, _ in self.catalog.region_names if name}, key=len, reverse=True)
        self._region_ids = {}
        for name, region_id in self.catalog.region_names:
            self._region_ids.setdefault(name, region_id)
        self._region_pattern = re.compile("|".join(map(re.escape, names)) or "(?!)")
        return [(start, region) for start, region in self._regions_in(self.scan) if not self.in_name[start]]

    # ------------------------------------------------------------------------------------------ figures

    def figures(self) -> list[_Figure]:
        found: list[_Figure] = []
        taken = bytearray(len(self.scan))
        for pattern, rank in ((_RANK, True), (_PERCENT_WORDS, False), (_ZERO, False), (_ARABIC, False),
                              (_CHINESE, False)):
            for match in pattern.finditer(self.scan):
                figure = self._figure(match, pattern, rank)
                if figure and not any(taken[figure.number_start : figure.number_end]):
                    found.append(figure)
                    if len(found) > MAX_FIGURES:  # refused before the rest is read, not after
                        raise NoticeRefused(f"通报中的数值超过 {MAX_FIGURES:,} 个上限：请分成几份读取")
                    taken[figure.start : figure.end] = b"\x01" * (figure.end - figure.start)
        found.sort(key=lambda f: f.start)
        for earlier, later in zip(found, found[1:], strict=False):
            between = self.scan[earlier.end : later.start]
            if _CHANGE.fullmatch(between) and self.scan[max(0, earlier.start - 1) : earlier.start] in ("由", "从"):
                earlier.role = "earlier"
        return found

    def _figure(self, match: re.Match, pattern: re.Pattern, rank: bool) -> _Figure | None:
        number_start, number_end = match.span("number")
        if any(self.blocked[number_start:number_end]):
            return None
        if pattern is _RANK:
            if not (match["unit"] or _RANK_WORDS.match(match[0])):
                return None  # an ordinal: 第八届, 第一巡察组
            value = _number(match["number"])
            return _Figure(match.start("number") - 1, match.end(), number_start, number_end, value, "exact",
                           "名", rank=True) if value is not None else None
        before = self.scan[max(0, number_start - _WORD_REACH) : number_start]
        if before.endswith("第") or before.endswith("-"):
            return None  # ordinals, codes
        if pattern is _CHINESE and match["number"] in ("一", "万", "亿", "千", "百"):
            return None  # 一 counts nothing by itself in prose: 一窗通办, 一次性, 逐一
        if pattern is _ARABIC and match["scale"]:
            number_end = match.end("scale")
        end = number_end
        qualifier = None
        after = self.scan[end : end + _WORD_REACH]
        if after.startswith(_BETWEEN_WORDS):
            qualifier = _WORD_QUALIFIERS[after[0]]
            end += 1
            after = after[1:]
        unit = "%" if pattern is _PERCENT_WORDS else (found[0] if (found := _UNIT.match(after)) else "")
        if pattern is _ZERO:
            unit = ""
        elif unit and pattern is not _PERCENT_WORDS:  # 百分之九十五 has its percent in front
            end += len(unit)
        elif not self._stands_alone(end):
            return None  # 12345热线, 1/3, 706室: a name or code, not a count
        if not unit and (pattern is _CHINESE or self._starts_line(number_start)):
            # Chinese numerals count only with a counting word (四项, 两个); a number that starts a line without
            # one numbers a section (1县政务服务大厅, 2.窗口服务), where one with it is a wrapped line's figure
            return None
        if unit == "月" and not before.endswith("每"):
            return None  # a month's name (三月), not every two months (每两月)
        if unit == "日" and not (self.scan.startswith(("内", "以内"), end) or before.endswith("为期")):
            return None  # a day of the month
        if pattern is _ARABIC and len(match["number"]) >= 7 and "," not in match["number"] and not unit:
            return None  # an identifier (网站标识码 4207000024)
        value = _number(match["number"].replace(",", ""))
        if value is None:
            return None
        if pattern is _ARABIC and match["scale"]:
            value *= _SCALES[match["scale"]]
        start = number_start if pattern is not _PERCENT_WORDS else match.start()
        if pattern is _ZERO:
            start = number_start
        prefix = next((word for word in _PREFIX_WORDS if before.endswith(word)), None)
        if prefix:
            start -= len(prefix)
            qualifier = qualifier or _qualifier(prefix)
        suffix = next((word for word in _SUFFIX_WORDS if self.scan.startswith(word, end)), None)
        if suffix and (suffix != "内" or unit in _DURATION_UNITS):
            qualifier = qualifier or _qualifier(suffix)
            end += len(suffix)
        return _Figure(start, end, number_start, number_end, value, qualifier or "exact", unit)

    def _starts_line(self, position: int) -> bool:
        return self.line_texts[bisect.bisect_right(self.line_starts, position) - 1] == position

    def _line_start(self, position: int) -> int:
        return self.line_starts[bisect.bisect_right(self.line_starts, position) - 1]

    def _stands_alone(self, end: int) -> bool:
        """A number with no unit is a figure where the clause ends after it: 细化整改措施71,"""
        following = self.scan[end : end + 1]
        return following == "" or following in CLAUSE_END or following in "、)）”\"' \t"

    # ---------------------------------------------------------------------------------------- proposals

    def proposals(self) -> list[Proposal]:
        figures = self.figures()
        self.figure_starts = [figure.start for figure in figures]
        rows = []
        for index, figure in enumerate(figures):
            neighbours = (figures[index - 1] if index else None, (figures[index + 1 :] or [None])[0])
            sentence_start, sentence_end = self._bounds(figure.start, _SENTENCE_END)
            counted = _COUNTED.match(self.scan, figure.end)[0]
            indicator_ids = self._indicators(figure, neighbours, counted)
            regions = self._regions(figure, figures, sentence_start, sentence_end)
            periods = self._periods(figure, sentence_start)
            for indicator_id, region, (period_start, period_end, label) in itertools.product(
                indicator_ids, regions, periods
            ):
                rows.append(Proposal(
                    start=figure.start,
                    end=figure.end,
                    text=self.text[figure.start : figure.end],
                    value=_plain(figure.value),
                    qualifier=figure.qualifier,
                    unit=figure.unit,
                    subject=self._subject(figure, neighbours),
                    region=region,
                    period_start=period_start.isoformat() if period_start else "",
                    period_end=period_end.isoformat() if period_end else "",
                    period_label=label,
                    indicator_id=indicator_id,
                    role=figure.role,
                    sentence=self.text[sentence_start : sentence_end + 1].strip(),
                    locator=self._locator(figure.start),
                ))
        return rows

    def _bounds(self, position: int, ends: str) -> tuple[int, int]:
        """The sentence or clause around a position, at most _REACH characters either side of it (text with
        no punctuation is read in windows, so that its length costs time in proportion, not squared)."""
        positions = self.ends[ends]
        index = bisect.bisect_left(positions, position)
        start = positions[index - 1] + 1 if index else 0
        end = positions[index] if index < len(positions) else len(self.scan)
        return max(start, position - _REACH), min(end, position + _REACH)

    def _previous_end(self, figure: _Figure, previous: "_Figure | None", clause_start: int) -> int:
        return previous.end if previous and clause_start <= previous.end <= figure.start else clause_start

    def _next_start(self, figure: _Figure, following: "_Figure | None", clause_end: int) -> int:
        return following.start if following and following.start < clause_end else clause_end

    def _indicators(self, figure: _Figure, neighbours: tuple, counted: str) -> list[str]:
        """The indicator the figure's words name; one for each where a list names several for one figure
        (监管行为数据及时率、数据公开率提高至100%)."""
        context = self._context(figure, neighbours)
        clause_start, _ = self._bounds(figure.start, CLAUSE_END)
        previous_end = self._previous_end(figure, neighbours[0], clause_start)
        listed = self.scan[previous_end : figure.start].split("、")
        if len(listed) > 1:
            each = [self.indicator_words.best(part, figure, counted) for part in listed]
            if all(each) and len(set(each)) == len(each):
                return each
        return [self.indicator_words.best(context, figure, counted)]

    def _context(self, figure: _Figure, neighbours: tuple) -> str:
        """The words that say what a figure counts: its clause from the figure before it to the next list
        break after it; the whole clause where that holds no words (90%、97.47% after 分别为)."""
        clause_start, clause_end = self._bounds(figure.start, CLAUSE_END)
        previous_end = self._previous_end(figure, neighbours[0], clause_start)
        next_start = self._next_start(figure, neighbours[1], clause_end)
        list_break = _AFTER_ENDS.search(self.scan, figure.end, next_start)
        after_end = list_break.start() if list_break else next_start
        context = self.scan[previous_end : figure.start] + self.scan[figure.end : after_end]
        if len(_words(context)) < 3:
            context = self.scan[clause_start:clause_end]
        return context

    def _subject(self, figure: _Figure, neighbours: tuple) -> str:
        clause_start, clause_end = self._bounds(figure.start, CLAUSE_END + "、")
        next_start = self._next_start(figure, neighbours[1], clause_end)
        after = re.match(r"[\u4e00-\u9fff]{2,12}", self.scan[figure.end : next_start].removeprefix("的"))
        if after and not _VERB_TAIL.fullmatch(after[0]):
            return after[0]
        before = _VERB_TAIL.sub("", self.scan[clause_start : figure.start])
        words = re.findall(r"[\u4e00-\u9fff]+", before)
        return words[-1][-12:] if words else ""

    def _regions(self, figure: _Figure, figures: list[_Figure], sentence_start: int, sentence_end: int) -> list[str]:
        """The region the sentence names (each in turn after 分别为, every one of a list before 均), else the one
        named last before it in its paragraph, else the issuer's region."""
        respectively = self.scan.find("分别", sentence_start, figure.start)
        if respectively >= 0:
            named = [region for _, region in self._regions_between(sentence_start, respectively)]
            first = bisect.bisect_right(self.figure_starts, respectively)
            last = bisect.bisect_right(self.figure_starts, sentence_end)
            listed = [f for f in figures[first:last] if f.role == "current"]
            if any(f is figure for f in listed) and len(named) == len(listed):
                return [named[next(index for index, f in enumerate(listed) if f is figure)]]
        before = self._regions_between(sentence_start, figure.start)
        if before:
            if "均" in self.scan[before[-1][0] : figure.start]:
                return self._listed_before(before)
            return [before[-1][1]]
        after = self._regions_between(figure.end, sentence_end)
        if after:
            return [after[0][1]]
        index = bisect.bisect_left(self.region_starts, figure.start) - 1
        if index >= 0 and self.region_starts[index] >= self._line_start(figure.start):
            return [self.regions[index][1]]  # the paragraph's
        return [self.issuer]

    def _regions_between(self, start: int, end: int) -> list[tuple[int, str]]:
        return self.regions[bisect.bisect_left(self.region_starts, start) : bisect.bisect_left(self.region_starts, end)]

    def _listed_before(self, named: list[tuple[int, str]]) -> list[str]:
        """The regions of the list that ends with the last one named: 葛店经开区、临空经济区(差评均为零)."""
        listed = [named[-1]]
        for start, region in reversed(named[:-1]):
            name_end = self._region_pattern.match(self.scan, start).end()
            if not _LIST_JOIN.fullmatch(self.scan[name_end : listed[0][0]]):
                break
            listed.insert(0, (start, region))
        return [region for _, region in listed]

    def _periods(self, figure: _Figure, sentence_start: int) -> list[tuple[dt.date | None, dt.date | None, str]]:
        """The period the sentence names before the figure, its year from the words, else from the last year
        the paragraph names, else the document's; left empty rather than guessed."""
        first, last = (bisect.bisect_left(self.mention_starts, position) for position in (sentence_start, figure.start))
        named = [m for m in self.mentions[first:last] if not self.in_name[m.start]
                 and not _COMPARED_WITH.search(self.scan, max(0, m.start - 3), m.start)]
        if not named:
            if self.date:
                return [(None, self.date, f"{NO_PERIOD}，按通报日期")]
            return [(None, None, NO_PERIOD)]
        mention = named[-1]
        written = self.text[mention.start : mention.end]
        if mention.kind == "now":
            return [(None, self.date, written)] if self.date else [(None, None, f"{NO_YEAR}：{written}")]
        year, label = mention.year, written
        if year is None:
            index = bisect.bisect_left(self.mention_starts, mention.start)
            with_year = self.last_with_year[index - 1] if index else -1
            if with_year >= 0 and self.mentions[with_year].start >= self._line_start(mention.start):
                year = self.mentions[with_year].year  # the paragraph's
            else:
                year = self.date.year if self.date else None
            if year is not None:
                label = f"{written}（{year}年）"
        if year is None:
            return [(None, None, f"{NO_YEAR}：{written}")]
        try:
            periods = _periods_of(mention, year, self.date)
        except ValueError:
            return [(None, None, f"日期不存在：{written}")]
        if mention.year is None and self.date and any((start or end) > self.date for start, end in periods):
            return [(None, None, f"{NO_YEAR}：{written}")]  # the document's year would put it after the document
        return [(start, end, label) for start, end in periods]

    def _numbering(self) -> tuple[list[int], list[int], list[str]]:
        """Where each line starts, where its text starts (after its indent), and the section and item numbers
        in force on it (二、 and 4 → 二、4)."""
        starts, texts, numbers = [], [], []
        section = item = ""
        position = 0
        for line in self.scan.split("\n"):
            if found := _SECTION.match(line):
                section, item = found[1], ""
            elif found := _ITEM.match(line):
                item = found[1] if found[1].startswith(("(", "（")) else found[1].rstrip(".．、")
            starts.append(position)
            texts.append(position + len(line) - len(line.lstrip()))
            numbers.append(section + item.replace("（", "(").replace("）", ")"))
            position += len(line) + 1
        return starts, texts, numbers

    def _locator(self, position: int) -> str:
        """The notice's own numbering down to the figure: 二、4 整改情况 二是."""
        index = bisect.bisect_right(self.line_starts, position) - 1
        line_start = self.line_starts[index]
        found = _LABEL.match(self.scan, line_start)
        label = found[1] if found and found.end() <= position else ""
        mark = bisect.bisect_left(self.clause_marks, (position,)) - 1
        while mark >= 0 and self.clause_marks[mark][1] > position:
            mark -= 1
        clause = self.clause_marks[mark][2] if mark >= 0 and self.clause_marks[mark][0] >= line_start else ""
        return " ".join(part for part in (self.line_numbers[index], label, clause) if part)


# Where the words after a figure stop being about it: a list break, or 中 of "1101项事项中…957项" (of which).
_AFTER_ENDS = re.compile(r"、|(?<=[项件个目”])中")
# The thing a figure counts, right after its counting word: 4个区和32个… → 区.
_COUNTED = re.compile(r"[\u4e00-\u9fff]{0,6}?(?=[和及与、的，,;；。\n]|$)|[\u4e00-\u9fff]{0,6}")
# A period named as what a figure is compared with (较一季度增长12.5%) is not the figure's period.
_COMPARED_WITH = re.compile(r"(?:较|比|与|同比|环比|相比)\s*$")
_LIST_JOIN = re.compile(r"\s*(?:、|和|及|与|以及)\s*")
_SECTION = re.compile(r"\s*([一二三四五六七八九十]+、)")
_ITEM = re.compile(r"\s*([(（][一二三四五六七八九十]+[)）]|\d+[.．、])")
_LABEL = re.compile(r"\s*([\u4e00-\u9fff]{2,6})[:：]")
_CLAUSE_MARK = re.compile(r"(?<![一二三四五六七八九十])[一二三四五六七八九十]{1,3}是")
_VERB_TAIL = re.compile(r"(?:共计|共|累计|合计|总计|达到|达|为|是|有|提高至|提高到|上升到|上升至|增长到|分别为|分别是|"
                        r"分别达|均为|均达|已|计|占|等|的|超过|超|近|约|不足|由|从)+$")


def _words(text: str) -> list[str]:
    """The character pairs of a text's Chinese and Latin runs: what names are compared by."""
    pairs = []
    for run in re.findall(r"[\u4e00-\u9fffA-Za-z+]+", text):
        pairs.extend(run[index : index + 2] for index in range(len(run) - 1))
    return pairs


class _IndicatorWords:
    """Which catalog indicator a figure's words name: character pairs shared with its name and aliases
    (twice) and its definition (once), each weighted by how few indicators use it."""

    MIN_SCORE = 10.0  # about two pairs that few indicators share

    def __init__(self, indicators: tuple[Indicator, ...]):
        self.indicators = indicators
        self.name_pairs = [set(_words(" ".join(indicator.names))) for indicator in indicators]
        self.definition_pairs = [set(_words(indicator.definition)) for indicator in indicators]
        counts: dict[str, int] = {}
        for names, definition in zip(self.name_pairs, self.definition_pairs, strict=True):
            for pair in names | definition:
                counts[pair] = counts.get(pair, 0) + 1
        total = len(indicators)
        self.weight = {pair: math.log(1 + total / count) for pair, count in counts.items()}

    def best(self, context: str, figure: _Figure, counted: str = "") -> str:
        """counted: the words right after the figure's counting word (2977个监管事项 → 监管事项), which
        name the thing an indicator called …监管事项数 counts."""
        pairs = set(_words(context))
        scored = []
        for indicator, names, definition in zip(self.indicators, self.name_pairs, self.definition_pairs,
                                                 strict=True):
            if not _fits(indicator, figure):
                continue
            score = sum(2 * self.weight[p] for p in pairs & names)
            score += sum(self.weight[p] for p in (pairs & definition) - names)
            if counted and any(name.endswith(counted[:length] + "数") for name in indicator.names
                               for length in range(1, len(counted) + 1)):
                score += self.MIN_SCORE
            scored.append((score, indicator.indicator_id))
        if not scored:
            return ""
        score, indicator_id = max(scored)
        return indicator_id if score >= self.MIN_SCORE else ""


_SAME_UNITS = ({"天", "日"}, {"人", "名"}, {"个", "项"})


def _fits(indicator: Indicator, figure: _Figure) -> bool:
    """Whether a figure can be a value of the indicator: a rank of a rank, a percentage of a rate, a count
    in the indicator's unit (or in none)."""
    if figure.rank or indicator.kind == "rank":
        return figure.rank and indicator.kind == "rank"
    if figure.unit in ("%", "") or indicator.unit in ("%", "分"):
        if figure.unit == "" and indicator.unit not in ("%", "分"):
            return True
        return figure.unit == indicator.unit
    return figure.unit == indicator.unit or any({figure.unit, indicator.unit} <= same for same in _SAME_UNITS)


def _number(written: str):
    """A number as written, Arabic or Chinese (三十六, 两), as a Decimal; None when it is not one."""
    if len(written) > _LONGEST_NUMBER:
        return None  # no count is written so; converting a run of a million digits would take minutes
    if re.fullmatch(r"\d+(?:\.\d+)?", written):
        return Decimal(written)
    import cn2an  # here, not at the top: its import takes 0.2 s, which every other command would pay

    try:
        return Decimal(str(cn2an.cn2an(written, "normal")))
    except (ValueError, KeyError, IndexError):
        return None


def _plain(value) -> str:
    return format(value.normalize(), "f")


def _qualifier(word: str) -> str:
    if word in _WORD_QUALIFIERS:
        return _WORD_QUALIFIERS[word]
    code = normalise.qualifier_code(word)
    return _FROM_UPLOAD_CODES.get(code, code)
