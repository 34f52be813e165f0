"""How a goal figure reads: units, values, gaps, status words and colours (one rule, kpi_core/format.py's, for
every goal page, card, table and chart)."""

from __future__ import annotations

import math

from kpi_core.goals import metric_unit
from kpi_core.pacing_sentences import status_word
from kpi_core.report import Figure as ReportFigure
from kpi_core.report import goal_prefix
from ui.format import MISSING, current_currency, fmt_number, fmt_period, fmt_signed, fmt_value
from ui.theme import STATUS_COLOURS, STATUS_SYMBOLS

NO_DATA_COLOUR = "#7F7F7F"

# Light fills of the status colours: the KPI tree's boxes (the border keeps the full colour) and the bullet bands.
STATUS_FILLS = {"on_track": "#D4EFE5", "at_risk": "#FBEBCC", "off_track": "#F7DACB", "no_data": "#EEF1F5"}

# st.metric delta colours per status (the word and symbol always come with them).
DELTA_COLOURS = {"on_track": "green", "at_risk": "orange", "off_track": "red", "no_data": "gray"}


def unit_of(metric: str) -> str:
    """count / currency / ratio / days / number (a formula)."""
    try:
        return metric_unit(metric)
    except Exception:  # an unknown name: shown as a plain number
        return "number"


def fmt_goal(
    value: float | None, unit: str, lang: str, *, compact: bool = False, required: bool = False, exact: bool = False
) -> str:
    """A goal figure: money compact (万 / 億) or exact, %, days; a count as a whole number, rounded up when
    `required` (a target, a number needed), to the nearest otherwise, or with its decimal when `exact` (a tooltip);
    another number with at most one decimal. The rules are kpi_core/format.py's."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING
    if unit == "count":
        return fmt_number(value, lang, 1) if exact else fmt_value(value, unit, lang, required=required)
    if unit in ("currency", "ratio", "days"):
        return fmt_value(value, unit, lang, compact=compact and not exact)
    return fmt_number(value, lang, 1)


def delta_style(gap: float | None, better: str = "higher") -> tuple[str, str]:
    """(arrow, colour) of a delta whose text does not start with its sign: down/red when the gap is bad."""
    if gap is None or gap == 0:
        return "off", "gray"
    good = (gap > 0) == (better != "lower")
    return ("up" if gap > 0 else "down"), ("green" if good else "red")


def fmt_gap(
    value: float | None, unit: str, lang: str, *, actual: float | None = None, target: float | None = None
) -> str:
    """A signed difference: +8 (a count: the `actual` minus the `target` as shown, when given) / -7.6pt /
    +13.5万円 (compact)."""
    return fmt_signed(value, unit, lang, actual=actual, target=target)


def status_text(status: str, lang: str) -> str:
    """✓ 順調 / △ 要注意 / ✕ 遅れ / – データなし."""
    symbol = STATUS_SYMBOLS.get(status, "–")
    return f"{symbol} {status_word(status, lang)}"  # the `plan` command's word too (kpi_core/messages.py)


def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, NO_DATA_COLOUR)


def period_text(period: str, per: str, lang: str) -> str:
    return fmt_period(period, per, lang)


def figure_key(goal_id: str, name: str) -> str:
    """A goal's figure key in the report: kgi.<name> / kpi.<id>.<name>."""
    return f"{goal_prefix(goal_id)}.{name}"


def fig(figure: ReportFigure | None, lang: str) -> str:
    """A report figure as the reader reads it, in the session's currency: the one place it is rounded."""
    return figure.text(lang, currency=current_currency()) if figure is not None else MISSING
