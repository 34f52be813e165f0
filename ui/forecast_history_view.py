"""Forecast history on the Weekly meeting page: how close the forecasts made during the last complete period came to
its actual (kpi_core.forecast_history). In a workspace: the forecasts stored with each snapshot (or remade from the
snapshot's data); otherwise, or when no snapshot falls in the period, a backtest from the data, labelled as such.

One entry point, draw_forecast_history; cached calls are keyed by the dataset key, the goal file's hash, the goal,
as-of and calendar (as ui/goals/cache.py's), and by workspace and snapshot id for a snapshot's forecasts."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import pandas as pd
import streamlit as st

from kpi_core.forecast_history import (
    KGI_ID,
    AccuracyHistory,
    ForecastSet,
    goal_backtest,
    goal_history,
    goal_per,
    headline,
    last_complete_period,
    notes,
    sets_in_period,
)
from kpi_core.goals import Goals, load_goals
from kpi_core.messages import render
from kpi_core.report import figure_unit
from kpi_core.workspace.snapshots import snapshot_date
from ui.data import CACHE_TTL
from ui.format import escape_markdown, fmt_date, fmt_pct, fmt_period, fmt_value, money_axis_expr
from ui.frame import View
from ui.goals.cache import goal_key
from ui.i18n import t
from ui.show import show_chart, show_table
from ui.theme import MUTED, NEUTRAL, NEUTRAL_LIGHT, STATUS_COLOURS, TEXT

_log = logging.getLogger(__name__)
md = escape_markdown
STATUSES = ("held", "missed", "none")
STATUS_RANGE = (STATUS_COLOURS["on_track"], STATUS_COLOURS["off_track"], MUTED)
STATUS_SHAPES = ("circle", "cross", "square")  # a shape as well as a colour: never colour alone
# Snapshots whose forecasts are remade when none was stored: made from the period's start to this many days after
# its end (an export taken just after the end may still show a day inside it), the newest this many.
LATE_DAYS = 7
MAX_REMADE = 16
GOAL_WIDGET = "w_fh_goal"
CHART_HEIGHT = 260  # the whole chart: Streamlit fits axes and legend inside it


# ------------------------------------------------------------------------------------------------ the engine, cached
@st.cache_data(ttl=CACHE_TTL, max_entries=32, show_spinner=False)
def _backtest(key: str, text_hash: str, goal: str, as_of: str, calendar: str, _dataset, _text: str) -> AccuracyHistory:
    return goal_backtest(load_goals(_text), goal, _dataset, dt.date.fromisoformat(as_of), calendar=calendar)


@st.cache_data(ttl=CACHE_TTL, max_entries=32, show_spinner=False)
def _history(
    key: str, text_hash: str, goal: str, as_of: str, calendar: str, sets_key: tuple, _sets, _dataset, _text: str
) -> AccuracyHistory:
    goals = load_goals(_text)
    return goal_history(goals, goal, _sets, _dataset, dt.date.fromisoformat(as_of), calendar=calendar)


@st.cache_data(ttl=CACHE_TTL, max_entries=256, show_spinner=False)
def _snapshot_set(
    ws_id: str, snapshot_id: str, remake: bool, text_hash: str, calendar: str, _workspace, _text: str
) -> ForecastSet | None:
    """A snapshot's forecasts: stored, else (with `remake`) made again from its data with the goal file in use (a
    snapshot's data never changes, so the ids, goal file and calendar are the whole key)."""
    return _workspace.snapshot_forecasts(snapshot_id, remake=remake, goals_text=_text, calendar=calendar)


def workspace_sets(
    view: View, text: str, text_hash: str, start: dt.date, end: dt.date, calendar: str
) -> list[ForecastSet]:
    """The forecast sets of the open workspace's snapshots made during start..end: every stored one (cheap to
    read), and remade ones for the newest MAX_REMADE snapshots without, taken from the period's start to LATE_DAYS
    after its end (a snapshot's as-of date is never after the day it was taken). A snapshot that cannot be read is
    left out."""
    opened = view.workspace
    assert opened is not None
    found: list[ForecastSet] = []
    missing = []
    for info in opened.workspace.snapshots():
        day = snapshot_date(info)
        if day is None or day < start:
            continue
        try:
            made = _snapshot_set(opened.id, info.id, False, text_hash, calendar, opened.workspace, text)
        except Exception:  # one unreadable snapshot leaves out its day, not the section
            _log.warning("the forecasts of snapshot %s could not be read", info.id, exc_info=True)
            continue
        if made is not None:
            found.append(made)
        elif day <= end + dt.timedelta(days=LATE_DAYS):
            missing.append(info)
    for info in missing[-MAX_REMADE:]:
        try:
            made = _snapshot_set(opened.id, info.id, True, text_hash, calendar, opened.workspace, text)
        except Exception:
            _log.warning("the forecasts of snapshot %s could not be remade", info.id, exc_info=True)
            continue
        if made is not None:
            found.append(made)
    return sets_in_period(sorted(found, key=lambda s: s.snapshot or ""), start, end)


def compute_history(view: View, goals: Goals, goal: str, as_of: dt.date, calendar: str) -> tuple[AccuracyHistory, bool]:
    """(the goal's history over its last complete period, whether a workspace had no snapshot in it so that the
    backtest stands in)."""
    assert view.dataset is not None
    gk = goal_key(view, as_of, calendar)
    key, text_hash, text = str(view.dataset_key), gk.text_hash, gk.text
    if view.workspace is not None:
        start, end = last_complete_period(as_of, goal_per(goals, goal), goals.fiscal_year_start)
        sets = workspace_sets(view, text, text_hash, start, end, calendar)
        if sets:
            sets_key = tuple((s.snapshot, s.source) for s in sets)
            found = _history(key, text_hash, goal, as_of.isoformat(), calendar, sets_key, sets, view.dataset, text)
            if found.points:
                return found, False
        return _backtest(key, text_hash, goal, as_of.isoformat(), calendar, view.dataset, text), True
    return _backtest(key, text_hash, goal, as_of.isoformat(), calendar, view.dataset, text), False


# ------------------------------------------------------------------------------------------------ goals
def goal_ids(goals: Goals) -> list[str]:
    return [KGI_ID, *(k.id for k in goals.kpis)]


def goal_name(goals: Goals, goal: str, lang: str) -> str:
    """The goal's name from the goal file (user text), the KGI marked as such."""
    if goal == KGI_ID:
        return goals.kgi.name + t("fh.kgi_suffix", lang)
    return goals.kpi(goal).name


def default_goal(goals: Goals) -> str:
    """The goal the meeting looks at first: the first one measured per month (the meeting's rhythm), else the KGI."""
    return next((g for g in goal_ids(goals) if goal_per(goals, g) == "month"), KGI_ID)


# ------------------------------------------------------------------------------------------------ frames and chart
def fmt_day(day: dt.date, lang: str) -> str:
    """A forecast day without its year (the period gives it): 10月2日 / Oct 2."""
    full = fmt_date(day, lang)
    return full.split("年", 1)[1] if lang == "ja" else full.rsplit(",", 1)[0]


def _status(inside: bool | None) -> str:
    return "none" if inside is None else "held" if inside else "missed"


def history_frame(history: AccuracyHistory, lang: str) -> pd.DataFrame:
    """One row per forecast day: the numbers for the chart, and the same as text (kpi_core.format) for tooltips."""
    unit = figure_unit(history.metric)
    value = functools.partial(fmt_value, unit=unit, lang=lang, compact=True)
    rows = []
    for point in history.points:
        status = _status(point.inside)
        rows.append(
            {
                "day": pd.Timestamp(point.as_of),
                "value": point.value,
                "low": point.low,
                "high": point.high,
                "actual": history.actual,
                "accuracy": point.accuracy,
                "status": t(f"fh.status.{status}", lang),
                "day_text": fmt_day(point.as_of, lang),
                "value_text": value(point.value),
                "range_text": t("fh.range", lang, low=value(point.low), high=value(point.high))
                if point.low is not None and point.high is not None
                else t("fh.status.none", lang),
                "actual_text": value(history.actual),
                "accuracy_text": fmt_pct(point.accuracy, lang),
                "source_text": t(f"fh.source.{point.source}", lang),
            }
        )
    return pd.DataFrame(rows)


Y_AXIS_EXTENT = 64  # the same room for both charts' y labels, so their days line up


def _value_axis(unit: str, lang: str) -> alt.Axis:
    title = t("fh.axis.forecast", lang)
    if unit == "currency":
        return alt.Axis(title=title, labelExpr=money_axis_expr(lang), minExtent=Y_AXIS_EXTENT)
    if unit == "ratio":
        return alt.Axis(title=title, format=".0%", minExtent=Y_AXIS_EXTENT)
    return alt.Axis(title=title, format=",~f", minExtent=Y_AXIS_EXTENT)


def _value_domain(frame: pd.DataFrame) -> list[float]:
    """The value axis: every forecast, range end and the actual, with a margin (from 0 when they start near it)."""
    values = [float(v) for c in ("value", "low", "high", "actual") for v in frame[c].dropna().tolist()]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    pad = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
    bottom = 0.0 if 0 <= low < pad * 3 else low - pad
    return [bottom, high + pad]


@dataclass(frozen=True)
class Encodings:
    """What both charts share: the x axis (one step per forecast day), the status colour and shape, the tooltip."""

    x: alt.X
    colour: alt.Color
    shape: alt.Shape
    tooltip: list[alt.Tooltip]


def encodings(lang: str, *, legend: bool) -> Encodings:
    # One step per forecast day (the weeks of the period), labelled with its date: no empty days in between.
    x = alt.X("day_text:N", title=t("fh.axis.day", lang), sort=None, axis=alt.Axis(labelAngle=0),
              scale=alt.Scale(padding=0.3))  # fmt: skip
    labels = [t(f"fh.status.{s}", lang) for s in STATUSES]
    shown = alt.Legend(title=t("fh.legend", lang)) if legend else None
    colour = alt.Color("status:N", legend=shown, scale=alt.Scale(domain=labels, range=list(STATUS_RANGE)))
    shape = alt.Shape("status:N", legend=shown, scale=alt.Scale(domain=labels, range=list(STATUS_SHAPES)))
    tooltip = [
        alt.Tooltip(f"{name}_text:N", title=t(f"fh.col.{column}", lang))
        for name, column in (
            ("day", "day"), ("value", "forecast"), ("range", "range"), ("actual", "actual"),
            ("accuracy", "accuracy"), ("source", "source"),
        )
    ]  # fmt: skip
    return Encodings(x, colour, shape, tooltip)


def forecast_chart(frame: pd.DataFrame, history: AccuracyHistory, lang: str) -> alt.LayerChart:
    """Each day's period-end forecast (line) and its range (band) against the period's actual (dashed rule), the
    points coloured and shaped by whether the range held."""
    unit, enc = figure_unit(history.metric), encodings(lang, legend=True)
    scale, axis = alt.Scale(domain=_value_domain(frame), nice=False), _value_axis(unit, lang)

    def y(field: str) -> alt.Y:  # one scale and one axis title for every layer
        return alt.Y(f"{field}:Q", scale=scale, axis=axis)

    base = alt.Chart(frame).encode(x=enc.x)
    layers: list[alt.Chart] = [
        base.mark_area(color=NEUTRAL_LIGHT, opacity=0.35).encode(y=y("low"), y2="high:Q"),
        base.mark_line(color=NEUTRAL).encode(y=y("value")),
        base.mark_point(filled=True, size=90, opacity=1).encode(y=y("value"), color=enc.colour, shape=enc.shape,
                                                                tooltip=enc.tooltip),
    ]  # fmt: skip
    if history.actual is not None:
        label = t("fh.actual_rule", lang, value=frame["actual_text"].iloc[0])
        actual = alt.Chart(pd.DataFrame({"actual": [history.actual], "label": [label]}))
        layers.append(actual.mark_rule(color=TEXT, strokeDash=[6, 4], strokeWidth=1.5).encode(y=y("actual")))
        layers.append(
            actual.mark_text(align="right", baseline="bottom", dx=-4, dy=-4, color=TEXT).encode(
                y=y("actual"), x=alt.value("width"), text="label:N"
            )
        )
    return alt.layer(*layers).properties(height=CHART_HEIGHT)


def accuracy_chart(frame: pd.DataFrame, lang: str) -> alt.LayerChart | None:
    """The accuracy of each day's forecast as a line (None when no day has one: an actual of 0)."""
    scored = frame.dropna(subset=["accuracy"])
    if scored.empty:
        return None
    enc = encodings(lang, legend=False)
    floor = min(0.0, float(scored["accuracy"].min()))
    y = alt.Y("accuracy:Q", title=t("fh.axis.accuracy", lang), axis=alt.Axis(format=".0%", minExtent=Y_AXIS_EXTENT),
              scale=alt.Scale(domain=[floor, 1.0]))  # fmt: skip
    base = alt.Chart(scored).encode(x=enc.x, y=y)
    return alt.layer(
        base.mark_line(color=NEUTRAL),
        base.mark_point(filled=True, size=90, opacity=1).encode(color=enc.colour, shape=enc.shape,
                                                                tooltip=enc.tooltip),
    ).properties(height=int(CHART_HEIGHT * 0.7))  # fmt: skip


def table_frame(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    columns = {
        "day_text": t("fh.col.day", lang),
        "value_text": t("fh.col.forecast", lang),
        "range_text": t("fh.col.range", lang),
        "actual_text": t("fh.col.actual", lang),
        "accuracy_text": t("fh.col.accuracy", lang),
        "status": t("fh.col.inside", lang),
        "source_text": t("fh.col.source", lang),
    }
    return frame[list(columns)].rename(columns=columns)


# ------------------------------------------------------------------------------------------------ the section
def _sentences(history: AccuracyHistory, stand_in: bool, lang: str) -> Sequence[str]:
    out = []
    if stand_in:
        out.append(render("forecast_history.no_snapshots", lang, period=fmt_period(history.period, history.per, lang)))
    return [*out, *notes(history, lang)]


def draw_forecast_history(view: View, goals: Goals, as_of: dt.date, calendar: str) -> AccuracyHistory | None:
    """The Weekly meeting's forecast-accuracy section: a goal choice, the headline (先月の予測精度 92.0%（幅の中に
    4 / 5 回）), the forecasts against the actual and their accuracy day by day, what the figures are (a backtest
    is said to be one), and the table. Returns what it drew (None when nothing)."""
    lang = view.lang
    st.subheader(t("fh.title", lang))
    if view.dataset is None:
        st.info(t("fh.no_data", lang), icon=":material/info:")
        return None
    ids = goal_ids(goals)
    if st.session_state.get(GOAL_WIDGET, ids[0]) not in ids:  # a goal the edited goal file no longer has
        st.session_state.pop(GOAL_WIDGET)
    label = functools.partial(lambda g, lang: goal_name(goals, g, lang), lang=lang)
    goal = st.selectbox(t("fh.goal", lang), ids, index=ids.index(default_goal(goals)), format_func=label,
                        key=GOAL_WIDGET)  # fmt: skip
    goal = goal if goal in ids else default_goal(goals)
    try:
        with st.spinner(t("fh.computing", lang)):
            history, stand_in = compute_history(view, goals, goal, as_of, calendar)
    except Exception:  # a side section: the page stands without it
        _log.exception("forecast history failed")
        st.warning(t("fh.failed", lang), icon=":material/warning:")
        return None
    st.markdown(f"**{md(headline(history, lang))}**")
    for sentence in _sentences(history, stand_in, lang):
        st.caption(md(sentence))
    if not history.points:
        return history
    frame = history_frame(history, lang)
    caption = t(
        "fh.caption", lang, goal=md(goal_name(goals, goal, lang)), period=fmt_period(history.period, history.per, lang),
        actual=fmt_value(history.actual, figure_unit(history.metric), lang, compact=True),
    )  # fmt: skip
    table = functools.partial(table_frame, frame, lang)
    accuracy = accuracy_chart(frame, lang)
    # One chart at a time keeps the meeting page short: forecasts first, then accuracy and the table on demand.
    names = [t("fh.tab.forecast", lang)] + ([t("fh.tab.accuracy", lang)] if accuracy is not None else [])
    tabs = st.tabs([*names, t("fh.table", lang)])
    with tabs[0]:
        show_chart(forecast_chart(frame, history, lang), key="forecast_history", caption=caption, data=table,
                   large=view.workshop)  # fmt: skip
    if accuracy is not None:
        with tabs[1]:
            show_chart(accuracy, key="forecast_accuracy", caption=t("fh.accuracy_caption", lang), data=table,
                       large=view.workshop)  # fmt: skip
    with tabs[-1]:
        show_table(table_frame(frame, lang), key="forecast_history")
    return history
