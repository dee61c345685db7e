"""What people type into spreadsheets, read as values: numbers, 万/亿, qualifiers, periods, headers."""

import calendar
import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from metrics.exporting import FORMULA_STARTS
from metrics.formatting import QUALIFIER_LABEL, QUALIFIER_PREFIX

QUALIFIERS = tuple(QUALIFIER_LABEL)

# Longest words first, so that 不超过 is read before 超过 and 均达…以上 before 以上.
_QUALIFIER_WORDS = (
    ("不少于", "at_least"),
    ("不低于", "at_least"),
    ("不超过", "at_most"),
    ("不高于", "at_most"),
    ("以上", "at_least"),
    ("至少", "at_least"),
    ("超过", "more_than"),
    ("多于", "more_than"),
    ("以内", "at_most"),
    ("以下", "at_most"),
    ("至多", "at_most"),
    ("左右", "approx"),
    ("大约", "approx"),
    (">=", "at_least"),
    ("<=", "at_most"),
    ("≥", "at_least"),
    ("≤", "at_most"),
    (">", "more_than"),
    ("约", "approx"),
    ("≈", "approx"),
)

# A qualifier column may hold the code, its Chinese label, its on-screen prefix or a plain word.
_QUALIFIER_SPELLINGS = {
    **{code: code for code in QUALIFIERS},
    **{label: code for code, label in QUALIFIER_LABEL.items()},
    **{prefix: code for code, prefix in QUALIFIER_PREFIX.items() if prefix.strip()},
    **dict(_QUALIFIER_WORDS),
    "精确": "exact",
    "准确": "exact",
    "=": "exact",
    "均达以上": "all_at_least",
    "均不低于": "all_at_least",
}

_SCALES = {"": 1, "万": 10**4, "亿": 10**8, "万亿": 10**12}
_NUMBER = re.compile(
    r"(?P<sign>[+-]?)(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<scale>万亿|万|亿)?(?P<percent>%)?(?P<unit>[^\d.,]*)"
)
_SPACES = re.compile(r"\s+")


class UnreadableValue(ValueError):
    """A cell that cannot be read; the message is Chinese and shown to the user as is."""


def clean(text: object) -> str:
    """A cell as text with compatibility forms folded (full-width → ASCII) and outer spaces gone.

    The apostrophe our exports put before formula-like text is taken off again, so that an
    exported file loads back unchanged.
    """
    if text is None:
        return ""
    folded = unicodedata.normalize("NFKC", str(text)).strip()
    if folded.startswith("'") and folded[1:].startswith(FORMULA_STARTS):
        return folded[1:]
    return folded


def match_key(text: object) -> str:
    """The form in which names are compared: folded, without any spaces."""
    return _SPACES.sub("", clean(text))


def qualifier_code(text: object) -> str | None:
    """The qualifier code a word or code names, or None when it names none."""
    return _QUALIFIER_NAMES.get(match_key(text).lower())


_QUALIFIER_NAMES = {match_key(spelling).lower(): code for spelling, code in _QUALIFIER_SPELLINGS.items()}


@dataclass(frozen=True)
class ParsedValue:
    value: float
    qualifier: str | None
    unit: str  # unit text written after the number ('%', '条', …); '' when none


def parse_value(text: object) -> ParsedValue:
    """'3427万条以上' → 34270000 at_least '条'; '97.47%' → 97.47 with unit '%'; '1,234' → 1234."""
    compact = match_key(text).replace("−", "-")
    if not compact:
        raise UnreadableValue("必填项为空")
    qualifier, rest = _strip_qualifier(compact)
    match = _NUMBER.fullmatch(rest)
    if not match:
        raise UnreadableValue(f"数值“{clean(text)}”不是数字")
    number = Decimal(match["digits"].replace(",", "")) * _SCALES[match["scale"] or ""]
    if match["sign"] == "-":
        number = -number
    unit = "%" if match["percent"] else match["unit"]
    if match["percent"] and match["unit"]:
        raise UnreadableValue(f"数值“{clean(text)}”不是数字")
    if not math.isfinite(float(number)):
        raise UnreadableValue(f"数值“{clean(text)}”过大，超出可存储的范围")
    return ParsedValue(float(number), qualifier, unit)


def _strip_qualifier(text: str) -> tuple[str | None, str]:
    if text.startswith("均达") and text.endswith("以上"):
        return "all_at_least", text[2:-2]
    if text.startswith("均"):
        qualifier, rest = _strip_qualifier(text[1:])
        if qualifier == "at_least":
            return "all_at_least", rest
    for word, code in _QUALIFIER_WORDS:
        if text.startswith(word):
            return code, text[len(word) :]
        if text.endswith(word):
            return code, text[: -len(word)]
    return None, text


@dataclass(frozen=True)
class Period:
    period_id: str
    grain: str
    start_date: dt.date
    end_date: dt.date
    label: str


_CHINESE_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_QUARTER_NAMES = "一二三四"
_QUARTER_ID = re.compile(r"(\d{4})-?Q(\d+)")
_QUARTER_CN = re.compile(r"(\d{4})年(?:第)?(.+?)季度?")
_MONTH = re.compile(r"(\d{4})(?:[-/.]|年)(\d{1,2})月?")
_YEAR = re.compile(r"(\d{4})年?")
FIRST_YEAR, LAST_YEAR = 1900, 2099
PERIOD_HINT = "应为 2024Q1、2024年第一季度、2024-03、2024年3月 或 2024年"


def parse_period(text: object) -> Period:
    """A calendar quarter, month or year from the ways people write one; UnreadableValue otherwise."""
    compact = match_key(text).upper()
    if not compact:
        raise UnreadableValue("必填项为空")
    if match := _QUARTER_ID.fullmatch(compact):
        return quarter(_check_year(int(match[1]), text), _quarter_number(match[2], text))
    if match := _QUARTER_CN.fullmatch(compact):
        return quarter(_check_year(int(match[1]), text), _quarter_number(match[2], text))
    if (match := _MONTH.fullmatch(compact)) and (compact[4] != "年" or compact.endswith("月")):
        month_number = int(match[2])
        if not 1 <= month_number <= 12:
            raise UnreadableValue(f"期间“{clean(text)}”不存在：月份应为1–12")
        return month(_check_year(int(match[1]), text), month_number)
    if match := _YEAR.fullmatch(compact):
        return year(_check_year(int(match[1]), text))
    raise UnreadableValue(f"无法识别的期间“{clean(text)}”：{PERIOD_HINT}")


def _quarter_number(written: str, text: object) -> int:
    number = _CHINESE_QUARTERS.get(written)
    if number is None:
        raise UnreadableValue(f"期间“{clean(text)}”不存在：季度应为1–4")
    return number


def _check_year(year_number: int, text: object) -> int:
    if not FIRST_YEAR <= year_number <= LAST_YEAR:
        raise UnreadableValue(f"期间“{clean(text)}”不存在：年份应在{FIRST_YEAR}–{LAST_YEAR}之间")
    return year_number


def quarter(year_number: int, number: int) -> Period:
    start = dt.date(year_number, 3 * number - 2, 1)
    end_month = 3 * number
    end = dt.date(year_number, end_month, calendar.monthrange(year_number, end_month)[1])
    return Period(
        f"{year_number}Q{number}", "quarter", start, end, f"{year_number}年第{_QUARTER_NAMES[number - 1]}季度"
    )


def month(year_number: int, number: int) -> Period:
    start = dt.date(year_number, number, 1)
    end = dt.date(year_number, number, calendar.monthrange(year_number, number)[1])
    return Period(f"{year_number}-{number:02d}", "month", start, end, f"{year_number}年{number}月")


def year(year_number: int) -> Period:
    return Period(
        str(year_number), "year", dt.date(year_number, 1, 1), dt.date(year_number, 12, 31), f"{year_number}年"
    )
