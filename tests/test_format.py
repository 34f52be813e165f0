"""kpi_core/format.py (through ui/format.py) and ui/export.py: numbers, money, dates, periods and safe CSV, against
hand-written expectations."""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd
import pytest

from kpi_core import format as core
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
        (10_000, "1万円"),  # no trailing .0
        (1_235_000, "123.5万円"),
        (1_099_476.92, "109.9万円"),
        (9_999_000, "999.9万円"),
        (9_999_600, "1,000万円"),  # rounds past 999.9万: whole 万 from there
        (30_330_000, "3,033万円"),
        (99_994_000, "9,999万円"),
        (99_996_000, "1億円"),  # would round to 10,000万
        (120_000_000, "1.2億円"),
        (357_330_000, "3.57億円"),  # 億 with three significant digits
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
        (1_000, "¥1K"),
        (376_804.12, "¥377K"),  # three significant digits
        (999_950, "¥1M"),  # not ¥1,000K
        (1_200_000, "¥1.2M"),
        (357_330_000, "¥357M"),
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
    assert fmt_value(357330000.0, "currency", "ja", compact=True) == "3.57億円"
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
        (850_000, "EUR", "€850K"),
        (1_234_567, "USD", "$1.23M"),
        (-1_234_567, "USD", "-$1.23M"),
        (999_960, "USD", "$1M"),  # would round to 1,000K
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
    assert fmt_yen_compact(1_234_567, "en", "JPY") == "¥1.23M"


def test_value_by_metric_unit_in_a_currency():
    assert fmt_value(1_234_567, "currency", "ja", currency="USD") == "$1,234,567"
    assert fmt_value(1_234_567, "currency", "ja", compact=True, currency="USD") == "$1.23M"
    assert fmt_value(None, "currency", "en", compact=True, currency="EUR") == "—"


def test_outside_a_streamlit_run_money_is_yen():
    from ui.format import current_currency

    assert current_currency() == "JPY"
    assert fmt_yen(1234567) == "¥1,234,567"
    assert fmt_yen_compact(1_235_000, "ja") == "123.5万円"


# ------------------------------------------------------------------------------------------------ one number style
# Issue 11 (7): one compact money rule, whole counts, one rounding per kind; expectations written by hand.
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12_850_000, "1,285万円"),
        (8_500_000, "850万円"),  # never 850.0万円
        (1_285_000, "128.5万円"),
        (136_000_000, "1.36億円"),
        (130_000_000, "1.3億円"),  # never 1.30億円
        (144_000_000, "1.44億円"),  # the sales goal: the same text on every page
        (128_500_000, "1.29億円"),  # 1.285 half up
        (1_234_500_000, "12.3億円"),
        (99_994_000, "9,999万円"),
        (-8_500_000, "-850万円"),
    ],
)
def test_one_compact_yen_rule_in_japanese(value, expected):
    assert core.fmt_money_compact(value, "ja", "JPY") == expected
    assert fmt_yen_compact(value, "ja") == expected  # the UI's name for the same rule


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12_850_000, "¥12.9M"),  # 12.85 half up (the float 12.85 is just below it)
        (8_500_000, "¥8.5M"),
        (1_285_000, "¥1.29M"),
        (136_000_000, "¥136M"),
        (144_000_000, "¥144M"),
        (12_000_000, "¥12M"),  # never ¥12.0M
        (850_000, "¥850K"),
    ],
)
def test_one_compact_yen_rule_in_english(value, expected):
    assert core.fmt_money_compact(value, "en", "JPY") == expected


def test_no_compact_figure_ends_in_a_zero_decimal():
    for value in (10_000, 100_000, 8_500_000, 10_000_000, 100_000_000, 1_000_000_000, 1_000, 1_000_000, 120_000_000):
        for lang in ("ja", "en"):
            text = core.fmt_money_compact(value, lang, "JPY")
            assert not re.search(r"\.\d*0(?:万|億|K|M|B)", text), text


def test_the_same_number_formatted_twice_gives_the_same_text():
    value = 12_345_678.9
    assert core.fmt_money_compact(value, "ja", "JPY") == core.fmt_money_compact(value, "ja", "JPY") == "1,235万円"
    assert fmt_yen_compact(np.float64(value), "ja") == fmt_yen_compact(value, "ja")
    assert core.fmt_money(value, "ja", "JPY") == "¥12,345,679"


@pytest.mark.parametrize(
    ("value", "required", "expected"),
    [
        (53.4, False, "53"),  # an expected or forecast number of deals: to the nearest
        (53.4, True, "54"),  # a number needed: 53.4 deals means winning 54
        (39.5, False, "40"),  # half up, never half to even
        (39.5, True, "40"),
        (23.7, True, "24"),
        (50.0, True, "50"),
        (2.5, False, "3"),
        (1234.2, False, "1,234"),
        (None, True, "—"),
    ],
)
def test_counts_are_whole_numbers(value, required, expected):
    assert core.fmt_count(value, "ja", required=required) == expected
    assert fmt_value(value, "count", "ja", required=required) == expected


def test_rounding_is_half_up_on_the_decimal_value():
    assert fmt_int(2.5) == "3" and fmt_int(3.5) == "4"  # round() would give 2 and 4
    assert fmt_pct(0.1125) == "11.3%"  # 11.25% half up, although the float 0.1125 * 100 is 11.249999…
    assert fmt_number(0.05, digits=1) == "0.1"
    assert core.round_half_up(12.85, 1) == core.round_half_up(12.85, 1)


def test_signed_differences_by_unit():
    assert core.fmt_signed(8.3, "count", "ja") == "+8"
    assert core.fmt_signed(-7.6, "count", "ja") == "-8"
    # a count's gap is the difference of what is shown: 32 against a target of 23.2 (shown 24) is +8, not +9
    assert core.fmt_signed(32 - 23.2, "count", "ja", actual=32, target=23.2) == "+8"
    assert core.fmt_signed(67.6 - 50, "count", "en", actual=67.6, target=50) == "+18"  # 68 − 50
    assert core.fmt_signed(0.2, "count", "ja") == "±0"
    assert core.fmt_signed(-0.076, "ratio", "ja") == "-7.6pt"
    assert core.fmt_signed(-0.076, "ratio", "en") == "-7.6 pt"
    assert core.fmt_signed(135_000, "currency", "ja", currency="JPY") == "+13.5万円"
    assert core.fmt_signed(-6_404_918, "currency", "ja", currency="JPY") == "-640.5万円"
    assert core.fmt_signed(-327_100, "currency", "en", currency="JPY") == "-¥327K"
    assert core.fmt_signed(0.3, "currency", "ja", currency="JPY") == "±¥0"
    assert core.fmt_change(0.25) == "+25.0%"
    assert core.fmt_change(-0.03) == "-3.0%"
    assert core.fmt_change(0.0) == "±0.0%"


def test_percentages_keep_one_decimal_and_no_space():
    for ratio, text in ((0.312, "31.2%"), (0.25, "25.0%"), (1, "100.0%"), (0.0004, "0.0%")):
        assert core.fmt_pct(ratio, "ja") == core.fmt_pct(ratio, "en") == text


def test_goal_figures_use_the_one_rule():
    from ui.goals.format import fmt_gap, fmt_goal

    assert fmt_goal(23.7, "count", "ja") == "24"
    assert fmt_goal(23.2, "count", "ja") == "23"
    assert fmt_goal(23.2, "count", "ja", required=True) == "24"
    assert fmt_goal(23.7, "count", "ja", exact=True) == "23.7"  # a tooltip keeps the decimal
    assert fmt_goal(8_500_000, "currency", "ja", compact=True) == "850万円"
    assert fmt_goal(8_500_000, "currency", "ja") == "¥8,500,000"
    assert fmt_goal(8_500_000, "currency", "ja", compact=True, exact=True) == "¥8,500,000"
    assert fmt_goal(144_000_000, "currency", "en", compact=True) == "¥144M"
    assert fmt_gap(8.3, "count", "ja", actual=32, target=23.7) == "+8"


def test_money_axis_labels_follow_the_compact_words():
    assert "',.2~f') + '億'" in core.money_axis_expr("ja", "JPY")
    assert "'k', 'K'" in core.money_axis_expr("en", "USD") and core.money_axis_expr("en", "USD").startswith("'$'")


def test_kpi_core_format_stays_outside_streamlit():
    import ast
    from pathlib import Path

    tree = ast.parse((Path(core.__file__)).read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not any(name.startswith(("streamlit", "ui")) for name in names)
