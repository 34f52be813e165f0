"""Monthly history the checks share: complete months before the as-of month, gaps filled, each KPI's series."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from kpi_core.business_days import PERIODS_PER_YEAR
from kpi_core.formula import FormulaError
from kpi_core.goals import Goals, Kpi, metric_value, time_degree
from kpi_core.intake.load import Dataset
from kpi_core.metrics import Filters, compute_kpis, finish_metrics
from kpi_core.pivots import flat_figures

HISTORY_LIMIT = 36  # months looked at, at most


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@dataclass
class History:
    """Complete months (oldest first) before the month holding `as_of`, from the data's first month, gaps as empty
    months (volumes 0, rates None), at most HISTORY_LIMIT."""

    dataset: Dataset
    as_of: dt.date
    filters: Filters
    fiscal_start: int
    months: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    _series: dict[str, list[float | None]] = field(default_factory=dict)

    def series(self, metric: str) -> list[float | None]:
        """The metric (a name or a formula) per month; None where the data cannot say."""
        if metric not in self._series:
            self._series[metric] = [value_of(metric, row) for row in self.rows]
        return self._series[metric]

    def bounds(self, first: int, last: int) -> tuple[dt.date, dt.date]:
        """The first and last day of months[first..last] (inclusive)."""
        start = dt.date.fromisoformat(self.months[first] + "-01")
        end = add_months(dt.date.fromisoformat(self.months[last] + "-01"), 1) - dt.timedelta(days=1)
        return start, end

    def window(self, first: int, last: int) -> Filters:
        """Filters for months[first..last] (inclusive), with the user's role filters."""
        start, end = self.bounds(first, last)
        return Filters(start=start, end=end, roles=dict(self.filters.roles))


def value_of(metric: str, figures: dict[str, Any]) -> float | None:
    try:
        value = metric_value(metric, figures)
    except (FormulaError, ZeroDivisionError, TypeError, ValueError):
        return None
    return value if value is not None and math.isfinite(value) else None


def monthly_history(goals: Goals, dataset: Dataset, as_of: dt.date, filters: Filters | None = None) -> History:
    filters = filters or Filters()
    end = as_of.replace(day=1) - dt.timedelta(days=1)
    window = Filters(start=filters.start, end=min(end, filters.end) if filters.end else end, roles=filters.roles)
    result = compute_kpis(dataset, period="month", filters=window, fiscal_start=goals.fiscal_year_start)
    found = {row["period"]: flat_figures(row) for row in result.by_period}
    history = History(dataset, as_of, filters, goals.fiscal_year_start)
    if not found:
        return history
    first = dt.date.fromisoformat(min(found) + "-01")
    last = dt.date.fromisoformat(max(found) + "-01")
    first = max(first, add_months(last, -(HISTORY_LIMIT - 1)))
    empty = flat_figures(finish_metrics({}, dataset))
    day = first
    while day <= last:
        key = month_key(day)
        history.months.append(key)
        history.rows.append(found.get(key) or {**empty, "period": key})
        day = add_months(day, 1)
    return history


def monthly_target(kpi: Kpi) -> float:
    """The KPI's target per month: volumes scale with the period (50 a quarter ≈ 16.7 a month), rates do not."""
    try:
        degree = time_degree(kpi.metric)
    except FormulaError:
        degree = None
    if degree != 1:
        return kpi.target
    return kpi.target * PERIODS_PER_YEAR[kpi.per] / 12


def from_monthly(kpi: Kpi, value: float) -> float:
    """A monthly value as a target of the KPI's own period (the inverse of monthly_target)."""
    try:
        degree = time_degree(kpi.metric)
    except FormulaError:
        degree = None
    if degree != 1:
        return value
    return value * 12 / PERIODS_PER_YEAR[kpi.per]


def known(values: list[float | None]) -> list[float]:
    return [v for v in values if v is not None]


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """Plain Pearson correlation; None when a series does not move or there are fewer than 3 pairs."""
    n = len(xs)
    if n < 3:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(xs, ys, strict=True))
    sxx, syy = sum((a - mx) ** 2 for a in xs), sum((b - my) ** 2 for b in ys)
    return sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else None


def quantile(values: list[float], q: float) -> float:
    """Linear-interpolated quantile (as numpy / pandas' default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Context:
    """What every check reads: the goal model, the data, the day, the monthly history, and the goal file's last
    revision (None when unknown, e.g. a built-in template)."""

    goals: Goals
    dataset: Dataset
    as_of: dt.date
    filters: Filters
    history: History
    goals_modified: dt.date | None = None
    links: dict[str, Any] = field(default_factory=dict)  # KPI id → its KGI link (pitfall 1), for pitfalls 3 and 7
    teams: dict[str, str] = field(default_factory=dict)  # owner key (kpi_core.goals.owner_key) → team, pitfall 6

    def kpi_params(self, kpi: Kpi) -> dict[str, Any]:
        return {"kpi": kpi.id, "kpi_name": kpi.name, "metric": kpi.metric, "review": kpi.review, "per": kpi.per}
