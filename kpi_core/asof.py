"""The as-of date of the goal pages and commands, checked against the data before anything is computed.

A date more than AS_OF_MARGIN_YEARS before the data's first date or after its last one (9999-12-31, 0001-01-01, a
typo in a URL) is refused with its own sentence, instead of failing deep in the engine and being blamed on the
goal file. Without dated data only EARLIEST_AS_OF – LATEST_AS_OF is checked.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from kpi_core.messages import render
from kpi_core.sql import data_bounds as bounds_query
from kpi_core.sql import execute

if TYPE_CHECKING:
    from kpi_core.intake.load import Dataset

AS_OF_MARGIN_YEARS = 1
EARLIEST_AS_OF = dt.date(1900, 1, 1)
LATEST_AS_OF = dt.date(2199, 12, 31)


class AsOfError(ValueError):
    """An as-of date the data cannot be measured at: ``code`` ("asof.outside" / "asof.out_of_range") and
    ``params`` name its sentence in kpi_core.messages; str() is English, message(lang) ja / en."""

    def __init__(self, code: str, /, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        return render(self.code, lang, **self.params)


def data_bounds(dataset: Dataset) -> tuple[dt.date | None, dt.date | None]:
    """The first and last date in the data (created / closed; a monthly sheet: its first and last month's days)."""
    low, high = execute(dataset.cursor(), bounds_query(dataset.shape, dataset.table)).fetchall()[0]
    as_date = lambda v: v.date() if isinstance(v, dt.datetime) else v  # noqa: E731
    return as_date(low), as_date(high)


def _years_later(day: dt.date, years: int) -> dt.date:
    """`day` moved by whole years (29 February → 28 February), kept within EARLIEST_AS_OF – LATEST_AS_OF."""
    year = min(max(day.year + years, EARLIEST_AS_OF.year), LATEST_AS_OF.year)
    moved = day.replace(year=year, day=min(day.day, 28)) if (day.month, day.day) == (2, 29) else day.replace(year=year)
    return min(max(moved, EARLIEST_AS_OF), LATEST_AS_OF)


def as_of_range(first: dt.date | None, last: dt.date | None) -> tuple[dt.date, dt.date]:
    """The as-of dates the data can be measured at: a year either side of it (all of 1900–2199 without dates)."""
    low = _years_later(first, -AS_OF_MARGIN_YEARS) if first is not None else EARLIEST_AS_OF
    high = _years_later(last, AS_OF_MARGIN_YEARS) if last is not None else LATEST_AS_OF
    return low, max(low, high)


def check_as_of(
    as_of: dt.date,
    dataset: Dataset | None = None,
    *,
    bounds: tuple[dt.date | None, dt.date | None] | None = None,
) -> dt.date:
    """`as_of` when the data can be measured at it, else AsOfError with the sentence to show.

    The data's dates come from `bounds` (first, last) when given (a page has them already), else from `dataset`;
    with neither, only the absolute range EARLIEST_AS_OF – LATEST_AS_OF is checked.
    """
    if bounds is None:
        bounds = data_bounds(dataset) if dataset is not None else (None, None)
    first, last = bounds
    low, high = as_of_range(first, last)
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    if low <= as_of <= high:
        return as_of
    if first is not None and last is not None:
        raise AsOfError(
            "asof.outside",
            date=as_of.isoformat(),
            first=first.isoformat(),
            last=last.isoformat(),
            low=low.isoformat(),
            high=high.isoformat(),
        )
    raise AsOfError("asof.out_of_range", date=as_of.isoformat(), low=low.isoformat(), high=high.isoformat())
