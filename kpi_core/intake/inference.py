"""Column-level inferences, each with its evidence: the day/month order of a date column, an amount column's
currency, decimal comma and unit (千円). Decided from all of a column's distinct values, never one cell at a time,
and always overridable by the user."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TypedDict

from kpi_core.intake.values import (
    DATE_ORDERS,
    DateOrderEvidence,
    amount_scale_from_header,
    detect_currency,
    detect_date_order,
    detect_decimal_comma,
)

CURRENCIES: tuple[str, ...] = ("JPY", "USD", "EUR", "GBP", "CNY")
# The order a/b/yyyy dates are read in when nothing in the file says: month-first for ja and en (US tools
# write 04/01/2025; Japanese sheets write 2025/4/1, which is never ambiguous), day-first for other locales.
_LANGUAGE_ORDER = {"ja": "mdy", "en": "mdy", "en-us": "mdy"}


@dataclass(frozen=True)
class DateOrderChoice:
    """The order a date column's a/b/yyyy values are read in, and why.

    ``by``: "user", "proven" (values with a first field above 12 prove day-first, a second above 12 month-first),
    "other_columns" (the file's other date columns are proven), "convention" (dots: 01.02.2025), "language".
    """

    column: str
    order: str
    by: str
    day_first: int = 0
    month_first: int = 0
    ambiguous: int = 0
    examples: tuple[str, ...] = ()

    @property
    def mixed(self) -> bool:
        """Values prove both orders: those that do not fit the chosen one cannot be read."""
        return self.day_first > 0 and self.month_first > 0

    @property
    def assumed(self) -> bool:
        return self.by in ("other_columns", "convention", "language")

    def as_evidence(self) -> dict[str, object]:
        return {key: value for key, value in asdict(self).items() if key != "column"} | {
            "examples": list(self.examples)
        }


class _DateOrderCounts(TypedDict):
    """The evidence counts a DateOrderChoice carries, whichever way its order was chosen."""

    day_first: int
    month_first: int
    ambiguous: int
    examples: tuple[str, ...]


def language_order(lang: str | None) -> str:
    return _LANGUAGE_ORDER.get((lang or "ja").lower(), "dmy")


def choose_date_orders(
    values_by_column: Mapping[str, Iterable[object]], overrides: Mapping[str, str], lang: str | None
) -> dict[str, DateOrderChoice]:
    """One order per date column that has a/b/yyyy values (or a user choice): never mixed within a column.

    An ambiguous column follows the file's other date columns, then the dots convention, then the language.
    """
    choices: dict[str, DateOrderChoice] = {}
    pending: dict[str, tuple[DateOrderEvidence, _DateOrderCounts]] = {}
    for column, values in values_by_column.items():
        evidence = detect_date_order(values)
        counts: _DateOrderCounts = {
            "day_first": evidence.day_first,
            "month_first": evidence.month_first,
            "ambiguous": evidence.ambiguous,
            "examples": evidence.examples,
        }
        if overrides.get(column) in DATE_ORDERS:
            choices[column] = DateOrderChoice(column, overrides[column], "user", **counts)
        elif evidence.order is not None:
            choices[column] = DateOrderChoice(column, evidence.order, "proven", **counts)
        elif evidence.ambiguous:
            pending[column] = (evidence, counts)
    proven = {c.order for c in choices.values() if c.by == "proven"}
    for column, (evidence, counts) in pending.items():
        if len(proven) == 1:
            choices[column] = DateOrderChoice(column, next(iter(proven)), "other_columns", **counts)
        elif evidence.convention in DATE_ORDERS:
            choices[column] = DateOrderChoice(column, evidence.convention, "convention", **counts)
        else:
            choices[column] = DateOrderChoice(column, language_order(lang), "language", **counts)
    return choices


@dataclass(frozen=True)
class AmountReading:
    """How an amount column's cells are read: currency, decimal comma, unit from the header."""

    currency: str | None
    currency_by: str | None  # "user", "cells", "header", "column" or None
    currency_counts: dict[str, int]
    mixed: bool
    decimal_comma: bool
    scale: float  # 1000 for a header in 千円, 10,000 for 万円 …

    def as_evidence(self) -> dict[str, object]:
        return {
            "code": self.currency,
            "by": self.currency_by,
            "counts": dict(self.currency_counts),
            "mixed": self.mixed,
            "decimal_comma": self.decimal_comma,
            "scale": self.scale,
        }


# Headers of a column that names each record's currency (Salesforce's CurrencyIsoCode, Pipedrive's "Currency").
_CURRENCY_HEADERS = re.compile(r"(currency|currencycode|currencyisocode|isocurrency|通貨|wahrung|moneda|devise)$")
_ISO_CODES = frozenset({*CURRENCIES, "AUD", "CAD", "CHF", "HKD", "INR", "KRW", "SGD", "TWD", "BRL", "MXN", "SEK"})


def is_currency_header(key: str) -> bool:
    """Whether a normalised header (roles.header_key) names a currency column."""
    return bool(_CURRENCY_HEADERS.search(key))


def currency_column_counts(columns: Mapping[str, Sequence[object]]) -> dict[str, int] | None:
    """Records per ISO code in a currency column whose every value is an ISO code, or None when there is none.

    `columns` maps a normalised currency header to its values."""
    for values in columns.values():
        codes = [str(v).strip().upper() for v in values if v is not None and str(v).strip()]
        if codes and all(code in _ISO_CODES for code in codes):
            return dict(Counter(codes).most_common())
    return None


def read_amount_column(
    header: str,
    values: Sequence[object],
    currency_override: str | None,
    currency_counts: dict[str, int] | None = None,
) -> AmountReading:
    """The currency, decimal comma and unit of an amount column from its header and distinct values, or from a
    currency column beside it (`currency_counts`: records per ISO code)."""
    evidence = detect_currency(header, values)
    code, by = evidence.code, evidence.by
    counts, mixed = dict(evidence.counts), evidence.mixed
    if currency_counts:
        code, by, counts, mixed = next(iter(currency_counts)), "column", currency_counts, len(currency_counts) > 1
    if currency_override:
        code, by = currency_override, "user"
    texts = [v for v in values if isinstance(v, str)]
    return AmountReading(
        currency=code,
        currency_by=by,
        currency_counts=counts,
        mixed=mixed,
        decimal_comma=bool(texts) and detect_decimal_comma(texts),
        scale=amount_scale_from_header(header),
    )
