"""Numbers, money, dates and periods formatted the way a Japanese or an English reader expects them."""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
import sys
from typing import Any

MISSING = "—"
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MAN, OKU = 10_000, 100_000_000

# Money is shown in the currency the data's figures are in (Dataset.currency, or the user's choice on the Data
# page), remembered for the session under this key as the language is; JPY when unknown or outside a run.
CURRENCY_STATE_KEY = "v_currency"
DEFAULT_CURRENCY = "JPY"
CURRENCIES: tuple[str, ...] = ("JPY", "USD", "EUR", "GBP", "CNY")  # the Data page's choices
CURRENCY_SYMBOLS: dict[str, str] = {"JPY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "CNY": "CN¥"}

# Formats for st.column_config, so numbers in a table read as they do in text and stay sortable numbers. Fixed
# separators like fmt_int ("localized" would follow the browser's locale: 1.234 in German, 1,00,000 in India).
COUNT_FORMAT = "%,d"  # 1,234
NUMBER_FORMAT = "%,f"  # 1,234.5: every decimal the value has (source data, shown as read)
DATE_FORMAT = "YYYY-MM-DD"  # a date stored as a timestamp at midnight, without its 00:00:00


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_int(value: float | None, lang: str = "ja") -> str:
    """1,234 (a count); None → —."""
    if _missing(value):
        return MISSING
    return f"{round(float(value)):,}"


def fmt_cell(value: Any, *, plain: bool = False) -> str:
    """One cell of a source file as the Data page shows it: numbers with thousands separators (`plain`: digits as
    typed, for ids and codes), a timestamp at midnight as its date alone, a real time kept, text as it is."""
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
    return f"{round(number):,}" if number.is_integer() else fmt_number(number, digits=6)


def fmt_number(value: float | None, lang: str = "ja", digits: int = 1) -> str:
    """A plain number with thousands separators and `digits` decimals, trailing .0 dropped."""
    if _missing(value):
        return MISSING
    text = f"{float(value):,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def current_currency() -> str:
    """The currency of this session's figures ("JPY", "USD"…), set when the data is loaded; JPY by default."""
    st = sys.modules.get("streamlit")  # never imported here: outside the app there is no session to read
    if st is None:
        return DEFAULT_CURRENCY
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        if get_script_run_ctx(suppress_warning=True) is None:
            return DEFAULT_CURRENCY
        code = st.session_state.get(CURRENCY_STATE_KEY)
    except Exception:  # a bare run without a session
        return DEFAULT_CURRENCY
    return normalise_currency(code) or DEFAULT_CURRENCY


def normalise_currency(code: object) -> str | None:
    """ "usd" → "USD"; None / "" / anything that is not a 3-letter code → None."""
    text = str(code or "").strip().upper()
    return text if re.fullmatch(r"[A-Z]{3}", text) else None


def currency_symbol(currency: str | None = None) -> str:
    """¥ / $ / € / £ / CN¥; another code is written out before the figure ("CHF 1,200")."""
    code = normalise_currency(currency) or current_currency()
    return CURRENCY_SYMBOLS.get(code, f"{code} ")


def fmt_yen(value: float | None, lang: str = "ja", currency: str | None = None) -> str:
    """The exact amount in the session's currency: ¥1,234,567 / $1,234,567 (negative: -¥1,234)."""
    if _missing(value):
        return MISSING
    symbol = currency_symbol(currency)
    amount = round(float(value))
    return f"-{symbol}{-amount:,}" if amount < 0 else f"{symbol}{amount:,}"


def fmt_yen_compact(value: float | None, lang: str = "ja", currency: str | None = None) -> str:
    """A short amount: 123.5万円 / 3,033万円 / 1.2億円 / 150億円 in Japanese, ¥123.5K / ¥1.2M / ¥3.4B in English;
    other currencies K / M / B in both languages ($1.2M, €850.0K), never 万 / 億.

    Japanese keeps one decimal below 1,000万 and below 100億, as a reader would write it.
    """
    if _missing(value):
        return MISSING
    code = normalise_currency(currency) or current_currency()
    amount = float(value)
    sign, size = ("-" if amount < 0 else ""), abs(amount)
    if lang == "ja" and code == "JPY":
        if size < MAN:
            return sign + fmt_yen(size, lang, code)
        if round(size / MAN, 1) < 1000:
            return f"{sign}{size / MAN:,.1f}万円"
        if round(size / MAN) < MAN:
            return f"{sign}{size / MAN:,.0f}万円"
        if round(size / OKU, 1) < 100:
            return f"{sign}{size / OKU:,.1f}億円"
        return f"{sign}{size / OKU:,.0f}億円"
    if size < 1000:
        return sign + fmt_yen(size, lang, code)
    symbol = currency_symbol(code)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if round(size / limit, 1) >= 1 and (suffix == "B" or round(size / limit, 1) < 1000):
            return f"{sign}{symbol}{size / limit:,.1f}{suffix}"
    return sign + fmt_yen(size, lang, code)


def fmt_pct(ratio: float | None, lang: str = "ja", digits: int = 1) -> str:
    """A ratio as a percentage with one decimal: 0.4142 → 41.4%."""
    if _missing(ratio):
        return MISSING
    return f"{float(ratio) * 100:.{digits}f}%"


def fmt_points(delta: float | None, lang: str = "ja") -> str:
    """A difference of two ratios in percentage points: +2.5pt / -1.0 pt."""
    if _missing(delta):
        return MISSING
    points = float(delta) * 100
    return f"{points:+.1f}pt" if lang == "ja" else f"{points:+.1f} pt"


def fmt_days(value: float | None, lang: str = "ja") -> str:
    """57.5日 / 57.5 days (1 day)."""
    if _missing(value):
        return MISSING
    number = fmt_number(value)
    if lang == "ja":
        return f"{number}日"
    return f"{number} day" if float(value) == 1 else f"{number} days"


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


def fmt_value(value: Any, unit: str, lang: str = "ja", *, compact: bool = False, currency: str | None = None) -> str:
    """Format by a metrics.yaml unit: count, currency (the session's, or `currency`), ratio or days."""
    if unit == "count":
        return fmt_int(value, lang)
    if unit == "currency":
        return fmt_yen_compact(value, lang, currency) if compact else fmt_yen(value, lang, currency)
    if unit == "ratio":
        return fmt_pct(value, lang)
    if unit == "days":
        return fmt_days(value, lang)
    return MISSING if _missing(value) else str(value)


# Every ASCII punctuation character but the slash, backslash-escaped (CommonMark: then a literal character): no
# construct of CommonMark, GFM, math or Streamlit's directives can start from user text. A slash starts nothing
# once `<` is escaped ("Proposal/Price Quote" stays as it is in the Markdown source).
_MARKDOWN_SPECIAL = re.compile(r"([!-.:-@\[-`{-~])")
# Line endings of CommonMark (and Unicode's): a line break in user text must not start a heading, list or table.
_LINE_BREAKS = re.compile(r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
# Streamlit also rewrites text after parsing, where a backslash escape is already gone: it links bare addresses
# (https://…, www.…, name@host), draws :material_icon:, :streamlit: and :emoji: shortcodes, and turns -> <= -- into
# arrows and dashes; before parsing it reads ":material/" as an icon. An invisible word joiner at these places
# breaks each pattern and nothing else.
WORD_JOINER = "\u2060"
_JOIN_AT = re.compile(
    r"(?<=:)(?=//|[\w+-]+[:/])"  # scheme://, :shortcode:, :material/icon:
    r"|(?<=[Ww][Ww][Ww])(?=\.)"  # www.
    r"|(?<=@)"  # name@host
    r"|(?<=[<>~=-])(?=[<>~=-])"  # -> <- <-> <= >= ~= --
)


def escape_markdown(text: object) -> str:
    """User text (file, sheet and column names, cell values, goal names…) made inert for every place Streamlit
    reads Markdown (st.markdown / st.caption / st.info / st.warning / st.error, widget and st.metric labels, help,
    segmented-control options): no images, links or bare-address links, HTML, math, colour directives, icons,
    emoji or emphasis, and no line breaks; the reader sees the characters as typed (a word joiner, which shows as
    nothing, keeps an address or a shortcode from being rewritten)."""
    joined = _JOIN_AT.sub(WORD_JOINER, _LINE_BREAKS.sub(" ", str(text)))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", joined)


def unescape_markdown(text: str) -> str:
    """The text escape_markdown was given (line breaks as spaces): for tests and for comparing what is shown."""
    return re.sub(r"\\(.)", r"\1", text).replace(WORD_JOINER, "")
