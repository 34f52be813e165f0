"""The session's side of formatting (its language and currency); every rule lives in kpi_core/format.py."""

from __future__ import annotations

import re
import sys
from typing import Any

from kpi_core import format as core
from kpi_core.format import (  # noqa: F401  (re-exported: pages import them from here)
    MAN,
    MISSING,
    MONTHS_EN,
    OKU,
    fmt_cell,
    fmt_change,
    fmt_count,
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
    fmt_week,
    normalise_currency,
)

# Money is shown in the currency the data's figures are in (Dataset.currency, or the user's choice on the Data
# page), remembered for the session under this key as the language is; JPY when unknown or outside a run.
CURRENCY_STATE_KEY = "v_currency"
DEFAULT_CURRENCY = core.DEFAULT_CURRENCY
CURRENCIES: tuple[str, ...] = ("JPY", "USD", "EUR", "GBP", "CNY")  # the Data page's choices
CURRENCY_SYMBOLS: dict[str, str] = core.CURRENCY_SYMBOLS

# Formats for st.column_config, so numbers in a table read as they do in text and stay sortable numbers. Fixed
# separators like fmt_int ("localized" would follow the browser's locale: 1.234 in German, 1,00,000 in India).
COUNT_FORMAT = "%,d"  # 1,234
NUMBER_FORMAT = "%,f"  # 1,234.5: every decimal the value has (source data, shown as read)
DATE_FORMAT = "YYYY-MM-DD"  # a date stored as a timestamp at midnight, without its 00:00:00


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


def _currency(currency: str | None) -> str:
    return normalise_currency(currency) or current_currency()


def currency_symbol(currency: str | None = None) -> str:
    """¥ / $ / € / £ / CN¥ of `currency` or the session's; another code is written out ("CHF 1,200")."""
    return core.currency_symbol(_currency(currency))


def fmt_yen(value: float | None, lang: str = "ja", currency: str | None = None) -> str:
    """The exact amount in the session's currency: ¥1,234,567 / $1,234,567 (negative: -¥1,234)."""
    return core.fmt_money(value, lang, _currency(currency))


def fmt_yen_compact(value: float | None, lang: str = "ja", currency: str | None = None) -> str:
    """A short amount in the session's currency: 128.5万円 / 1,285万円 / 1.36億円 (yen in Japanese), ¥12.9M /
    $1.23M / €850K otherwise (kpi_core.format.fmt_money_compact)."""
    return core.fmt_money_compact(value, lang, _currency(currency))


def fmt_value(
    value: Any,
    unit: str,
    lang: str = "ja",
    *,
    compact: bool = False,
    currency: str | None = None,
    required: bool = False,
) -> str:
    """Format by a metrics.yaml unit: count (whole; rounded up when `required`), currency (the session's, or
    `currency`), ratio or days."""
    return core.fmt_value(value, unit, lang, compact=compact, currency=_currency(currency), required=required)


def fmt_signed(
    value: float | None,
    unit: str,
    lang: str = "ja",
    *,
    currency: str | None = None,
    actual: float | None = None,
    target: float | None = None,
) -> str:
    """A signed difference by unit in the session's currency: +8 / -7.6pt / +13.5万円 (a count's gap from the
    `actual` and `target` as shown, when given)."""
    return core.fmt_signed(value, unit, lang, currency=_currency(currency), actual=actual, target=target)


def money_axis_expr(lang: str, currency: str | None = None) -> str:
    """The Vega label expression of a money axis in the session's currency."""
    return core.money_axis_expr(lang, _currency(currency))


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
