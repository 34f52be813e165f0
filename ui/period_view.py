"""The view's as-of date, the current period and the typical conversion lag, cached for Home and Funnel."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from kpi_core.asof import AsOfError, check_as_of
from kpi_core.business_days import period_bounds
from kpi_core.intake.load import Dataset
from kpi_core.maturity import Lag, conversion_lag, maturing_periods, restated
from kpi_core.metrics import KpiResult
from ui.data import CACHE_TTL, filters_from_key
from ui.frame import View
from ui.goals_state import default_as_of
from ui.state import canonical_key


def view_as_of(view: View) -> dt.date:
    """The as-of date of the goal pages: the one the user chose there (this session's, else the URL's `asof`), else
    their default (today when the data reaches this month, else its last date); or the end of the date filter when
    that is earlier. A chosen date the data cannot be measured at is left for the goal pages to explain."""
    day = chosen_as_of(view) or default_as_of(view)
    return min(day, view.filters.end) if view.filters.end else day


def chosen_as_of(view: View) -> dt.date | None:
    """The as-of date set on a goal page (session) or in the URL (`?asof=2026-11-15`), when the data can be
    measured at it; read only (the control is on the goal pages)."""
    value = st.session_state.get(canonical_key("asof"))
    if not isinstance(value, dt.date):
        raw = st.query_params.get_all("asof")
        try:
            value = dt.date.fromisoformat(raw[-1]) if raw else None
        except ValueError:
            value = None
    if value is None:
        return None
    try:
        return check_as_of(value, bounds=view.bounds)
    except AsOfError:
        return None


def view_calendar(view: View) -> str:
    """The business-day calendar of the goal pages (this session's or the URL's `cal`, else the workspace's, else
    Japanese holidays): Home measures its goals as they do."""
    from ui.goals_state import CALENDARS
    from ui.workspace_view import workspace_of

    value = st.session_state.get(canonical_key("cal"))
    if value not in CALENDARS:
        raw = st.query_params.get_all("cal")
        value = raw[-1] if raw else None
    if value in CALENDARS:
        return str(value)
    opened = workspace_of(view)
    return opened.settings.calendar if opened is not None and opened.settings.calendar in CALENDARS else "jp"


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def _lag(key: str, _dataset: Dataset, fkey: tuple[Any, ...], as_of: str) -> Lag:
    return conversion_lag(_dataset, filters=filters_from_key(fkey), as_of=dt.date.fromisoformat(as_of))


def cached_lag(view: View, as_of: dt.date) -> Lag:
    """The typical days from creation to a win in the view's data (role filters apply), cached."""
    assert view.dataset is not None
    return _lag(str(view.dataset_key), view.dataset, view.fkey, as_of.isoformat())


def periods_on(view: View, result: KpiResult, as_of: dt.date) -> tuple[list[dict[str, Any]], list[str]]:
    """(the result's periods with their state on `as_of`, the starts of those still maturing). A monthly sheet's
    figures are as reported: only a running period is marked, nothing matures."""
    rows = restated(result.by_period, view.period, view.fiscal_start, as_of)
    if view.dataset is None or view.dataset.shape != "records":
        return rows, []
    return rows, maturing_periods(rows, view.period, view.fiscal_start, as_of, cached_lag(view, as_of))


def month_of(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the month holding `as_of`."""
    return period_bounds(as_of, "month")
