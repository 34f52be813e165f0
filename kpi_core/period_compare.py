"""Period comparisons: the current period against the previous one and the same period last year, like with like.

The current period is usually still running, so the periods it is compared with are cut at the same day of their
period (period-to-date against period-to-date: 1–15 November against 1–15 October and 1–15 November last year) and
the label says so (前月同日比). A compared period the data does not cover, or covers only in part, is said to be so,
never read as a 0 % base or a fall to nothing. The figures come from compute_kpis over each window (no SQL here).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kpi_core.asof import data_bounds
from kpi_core.business_days import period_bounds
from kpi_core.goals import metric_default_better, metric_unit, metric_value
from kpi_core.intake.load import Dataset
from kpi_core.messages import render
from kpi_core.metrics import Filters, compute_kpis

COMPARED_PERIODS = ("week", "month", "quarter", "year")
_MONTHS = {"month": 1, "quarter": 3, "year": 12}
BASES = ("previous", "last_year")

# Why a change cannot be read as one (None: it can).
NO_DATA = "no_data"  # the compared window holds no record at all
PARTIAL_DATA = "partial_data"  # the data starts inside the compared window
NO_CURRENT_DATA = "no_current_data"  # nothing yet in the current window
MISSING = "missing"  # the data cannot give this figure (a ratio over nothing, a measure the data lacks)
ZERO_BASE = "zero_base"  # the compared value is 0: the difference stands, a relative change does not


@dataclass(frozen=True)
class Window:
    """A stretch of days (inclusive) and what the data says about it."""

    start: dt.date
    end: dt.date
    has_data: bool = True
    covered: bool = True  # the data's first date is on or before `start`

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "has_data": self.has_data,
            "covered": self.covered,
        }


@dataclass(frozen=True)
class Change:
    """One figure of the current window against the same figure of a compared window."""

    basis: str  # previous | last_year
    value: float | None  # the compared window's figure (None when it has no data)
    absolute: float | None  # current − compared
    relative: float | None  # current ÷ compared − 1 (None from a zero base)
    comparable: bool
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "change": self.absolute,
            "relative": self.relative,
            "comparable": self.comparable,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class MeasureComparison:
    """A measure (a metrics.yaml name or a goal formula) in the current window, with its changes."""

    name: str
    unit: str
    better: str
    value: float | None
    changes: dict[str, Change] = field(default_factory=dict)  # by basis

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "unit": self.unit,
            "better": self.better,
            **{basis: change.as_dict() for basis, change in self.changes.items()},
        }


@dataclass(frozen=True)
class PeriodComparison:
    """The current period to `as_of`, and the windows it is compared with, for a list of measures."""

    as_of: dt.date
    period: str
    fiscal_start: int
    to_date: bool  # the current period is still running: every window is cut at the same day of its period
    current: Window
    windows: dict[str, Window]  # by basis; a yearly period has no separate "last_year" (it is the previous one)
    measures: dict[str, MeasureComparison]

    def label(self, basis: str, lang: str = "en") -> str:
        """前月同日比 / vs last month (same days) / 前年同月比 …: what the change is against, in `lang`."""
        return render(comparison_key(self.period, basis, self.to_date), lang)

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        """The `comparisons` object of `kpis --json` (labels in `lang`)."""
        return {
            "period": self.period,
            "as_of": self.as_of.isoformat(),
            "to_date": self.to_date,
            "current": self.current.as_dict(),
            **{basis: {**window.as_dict(), "label": self.label(basis, lang)} for basis, window in self.windows.items()},
            "measures": {name: item.as_dict() for name, item in self.measures.items()},
        }


def comparison_key(period: str, basis: str, to_date: bool) -> str:
    """The catalogue key of a comparison's label ("compare.month.previous.to_date" …)."""
    return f"compare.{period}.{basis}" + (".to_date" if to_date else "")


def shift_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months, kept in its month's place: the 31st → 30 April; a month's last day → the
    target month's last day (28 February → 31 January… and 29 February → 28 February a year before)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    at_end = day.day == calendar.monthrange(day.year, day.month)[1]
    return dt.date(year, month + 1, last if at_end else min(day.day, last))


def comparison_windows(as_of: dt.date, period: str, fiscal_start: int = 4) -> tuple[Window, dict[str, Window], bool]:
    """(the current window, the compared windows by basis, whether they are cut to date).

    The current window runs from the start of the period holding `as_of` to `as_of`; a compared window starts at
    its period's start and ends on the same day of its period (its whole period when the current one is over).
    """
    if period not in COMPARED_PERIODS:
        raise ValueError(f"cannot compare periods of {period!r}: use one of {', '.join(COMPARED_PERIODS)}")
    first, last = period_bounds(as_of, period, fiscal_start)
    to_date = as_of < last
    end = as_of if to_date else last

    def back(day: dt.date, months: int) -> dt.date:
        return day - dt.timedelta(days=7 * months) if period == "week" else shift_months(day, -months)

    step = 1 if period == "week" else _MONTHS[period]
    windows = {"previous": Window(back(first, step), back(end, step))}
    if period in ("month", "quarter"):  # a year's previous period is the same period last year
        windows["last_year"] = Window(shift_months(first, -12), shift_months(end, -12))
    if not to_date:  # whole periods: the compared ones end on their own last day
        windows = {
            basis: Window(w.start, period_bounds(w.start, period, fiscal_start)[1]) for basis, w in windows.items()
        }
    return Window(first, end), windows, to_date


def compare_periods(
    dataset: Dataset,
    *,
    as_of: dt.date,
    period: str = "month",
    measures: Sequence[str],
    fiscal_start: int = 4,
    roles: Mapping[str, list[str]] | None = None,
    cohort: bool = False,
    bounds: tuple[dt.date | None, dt.date | None] | None = None,
    better: Mapping[str, str] | None = None,
) -> PeriodComparison:
    """Each measure in the current period to `as_of`, against the previous period and the same period last year.

    `measures` are metrics.yaml names or goal formulas (kpi_core.goals.metric_value; a formula over a figure a
    window lacks is None there); `roles` the role filters of the view (its date filter does not apply: the windows
    are the dates); `bounds` the data's first and last date when the caller has them; `better` overrides a
    measure's direction (a goal's own `better`). A monthly sheet is compared in whole months, up to the as-of
    date's month.
    """
    if dataset.shape == "periods":  # a monthly sheet's months are whole: its to-date is the as-of date's month
        as_of = period_bounds(as_of, "month")[1]
    current, compared, to_date = comparison_windows(as_of, period, fiscal_start)
    first = (bounds if bounds is not None else data_bounds(dataset))[0]
    figures: dict[str, dict[str, Any]] = {}
    windows: dict[str, Window] = {}
    for basis, window in (("current", current), *compared.items()):
        result = compute_kpis(
            dataset,
            period="month",  # only whether a window has a period row is read from by_period
            filters=Filters(start=window.start, end=window.end, roles=dict(roles or {})),
            fiscal_start=fiscal_start,
            cohort=cohort,
        )
        figures[basis] = result.totals
        # by_period holds a row only for periods with records on either basis: an empty window has none
        windows[basis] = Window(
            window.start,
            window.end,
            has_data=bool(result.by_period),
            covered=first is not None and first <= window.start,
        )
    items = {}
    for name in dict.fromkeys(measures):
        value = metric_value(name, figures["current"])
        changes = {
            basis: _change(basis, value, metric_value(name, figures[basis]), windows["current"], windows[basis])
            for basis in compared
        }
        items[name] = MeasureComparison(
            name,
            metric_unit(name),
            (better or {}).get(name) or metric_default_better(name),
            value,
            changes,
        )
    current_window = windows.pop("current")
    return PeriodComparison(as_of, period, fiscal_start, to_date, current_window, windows, items)


def _change(basis: str, value: float | None, old: float | None, current: Window, window: Window) -> Change:
    """The change of `value` against `old`, or why there is none to read."""
    if not window.has_data:
        return Change(basis, None, None, None, False, NO_DATA)
    if not current.has_data:
        return Change(basis, old, None, None, False, NO_CURRENT_DATA)
    if value is None or old is None:
        return Change(basis, old, None, None, False, MISSING)
    absolute = value - old
    if not window.covered:  # the data starts inside the window: its figures are only part of that period
        return Change(basis, old, absolute, None, False, PARTIAL_DATA)
    if old == 0:
        return Change(basis, old, absolute, None, True, ZERO_BASE)
    return Change(basis, old, absolute, value / old - 1, True)


def default_measures(totals: Mapping[str, Any], names: Sequence[str]) -> list[str]:
    """The names among `names` the data gives (a figure that is None in the totals is left out)."""
    return [name for name in names if totals.get(name) is not None]
