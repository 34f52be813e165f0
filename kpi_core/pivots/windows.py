"""Figures of a dataset for the pivot engine: windows, lever history, a period's position."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from kpi_core.business_days import business_days, period_bounds, period_label
from kpi_core.dataset_memo import filters_key, remembered
from kpi_core.intake.load import Dataset
from kpi_core.metrics import Filters, KpiResult, compute_kpis
from kpi_core.pivots.constants import (
    GOODHART_MIN_CHANGE,
    GROUP_MIN_RECORDS,
    GROUP_MONTHS,
    GROUP_ROLES,
    HISTORY_MONTHS,
    KGI,
    MONTHS_IN,
    TRAILING_MONTHS,
    PivotInputError,
)
from kpi_core.pivots.evidence import GroupValue, LeverHistory
from kpi_core.pivots.goodhart import GoodhartCheck, goodhart_checks
from kpi_core.pivots.models import SUSTAINABILITY_MODEL, DriverModel, flat_figures, lever_value
from kpi_core.pivots.solver import PeriodPosition


def _kpis(
    dataset: Dataset,
    *,
    period: str = "month",
    by: Sequence[str] = (),
    filters: Filters | None = None,
    fiscal_start: int = 4,
) -> KpiResult:
    """compute_kpis, remembered per dataset (kpi_core.dataset_memo): a report asks for the same windows several
    times (the overall totals once per rate lever, the trailing months for the position and for the Goodhart
    checks), the page asks again for its lever history, and a what-if reruns the whole report. The result is
    shared: read it, never change it."""
    key = ("kpis", period, tuple(by), int(fiscal_start), filters_key(filters))
    compute = lambda: compute_kpis(  # noqa: E731
        dataset, period=period, by=list(by), filters=filters, fiscal_start=fiscal_start
    )
    return remembered(dataset, key, compute)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def complete_months(
    monthly: Sequence[Mapping[str, Any]], as_of: dt.date, limit: int | None = None
) -> list[dict[str, Any]]:
    """Monthly rows of months that ended before the as-of month (flattened), oldest first, at most `limit`."""
    first_open = as_of.replace(day=1).isoformat()
    rows = [flat_figures(r) for r in monthly if r["start"] < first_open]
    return rows[-limit:] if limit else rows


def lever_history(
    dataset: Dataset,
    models: Sequence[DriverModel],
    as_of: dt.date,
    *,
    monthly: Sequence[Mapping[str, Any]] | None = None,
    months: int = HISTORY_MONTHS,
    group_months: int = GROUP_MONTHS,
    min_records: int = GROUP_MIN_RECORDS,
    filters: Filters | None = None,
) -> LeverHistory:
    """Each lever per complete month (the last `months`) and per owner / segment / channel over `group_months`."""
    if monthly is None:
        monthly = _kpis(dataset, period="month", filters=filters).by_period
    rows = complete_months(monthly, as_of, months)
    levers = {lv.name: lv for m in [*models, SUSTAINABILITY_MODEL] for lv in m.levers}
    values = {name: tuple(lever_value(lv, r) for r in rows) for name, lv in levers.items()}
    groups: dict[str, tuple[GroupValue, ...]] = {}
    roles = [r for r in GROUP_ROLES if r in dataset.mapping] if dataset.shape == "records" else []
    if roles and rows:
        end = as_of.replace(day=1) - dt.timedelta(days=1)
        start = _add_months(as_of.replace(day=1), -group_months)
        result = _kpis(dataset, period="month", by=roles, filters=_within(filters, start, end))
        for name, lever in levers.items():
            if lever.kind != "rate":
                continue  # a rep's deal count is no evidence for the team's
            found = []
            for role in roles:
                for row in result.by.get(role, []):
                    figures = flat_figures(row)
                    value = lever_value(lever, figures)
                    size = int(figures.get("records") or 0)
                    if value is not None and row["key"] is not None and size >= min_records:
                        found.append(GroupValue(role, str(row["key"]), value, size))
            groups[name] = tuple(found)
    return LeverHistory(tuple(r["period"] for r in rows), values, groups)


def _within(filters: Filters | None, start: dt.date, end: dt.date) -> Filters:
    """The user's role filters (channel, owner…) between two dates."""
    return Filters(start=start, end=end, roles=dict(filters.roles) if filters else {})


def window_figures(dataset: Dataset, start: dt.date, end: dt.date, filters: Filters | None = None) -> dict[str, Any]:
    """The engine's totals between two dates (each figure on its own basis date), flattened."""
    return flat_figures(_kpis(dataset, period="month", filters=_within(filters, start, end)).totals)


def period_position(
    dataset: Dataset,
    models: Sequence[DriverModel],
    as_of: dt.date,
    per: str,
    kgi_target: float,
    *,
    forecasts: Mapping[str, float] | None = None,
    monthly: Sequence[Mapping[str, Any]] | None = None,
    calendar: str = "jp",
    fiscal_start: int = 4,
    trailing_months: int = TRAILING_MONTHS,
    filters: Filters | None = None,
) -> PeriodPosition:
    """Where the `per` period holding `as_of` stands: booked levers and KGI, and each lever for the rest.

    A volume's rest is its forecast (period-end, e.g. from pacing) minus what is booked, else the run rate over
    business days, else the trailing monthly average; a rate's is its forecast, else the trailing
    `trailing_months` complete months. A monthly sheet books only months that have ended.
    """
    forecasts = forecasts or {}
    start, end = period_bounds(as_of, per, fiscal_start)
    if dataset.shape == "periods":
        booked_end = as_of if (as_of + dt.timedelta(days=1)).day == 1 else as_of.replace(day=1) - dt.timedelta(days=1)
        total_months = (end.year - start.year) * 12 + end.month - start.month + 1
        done = (
            max(0, (booked_end.year - start.year) * 12 + booked_end.month - start.month + 1)
            if booked_end >= start
            else 0
        )
        remaining = 1 - done / total_months
    else:
        booked_end = as_of
        total = business_days(start, end, calendar) or (end - start).days + 1
        done = (
            business_days(start, as_of, calendar) if business_days(start, end, calendar) else (as_of - start).days + 1
        )
        remaining = max(0.0, 1 - done / total)
    booked_figures = window_figures(dataset, start, booked_end, filters) if booked_end >= start else {}
    trailing_end = as_of.replace(day=1) - dt.timedelta(days=1)
    trailing = window_figures(dataset, _add_months(as_of.replace(day=1), -trailing_months), trailing_end, filters)
    if monthly is None:
        monthly = _kpis(dataset, period="month", filters=filters).by_period
    recent = complete_months(monthly, as_of, trailing_months)
    levers = {lv.name: lv for m in [*models, SUSTAINABILITY_MODEL] for lv in m.levers}
    booked: dict[str, float] = {}
    rest: dict[str, float | None] = {}
    months = MONTHS_IN[per]
    for name, lever in levers.items():
        if lever.kind == "volume":
            done_value = lever_value(lever, booked_figures) if booked_figures else 0.0
            booked[name] = float(done_value or 0.0)
            if name in forecasts:
                rest[name] = max(float(forecasts[name]) - booked[name], 0.0)
            elif booked[name] > 0 and 0 < remaining < 1:
                rest[name] = booked[name] * remaining / (1 - remaining)
            else:
                history = [v for v in (lever_value(lever, r) for r in recent) if v is not None]
                rest[name] = sum(history) / len(history) * months * remaining if history else None
        elif name in forecasts:
            rest[name] = float(forecasts[name])
        else:
            value = lever_value(lever, trailing)
            overall = flat_figures(_kpis(dataset, filters=filters).totals)
            rest[name] = value if value is not None else lever_value(lever, overall)
    kgi_booked = float(booked_figures.get(KGI) or 0.0) if booked_figures else 0.0
    return PeriodPosition(
        period_label(start, per, fiscal_start),
        start,
        end,
        as_of,
        remaining,
        months,
        kgi_booked,
        float(kgi_target),
        booked,
        rest,
    )


def period_kgi_target(
    kgi_target: float,
    kgi_per: str,
    per: str,
    *,
    mode: str = "even",
    booked_before: float = 0.0,
    months_left: float | None = None,
) -> float:
    """The period's share of the KGI: "even" (annual ÷ 12 for a month), or "catch_up": what is still missing
    (target − booked before this period) spread evenly over the `months_left` months from this period's start."""
    if mode == "even":
        return kgi_target * MONTHS_IN[per] / MONTHS_IN[kgi_per]
    if mode == "catch_up":
        if not months_left or months_left <= 0:
            raise PivotInputError("pivot_input.catch_up_months")
        return max(kgi_target - booked_before, 0.0) * MONTHS_IN[per] / months_left
    raise PivotInputError("pivot_input.target_mode", mode=mode)


def goodhart_for_dataset(
    dataset: Dataset,
    as_of: dt.date,
    *,
    kpis: Sequence[str] = (),
    monthly: Sequence[Mapping[str, Any]] | None = None,
    window_months: int = TRAILING_MONTHS,
    min_change: float = GOODHART_MIN_CHANGE,
    filters: Filters | None = None,
) -> list[GoodhartCheck]:
    """Goodhart checks over the last `window_months` complete months before `as_of` against the ones before."""
    first_open = as_of.replace(day=1)
    after = window_figures(dataset, _add_months(first_open, -window_months), first_open - dt.timedelta(days=1), filters)
    before = window_figures(
        dataset,
        _add_months(first_open, -2 * window_months),
        _add_months(first_open, -window_months) - dt.timedelta(days=1),
        filters,
    )
    if monthly is None:
        monthly = _kpis(dataset, period="month", filters=filters).by_period
    return goodhart_checks(
        before, after, complete_months(monthly, as_of), kpis=kpis, min_change=min_change, window_months=window_months
    )
