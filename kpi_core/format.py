"""Numbers, money (万 / 億), percentages and dates: one formatter per kind, in ja and en, for the CLI and the UI.

One rule per kind, so the same figure reads the same wherever it appears:

==================  ========================================  ==============================================
kind                rule                                      examples
==================  ========================================  ==============================================
money, exact        symbol, whole units, separators           ¥1,285,000 · -$1,234 · CHF 1,200
money, compact ja   yen: below 1万 exact; 1 decimal below     ¥9,999 · 1万円 · 850万円 · 128.5万円 ·
(JPY)               1,000万; whole 万 from 1,000万; 億 with   1,285万円 · 1.36億円 · 1.3億円 · 99.4億円 ·
                    3 significant digits (2 decimals below    150億円
                    10億, 1 below 100億, then whole)
money, compact      K / M / B with 3 significant digits       ¥999 · ¥1K · ¥12.9M · $1.23M · €850K · ¥144M
(en, other codes)   (same steps as 億)
counts              whole numbers with separators; a          1,234 · 53.4 → 53 · required 53.4 → 54
                    requirement (a target, a number needed)
                    rounded up, anything else to the nearest
count gaps          the shown actual minus the shown          32 vs 23.7 → +8 (32 − 24) ·
                    (rounded-up) target                       67.6 vs 50 → +18
percentages         one decimal, always (no space)            41.4% · 100.0% · 0.0%
percentage points   signed, one decimal                       +2.5pt (ja) · -1.0 pt (en)
signed changes      signed percentage, one decimal            +17.7% · -3.0%
days                at most one decimal                       57.5日 · 56 days · 1 day
dates               ja / en                                   2025年4月1日 · Apr 1, 2025 · 2025年4月 · Apr 2025
==================  ========================================  ==============================================

Every rounding is half up on the decimal value (12.85 → 12.9, 0.5 → 1), never the binary float's half-to-even, and
no compact figure ends in a trailing zero after its point ("850万円", never "850.0万円"). A value that rounds up into
the next unit is written in that unit (9,999,600 → 1,000万円, 99,996,000 → 1億円, 999,950 → ¥1M).
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any

MISSING = "—"
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MAN, OKU = 10_000, 100_000_000
DEFAULT_CURRENCY = "JPY"
CURRENCY_SYMBOLS: dict[str, str] = {"JPY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "CNY": "CN¥"}

# Compact money: (unit, suffix) from the largest; the suffix is the word after the figure.
_YEN_WORDS = ((OKU, "億円"), (MAN, "万円"))
_LATIN_WORDS = ((10**9, "B"), (10**6, "M"), (10**3, "K"))


def is_missing(value: Any) -> bool:
    """None, NaN or an infinity: shown as a dash, never as 0."""
    if value is None:
        return True
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _decimal(value: float | int | Decimal) -> Decimal:
    # The shortest decimal that reads back as the float (12.85, not 12.8499999…): what a reader would round.
    if isinstance(value, Decimal):
        return value
    if isinstance(value, numbers.Integral):
        return Decimal(int(value))
    return Decimal(repr(float(value)))


def round_half_up(value: float | int | Decimal, digits: int = 0) -> Decimal:
    """The value rounded half up to `digits` decimals: 12.85 → 12.9, 2.5 → 3, -2.5 → -3."""
    return _decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def _digits_text(number: Decimal, digits: int, *, trim: bool) -> str:
    text = f"{number:,.{digits}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _whole(value: float | Decimal, rounding: str = ROUND_HALF_UP) -> int:
    return int(_decimal(value).quantize(Decimal(1), rounding=rounding))


# ------------------------------------------------------------------------------------------------ plain numbers
def fmt_int(value: float | None, lang: str = "ja") -> str:
    """A count to the nearest whole number, half up: 1,234 / 12.6 → 13; None → —."""
    if value is None or is_missing(value):
        return MISSING
    return f"{_whole(value):,}"


def fmt_count(value: float | None, lang: str = "ja", *, required: bool = False) -> str:
    """A number of deals, leads…: always whole. A requirement (a target, the number needed) is rounded up, since
    53.4 needed deals means 54 to win; anything else (an actual, a forecast, an average) to the nearest."""
    if value is None or is_missing(value):
        return MISSING
    return f"{_whole(value, ROUND_CEILING if required else ROUND_HALF_UP):,}"


def fmt_number(value: float | None, lang: str = "ja", digits: int = 1) -> str:
    """A plain number with thousands separators and at most `digits` decimals, trailing zeros dropped."""
    if value is None or is_missing(value):
        return MISSING
    return _digits_text(round_half_up(value, digits), digits, trim=True)


def fmt_cell(value: Any, *, plain: bool = False) -> str:
    """One cell of a source file as shown: numbers with thousands separators (`plain`: digits as typed, for ids
    and codes), a timestamp at midnight as its date alone, a real time kept, text as it is."""
    if value is None:
        return MISSING
    if isinstance(value, dt.datetime):  # also a pandas Timestamp; NaT is not equal to itself
        if value != value:
            return MISSING
        return value.date().isoformat() if value.time() == dt.time() else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or plain:
        return str(value)
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    number = float(value)
    if math.isnan(number):
        return MISSING
    return f"{_whole(number):,}" if number.is_integer() else fmt_number(number, digits=6)


# ------------------------------------------------------------------------------------------------ money
def normalise_currency(code: object) -> str | None:
    """ "usd" → "USD"; None / "" / anything that is not a 3-letter code → None."""
    text = str(code or "").strip().upper()
    return text if re.fullmatch(r"[A-Z]{3}", text) else None


def currency_symbol(currency: str | None = None) -> str:
    """¥ / $ / € / £ / CN¥; another code is written out before the figure ("CHF 1,200"); JPY when unknown."""
    code = normalise_currency(currency) or DEFAULT_CURRENCY
    return CURRENCY_SYMBOLS.get(code, f"{code} ")


def fmt_money(value: float | Decimal | None, lang: str = "ja", currency: str | None = None) -> str:
    """The exact amount, whole units: ¥1,234,567 / $1,234,567 (negative: -¥1,234)."""
    if value is None or is_missing(value):
        return MISSING
    symbol = currency_symbol(currency)
    amount = _whole(value)
    return f"-{symbol}{-amount:,}" if amount < 0 else f"{symbol}{amount:,}"


def _three_digits(scaled: Decimal) -> int:
    """Decimals that keep three significant digits of a scaled amount: 1.36, 12.9, 144."""
    return 2 if scaled < 10 else 1 if scaled < 100 else 0


def fmt_money_compact(value: float | None, lang: str = "ja", currency: str | None = None) -> str:
    """A short amount. Yen in Japanese: 128.5万円 / 850万円 / 1,285万円 / 1.36億円 / 150億円; otherwise K / M / B
    with three significant digits: ¥12.9M / $1.23M / €850K (never 万 / 億 for a currency that is not yen).
    Below 1万 (yen in Japanese) or 1,000 (otherwise) the exact amount."""
    if value is None or is_missing(value):
        return MISSING
    code = normalise_currency(currency) or DEFAULT_CURRENCY
    size = abs(_decimal(value))
    sign = "-" if _decimal(value) < 0 and round_half_up(size) > 0 else ""
    if lang == "ja" and code == "JPY":
        oku = size / OKU
        if round_half_up(size / MAN, 0) >= MAN:  # 億: 3 significant digits
            digits = _three_digits(round_half_up(oku, _three_digits(oku)))
            return f"{sign}{_digits_text(round_half_up(oku, digits), digits, trim=True)}億円"
        man = size / MAN
        if round_half_up(size) < MAN:
            return sign + fmt_money(size, lang, code)
        if round_half_up(man, 1) >= 1000:  # whole 万 from 1,000万
            return f"{sign}{_digits_text(round_half_up(man, 0), 0, trim=True)}万円"
        return f"{sign}{_digits_text(round_half_up(man, 1), 1, trim=True)}万円"
    if round_half_up(size) < 1000:
        return sign + fmt_money(size, lang, code)
    symbol = currency_symbol(code)
    for unit, suffix in _LATIN_WORDS:  # 999,950 → 1.00M rounds within M, never 1,000K
        scaled = size / unit
        digits = _three_digits(round_half_up(scaled, _three_digits(scaled)))
        shown = round_half_up(scaled, digits)
        if shown >= 1 or suffix == "K":
            return f"{sign}{symbol}{_digits_text(shown, digits, trim=True)}{suffix}"
    raise AssertionError("unreachable")


# ------------------------------------------------------------------------------------------------ ratios, deltas
def fmt_pct(ratio: float | None, lang: str = "ja", digits: int = 1) -> str:
    """A ratio as a percentage with one decimal, kept even when zero, no space: 0.4142 → 41.4%, 1 → 100.0%."""
    if ratio is None or is_missing(ratio):
        return MISSING
    return _digits_text(round_half_up(_decimal(ratio) * 100, digits), digits, trim=False) + "%"


def fmt_change(change: float | None, lang: str = "ja") -> str:
    """A relative change, signed, one decimal: +17.7% / -3.0% / ±0.0%."""
    if change is None or is_missing(change):
        return MISSING
    number = round_half_up(_decimal(change) * 100, 1)
    sign = "+" if number > 0 else "-" if number < 0 else "±"
    return f"{sign}{_digits_text(abs(number), 1, trim=False)}%"


def fmt_points(delta: float | None, lang: str = "ja") -> str:
    """A difference of two ratios in percentage points: +2.5pt / -1.0 pt."""
    if delta is None or is_missing(delta):
        return MISSING
    number = round_half_up(_decimal(delta) * 100, 1)
    text = ("+" if number >= 0 else "-") + _digits_text(abs(number), 1, trim=False)
    return f"{text}pt" if lang == "ja" else f"{text} pt"


def fmt_days(value: float | None, lang: str = "ja") -> str:
    """57.5日 / 57.5 days (1 day)."""
    if value is None or is_missing(value):
        return MISSING
    number = fmt_number(value)
    if lang == "ja":
        return f"{number}日"
    return f"{number} day" if number == "1" else f"{number} days"


def fmt_value(
    value: Any,
    unit: str,
    lang: str = "ja",
    *,
    compact: bool = False,
    currency: str | None = None,
    required: bool = False,
) -> str:
    """Format by a metrics.yaml unit: count (whole; rounded up when `required`), currency (compact or exact),
    ratio, days; anything else as it is."""
    if unit == "count":
        return fmt_count(value, lang, required=required)
    if unit == "currency":
        return fmt_money_compact(value, lang, currency) if compact else fmt_money(value, lang, currency)
    if unit == "ratio":
        return fmt_pct(value, lang)
    if unit == "days":
        return fmt_days(value, lang)
    return MISSING if is_missing(value) else str(value)


def fmt_signed(
    value: float | None,
    unit: str,
    lang: str = "ja",
    *,
    currency: str | None = None,
    actual: float | None = None,
    target: float | None = None,
) -> str:
    """A signed difference by unit: +8 / -7.6pt / +13.5万円 / ±0 (money compact, ratios in points, other numbers
    with at most one decimal). A count's gap is whole: given the `actual` and the `target` it was taken from, the
    difference of the two as shown (the actual to the nearest, the target rounded up: 32 − 23.7 → +8, 32 − 23.2 →
    +8, as 32 / 24 reads), otherwise the gap to the nearest."""
    if value is None or is_missing(value):
        return MISSING
    if unit == "ratio":
        return fmt_points(value, lang)
    if unit == "count":
        if actual is None or target is None or is_missing(actual) or is_missing(target):
            whole = _whole(value)
        else:
            whole = _whole(actual) - _whole(target, ROUND_CEILING)
        return f"+{whole:,}" if whole > 0 else f"-{-whole:,}" if whole < 0 else "±0"
    size = abs(float(value))
    if unit == "currency":
        text, shown = fmt_money_compact(size, lang, currency), round_half_up(size)
    else:
        text = fmt_days(size, lang) if unit == "days" else fmt_number(size, lang, 1)
        shown = round_half_up(size, 1)
    return ("±" if shown == 0 else "+" if float(value) > 0 else "-") + text


# ------------------------------------------------------------------------------------------------ dates, periods
def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        text += "-01"
    return dt.date.fromisoformat(text[:10])


def fmt_date(value: dt.date | str | None, lang: str = "ja") -> str:
    """2025年4月1日 / Apr 1, 2025."""
    if value is None or value == "":
        return MISSING
    day = _as_date(value)
    if lang == "ja":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{MONTHS_EN[day.month - 1]} {day.day}, {day.year}"


def fmt_month(value: dt.date | str | None, lang: str = "ja") -> str:
    """2025年4月 / Apr 2025 (from a date or a "2025-04" key)."""
    if value is None or value == "":
        return MISSING
    day = _as_date(value)
    if lang == "ja":
        return f"{day.year}年{day.month}月"
    return f"{MONTHS_EN[day.month - 1]} {day.year}"


def fmt_fiscal_year(year: int | str | None, lang: str = "ja") -> str:
    """FY2025 (a fiscal year is named after the calendar year it starts in)."""
    if year is None or year == "":
        return MISSING
    return f"FY{int(year)}"


def fmt_quarter(key: str | None, lang: str = "ja") -> str:
    """A fiscal quarter key "2025-Q2" → FY2025 Q2."""
    if not key:
        return MISSING
    year, quarter = str(key).split("-Q")
    return f"FY{int(year)} Q{int(quarter)}"


def fmt_week(key: str | None, lang: str = "ja") -> str:
    """An ISO week key "2025-W07" → 2025年 第7週 / W7 2025."""
    if not key:
        return MISSING
    year, week = str(key).split("-W")
    if lang == "ja":
        return f"{int(year)}年 第{int(week)}週"
    return f"W{int(week)} {int(year)}"


def fmt_period(key: str | None, period: str, lang: str = "ja") -> str:
    """The label of an engine period key (month "2025-04", week "2025-W07", quarter "2025-Q2", year "2025")."""
    if not key:
        return MISSING
    if period == "month":
        return fmt_month(key, lang)
    if period == "week":
        return fmt_week(key, lang)
    if period == "quarter":
        return fmt_quarter(key, lang)
    if period == "year":
        return fmt_fiscal_year(key, lang)
    raise ValueError(f"unknown period {period!r}")


# ------------------------------------------------------------------------------------------------ chart axes
def money_axis_expr(lang: str, currency: str | None = None) -> str:
    """A Vega label expression for money axes, in the compact words of fmt_money_compact without the trailing
    zeros: 1.5億 / 350万 for yen in Japanese, ¥1.2M / $850K otherwise (tick values are round; tooltips exact)."""
    code = normalise_currency(currency) or DEFAULT_CURRENCY
    if lang == "ja" and code == "JPY":
        return (
            "abs(datum.value) >= 1e8 ? format(datum.value / 1e8, ',.2~f') + '億' : "
            "abs(datum.value) >= 1e4 ? format(datum.value / 1e4, ',.1~f') + '万' : format(datum.value, ',')"
        )
    symbol = currency_symbol(code).replace("'", "")
    return f"'{symbol}' + replace(replace(format(datum.value, '.3~s'), 'G', 'B'), 'k', 'K')"
