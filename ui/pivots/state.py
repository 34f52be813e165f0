"""Pivots page state: the cached report and what-if, the URL's what-if settings."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from kpi_core.goals import Goals
from kpi_core.intake.load import Dataset
from kpi_core.metrics import Filters
from kpi_core.pacing import Forecast
from kpi_core.pivots import (
    SUSTAINABILITY_MODEL,
    DriverModel,
    LeverChange,
    PivotInputError,
    WhatIf,
    parse_setting,
)
from kpi_core.report import DEFAULT_TARGET_MODE, TARGET_MODES, Report, build_report, cut_models, what_if_outcome

__all__ = ["DEFAULT_TARGET_MODE", "TARGET_MODES"]

CACHE_TTL = 3600
RoleKey = tuple[tuple[str, tuple[Any, ...]], ...]


def text_hash(text: str) -> str:
    """A short content hash of the goal YAML (part of every cache key)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def cached_report(
    key: str,
    _dataset: Dataset,
    goals_hash: str,
    _goals: Goals,
    as_of: str,
    calendar: str,
    roles: RoleKey = (),
    target_mode: str = DEFAULT_TARGET_MODE,
    _forecasts: Callable[[], dict[str, Forecast]] | None = None,
) -> Report:
    """kpi_core.report.build_report, cached by (dataset key, goal YAML hash, as-of, calendar, role filters, how the
    month's share of the KGI is set): the one report the page renders.

    `_forecasts` (not part of the key) gives the pacing forecasts the Goals and Pacing pages cached for the same
    data, goals, as-of, calendar and filters (shared_forecasts), asked for only on a cache miss."""
    return build_report(
        _goals,
        _dataset,
        dt.date.fromisoformat(as_of),
        calendar=calendar,
        filters=role_filters(roles),
        target_mode=target_mode,
        forecasts=_forecasts() if _forecasts is not None else None,
    )


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def cached_what_if(
    key: str,
    _dataset: Dataset,
    goals_hash: str,
    _goals: Goals,
    as_of: str,
    calendar: str,
    settings: tuple[str, ...],
    roles: RoleKey = (),
    target_mode: str = DEFAULT_TARGET_MODE,
    _report: Report | None = None,
) -> WhatIf | None:
    """The month's KGI with the user's what-if `settings` (kpi_core.report.what_if_outcome), cached by the report's
    key and the settings. Raises PivotInputError (not cached) when a setting cannot be applied."""
    assert _report is not None
    return what_if_outcome(_goals, _dataset, _report, [parse_setting(s) for s in settings], filters=role_filters(roles))


def shared_forecasts(
    key: str, dataset: Dataset, goals_text: str, as_of: dt.date, calendar: str, roles: RoleKey = ()
) -> dict[str, Forecast]:
    """The pacing forecasts (kpi_core.pacing.forecast_goals) from the cache the Goals and Pacing pages fill: keyed
    by (dataset key, goal YAML hash, as-of, calendar, role filters), so they are computed once for every page."""
    from ui.goals.cache import GoalKey, cached_forecasts  # the goal pages' cache (imported late: it imports the frame)

    canonical = tuple(sorted((role, tuple(sorted(values))) for role, values in roles))  # as ui.data.filters_key
    gk = GoalKey(key, text_hash(goals_text), goals_text, as_of.isoformat(), calendar, canonical)
    return cached_forecasts(gk, dataset)


def role_key(filters: Filters) -> RoleKey:
    """The channel / owner / product / segment filters as a cache key (dates do not apply: as_of sets the period)."""
    return tuple(sorted((role, tuple(values)) for role, values in filters.roles.items() if values))


def role_filters(roles: RoleKey) -> Filters:
    return Filters(roles={role: list(values) for role, values in roles})


@dataclass
class PivotPage:
    """What the page draws: the report, the user's what-if and their problems."""

    report: Report | None
    what_if: WhatIf | None
    settings: tuple[str, ...]
    setting_error: str | None = None
    error: str | None = None
    levers: dict[str, Any] = field(default_factory=dict)

    @property
    def baseline(self) -> WhatIf | None:
        return self.report.baseline if self.report is not None else None


def pivot_page(
    key: str,
    dataset: Dataset,
    goals: Goals,
    goals_text: str,
    as_of: dt.date,
    calendar: str,
    settings: Sequence[str],
    roles: RoleKey = (),
    target_mode: str = DEFAULT_TARGET_MODE,
    lang: str = "ja",
) -> PivotPage:
    """The report for the page and, when `settings` are given and valid, their what-if."""
    forecasts = functools.partial(shared_forecasts, key, dataset, goals_text, as_of, calendar, roles)
    args = (key, dataset, text_hash(goals_text), goals, as_of.isoformat(), calendar)
    try:
        report = cached_report(*args, roles, target_mode, forecasts)
    except PivotInputError as exc:
        return PivotPage(None, None, (), error=exc.message(lang))
    page = PivotPage(report, None, tuple(settings))
    page.levers = lever_index(report.pivots.models, dataset)
    if settings and report.baseline is not None:
        try:
            page.what_if = cached_what_if(*args, tuple(settings), roles, target_mode, report)
        except PivotInputError as exc:
            page.setting_error = exc.message(lang)
    return page


def lever_index(models: Sequence[DriverModel], dataset: Dataset | None = None) -> dict[str, Any]:
    """Every lever the page may name, by name (report models, cut funnels, the sustainability model)."""
    found: dict[str, Any] = {}
    for model in [*models, *(cut_models(dataset) if dataset is not None else []), SUSTAINABILITY_MODEL]:
        for lever in model.levers:
            found.setdefault(lever.name, lever)
    return found


def what_if_model(report: Report) -> DriverModel | None:
    """The model the what-if runs on (the one the engine chose for the baseline)."""
    baseline = report.baseline
    if baseline is None:
        return None
    return next((m for m in report.pivots.models if m.name == baseline.model), None)


def current_values(baseline: WhatIf) -> dict[str, LeverChange]:
    """Each lever of the what-if model with its current value (from the baseline's changed and required levers)."""
    return {c.lever: c for c in (*baseline.changed, *baseline.required)}


# --- what-if settings ---------------------------------------------------------------------------------------------
def setting_text(lever: str, value: float, relative: bool) -> str:
    """A `set` URL value: win_rate=+10% (relative) or win_rate=0.3 (a value in the engine's units)."""
    return f"{lever}={value * 100:+.6g}%" if relative else f"{lever}={value:.10g}"


def settings_by_lever(settings: Sequence[str]) -> dict[str, tuple[float, bool]]:
    """The URL's settings by lever: (value, relative); unreadable ones are left out (the last one per lever wins)."""
    found: dict[str, tuple[float, bool]] = {}
    for text in settings:
        try:
            setting = parse_setting(text)
        except PivotInputError:
            continue
        found[setting.lever] = (setting.value, setting.relative)
    return found


def display_scale(unit: str) -> float:
    """Multiplier from the engine's value to what the number input shows (a ratio in %)."""
    return 100.0 if unit == "ratio" else 1.0


def value_default(change: LeverChange) -> float:
    """The value-mode input's starting point: the current value, rounded as it is shown."""
    current = change.current or 0.0
    if change.unit == "ratio":
        return round(current * 100, 1)
    if change.unit == "currency":
        return float(round(current, -3))
    return float(round(current))
