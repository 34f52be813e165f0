"""How long conversions take to happen, learned from history, and which recent periods are still maturing.

A lead created yesterday has not had time to become an opportunity, and a deal opened last week has not had time to
be won: the conversion rates of recent periods are low (or, on the period basis, jump above 100 %) because they are
young, not because the funnel broke. The typical lag is learned from the won records: the number of days from
creation within which `share` of them were won. A period whose records are mostly younger than that lag on the
as-of date is *maturing*: its rates are still moving and are shown as such, never as a drop.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from kpi_core.business_days import period_bounds
from kpi_core.intake.load import Dataset
from kpi_core.metrics import Filters, progress
from kpi_core.sql import WON, Sql, execute, value_counts

DEFAULT_SHARE = 0.8  # the lag is the age by which 8 in 10 wins have happened


@dataclass(frozen=True)
class Lag:
    """`days`: within this many days of creation, `share` of the won records were won (None: no won record with
    both dates); `count`: how many won records the lag is learned from; `median_days`: their median."""

    days: int | None
    share: float
    count: int
    median_days: float | None = None


def conversion_lag(
    dataset: Dataset, *, filters: Filters | None = None, as_of: dt.date | None = None, share: float = DEFAULT_SHARE
) -> Lag:
    """The typical lag from creation to a win, from won records closed on or before `as_of` (role filters apply;
    the date range does not: the lag is learned from the whole history). A monthly sheet has no such history."""
    if dataset.shape != "records" or not 0 < share <= 1:
        return Lag(None, share, 0)
    roles = Filters(roles=dict((filters or Filters()).roles))
    where = roles.condition("closed", dataset)
    if as_of is not None:
        where = Sql(where.text + " AND closed <= ?", (*where.params, as_of))
    won = Sql(f"{WON} AND cycle_days IS NOT NULL AND cycle_days >= 0 AND {where.text}", where.params)
    rows = execute(dataset.cursor(), value_counts(dataset.table, "cycle_days", won)).fetchall()
    total = sum(int(n) for _, n in rows)
    if not total:
        return Lag(None, share, 0)
    return Lag(_nth(rows, math.ceil(share * total) - 1), share, total, _median(rows, total))


def _nth(pairs: list[tuple[Any, Any]], index: int) -> int:
    """The value at 0-based `index` of the sorted multiset given as (value, count) pairs."""
    seen = 0
    for value, n in pairs:
        seen += int(n)
        if index < seen:
            return int(value)
    return int(pairs[-1][0])


def _median(pairs: list[tuple[Any, Any]], total: int) -> float:
    return (_nth(pairs, (total - 1) // 2) + _nth(pairs, total // 2)) / 2


def is_maturing(start: dt.date | str, period: str, fiscal_start: int, as_of: dt.date, lag_days: int | None) -> bool:
    """Whether most records of the period starting `start` are younger than `lag_days` on `as_of`: the middle of
    the period (of its days up to `as_of`) is less than `lag_days` before `as_of`. A period not begun is not."""
    if not lag_days or lag_days <= 0:
        return False
    first, end = period_bounds(_date(start), period, fiscal_start)
    if first > as_of:
        return False
    last = min(end, as_of)
    middle = first + dt.timedelta(days=(last - first).days / 2)
    return (as_of - middle).days < lag_days


def maturing_periods(
    by_period: list[dict[str, Any]], period: str, fiscal_start: int, as_of: dt.date | None, lag: Lag
) -> list[str]:
    """The `start` (ISO date) of every period of `by_period` that is still maturing on `as_of`, in order."""
    if as_of is None or lag.days is None:
        return []
    return [str(row["start"]) for row in by_period if is_maturing(row["start"], period, fiscal_start, as_of, lag.days)]


def _date(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def restated(by_period: list[dict[str, Any]], period: str, fiscal_start: int, as_of: dt.date) -> list[dict[str, Any]]:
    """`by_period` items with `complete` (and the days passed) measured on `as_of` instead of the date the figures
    were computed with (the view's as-of date can be today while the figures default to the data's last date)."""
    out = []
    for row in by_period:
        kept = {k: v for k, v in row.items() if k not in ("complete", "days_elapsed", "days_in_period")}
        out.append({**kept, **progress(_date(row["start"]), period, fiscal_start, as_of)})
    return out
