"""Tests for the per-cell value normalisers in kpi_core.intake.values."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_core.intake.values import (
    ValueParseError,
    normalise_text,
    parse_amount,
    parse_count,
    parse_date,
)

PROPERTY = settings(max_examples=200, deadline=None)
PARSERS = [parse_amount, parse_count, parse_date, normalise_text]

BLANKS = [
    None,
    float("nan"),
    np.float32("nan"),
    Decimal("NaN"),
    pd.NA,
    pd.NaT,
    "",
    "   ",
    "\u3000",
    "-",
    "－",
    "—",
    "--",
    "ー",
    "N/A",
    "n/a",
    "NA",
    "null",
    "None",
    "#N/A",
    "該当なし",
    "なし",
]


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("blank", BLANKS, ids=repr)
def test_blanks_are_none(parser, blank):
    assert parser(blank) is None


@pytest.mark.parametrize("parser", [parse_amount, parse_count, parse_date])
@pytest.mark.parametrize("blank", ["nan", "NaN", "NaT"])
def test_pandas_missing_markers_are_blank_for_parsers(parser, blank):
    assert parser(blank) is None


def test_nan_like_words_stay_text():
    assert normalise_text("Nan") == "Nan"


# Amounts ----------------------------------------------------------------------------------------------------

AMOUNTS = [
    ("¥1,200,000", 1_200_000),
    ("￥1,200,000", 1_200_000),
    ("1,200,000円", 1_200_000),
    ("1,200,000 円", 1_200_000),
    ("JPY 1200000", 1_200_000),
    ("jpy1200000", 1_200_000),
    ("$1,234.50", 1234.5),
    ("US$ 1,234", 1234),
    ("USD 1,234", 1234),
    ("1,234 USD", 1234),
    ("€1.234", 1.234),
    ("120万円", 1_200_000),
    ("120万", 1_200_000),
    ("1.2億", 120_000_000),
    ("1億2000万円", 120_000_000),
    ("1億2,000万", 120_000_000),
    ("1億 2000万", 120_000_000),
    ("3千円", 3000),
    ("1千万円", 10_000_000),
    ("1千2百万", 12_000_000),
    ("5百万円", 5_000_000),
    ("1,200千円", 1_200_000),
    ("1万2345", 12_345),
    ("2兆3億", 2_000_300_000_000),
    ("1.1万", 11_000),
    ("1.5k", 1500),
    ("1.5K", 1500),
    ("2M", 2_000_000),
    ("2m", 2_000_000),
    ("1.2mn", 1_200_000),
    ("$1.2bn", 1_200_000_000),
    ("(1,200)", -1200),
    ("(¥1,200)", -1200),
    ("-1,200", -1200),
    ("-¥1,200", -1200),
    ("¥-1,200", -1200),
    ("△1,200", -1200),
    ("▲1,200", -1200),
    ("▲1,200円", -1200),
    ("△120万円", -1_200_000),
    ("\u22121,200", -1200),  # U+2212 MINUS SIGN pasted from Word
    ("+500", 500),
    ("1,200,000.00", 1_200_000),
    ("12e3", 12_000),
    (".5", 0.5),
    ("0", 0),
    ("  ¥1,200  ", 1200),
    ("1,200円(税込)", 1200),
    ("1,200円（税抜）", 1200),
    ("1,200円 税込", 1200),
    ("1,200 税別", 1200),
    ("¥1,200-", 1200),  # Japanese "exact amount" dash
    ("１，２００，０００円", 1_200_000),
    ("－１，２００", -1200),
    ("＋５００", 500),
    ("１２０万円", 1_200_000),
    ("１．５", 1.5),
    ("1\u200b200", 1200),  # zero-width space inside a pasted number
]


@pytest.mark.parametrize(("text", "expected"), AMOUNTS)
def test_parse_amount_examples(text, expected):
    result = parse_amount(text)
    assert isinstance(result, float)
    assert result == pytest.approx(expected, rel=1e-12, abs=0)


@pytest.mark.parametrize(
    "text",
    [
        "未定",
        "abc",
        "1,2,3",
        "1,2345",
        "12,34",
        "1 200",
        "1..2",
        "1.2.3",
        "万",
        "円",
        "¥",
        "千",  # kanji numerals without any digit are not read as amounts
        "1億20000万",  # the 万 section must fit under 億
        "1万1万",
        "1万2億",  # scale words out of order
        "1万23456",
        "1千2千",
        "(-1,200)",  # double negative
        "(1,200",
        "1,200)",
        "--1",
        "-△1",
        "1,200-",  # bare trailing minus (SAP style) is ambiguous
        "1.2万k",
        "1.5 thousand",
        "12%",
        "1e999",
        "#VALUE!",
        "inf",
    ],
)
def test_parse_amount_rejects(text):
    with pytest.raises(ValueParseError):
        parse_amount(text)


def test_parse_amount_error_message_is_short_english():
    with pytest.raises(ValueParseError, match=r"^not an amount: 'abc'$"):
        parse_amount("abc")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1200, 1200.0),
        (-3, -3.0),
        (1.5, 1.5),
        (Decimal("1234.5"), 1234.5),
        (np.int64(7), 7.0),
        (np.float32(0.5), 0.5),
    ],
)
def test_numbers_pass_through(value, expected):
    for parser in (parse_amount, parse_count):
        result = parser(value)
        assert type(result) is float
        assert result == expected


@pytest.mark.parametrize("value", [True, False, np.True_, [1], {"a": 1}, b"12", float("inf"), Decimal("-Infinity")])
def test_number_parsers_reject_non_numbers(value):
    for parser in (parse_amount, parse_count):
        with pytest.raises(ValueParseError):
            parser(value)


# Counts -----------------------------------------------------------------------------------------------------

COUNTS = [
    ("1,234", 1234),
    ("１２３", 123),
    ("12件", 12),
    ("12 件", 12),
    ("１２件", 12),
    ("12社", 12),
    ("12人", 12),
    ("12回", 12),
    ("12名", 12),
    ("12個", 12),
    ("12本", 12),
    ("1.2万", 12_000),
    ("1.2万件", 12_000),
    ("△3", -3),
    ("▲3件", -3),
    ("-3", -3),
    ("+3", 3),
    ("0", 0),
]


@pytest.mark.parametrize(("text", "expected"), COUNTS)
def test_parse_count_examples(text, expected):
    result = parse_count(text)
    assert isinstance(result, float)
    assert result == expected


@pytest.mark.parametrize(
    "text", ["12 deals", "¥12", "12円", "1.5k", "(3)", "12件件", "件", "1,23", "abc", "12 %", "12社12人"]
)
def test_parse_count_rejects(text):
    with pytest.raises(ValueParseError, match=r"^not a count: "):
        parse_count(text)


# Dates ------------------------------------------------------------------------------------------------------

APRIL_1 = dt.date(2025, 4, 1)
DATES = [
    ("2025-04-01", APRIL_1),
    ("2025/4/1", APRIL_1),
    ("2025.4.1", APRIL_1),
    ("2025-04-01 10:00", APRIL_1),
    ("2025-04-01T10:00:00", APRIL_1),
    ("2025/04/01 10:00:00", APRIL_1),
    ("2025-04-01 10:00:00+09:00", APRIL_1),
    ("2025-04-01T23:30:00.123-05:00", APRIL_1),  # local date as written, not converted to UTC
    ("2025-04-01T10:00:00Z", APRIL_1),
    ("2025/4/1 3:05 PM", APRIL_1),
    ("2025年4月1日", APRIL_1),
    ("2025年04月01日", APRIL_1),
    ("2025年4月1日(火)", APRIL_1),
    ("2025年4月1日（火曜日）", APRIL_1),
    ("2025/4/1(火) 10:00", APRIL_1),
    ("2025年4月1日 10時30分", APRIL_1),
    ("令和7年4月1日", APRIL_1),
    ("令和7年4月1日(火)", APRIL_1),
    ("㋿7年4月1日", APRIL_1),  # one-character era sign, NFKC expands it
    ("R7.4.1", APRIL_1),
    ("r7.4.1", APRIL_1),
    ("R07/04/01", APRIL_1),
    ("H31.4.30", dt.date(2019, 4, 30)),
    ("令和元年5月1日", dt.date(2019, 5, 1)),
    ("R元.5.1", dt.date(2019, 5, 1)),
    ("平成元年1月8日", dt.date(1989, 1, 8)),
    ("平成31年4月30日", dt.date(2019, 4, 30)),
    ("昭和64年1月7日", dt.date(1989, 1, 7)),
    ("S50.10.10", dt.date(1975, 10, 10)),
    ("大正15年12月24日", dt.date(1926, 12, 24)),
    ("4/1/2025", APRIL_1),
    ("04/01/2025", APRIL_1),
    ("12/31/2025", dt.date(2025, 12, 31)),
    ("04-01-2025", APRIL_1),
    ("01-Apr-2025", APRIL_1),
    ("1-apr-2025", APRIL_1),
    ("Apr 1, 2025", APRIL_1),
    ("April 1 2025", APRIL_1),
    ("April 1st, 2025", APRIL_1),
    ("1 April 2025", APRIL_1),
    ("Sept. 30, 2025", dt.date(2025, 9, 30)),
    ("Tue, 1 Apr 2025", APRIL_1),
    ("Tuesday, April 1, 2025 10:00", APRIL_1),
    ("2025-Apr-01", APRIL_1),
    ("2025-W14-2", APRIL_1),  # ISO week 14 of 2025 starts on Monday 31 March
    ("2025W142", APRIL_1),
    ("2025-W14", dt.date(2025, 3, 31)),
    ("2020-W53-7", dt.date(2021, 1, 3)),
    ("20250401", APRIL_1),
    ("45748", APRIL_1),  # Excel serial: 1899-12-30 + 45748 days
    ("45748.75", APRIL_1),  # fractional part is the time of day
    ("20000", dt.date(1954, 10, 3)),
    ("２０２５／４／１", APRIL_1),
    ("２０２５年４月１日", APRIL_1),
    ("2025\u201004\u201001", APRIL_1),  # U+2010 hyphen
]


@pytest.mark.parametrize(("text", "expected"), DATES)
def test_parse_date_examples(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (45748, APRIL_1),
        (45748.5, APRIL_1),
        (Decimal("45748"), APRIL_1),
        (np.int64(45748), APRIL_1),
        (np.float64(45748.99), APRIL_1),
        (20250401, APRIL_1),
        (APRIL_1, APRIL_1),
        (dt.datetime(2025, 4, 1, 23, 59), APRIL_1),
        (pd.Timestamp("2025-04-01 23:30"), APRIL_1),
        (pd.Timestamp("2025-04-01 08:00", tz="Asia/Tokyo"), APRIL_1),
        (np.datetime64("2025-04-01T10:00"), APRIL_1),
        (np.datetime64("2025-04-01"), APRIL_1),
        (np.datetime64("NaT"), None),
    ],
    ids=repr,
)
def test_parse_date_objects(value, expected):
    result = parse_date(value)
    assert result == expected
    assert result is None or type(result) is dt.date


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2025-02-30", "impossible"),
        ("2024-02-30", "impossible"),
        ("2025-13-01", "impossible"),
        ("2025-00-10", "impossible"),
        ("2025年2月29日", "impossible"),
        ("13/01/2025", "impossible"),  # month-first: 13 is not a month
        ("1899-12-31", "outside"),
        ("2101-01-01", "outside"),
        ("令和83年1月1日", "outside"),  # 2101
        ("令和元年4月30日", "era"),  # Reiwa began on 1 May 2019
        ("平成1年1月7日", "era"),
        ("R0.5.1", "era year 0"),
        ("Foo 1, 2025", "month"),
        ("2025-W54", "ISO week"),
        ("2025-W53-1", "ISO week"),  # 2025 has 52 ISO weeks
        ("19999", "serial"),
        ("80001", "serial"),
        ("80000", "outside"),  # inside the serial range, but it is 2119-01-10
        (19999, "serial"),
        (1.5, "serial"),
        (-45748, "serial"),
        (20251301, "impossible"),
        ("abc", "not a date"),
        ("2025", "not a date"),
        ("4/1/25", "not a date"),  # two-digit years are ambiguous
        ("25/4/1", "not a date"),
        ("2025/4-1", "not a date"),  # mixed separators
        ("2025-04-01 foo", "not a date"),
        ("2025-04-01 25:99", "not a date"),
        ("未定", "not a date"),
        (True, "boolean"),
        (dt.date(1850, 1, 1), "outside"),
        (pd.Timestamp("2200-01-01"), "outside"),
        (np.datetime64("1800-01-01"), "outside"),
        (float("inf"), "serial"),
        (dt.time(10, 0), "unsupported"),
    ],
    ids=repr,
)
def test_parse_date_rejects(value, reason):
    with pytest.raises(ValueParseError, match=reason):
        parse_date(value)


# Text -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Acme  ", "Acme"),
        ("ＡＢＣ　株式会社", "ABC 株式会社"),
        ("ｶﾞｲﾄﾞ", "ガイド"),
        ("a \t\n b", "a b"),
        ("東京\u3000\u3000本社", "東京 本社"),
        ("\ufeffLead", "Lead"),
        ("㈱テスト", "(株)テスト"),
        ("Web-Form", "Web-Form"),
        ("ー", None),
        (1234, "1234"),
        (1234.0, "1234"),  # Excel stores codes as floats
        (12.5, "12.5"),
    ],
)
def test_normalise_text_examples(value, expected):
    assert normalise_text(value) == expected


# Property-based ---------------------------------------------------------------------------------------------

FULL_WIDTH = str.maketrans("0123456789,-", "０１２３４５６７８９，－")
BIG_INTEGERS = st.integers(min_value=-(10**14), max_value=10**14)


@PROPERTY
@given(BIG_INTEGERS)
def test_amount_integer_formats_round_trip(n):
    for text in (f"{n:,}", f"¥{n:,}", f"{n:,}円", f"JPY {n}", f"{n:,}".translate(FULL_WIDTH) + "円"):
        assert parse_amount(text) == float(n), text


@PROPERTY
@given(st.integers(min_value=0, max_value=10**14))
def test_amount_japanese_negative_marks(n):
    assert parse_amount(f"△{n:,}") == -float(n)
    assert parse_amount(f"▲{n:,}円") == -float(n)
    assert parse_amount(f"({n:,})") == -float(n)


@PROPERTY
@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False))
def test_amount_in_man_scales_by_ten_thousand(x):
    assert math.isclose(parse_amount(f"{x}万"), x * 1e4, rel_tol=1e-12, abs_tol=1e-9)


@PROPERTY
@given(st.integers(min_value=0, max_value=9999), st.integers(min_value=0, max_value=9999))
def test_amount_oku_man_combination(oku, man):
    expected = oku * 100_000_000 + man * 10_000
    if oku == 0 and man == 0:
        return
    text = (f"{oku}億" if oku else "") + (f"{man:,}万" if man else "") + "円"
    assert parse_amount(text) == float(expected), text


@PROPERTY
@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_count_round_trip(n):
    assert parse_count(f"{n:,}") == float(n)
    assert parse_count(f"{n:,}件") == float(n)
    assert parse_count(f"{n:,}".translate(FULL_WIDTH)) == float(n)


ERA_STARTS = [  # (first day, kanji name, letter), newest first
    (dt.date(2019, 5, 1), "令和", "R"),
    (dt.date(1989, 1, 8), "平成", "H"),
    (dt.date(1926, 12, 25), "昭和", "S"),
]


def japanese_era_forms(day: dt.date) -> list[str]:
    """The era spellings of day, computed from the era table above."""
    start, name, letter = next(era for era in ERA_STARTS if day >= era[0])
    year = day.year - start.year + 1
    kanji_year = "元" if year == 1 else str(year)
    return [f"{name}{kanji_year}年{day.month}月{day.day}日", f"{letter}{year:02d}.{day.month}.{day.day}"]


@PROPERTY
@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_date_formats_round_trip(day):
    texts = [
        day.strftime("%Y-%m-%d"),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.month}/{day.day}/{day.year}",
        day.strftime("%d-%b-%Y"),
        day.strftime("%B %d, %Y"),
        day.strftime("%Y-%m-%dT%H:%M:%S") + "+09:00",
        *japanese_era_forms(day),
    ]
    for text in texts:
        assert parse_date(text) == day, text


@PROPERTY
@given(st.dates(min_value=dt.date(1954, 10, 3), max_value=dt.date(2099, 12, 31)))
def test_excel_serial_round_trip(day):
    # 1954-10-03 is serial 20000, the lowest number read as an Excel date.
    serial = (day - dt.date(1899, 12, 30)).days
    assert parse_date(serial) == day
    assert parse_date(float(serial) + 0.75) == day
    assert parse_date(str(serial)) == day


JUNK = st.text() | st.text(alphabet="0123456789,.-+¥$円万億千△▲()年月日/:T 件RHkm")


@PROPERTY
@given(JUNK)
def test_random_text_only_raises_value_parse_error(text):
    for parser, kinds in (
        (parse_amount, (float,)),
        (parse_count, (float,)),
        (parse_date, (dt.date,)),
    ):
        try:
            result = parser(text)
        except ValueParseError:
            continue
        assert result is None or isinstance(result, kinds)
        if isinstance(result, float):
            assert math.isfinite(result)


@PROPERTY
@given(st.text())
def test_normalise_text_is_clean_and_idempotent(text):
    result = normalise_text(text)
    if result is not None:
        assert result == result.strip()
        assert "  " not in result
        assert normalise_text(result) == result
