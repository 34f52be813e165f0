"""Reading kpi_gaps rows: the current period of each goal, status counts, the period starts, and the report's
figures of the current period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kpi_core.report import Figure as ReportFigure
from kpi_core.report import gap_figures


def current_rows(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The current period's row of the KGI ("kgi") and each KPI, by id."""
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:
        latest[row["id"]] = row
    return latest


def status_counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    """How many KPIs (not the KGI) are in each status in their current period."""
    counts = dict.fromkeys(("on_track", "at_risk", "off_track", "no_data"), 0)
    for row in current_rows(rows).values():
        if row["kind"] == "kpi":
            counts[row["status"]] += 1
    return counts


def current_figures(current: dict[str, dict[str, Any]]) -> dict[str, ReportFigure]:
    """The current period's actual, pro-rated target, attainment and period target of the KGI and each KPI (rows
    by id, current_rows) as the report's figures (kpi_core.report.gap_figures of the same rows as report.plan.gaps),
    keyed by figure_key."""
    return gap_figures(list(current.values()))


def kpi_period_starts(rows: list[dict[str, Any]]) -> list[dt.date]:
    """The start dates of the KPIs' periods so far (the choices of the bullet chart's period)."""
    return sorted({dt.date.fromisoformat(r["start"]) for r in rows if r["kind"] == "kpi"})
