"""The goal pages' cached engine calls, keyed by GoalKey (data, goal text, as-of date, calendar, role filters): gaps,
forecasts, pacing series, breakdowns, plan, target realism, and the one report every goal page reads."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from kpi_core.goals import backward_plan, consistency_check, kpi_breakdown, kpi_gaps, load_goals
from kpi_core.intake.load import Dataset
from kpi_core.metrics import Filters
from kpi_core.pacing import Forecast, forecast_goals, pacing_series
from kpi_core.report import Figure as ReportFigure
from kpi_core.report import Report
from ui.data import CACHE_TTL
from ui.frame import View
from ui.goals_state import current_goals, goals_text

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GoalKey:
    """What every cached goal computation is keyed by: data, goal text, as-of date, calendar and role filters."""

    dataset_key: str
    text_hash: str
    text: str
    as_of: str
    calendar: str
    roles: tuple[Any, ...]

    def args(self) -> tuple[Any, ...]:
        return (self.dataset_key, self.text_hash, self.as_of, self.calendar, self.roles)


def goal_key(view: View, as_of: dt.date, calendar: str) -> GoalKey:
    """The cache key of the view's goal computations (date filters do not apply: periods come from as_of)."""
    text = goals_text(view)
    return GoalKey(
        dataset_key=str(view.dataset_key),
        text_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        text=text,
        as_of=as_of.isoformat(),
        calendar=calendar,
        roles=view.fkey[2],
    )


def _filters(roles: tuple[Any, ...]) -> Filters:
    return Filters(roles={role: list(values) for role, values in roles})


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def _gaps(key: str, text_hash: str, as_of: str, calendar: str, roles: tuple, _dataset: Dataset, _text: str) -> list:
    goals = load_goals(_text)
    date = dt.date.fromisoformat(as_of)
    return kpi_gaps(goals, _dataset, as_of=date, calendar=calendar, filters=_filters(roles))


def cached_gaps(gk: GoalKey, dataset: Dataset) -> list[dict[str, Any]]:
    """kpi_gaps rows (KGI and each KPI, one per period of this fiscal year up to as_of)."""
    return _gaps(*gk.args(), dataset, gk.text)


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def _forecasts(key: str, text_hash: str, as_of: str, calendar: str, roles: tuple, _dataset: Dataset, _text: str):
    goals = load_goals(_text)
    date = dt.date.fromisoformat(as_of)
    return forecast_goals(goals, _dataset, as_of=date, calendar=calendar, filters=_filters(roles))


def cached_forecasts(gk: GoalKey, dataset: Dataset) -> dict[str, Forecast]:
    """forecast_goals: the KGI (key "kgi") and every KPI by id."""
    return _forecasts(*gk.args(), dataset, gk.text)


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def _series(
    key: str, text_hash: str, as_of: str, calendar: str, roles: tuple, goal_id: str, _dataset: Dataset, _text: str
) -> pd.DataFrame:
    goals = load_goals(_text)
    forecast = _forecasts(key, text_hash, as_of, calendar, roles, _dataset, _text)[goal_id]
    return pacing_series(forecast, _dataset, fiscal_start=goals.fiscal_year_start, filters=_filters(roles))


def cached_pacing_series(gk: GoalKey, dataset: Dataset, goal_id: str) -> pd.DataFrame:
    """pacing_series of one goal's forecast (day by day through its period)."""
    return _series(*gk.args(), goal_id, dataset, gk.text)


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def _breakdown(
    key: str, text_hash: str, as_of: str, calendar: str, roles: tuple, kpi_id: str, role: str, _ds: Dataset, _text: str
) -> list:
    goals = load_goals(_text)
    return kpi_breakdown(goals, _ds, kpi_id, role=role, as_of=dt.date.fromisoformat(as_of), calendar=calendar)


def cached_breakdown(gk: GoalKey, dataset: Dataset, kpi_id: str, role: str) -> list[dict[str, Any]]:
    """kpi_breakdown: the current period of one KPI per value of a data role."""
    return _breakdown(*gk.args(), kpi_id, role, dataset, gk.text)


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def _plan(key: str, text_hash: str, as_of: str, _dataset: Dataset, _text: str) -> tuple[dict, dict]:
    goals = load_goals(_text)
    date = dt.date.fromisoformat(as_of)
    return consistency_check(goals, _dataset, as_of=date), backward_plan(goals, _dataset, as_of=date)


def cached_plan(gk: GoalKey, dataset: Dataset) -> tuple[dict[str, Any], dict[str, Any]]:
    """(consistency_check, backward_plan) of the goal model against the data's trailing 12 months."""
    return _plan(gk.dataset_key, gk.text_hash, gk.as_of, dataset, gk.text)


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def _realism(key: str, text_hash: str, as_of: str, roles: tuple, _dataset: Dataset, _text: str) -> dict:
    from kpi_core.health import target_realism

    goals = load_goals(_text)
    return target_realism(goals, _dataset, dt.date.fromisoformat(as_of), filters=_filters(roles))


def cached_realism(gk: GoalKey, dataset: Dataset) -> dict[str, dict[str, Any] | None]:
    """target_realism: each KPI's target against its own monthly history (None: too few months)."""
    return _realism(gk.dataset_key, gk.text_hash, gk.as_of, gk.roles, dataset, gk.text)


def goal_report(view: View, as_of: dt.date, calendar: str) -> Report | None:
    """The one report of the view's data, goals, role filters, as-of date and calendar (kpi_core.report, cached in
    ui.pivots.state.cached_report under the very key the Pivots page uses, with the month's target mode of the URL's
    `share`): every figure a goal page shares with another page is read from it. None (logged) when the report
    cannot be built on this goal file: the page then shows its own figures by the same rules."""
    from ui.pivots.state import DEFAULT_TARGET_MODE, TARGET_MODES, cached_report, role_key, shared_forecasts, text_hash
    from ui.state import choice_parser, url_value

    assert view.dataset is not None
    text = goals_text(view)
    roles = role_key(view.filters)
    mode = url_value("share", DEFAULT_TARGET_MODE, choice_parser(TARGET_MODES))
    mode = mode if mode in TARGET_MODES else DEFAULT_TARGET_MODE
    forecasts = functools.partial(shared_forecasts, str(view.dataset_key), view.dataset, text, as_of, calendar, roles)
    try:
        return cached_report(
            str(view.dataset_key), view.dataset, text_hash(text), current_goals(view), as_of.isoformat(), calendar,
            roles, mode, forecasts,
        )  # fmt: skip
    except Exception:  # the report is the shared truth, but a goal file it cannot read must not take a page down
        _log.exception("the report failed on this goal file")
        return None


def report_figures(report: Report | None) -> dict[str, ReportFigure]:
    """The report's figures (none without a report)."""
    return dict(report.figures) if report is not None else {}
