"""Tests for approximate amounts, placeholders, decimal commas, date order, month-only dates and currencies."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kpi_core.intake.values import (
    CurrencyEvidence,
    DateOrderEvidence,
    ValueParseError,
    amount_scale_from_header,
    detect_currency,
    detect_date_order,
    detect_decimal_comma,
    is_month_only,
    is_placeholder_amount,
    parse_amount,
    parse_date,
)

# Approximate amounts -----------------------------------------------------------------------------------------

APPROXIMATE = [
    ("約100万", 1_000_000),
    ("約 100万", 1_000_000),
    ("約100万円", 1_000_000),
    ("約1.2億円", 120_000_000),
    ("およそ300万円", 3_000_000),
    ("概算500万", 5_000_000),
    ("凡そ2千万円", 20_000_000),
    ("~5k", 5000),
    ("～5k", 5000),  # full-width tilde
    ("〜5k", 5000),  # wave dash
    ("≈ 1,200", 1200),
    ("approx. $5,000", 5000),
    ("approx $5,000", 5000),
    ("Approx. 5,000 USD", 5000),
    ("ca. €300", 300),
    ("circa 2,500", 2500),
    ("about $1.5k", 1500),
    ("100万円程度", 1_000_000),
    ("100万程度", 1_000_000),
    ("100万程度円", 1_000_000),
    ("50万円前後", 500_000),
    ("50万円くらい", 500_000),
    ("50万円ぐらい", 500_000),
    ("50万位", 500_000),
    ("約100万円くらい", 1_000_000),
    ("約１００万円", 1_000_000),  # full-width digits
    ("約△100万", -1_000_000),
]


@pytest.mark.parametrize(("text", "expected"), APPROXIMATE)
def test_parse_amount_approximate(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["約", "約円", "approx.", "程度", "100万程度程度", "約約100", "100~", "1~2万"])
def test_parse_amount_approximate_rejects(text):
    with pytest.raises(ValueParseError):
        parse_amount(text)


# Placeholders ------------------------------------------------------------------------------------------------

PLACEHOLDERS = [
    "未定",
    "TBD",
    "tbd",
    "Tbd",
    "ＴＢＤ",
    "TBC",
    "要確認",
    "未確定",
    "調整中",
    "検討中",
    "不明",
    "未入力",
    "空欄",
    "?",
    "？",
    "??",
    "ー",
    "-",
    "--",
    "—",
    "n/a",
    "N/A",
    "unknown",
    "Unknown",
    "pending",
    "PENDING",
    "  未定  ",
    "\u3000TBD\u3000",
]


@pytest.mark.parametrize("text", PLACEHOLDERS)
def test_is_placeholder_amount_true(text):
    assert is_placeholder_amount(text) is True


@pytest.mark.parametrize(
    "value", [None, "", "  ", "100", "¥1,200", "未定100万", "TBD soon", "abc", 0, 1200, 1.5, float("nan"), "なし"]
)
def test_is_placeholder_amount_false(value):
    assert is_placeholder_amount(value) is False


@pytest.mark.parametrize(
    "text", ["未定", "TBD", "TBC", "要確認", "未確定", "調整中", "検討中", "不明", "未入力", "空欄", "?", "？"]
)
def test_placeholder_words_are_still_parse_errors(text):
    with pytest.raises(ValueParseError, match=r"^not an amount: "):
        parse_amount(text)


@pytest.mark.parametrize("text", ["ー", "-", "--", "—", "n/a"])
def test_placeholder_dashes_stay_blank(text):
    assert parse_amount(text) is None


# Decimal comma -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        ["1.234,56 €", "12.500,00", "99,90"],
        ["99,90"],
        ["1,5"],
        ["1.234.567"],
        ["EUR 1.234.567,89", None, 1200.5],  # non-text cells are ignored
        ["1.234", "99,90"],  # "1.234" is ambiguous, "99,90" decides
        ["12.500,00", "1.000", "2000"],
        ["€ 3,50", "", "-"],
    ],
)
def test_detect_decimal_comma_true(values):
    assert detect_decimal_comma(values) is True


@pytest.mark.parametrize(
    "values",
    [
        [],
        [None, 12.5],
        ["1.234"],  # ambiguous alone
        ["1,234"],  # ambiguous alone
        ["1.234", "2.500"],
        ["1200", "350"],
        ["1,234.56", "99.90"],
        ["$1,234,567"],
        ["1.234,56", "1,234.56"],  # both proven
        ["99,90", "12,345"],  # three digits after one comma is a thousands group
        ["99,90", "1,234"],
        ["99,90", "12.50"],
        ["1.234.567", "1,234,567"],
    ],
)
def test_detect_decimal_comma_false(values):
    assert detect_decimal_comma(values) is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,56", 1234.56),
        ("1.234", 1234),
        ("99,9", 99.9),
        ("99,90", 99.9),
        ("1.234.567,89", 1_234_567.89),
        ("1.200 €", 1200),
        ("1.234,56 €", 1234.56),
        ("€ 1.234,56", 1234.56),
        ("EUR 5.000", 5000),
        ("-1.234,5", -1234.5),
        ("ca. 1.234,56 €", 1234.56),
        ("12", 12),
        ("0,5", 0.5),
    ],
)
def test_parse_amount_decimal_comma(text, expected):
    assert parse_amount(text, decimal_comma=True) == pytest.approx(expected, rel=1e-12, abs=0)


@pytest.mark.parametrize("text", ["1,234.56", "1.23.4", "1,2,3"])
def test_parse_amount_decimal_comma_rejects(text):
    with pytest.raises(ValueParseError):
        parse_amount(text, decimal_comma=True)


@pytest.mark.parametrize(("text", "expected"), [("1.234", 1.234), ("1,234", 1234), ("1,234.56", 1234.56)])
def test_parse_amount_default_is_decimal_point(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["99,9", "1.234,56"])
def test_parse_amount_default_rejects_decimal_comma(text):
    with pytest.raises(ValueParseError):
        parse_amount(text)


def test_decimal_comma_is_keyword_only():
    with pytest.raises(TypeError):
        parse_amount("1,5", True)  # type: ignore[misc]


# Date order --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("18-05-2025", "dmy", dt.date(2025, 5, 18)),
        ("04/01/2025", "dmy", dt.date(2025, 1, 4)),
        ("04/01/2025", "mdy", dt.date(2025, 4, 1)),
        ("13/01/2025", "dmy", dt.date(2025, 1, 13)),
        ("02/03/2025", "dmy", dt.date(2025, 3, 2)),
        ("02/03/2025", "mdy", dt.date(2025, 2, 3)),
        ("01.02.2025", "dmy", dt.date(2025, 2, 1)),
        ("01.02.2025", "mdy", dt.date(2025, 1, 2)),
        ("31.12.2025", "dmy", dt.date(2025, 12, 31)),
        ("1-2-2025", "dmy", dt.date(2025, 2, 1)),
        ("18/05/2025 10:30", "dmy", dt.date(2025, 5, 18)),
        ("18.05.2025 23:59:59", "dmy", dt.date(2025, 5, 18)),
        ("12/31/2025", "mdy", dt.date(2025, 12, 31)),
        ("１８／０５／２０２５", "dmy", dt.date(2025, 5, 18)),
        # forms with the year first, kanji, era, month names and serials ignore order
        ("2025-04-01", "dmy", dt.date(2025, 4, 1)),
        ("2025/4/1", "dmy", dt.date(2025, 4, 1)),
        ("2025.4.1", "dmy", dt.date(2025, 4, 1)),
        ("2025年4月1日", "dmy", dt.date(2025, 4, 1)),
        ("令和7年4月1日", "dmy", dt.date(2025, 4, 1)),
        ("R7.4.1", "dmy", dt.date(2025, 4, 1)),
        ("Apr 1, 2025", "dmy", dt.date(2025, 4, 1)),
        ("1 April 2025", "mdy", dt.date(2025, 4, 1)),
        ("01-Apr-2025", "dmy", dt.date(2025, 4, 1)),
        ("45748", "dmy", dt.date(2025, 4, 1)),
        ("20250401", "dmy", dt.date(2025, 4, 1)),
        (45748, "dmy", dt.date(2025, 4, 1)),
        (dt.date(2025, 4, 1), "dmy", dt.date(2025, 4, 1)),
    ],
)
def test_parse_date_order(text, order, expected):
    assert parse_date(text, order=order) == expected


def test_parse_date_order_is_positional_too():
    assert parse_date("04/01/2025", "dmy") == dt.date(2025, 1, 4)


def test_parse_date_default_order_is_month_first():
    assert parse_date("04/01/2025") == dt.date(2025, 4, 1)


@pytest.mark.parametrize(
    ("text", "order"),
    [
        ("13/01/2025", "mdy"),
        ("18-05-2025", "mdy"),
        ("12/31/2025", "dmy"),
        ("05/18/2025", "dmy"),
        ("31.02.2025", "dmy"),
        ("32/01/2025", "dmy"),
    ],
)
def test_parse_date_order_never_swaps(text, order):
    with pytest.raises(ValueParseError, match="impossible"):
        parse_date(text, order=order)


def test_parse_date_rejects_unknown_order():
    with pytest.raises(ValueError, match="order"):
        parse_date("04/01/2025", order="ymd")


def test_detect_date_order_day_first():
    evidence = detect_date_order(["18-05-2025", "13/01/2025", "02/03/2025"])
    assert evidence == DateOrderEvidence(
        order="dmy", day_first=2, month_first=0, ambiguous=1, examples=("18-05-2025", "13/01/2025"), convention=None
    )
    assert evidence.mixed is False


def test_detect_date_order_month_first():
    evidence = detect_date_order(["4/20/2025", "5/31/2025", "4/1/2025", "12/13/2025", "5/2/2025", "6/30/2025"])
    assert evidence.order == "mdy"
    assert (evidence.day_first, evidence.month_first, evidence.ambiguous) == (0, 4, 2)
    assert evidence.examples == ("4/20/2025", "5/31/2025", "12/13/2025")
    assert evidence.convention is None
    assert evidence.mixed is False


def test_detect_date_order_mixed_majority_wins():
    evidence = detect_date_order(["13/01/2025", "25/02/2025", "01/20/2025", "03/04/2025"])
    assert evidence.order == "dmy"
    assert (evidence.day_first, evidence.month_first, evidence.ambiguous) == (2, 1, 1)
    assert evidence.examples == ("13/01/2025", "25/02/2025")
    assert evidence.mixed is True


def test_detect_date_order_mixed_tie_is_none():
    evidence = detect_date_order(["13/01/2025", "01/20/2025"])
    assert evidence.order is None
    assert (evidence.day_first, evidence.month_first) == (1, 1)
    assert evidence.examples == ()
    assert evidence.mixed is True


def test_detect_date_order_only_ambiguous():
    evidence = detect_date_order(["01/02/2025", "03/04/2025", "12/12/2025"])
    assert evidence == DateOrderEvidence(
        order=None, day_first=0, month_first=0, ambiguous=3, examples=(), convention=None
    )
    assert evidence.mixed is False


def test_detect_date_order_german_dots():
    evidence = detect_date_order(["01.02.2025", "03.04.2025", "01.02.2025"])
    assert evidence == DateOrderEvidence(
        order=None, day_first=0, month_first=0, ambiguous=2, examples=(), convention="dmy"
    )


def test_detect_date_order_german_dots_with_proof():
    evidence = detect_date_order(["01.02.2025", "24.12.2025 18:00"])
    assert evidence.order == "dmy"
    assert evidence.day_first == 1
    assert evidence.examples == ("24.12.2025 18:00",)
    assert evidence.convention == "dmy"


def test_detect_date_order_counts_distinct_values():
    evidence = detect_date_order(["18-05-2025", "18-05-2025", " 18-05-2025 ", "13/01/2025"])
    assert evidence.day_first == 2
    assert evidence.examples == ("18-05-2025", "13/01/2025")


def test_detect_date_order_examples_capped_at_three():
    evidence = detect_date_order(["13/01/2025", "14/01/2025", "15/01/2025", "16/01/2025"])
    assert evidence.day_first == 4
    assert evidence.examples == ("13/01/2025", "14/01/2025", "15/01/2025")


def test_detect_date_order_ignores_other_values():
    values = ["2025-04-01", "2025/13/01", "Apr 1, 2025", None, 45748, dt.date(2025, 1, 13), "", "abc", "32/01/2025"]
    assert detect_date_order(values) == DateOrderEvidence(
        order=None, day_first=0, month_first=0, ambiguous=0, examples=(), convention=None
    )


def test_detect_date_order_dots_and_slashes_is_no_convention():
    assert detect_date_order(["01.02.2025", "01/02/2025"]).convention is None


def test_date_order_evidence_is_frozen():
    evidence = detect_date_order([])
    with pytest.raises(dataclasses.FrozenInstanceError):
        evidence.order = "dmy"  # type: ignore[misc]


# Month-only dates --------------------------------------------------------------------------------------------

OCTOBER_1 = dt.date(2024, 10, 1)
MONTH_ONLY = [
    ("2024-10", OCTOBER_1),
    ("2024/10", OCTOBER_1),
    ("2024.10", OCTOBER_1),
    ("2024年10月", OCTOBER_1),
    ("2024年 10月", OCTOBER_1),
    ("２０２４年１０月", OCTOBER_1),
    ("Oct 2024", OCTOBER_1),
    ("October 2024", OCTOBER_1),
    ("Oct-2024", OCTOBER_1),
    ("oct. 2024", OCTOBER_1),
    ("OCT 2024", OCTOBER_1),
    ("Oct, 2024", OCTOBER_1),
    ("10/2024", OCTOBER_1),
    ("10-2024", OCTOBER_1),
    ("2024 Oct", OCTOBER_1),
    ("2024-Oct", OCTOBER_1),
    ("Okt 2024", OCTOBER_1),  # German
    ("Oktober 2024", OCTOBER_1),
    ("octobre 2024", OCTOBER_1),  # French
    ("octubre 2024", OCTOBER_1),  # Spanish
    ("2024-1", dt.date(2024, 1, 1)),
    ("1/2024", dt.date(2024, 1, 1)),
    ("Sept 2024", dt.date(2024, 9, 1)),
    ("Mär 2024", dt.date(2024, 3, 1)),
    ("Mrz 2024", dt.date(2024, 3, 1)),
    ("Mai 2024", dt.date(2024, 5, 1)),
    ("Dez 2024", dt.date(2024, 12, 1)),
    ("janv. 2024", dt.date(2024, 1, 1)),
    ("févr. 2024", dt.date(2024, 2, 1)),
    ("juil 2024", dt.date(2024, 7, 1)),
    ("août 2024", dt.date(2024, 8, 1)),
    ("déc. 2024", dt.date(2024, 12, 1)),
    ("ene 2024", dt.date(2024, 1, 1)),
    ("abr 2024", dt.date(2024, 4, 1)),
    ("ago 2024", dt.date(2024, 8, 1)),
    ("dic 2024", dt.date(2024, 12, 1)),
]


@pytest.mark.parametrize(("text", "expected"), MONTH_ONLY)
def test_parse_date_month_only(text, expected):
    assert parse_date(text) == expected
    assert parse_date(text, order="dmy") == expected
    assert is_month_only(text) is True


@pytest.mark.parametrize(
    "value",
    [
        "2024",
        "2024-10-05",
        "2024/10/05",
        "10/05/2024",
        "2024年10月5日",
        "Oct 5, 2024",
        "5 Oct 2024",
        "2024-W40",
        "20241005",
        "45748",
        "10.2024",  # too much like a decimal number
        "10/24",
        "2024-13",
        "13/2024",
        "0/2024",
        "Foo 2024",
        "",
        "未定",
        None,
        2024,
        45748,
        dt.date(2024, 10, 1),
    ],
)
def test_is_month_only_false(value):
    assert is_month_only(value) is False


@pytest.mark.parametrize(("text", "reason"), [("2024-13", "impossible"), ("13/2024", "impossible")])
def test_month_only_impossible_month(text, reason):
    with pytest.raises(ValueParseError, match=reason):
        parse_date(text)


@pytest.mark.parametrize("text", ["2024", "10.2024", "10/24", "Foo 2024", "1899-12"])
def test_month_only_rejects(text):
    with pytest.raises(ValueParseError):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 Mai 2025", dt.date(2025, 5, 1)),
        ("5-Okt-2024", dt.date(2024, 10, 5)),
        ("Dez 24, 2024", dt.date(2024, 12, 24)),
    ],
)
def test_foreign_month_names_in_full_dates(text, expected):
    assert parse_date(text) == expected


# Currency ----------------------------------------------------------------------------------------------------

CELL_CURRENCIES = [
    ("$1,200", "USD"),
    ("US$ 1,200", "USD"),
    ("USD 1,200", "USD"),
    ("1,200 USD", "USD"),
    ("usd1200", "USD"),
    ("1,200ドル", "USD"),
    ("€1.200", "EUR"),
    ("1.200 €", "EUR"),
    ("EUR", "EUR"),
    ("5,000 EUR", "EUR"),
    ("¥1,200,000", "JPY"),
    ("￥1,200,000", "JPY"),
    ("1,200,000円", "JPY"),
    ("120万円", "JPY"),
    ("JPY", "JPY"),
    ("JPY 1,000", "JPY"),
    ("£300", "GBP"),
    ("£", "GBP"),
    ("GBP", "GBP"),
    ("100元", "CNY"),
    ("1.2万元", "CNY"),
    ("CNY 100", "CNY"),
    ("RMB 100", "CNY"),
    ("CN¥100", "CNY"),
]


@pytest.mark.parametrize(("cell", "code"), CELL_CURRENCIES)
def test_detect_currency_from_cells(cell, code):
    evidence = detect_currency("Amount", [cell, "1,000"])
    assert evidence == CurrencyEvidence(code=code, by="cells", counts={code: 1}, mixed=False, examples=(cell,))


def test_detect_currency_cells_beat_header():
    evidence = detect_currency("Amount (USD)", ["¥1,200", "¥3,400", "500"])
    assert evidence == CurrencyEvidence(
        code="JPY", by="cells", counts={"JPY": 2}, mixed=False, examples=("¥1,200", "¥3,400")
    )


def test_detect_currency_mixed_cells():
    values = ["$1,200", "$300", "€50", "$1,200", "4,000", None, "$7", "$8"]
    evidence = detect_currency("Deal Value", values)
    assert evidence.code == "USD"
    assert evidence.by == "cells"
    assert evidence.counts == {"USD": 5, "EUR": 1}
    assert evidence.mixed is True
    assert evidence.examples == ("$1,200", "$300", "$7")


def test_detect_currency_tie_is_none():
    evidence = detect_currency("Amount", ["$1", "€2"])
    assert evidence == CurrencyEvidence(code=None, by=None, counts={"USD": 1, "EUR": 1}, mixed=True, examples=())


def test_detect_currency_two_currencies_in_one_cell():
    evidence = detect_currency("Amount", ["$1,200 (¥180,000)", "$5"])
    assert evidence.code == "USD"
    assert evidence.counts == {"USD": 2, "JPY": 1}
    assert evidence.mixed is True


HEADER_CURRENCIES = [
    ("Amount (USD)", "USD"),
    ("Amount, $", "USD"),
    ("amount_usd", "USD"),
    ("Deal Value USD", "USD"),
    ("Amount ($K)", "USD"),
    ("金額（円）", "JPY"),
    ("金額(円)", "JPY"),
    ("金額(千円)", "JPY"),
    ("受注金額（万円）", "JPY"),
    ("_jpy", "JPY"),
    ("(JPY)", "JPY"),
    ("Betrag in €", "EUR"),
    ("Betrag (EUR)", "EUR"),
    ("Revenue £", "GBP"),
    ("金額（元）", "CNY"),
    ("Amount RMB", "CNY"),
]


@pytest.mark.parametrize(("header", "code"), HEADER_CURRENCIES)
def test_detect_currency_from_header(header, code):
    evidence = detect_currency(header, ["1,200", 300, None, "未定"])
    assert evidence == CurrencyEvidence(code=code, by="header", counts={}, mixed=False, examples=(header,))


@pytest.mark.parametrize(
    ("header", "values"),
    [
        ("Amount", ["1,200", "300", 5.5, None]),
        ("金額", ["120万", "1.2億"]),  # Japanese scale words alone do not name the yen
        ("元本", ["1,000"]),  # 元 outside a unit bracket is not the yuan
        ("Europe Revenue", []),
        ("Amount", ["令和元年"]),
    ],
)
def test_detect_currency_none(header, values):
    assert detect_currency(header, values) == CurrencyEvidence(code=None, by=None, counts={}, mixed=False, examples=())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$1,200.50", 1200.5),
        ("US$1,200", 1200),
        ("USD 1,200", 1200),
        ("1,200 USD", 1200),
        ("€1,200", 1200),
        ("£300", 300),
        ("EUR 5,000", 5000),
        ("JPY 1,000", 1000),
        ("1,200 €", 1200),
        ("1,200 $", 1200),
        ("100元", 100),
        ("RMB 100", 100),
        ("CNY 1,000", 1000),
    ],
)
def test_parse_amount_currencies(text, expected):
    assert parse_amount(text) == expected


def test_parse_amount_euro_suffix_with_decimal_comma():
    assert parse_amount("1.200 €", decimal_comma=True) == 1200


@pytest.mark.parametrize(
    ("header", "scale"),
    [
        ("金額(千円)", 1000),
        ("金額（千円）", 1000),
        ("千円", 1000),
        ("売上 千円", 1000),
        ("Revenue in thousands", 1000),
        ("Revenue (in thousands)", 1000),
        ("Amount (k)", 1000),
        ("Amount (K)", 1000),
        ("Amount ($K)", 1000),
        ("Amount (€k)", 1000),
        ("Amount (USD k)", 1000),
        ("Amount (000s)", 1000),
        ("Amount ('000)", 1000),
        ("金額（万円）", 10_000),
        ("金額(万円)", 10_000),
        ("金額(百万円)", 1_000_000),
        ("百万円", 1_000_000),
        ("Revenue (in millions)", 1_000_000),
        ("Amount ($M)", 1_000_000),
        ("Amount (mn)", 1_000_000),
        ("Amount (USD mn)", 1_000_000),
        ("売上(千万円)", 10_000_000),
        ("売上(億円)", 100_000_000),
        ("Revenue (in billions)", 1_000_000_000),
        ("Amount ($bn)", 1_000_000_000),
        ("Amount", 1),
        ("金額（円）", 1),
        ("Amount (USD)", 1),
        ("Market", 1),
        ("Kickoff date", 1),
        ("千葉支店 金額", 1),
        ("万一の金額", 1),
    ],
)
def test_amount_scale_from_header(header, scale):
    result = amount_scale_from_header(header)
    assert type(result) is float
    assert result == scale
