"""Forecast history and accuracy: the forecasts the product made on each day of a period (KGI and each KPI, value and
range), scored once the period has ended: accuracy = 1 − |actual − forecast| ÷ actual, and whether the range held.

The forecasts of a day are kpi_core.pacing.forecast_goals, the call every goal page and kpi_core.report.build_report
make (its `plan.forecasts`), so a stored forecast is the one the pages showed. A workspace keeps one set per snapshot
(kpi_core.workspace: forecasts.json beside the snapshot's manifest); data without snapshots gets the same from the
data itself, replayed as kpi_core.backtest does (the data cut back to each day with snapshot_at): a backtest,
labelled as such, never as history.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kpi_core.asof import data_bounds
from kpi_core.backtest import snapshot_at
from kpi_core.business_days import DEFAULT_CALENDAR, business_day_list, period_bounds, period_label
from kpi_core.format import fmt_int, fmt_pct, fmt_period
from kpi_core.goals import Goals
from kpi_core.intake.load import Dataset
from kpi_core.messages import render
from kpi_core.pacing import Forecast, Pacer, forecast_goals

FORMAT = 1  # of forecasts.json
KGI_ID = "kgi"
# Where a set of forecasts comes from: saved on the snapshot's day, remade later from the snapshot's own data, or
# replayed from data cut back to a day (a backtest: what the engine would have said, not what anyone saw).
SOURCES = ("stored", "reconstructed", "backtest")
KINDS = ("history", "backtest")
# What a scored period says first: scored; the actual is 0 (accuracy undefined); no forecast fell in the period;
# the data does not reach the period's end (or has no value for it); the data cannot be cut back to a day.
CODES = ("scored", "actual_zero", "no_forecasts", "no_actual", "not_records")


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


# ------------------------------------------------------------------------------------------------ a day's forecasts
@dataclass(frozen=True)
class GoalForecast:
    """One goal's period-end forecast as the product made it: the KGI ("kgi") or a KPI (its id)."""

    goal: str
    metric: str
    per: str
    period: str  # the engine's label: 2026-10, 2025 (fiscal), 2026-Q2, 2026-W07
    period_start: dt.date
    period_end: dt.date
    target: float | None
    value: float | None
    low: float | None
    high: float | None
    probability_on_target: float | None
    method: str  # the method code (kpi_core.pacing.METHOD_CODES)

    @classmethod
    def of(cls, goal: str, forecast: Forecast) -> GoalForecast:
        return cls(
            goal, forecast.metric, forecast.per, forecast.period, forecast.period_start, forecast.period_end,
            _finite(forecast.target), _finite(forecast.value), _finite(forecast.low), _finite(forecast.high),
            _finite(forecast.probability_on_target), str((forecast.method or {}).get("code", "")),
        )  # fmt: skip

    def as_json(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["period_start"], out["period_end"] = self.period_start.isoformat(), self.period_end.isoformat()
        return out

    @classmethod
    def from_json(cls, payload: Mapping[str, Any]) -> GoalForecast:
        """A stored forecast (KeyError, TypeError or ValueError when it is not one)."""
        numbers = {k: _finite(payload.get(k)) for k in ("target", "value", "low", "high", "probability_on_target")}
        return cls(
            goal=str(payload["goal"]),
            metric=str(payload["metric"]),
            per=str(payload["per"]),
            period=str(payload["period"]),
            period_start=dt.date.fromisoformat(str(payload["period_start"])),
            period_end=dt.date.fromisoformat(str(payload["period_end"])),
            method=str(payload.get("method", "")),
            **numbers,
        )


@dataclass(frozen=True)
class ForecastSet:
    """The forecasts of one day (KGI and each KPI), where they come from (SOURCES) and which snapshot they belong to."""

    as_of: dt.date
    calendar: str
    forecasts: tuple[GoalForecast, ...]
    source: str = "stored"
    snapshot: str | None = None

    def get(self, goal: str) -> GoalForecast | None:
        return next((f for f in self.forecasts if f.goal == goal), None)

    def as_json(self) -> dict[str, Any]:
        """What forecasts.json holds (the source and snapshot are known from where the file is)."""
        return {
            "format": FORMAT,
            "as_of": self.as_of.isoformat(),
            "calendar": self.calendar,
            "forecasts": [f.as_json() for f in self.forecasts],
        }

    @classmethod
    def from_json(cls, payload: object, *, source: str = "stored", snapshot: str | None = None) -> ForecastSet:
        """A set read from forecasts.json (ValueError when the file is not one)."""
        if not isinstance(payload, dict) or not isinstance(payload.get("forecasts"), list):
            raise ValueError("not a forecasts file")
        try:
            forecasts = tuple(GoalForecast.from_json(f) for f in payload["forecasts"])
            as_of = dt.date.fromisoformat(str(payload["as_of"]))
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError("not a forecasts file") from exc
        return cls(as_of, str(payload.get("calendar", DEFAULT_CALENDAR)), forecasts, source, snapshot)


def product_as_of(dataset: Dataset, today: dt.date) -> dt.date:
    """The as-of date the goal pages open at on `today`: today while the data reaches today's month, else the data's
    last date (an export of a past month is read at its own end). The rule of ui/goals_state.default_as_of."""
    last = data_bounds(dataset)[1]
    if last is None or (last.year, last.month) >= (today.year, today.month):
        return today
    return last


def make_forecasts(
    goals: Goals,
    dataset: Dataset,
    as_of: dt.date,
    *,
    calendar: str = DEFAULT_CALENDAR,
    source: str = "stored",
    snapshot: str | None = None,
) -> ForecastSet:
    """The forecasts the pages show for this data at `as_of` (kpi_core.pacing.forecast_goals, as build_report
    makes them: no filters), KGI first, then each KPI in the goal file's order."""
    made = forecast_goals(goals, dataset, as_of=as_of, calendar=calendar)
    forecasts = tuple(GoalForecast.of(goal, forecast) for goal, forecast in made.items())
    return ForecastSet(as_of, calendar, forecasts, source, snapshot)


# ------------------------------------------------------------------------------------------------ periods and days
def goal_per(goals: Goals, goal: str) -> str:
    """The period length of a goal: the KGI's period, or the KPI's `per` (KeyError for an unknown id)."""
    return goals.kgi.period if goal == KGI_ID else goals.kpi(goal).per


def goal_metric(goals: Goals, goal: str) -> str:
    return goals.kgi.metric if goal == KGI_ID else goals.kpi(goal).metric


def last_complete_period(as_of: dt.date, per: str, fiscal_start: int = 4) -> tuple[dt.date, dt.date]:
    """The latest `per` period that has ended on `as_of` (the one holding it when as_of is its last day)."""
    start, end = period_bounds(as_of, per, fiscal_start)
    if as_of >= end:
        return start, end
    return period_bounds(start - dt.timedelta(days=1), per, fiscal_start)


def check_days(start: dt.date, end: dt.date, per: str, calendar: str = DEFAULT_CALENDAR) -> list[dt.date]:
    """The days a backtest replays in the period start..end: the last business day of each week (of each month for
    a year; each business day for a week), leaving out the period's last business day, whose "forecast" is
    already the result."""
    days = business_day_list(start, end, calendar)
    if len(days) < 2:
        return []
    if per == "week":
        return days[:-1]
    step = (lambda d: (d.year, d.month)) if per == "year" else (lambda d: tuple(d.isocalendar())[:2])
    last_of: dict[tuple[int, ...], dt.date] = {}
    for day in days:
        last_of[step(day)] = day  # days are in order: the last one of each step wins
    return [day for day in last_of.values() if day < days[-1]]


# ------------------------------------------------------------------------------------------------ scoring
def forecast_accuracy(forecast: float | None, actual: float | None) -> float | None:
    """1 − |actual − forecast| ÷ |actual|; None without a forecast or an actual, and when the actual is 0 (the
    ratio is undefined: never divided)."""
    if forecast is None or actual is None or actual == 0:
        return None
    return 1.0 - abs(actual - forecast) / abs(actual)


def range_held(low: float | None, high: float | None, actual: float | None) -> bool | None:
    """Whether low ≤ actual ≤ high (None without a range or an actual)."""
    if low is None or high is None or actual is None:
        return None
    return low <= actual <= high


@dataclass(frozen=True)
class ScoredForecast:
    """One day's forecast of the period's end against how the period ended."""

    as_of: dt.date
    value: float | None
    low: float | None
    high: float | None
    probability_on_target: float | None
    method: str
    source: str
    snapshot: str | None
    accuracy: float | None
    inside: bool | None

    def as_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "as_of": self.as_of.isoformat()}


@dataclass(frozen=True)
class AccuracyHistory:
    """How the forecasts of one goal for one ended period fared: each day's score and the summary.

    `kind` is "history" (forecasts stored on, or remade from, the workspace's snapshots) or "backtest" (replayed from
    the data: never shown as history); `code` (CODES) says what can be said first."""

    goal: str
    metric: str
    per: str
    period: str
    period_start: dt.date
    period_end: dt.date
    kind: str
    actual: float | None
    target: float | None
    points: tuple[ScoredForecast, ...]
    code: str

    @property
    def scored(self) -> list[float]:
        return [p.accuracy for p in self.points if p.accuracy is not None]

    @property
    def mean_accuracy(self) -> float | None:
        """The mean accuracy over the days that have one (None when none has: no forecast, or an actual of 0)."""
        return statistics.fmean(self.scored) if self.scored else None

    @property
    def held(self) -> int:
        """Days whose range held the actual."""
        return sum(p.inside is True for p in self.points)

    @property
    def ranged(self) -> int:
        """Days that had a range to hold it."""
        return sum(p.inside is not None for p in self.points)

    @property
    def share_held(self) -> float | None:
        return self.held / self.ranged if self.ranged else None

    @property
    def reconstructed(self) -> int:
        """Days whose forecasts were remade from the snapshot's data (none was stored that day)."""
        return sum(p.source == "reconstructed" for p in self.points)

    def as_dict(self) -> dict[str, Any]:
        return {
            "goal": self.goal, "metric": self.metric, "per": self.per, "period": self.period,
            "period_start": self.period_start.isoformat(), "period_end": self.period_end.isoformat(),
            "kind": self.kind, "code": self.code, "actual": self.actual, "target": self.target,
            "mean_accuracy": self.mean_accuracy, "held": self.held, "ranged": self.ranged,
            "share_held": self.share_held, "reconstructed": self.reconstructed,
            "points": [p.as_dict() for p in self.points],
        }  # fmt: skip


def score_period(
    goal: str,
    sets: Iterable[ForecastSet],
    actual: float | None,
    *,
    per: str,
    period_start: dt.date,
    period_end: dt.date,
    metric: str,
    kind: str = "history",
    fiscal_start: int = 4,
    actual_known: bool = True,
) -> AccuracyHistory:
    """Score the forecasts of `goal` for the period period_start..period_end made on days inside it (before its
    end): each day's accuracy and whether its range held `actual`. Sets from other periods, other metrics or
    without this goal are left out; of two sets of one day the later one in `sets` is kept (the newer snapshot).
    `actual_known` False: the data does not reach the period's end yet (nothing is scored)."""
    chosen: dict[dt.date, tuple[ForecastSet, GoalForecast]] = {}
    target = None
    for made in sets:
        forecast = made.get(goal)
        if forecast is None or forecast.per != per or forecast.period_start != period_start:
            continue
        if forecast.metric.replace(" ", "") != metric.replace(" ", ""):
            continue  # the goal file changed what this id measures: not the same forecast
        if not period_start <= made.as_of < period_end:
            continue
        chosen[made.as_of] = (made, forecast)
    if not actual_known:
        actual = None
    points = []
    for day in sorted(chosen):
        made, forecast = chosen[day]
        target = forecast.target if forecast.target is not None else target
        points.append(
            ScoredForecast(
                day, forecast.value, forecast.low, forecast.high, forecast.probability_on_target, forecast.method,
                made.source, made.snapshot, forecast_accuracy(forecast.value, actual),
                range_held(forecast.low, forecast.high, actual),
            )
        )  # fmt: skip
    if not points:
        code = "no_forecasts"
    elif actual is None:
        code = "no_actual"
    elif actual == 0:
        code = "actual_zero"
    else:
        code = "scored"
    label = period_label(period_start, per, fiscal_start)
    return AccuracyHistory(
        goal, metric, per, label, period_start, period_end, kind, actual, target, tuple(points), code
    )


def period_actual(
    goals: Goals, dataset: Dataset, goal: str, start: dt.date, end: dt.date, *, calendar: str = DEFAULT_CALENDAR
) -> tuple[float | None, bool]:
    """(the goal's value over start..end as the engine computes it, whether the data reaches `end`): the same
    figure a forecast made after the period shows as its result (Pacer.value, as kpi_core.backtest's finals)."""
    last = data_bounds(dataset)[1]
    pacer = Pacer(dataset, calendar=calendar, fiscal_start=goals.fiscal_year_start)
    return pacer.value(goal_metric(goals, goal), start, end), last is not None and last >= end


def goal_history(
    goals: Goals,
    goal: str,
    sets: Iterable[ForecastSet],
    dataset: Dataset,
    as_of: dt.date,
    *,
    calendar: str = DEFAULT_CALENDAR,
) -> AccuracyHistory:
    """The history of `goal` over its last complete period at `as_of`: the workspace's forecast sets scored
    against the period's actual from `dataset` (the newest data)."""
    per = goal_per(goals, goal)
    start, end = last_complete_period(as_of, per, goals.fiscal_year_start)
    actual, known = period_actual(goals, dataset, goal, start, end, calendar=calendar)
    return score_period(
        goal, sets, actual, per=per, period_start=start, period_end=end, metric=goal_metric(goals, goal),
        kind="history", fiscal_start=goals.fiscal_year_start, actual_known=known,
    )  # fmt: skip


def goal_backtest(
    goals: Goals,
    goal: str,
    dataset: Dataset,
    as_of: dt.date,
    *,
    calendar: str = DEFAULT_CALENDAR,
) -> AccuracyHistory:
    """The same for data without snapshots: at each check day of the goal's last complete period (check_days), the
    forecasts the engine would have made from the data cut back to that day (kpi_core.backtest.snapshot_at, as the
    backtest does), scored against the period's actual from all the data. Labelled "backtest", not history."""
    per = goal_per(goals, goal)
    start, end = last_complete_period(as_of, per, goals.fiscal_year_start)
    metric = goal_metric(goals, goal)
    if dataset.shape != "records":
        label = period_label(start, per, goals.fiscal_year_start)
        return AccuracyHistory(goal, metric, per, label, start, end, "backtest", None, None, (), "not_records")
    # Only the goal asked for (with the KGI, which forecast_goals always makes): the same call, fewer forecasts.
    only = dataclasses.replace(goals, kpis=[] if goal == KGI_ID else [goals.kpi(goal)])
    actual, known = period_actual(goals, dataset, goal, start, end, calendar=calendar)
    sets = [
        make_forecasts(only, snapshot_at(dataset, day), day, calendar=calendar, source="backtest")
        for day in check_days(start, end, per, calendar)
    ]
    return score_period(
        goal, sets, actual, per=per, period_start=start, period_end=end, metric=metric, kind="backtest",
        fiscal_start=goals.fiscal_year_start, actual_known=known,
    )  # fmt: skip


# ------------------------------------------------------------------------------------------------ sentences
def headline(history: AccuracyHistory, lang: str = "en") -> str:
    """The summary line (先月（2026年10月）の予測精度 92.0%（幅の中に 4 / 5 回）), or why there is no accuracy."""
    period = fmt_period(history.period, history.per, lang)
    held = {"held": fmt_int(history.held, lang), "ranged": fmt_int(history.ranged, lang)}
    if history.code == "scored" and history.mean_accuracy is not None:
        accuracy = fmt_pct(history.mean_accuracy, lang)
        return render(f"forecast_history.headline.{history.per}", lang, period=period, accuracy=accuracy, **held)
    if history.code == "actual_zero":
        return render("forecast_history.actual_zero", lang, period=period, **held)
    if history.code == "scored":  # points, an actual, but no value to score (the engine made no forecast)
        return render("forecast_history.no_values", lang, period=period)
    return render(f"forecast_history.{history.code}", lang, period=period)


def notes(history: AccuracyHistory, lang: str = "en") -> list[str]:
    """What the figures are: a backtest (never history), and how many snapshots' forecasts were remade."""
    period = fmt_period(history.period, history.per, lang)
    out = []
    if history.kind == "backtest":
        key = {"year": "backtest_year", "week": "backtest_week"}.get(history.per, "backtest")
        out.append(render(f"forecast_history.{key}", lang, period=period))
    elif history.points:
        out.append(render("forecast_history.stored", lang))
    if history.reconstructed:
        out.append(render("forecast_history.reconstructed", lang, count=fmt_int(history.reconstructed, lang)))
    return out


def sets_in_period(sets: Sequence[ForecastSet], start: dt.date, end: dt.date) -> list[ForecastSet]:
    """The sets made on a day inside start..end (before its end)."""
    return [s for s in sets if start <= s.as_of < end]
