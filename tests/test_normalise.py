"""What people type, read as values: numbers with 万/亿 and separators, percentages, qualifiers, periods."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrics.ingest.normalise import UnreadableValue, parse_period, parse_value, qualifier_code

FULL_WIDTH = str.maketrans("0123456789.,%", "０１２３４５６７８９．，％")


@pytest.mark.parametrize(
    ("text", "value", "qualifier", "unit"),
    [
        ("97.47%", 97.47, None, "%"),
        ("１，２３４", 1234, None, ""),
        (" 1,234 ", 1234, None, ""),
        ("3427万", 34270000, None, ""),
        ("1.2亿", 120000000, None, ""),
        ("3427万条以上", 34270000, "at_least", "条"),
        ("不少于50%", 50, "at_least", "%"),
        ("≥ 3", 3, "at_least", ""),
        ("超过1000", 1000, "more_than", ""),
        ("> 1000", 1000, "more_than", ""),
        ("7日以内", 7, "at_most", "日"),
        ("不超过7", 7, "at_most", ""),
        ("≤7", 7, "at_most", ""),
        ("约5万", 50000, "approx", ""),
        ("均达50%以上", 50, "all_at_least", "%"),
        ("-3", -3, None, ""),
        ("0.07万", 700, None, ""),
    ],
)
def test_values_as_people_write_them(text, value, qualifier, unit):
    parsed = parse_value(text)
    assert (parsed.value, parsed.qualifier, parsed.unit) == (value, qualifier, unit)


@pytest.mark.parametrize(
    ("text", "message"), [("abc", "数值“abc”不是数字"), ("2,34", "数值“2,34”不是数字"), ("", "必填项为空")]
)
def test_unreadable_values_say_why(text, message):
    with pytest.raises(UnreadableValue, match=f"^{message}$"):
        parse_value(text)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("exact", "exact"),
        ("AT_LEAST", "at_least"),
        ("以上", "at_least"),
        ("不少于", "at_least"),
        ("≥", "at_least"),
        ("超过", "more_than"),
        (">", "more_than"),
        ("以内", "at_most"),
        ("不超过", "at_most"),
        ("约", "approx"),
        ("均达以上", "all_at_least"),
        ("不少于(以上)", "at_least"),
        ("大概", None),
    ],
)
def test_qualifier_words_and_codes(text, code):
    assert qualifier_code(text) == code


@given(st.integers(min_value=0, max_value=10**12))
def test_thousands_separators_and_full_width_digits_read_back(number):
    assert parse_value(f"{number:,}").value == number
    assert parse_value(f"{number:,}".translate(FULL_WIDTH)).value == number


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from([("万", 10**4), ("亿", 10**8)]))
def test_wan_and_yi_scale_the_number(number, scale):
    word, factor = scale
    assert parse_value(f"{number}{word}").value == number * factor


@given(st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False))
def test_percent_strings_parse_to_the_number(rate):
    assert parse_value(f"{rate}%").value == float(rate)
    assert parse_value(f"{rate}％").unit == "%"


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10**6), places=2))
def test_decimal_wan_is_exact(number):
    assert parse_value(f"{number}万").value == float(number * 10**4)


@given(st.integers(min_value=1900, max_value=2099), st.integers(min_value=1, max_value=4))
def test_every_way_to_write_a_quarter_is_the_same_period(year, quarter):
    names = "一二三四"
    name = names[quarter - 1]
    spellings = [
        f"{year}Q{quarter}",
        f"{year}年第{name}季度",
        f"{year}年{name}季度",
        f"{year}年{quarter}季度",
    ]
    spellings.append(f"{year} q{quarter}")
    periods = {parse_period(text) for text in spellings}
    assert len(periods) == 1
    period = periods.pop()
    assert period.period_id == f"{year}Q{quarter}"
    assert period.label == f"{year}年第{names[quarter - 1]}季度"
    assert period.start_date == dt.date(year, 3 * quarter - 2, 1)


@given(st.integers(min_value=1900, max_value=2099), st.integers(min_value=1, max_value=12))
def test_months_and_their_ends(year, month):
    period = parse_period(f"{year}年{month}月")
    assert period == parse_period(f"{year}-{month:02d}")
    assert (period.period_id, period.grain, period.label) == (
        f"{year}-{month:02d}",
        "month",
        f"{year}年{month}月",
    )
    assert (period.end_date + dt.timedelta(days=1)).day == 1


def test_years():
    assert parse_period("2024") == parse_period("2024年")
    assert parse_period("２０２４年").end_date == dt.date(2024, 12, 31)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2024Q5", "期间“2024Q5”不存在：季度应为1–4"),
        ("2024年第五季度", "期间“2024年第五季度”不存在：季度应为1–4"),
        ("2024-13", "期间“2024-13”不存在：月份应为1–12"),
        ("2024年0月", "期间“2024年0月”不存在：月份应为1–12"),
        ("1800", "期间“1800”不存在：年份应在1900–2099之间"),
        ("上季度", "无法识别的期间“上季度”：应为 2024Q1、2024年第一季度、2024-03、2024年3月 或 2024年"),
    ],
)
def test_impossible_or_unreadable_periods(text, message):
    with pytest.raises(UnreadableValue) as raised:
        parse_period(text)
    assert str(raised.value) == message
