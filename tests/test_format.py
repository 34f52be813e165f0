"""ui/format.py and ui/export.py: numbers, money, dates, periods and safe CSV, against hand-written expectations."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from ui.export import csv_bytes, neutralise_cell, safe_frame
from ui.format import (
    COUNT_FORMAT,
    DATE_FORMAT,
    NUMBER_FORMAT,
    escape_markdown,
    fmt_cell,
    fmt_date,
    fmt_days,
    fmt_fiscal_year,
    fmt_int,
    fmt_month,
    fmt_number,
    fmt_pct,
    fmt_period,
    fmt_points,
    fmt_quarter,
    fmt_value,
    fmt_week,
    fmt_yen,
    fmt_yen_compact,
)


@pytest.mark.parametrize("value", [None, math.nan])
def test_missing_values_are_a_dash_never_zero(value):
    for text in (
        fmt_int(value),
        fmt_yen(value),
        fmt_yen_compact(value, "ja"),
        fmt_yen_compact(value, "en"),
        fmt_pct(value),
        fmt_days(value, "en"),
        fmt_number(value),
        fmt_points(value),
        fmt_value(value, "currency", "ja", compact=True),
    ):
        assert text == "—"


def test_counts_and_plain_numbers():
    assert fmt_int(1234567) == "1,234,567"
    assert fmt_int(0) == "0"
    assert fmt_int(12.6) == "13"
    assert fmt_number(57.5) == "57.5"
    assert fmt_number(56.0) == "56"
    assert fmt_number(1234.25, digits=2) == "1,234.25"


def test_exact_yen():
    assert fmt_yen(1234567) == "¥1,234,567"
    assert fmt_yen(357330000.0) == "¥357,330,000"
    assert fmt_yen(0) == "¥0"
    assert fmt_yen(-1234) == "-¥1,234"
    assert fmt_yen(999.6) == "¥1,000"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (9_999, "¥9,999"),
        (10_000, "1.0万円"),
        (1_235_000, "123.5万円"),
        (1_099_476.92, "109.9万円"),
        (9_999_000, "999.9万円"),
        (9_999_600, "1,000万円"),  # rounds past 999.9万: whole 万 from there
        (30_330_000, "3,033万円"),
        (99_994_000, "9,999万円"),
        (99_996_000, "1.0億円"),  # would round to 10,000万
        (120_000_000, "1.2億円"),
        (357_330_000, "3.6億円"),
        (9_940_000_000, "99.4億円"),
        (15_000_000_000, "150億円"),
        (-1_235_000, "-123.5万円"),
    ],
)
def test_compact_yen_in_japanese_uses_man_and_oku(value, expected):
    assert fmt_yen_compact(value, "ja") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (999, "¥999"),
        (1_000, "¥1.0K"),
        (376_804.12, "¥376.8K"),
        (999_950, "¥1.0M"),  # not ¥1000.0K
        (1_200_000, "¥1.2M"),
        (357_330_000, "¥357.3M"),
        (3_400_000_000, "¥3.4B"),
        (-1_200_000, "-¥1.2M"),
    ],
)
def test_compact_yen_in_english_uses_k_m_b(value, expected):
    assert fmt_yen_compact(value, "en") == expected


def test_percentages_have_one_decimal():
    assert fmt_pct(0.41421568) == "41.4%"
    assert fmt_pct(1) == "100.0%"
    assert fmt_pct(0) == "0.0%"
    assert fmt_pct(0.0004) == "0.0%"
    assert fmt_pct(2.5) == "250.0%"
    assert fmt_points(0.025, "ja") == "+2.5pt"
    assert fmt_points(-0.01, "en") == "-1.0 pt"


def test_days():
    assert fmt_days(57.5, "ja") == "57.5日"
    assert fmt_days(56, "en") == "56 days"
    assert fmt_days(1, "en") == "1 day"


def test_months_and_dates():
    assert fmt_month(dt.date(2025, 4, 1), "ja") == "2025年4月"
    assert fmt_month("2025-04", "en") == "Apr 2025"
    assert fmt_month("2024-12-01", "ja") == "2024年12月"
    assert fmt_month(dt.datetime(2026, 1, 31, 10, 0), "en") == "Jan 2026"
    assert fmt_date(dt.date(2026, 11, 24), "ja") == "2026年11月24日"
    assert fmt_date("2026-11-24", "en") == "Nov 24, 2026"
    assert fmt_date(None) == "—"


def test_fiscal_years_quarters_and_weeks():
    assert fmt_fiscal_year(2025) == "FY2025"
    assert fmt_fiscal_year("2024", "en") == "FY2024"
    assert fmt_quarter("2025-Q2") == "FY2025 Q2"
    assert fmt_week("2025-W07", "ja") == "2025年 第7週"
    assert fmt_week("2025-W07", "en") == "W7 2025"


def test_period_keys_of_the_engine():
    assert fmt_period("2025-04", "month", "ja") == "2025年4月"
    assert fmt_period("2025-04", "month", "en") == "Apr 2025"
    assert fmt_period("2025-W14", "week", "en") == "W14 2025"
    assert fmt_period("2025-Q4", "quarter", "ja") == "FY2025 Q4"
    assert fmt_period("2025", "year", "en") == "FY2025"
    assert fmt_period(None, "month") == "—"
    with pytest.raises(ValueError):
        fmt_period("2025", "decade")


def test_value_by_metric_unit():
    assert fmt_value(325, "count", "ja") == "325"
    assert fmt_value(357330000.0, "currency", "ja") == "¥357,330,000"
    assert fmt_value(357330000.0, "currency", "ja", compact=True) == "3.6億円"
    assert fmt_value(0.2227, "ratio", "en") == "22.3%"
    assert fmt_value(56.0, "days", "ja") == "56日"


def test_a_source_cell_as_the_data_page_shows_it():
    assert fmt_cell(1564) == "1,564"
    assert fmt_cell(np.int64(2_020_000)) == "2,020,000"
    assert fmt_cell(2_020_000.0) == "2,020,000"  # a whole-number column with gaps comes back as floats
    assert fmt_cell(1234.5) == "1,234.5"
    assert fmt_cell(0.4142) == "0.4142"
    assert fmt_cell(100001, plain=True) == "100001"  # an id keeps its digits as typed
    assert fmt_cell(pd.Timestamp("2025-04-01")) == "2025-04-01"  # a date read as a timestamp: no 00:00:00
    assert fmt_cell(dt.datetime(2025, 4, 1)) == "2025-04-01"
    assert fmt_cell(pd.Timestamp("2025-04-01 10:30")) == "2025-04-01 10:30:00"  # a real time stays
    assert fmt_cell(dt.date(2025, 4, 1)) == "2025-04-01"
    assert fmt_cell(True) == "True"
    assert fmt_cell("¥1,200,000") == "¥1,200,000"
    assert fmt_cell(None) == "—"


def test_table_column_formats_match_the_texts():
    """st.column_config formats: the same separators as fmt_int whatever the browser's locale ("localized" follows
    the browser: 1.234 in German), and dates without a time."""
    assert COUNT_FORMAT == "%,d" and NUMBER_FORMAT == "%,f"
    assert DATE_FORMAT == "YYYY-MM-DD"


def test_escape_markdown_makes_user_text_inert():
    assert escape_markdown("sales_deals.csv") == r"sales\_deals\.csv"
    assert escape_markdown("[x](javascript:alert(1))") == r"\[x\]\(javascript\:alert\(1\)\)"
    assert escape_markdown(":red[alert] **bold** $x$") == r"\:red\[alert\] \*\*bold\*\* \$x\$"
    assert escape_markdown("a\nb") == "a b"
    assert escape_markdown("営業案件") == "営業案件"


# ------------------------------------------------------------------------------------------------ export
@pytest.mark.parametrize("text", ["=1+1", "+81 3", "-2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_formula_like_text_gets_an_apostrophe(text):
    assert neutralise_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["佐藤 健", "a=b", "", 12, -3.5, None])
def test_other_values_pass_unchanged(value):
    assert neutralise_cell(value) == value


def test_csv_has_a_bom_and_neutralised_cells_but_keeps_numbers():
    frame = pd.DataFrame({"=name": ["=cmd|' /C calc'!A0", "佐藤"], "amount": [-100, 2500]})
    data = csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines() == ["'=name,amount", "'=cmd|' /C calc'!A0,-100", "佐藤,2500"]


def test_safe_frame_does_not_touch_the_original():
    frame = pd.DataFrame({"x": pd.Series(["+1", None], dtype="string")})
    out = safe_frame(frame)
    assert out["x"].tolist()[0] == "'+1"
    assert pd.isna(out["x"].tolist()[1])
    assert frame["x"].tolist()[0] == "+1"


def test_figure_text_width_counts_cjk_as_one_em_and_the_rest_as_about_half():
    from ui.show import LONG_VALUE_EM, RANGE_VALUE_EM, value_width_em

    assert value_width_em("29.2%") == pytest.approx(5 * 0.55)
    assert value_width_em("8,824万円") == pytest.approx(5 * 0.55 + 2)  # long: scaled with its card
    assert value_width_em("1.35億円") < LONG_VALUE_EM < value_width_em("8,824万円") < RANGE_VALUE_EM
    assert value_width_em("7,995–9,005万円") > RANGE_VALUE_EM  # a range: the smaller scale


# ------------------------------------------------------------------------------------------------ currencies
@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        (1234567, "USD", "$1,234,567"),
        (-1234, "USD", "-$1,234"),
        (999.6, "EUR", "€1,000"),
        (0, "GBP", "£0"),
        (1234567, "CNY", "CN¥1,234,567"),
        (1234567, "JPY", "¥1,234,567"),
        (1200, "CHF", "CHF 1,200"),  # a code without a symbol here is written out
        (1200, "usd", "$1,200"),
    ],
)
def test_exact_money_in_the_data_currency(value, currency, expected):
    assert fmt_yen(value, "ja", currency) == expected
    assert fmt_yen(value, "en", currency) == expected


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        (999, "USD", "$999"),
        (850_000, "EUR", "€850.0K"),
        (1_234_567, "USD", "$1.2M"),
        (-1_234_567, "USD", "-$1.2M"),
        (999_960, "USD", "$1.0M"),  # would round to 1,000.0K
        (3_400_000_000, "GBP", "£3.4B"),
        (12_500, "CNY", "CN¥12.5K"),
    ],
)
def test_compact_money_in_other_currencies_uses_k_m_b_in_both_languages(value, currency, expected):
    assert fmt_yen_compact(value, "ja", currency) == expected  # never 万 / 億 for a currency that is not yen
    assert fmt_yen_compact(value, "en", currency) == expected


def test_yen_stays_as_it_was_when_named():
    assert fmt_yen_compact(1_235_000, "ja", "JPY") == "123.5万円"
    assert fmt_yen_compact(120_000_000, "ja", "JPY") == "1.2億円"
    assert fmt_yen_compact(1_234_567, "en", "JPY") == "¥1.2M"


def test_value_by_metric_unit_in_a_currency():
    assert fmt_value(1_234_567, "currency", "ja", currency="USD") == "$1,234,567"
    assert fmt_value(1_234_567, "currency", "ja", compact=True, currency="USD") == "$1.2M"
    assert fmt_value(None, "currency", "en", compact=True, currency="EUR") == "—"


def test_outside_a_streamlit_run_money_is_yen():
    from ui.format import current_currency

    assert current_currency() == "JPY"
    assert fmt_yen(1234567) == "¥1,234,567"
    assert fmt_yen_compact(1_235_000, "ja") == "123.5万円"
