"""One report per (data, goals, filters, as-of, calendar, target mode): what the Pivots page and `report` render."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

from kpi_core.format import fmt_change, fmt_signed, fmt_value
from kpi_core.goals import Goals, backward_plan, consistency_check, current_gaps, kpi_gaps, metric_unit
from kpi_core.intake.load import Dataset
from kpi_core.metrics import Filters
from kpi_core.pacing import Forecast, forecast_goals
from kpi_core.pivots import (
    HISTORY_MONTHS,
    KGI,
    DriverModel,
    LeverChange,
    LeverHistory,
    LeverSetting,
    Pivot,
    PivotInputError,
    PivotReport,
    Shortfall,
    WhatIf,
    complete_months,
    funnel_model,
    kgi_forecast,
    lever_history,
    pivots_for_goals,
    required_rest_value,
)
from kpi_core.pivots.candidates import _change
from kpi_core.pivots.windows import _kpis

# A zero change of a lever every revenue model has: makes the engine report the month's what-if baseline.
NEUTRAL_SETTING = LeverSetting("avg_unit_price", 0.0, relative=True)
TARGET_MODES = ("catch_up", "even")
DEFAULT_TARGET_MODE = "catch_up"
SUPPORTED_QUANTILE = 0.75  # "a month the team reaches in one of every four": the target its history supports


# --- one figure, formatted once -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    """One number the reader sees, with what it counts and over which window; every place that shows it calls
    `text`, so it is rounded once.

    `kind` "level" (a value), "change" (a relative change, +4.3%) or "gap" (a signed difference in the unit).
    `window` says which stretch of time the number covers ("kgi_period", "month", "trailing_3m", "month_end",
    "month_pace", "history"): two figures of the same quantity over different windows carry different labels.
    """

    key: str
    value: float | None
    unit: str  # count | currency | ratio
    window: str
    period: str | None = None
    kind: str = "level"
    required: bool = False  # a count that must be reached: rounded up (68.2 deals needed → 69)

    def text(self, lang: str = "ja", *, currency: str | None = None, compact: bool = True) -> str:
        """The figure as the reader reads it (kpi_core.format: 1,288万円 / ¥12.9M, 19.6%, 69, +4.3%, -32.7万円)."""
        if self.kind == "change":
            return fmt_change(self.value, lang)
        if self.kind == "gap":
            return fmt_signed(self.value, self.unit, lang, currency=currency)
        return fmt_value(self.value, self.unit, lang, compact=compact, currency=currency, required=self.required)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _finite(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


@dataclass(frozen=True)
class LeverFigures:
    """One lever's move as shown everywhere (cards, sentences, tables, charts, simulator, summary)."""

    lever: str
    current: Figure  # a rate: over the last 3 complete months; a volume: its month-end forecast
    required: Figure  # a rate: for the rest of the month; a volume: the month-end total
    change: Figure  # required ÷ current − 1 of the shown values
    pace: Figure | None  # a volume: the monthly pace the rest of the month needs (what history is compared with)


def change_figures(change: LeverChange, period: str | None = None) -> LeverFigures:
    """The figures of one lever move of the engine (kpi_core.pivots.LeverChange): the only way a move is shown."""
    volume = change.kind == "volume"
    name = change.lever
    current_window, required_window = ("month_end", "month_end") if volume else ("trailing_3m", "month_rest")
    return LeverFigures(
        name,
        Figure(f"lever.{name}.current", _finite(change.current), change.unit, current_window, period),
        Figure(f"lever.{name}.required", _finite(change.required), change.unit, required_window, period,
               required=True),
        Figure(f"lever.{name}.change", _finite(change.change_pct), "ratio", required_window, period, kind="change"),
        Figure(f"lever.{name}.pace", _finite(change.history_level), change.unit, "month_pace", period, required=True)
        if volume
        else None,
    )  # fmt: skip


# --- the plan: gaps, forecasts, consistency, backward plan -------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    """The goal model measured at the as-of date (as the `plan` command prints it)."""

    gaps: tuple[dict[str, Any], ...]  # the current period's row of the KGI and each KPI (kpi_core.goals.kpi_gaps)
    forecasts: dict[str, Forecast]  # by KPI id, "kgi" for the KGI (kpi_core.pacing.forecast_goals)
    consistency: dict[str, Any]
    backward_plan: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "gaps": list(self.gaps),
            "forecasts": {key: _forecast_json(f) for key, f in self.forecasts.items()},
            "consistency": self.consistency,
            "backward_plan": self.backward_plan,
        }


def _forecast_json(forecast: Forecast) -> dict[str, Any]:
    return {
        "metric": forecast.metric, "per": forecast.per, "period": forecast.period, "value": forecast.value,
        "low": forecast.low, "high": forecast.high, "target": forecast.target,
        "probability_on_target": forecast.probability_on_target, "method": forecast.method,
    }  # fmt: skip


# --- advice -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Closest:
    """When no lever or pair reaches the target: the pivot that gets nearest with its levers at the best month
    history has seen (never below where they are), and the month's forecast then."""

    pivot: Pivot
    levers: tuple[LeverFigures, ...]  # current → the best level seen in the last 18 months
    forecast: Figure
    gap: Figure


@dataclass(frozen=True)
class Advice:
    """What to say first. `code`:

    - "final": the month is over on the as-of date: its result against the target (met or not, `params["met"]`);
    - "on_track": the month's forecast reaches its target: say so with the headroom, suggest no pivot;
    - "pivot": the best pivot (it raises a lever to a level history has seen);
    - "closest": no lever or pair reaches the target: the combination that comes closest, the forecast then;
    - "no_model": the data cannot feed a driver model of the KGI.
    `supported` is the month's KGI the team reaches in one of every four past months (the target history supports).
    """

    code: str
    best: Pivot | None = None
    shortfall: str | None = None  # id of the shortfall the best pivot belongs to
    closest: Closest | None = None
    supported: Figure | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        closest = self.closest
        return {
            "code": self.code,
            "best": None if self.best is None else {"shortfall": self.shortfall, **self.best.as_dict()},
            "closest": None
            if closest is None
            else {
                "lever": closest.pivot.lever,
                "levers": [
                    {"lever": f.lever, "current": f.current.value, "level": f.required.value, "change": f.change.value}
                    for f in closest.levers
                ],
                "forecast": closest.forecast.value,
                "gap": closest.gap.value,
            },
            "supported": None if self.supported is None else self.supported.as_dict(),
            "params": self.params,
        }


def best_pivot(shortfalls: Sequence[Shortfall]) -> tuple[Shortfall, Pivot] | None:
    """The first shortfall's top pivot that raises a lever to a level seen in past months (verdict "feasible"):
    a lever the forecast already covers is not a move, and lowering one is never advice."""
    for shortfall in shortfalls:
        for pivot in shortfall.pivots:
            if pivot.verdict == "feasible" and all((c.change_abs or 0.0) >= 0 for c in pivot.changes):
                return shortfall, pivot
    return None


def closest_pivot(
    shortfall: Shortfall, model: DriverModel, history: LeverHistory, period: str | None = None
) -> Closest | None:
    """The pivot of `shortfall` whose levers, each at the best month of the history (a volume: its best month as
    the pace for the rest of the period; never below its current value, never above what is required), give the
    highest forecast of the period's KGI."""
    position = shortfall.position
    if position is None or position.remaining_share <= 0:
        return None
    found: tuple[float, Pivot, tuple[LeverFigures, ...]] | None = None
    for pivot in shortfall.pivots:
        if not set(pivot.levers) <= set(model.lever_names):
            continue  # the repeat-share pivot runs on another model
        rest = dict(position.rest)
        moves: list[LeverFigures] = []
        for change in pivot.changes:
            lever = model.lever(change.lever)
            seen = [v for v in history.values.get(lever.name, ()) if v is not None]
            if not seen or change.rest_current is None:
                break
            top = max(seen)
            level = top * position.remaining_share * position.months if lever.kind == "volume" else top
            if lever.maximum is not None:
                level = min(level, lever.maximum)
            level = max(level, change.rest_current)
            if change.rest_required is not None:
                level = min(level, change.rest_required)
            rest[lever.name] = level
            moves.append(change_figures(_change(lever, position, change.rest_current, level), period))
        else:
            forecast = kgi_forecast(model, position, rest)
            if forecast is not None and (found is None or forecast > found[0] + 1e-9):
                found = (forecast, pivot, tuple(moves))
    if found is None:
        return None
    forecast, pivot, levers = found
    return Closest(
        pivot,
        levers,
        Figure("closest.forecast", forecast, "currency", "month", period),
        Figure("closest.gap", forecast - position.kgi_target, "currency", "month", period, kind="gap"),
    )


def supported_month(monthly: Sequence[Mapping[str, Any]], as_of: dt.date, months: int = HISTORY_MONTHS) -> float | None:
    """The month's KGI the team reached in at least one of every four of the last `months` complete months (the
    upper quartile, linear between months), None below 4 months."""
    values = [float(r[KGI]) for r in complete_months(monthly, as_of, months) if r.get(KGI) is not None]
    if len(values) < 4:
        return None
    return statistics.quantiles(values, n=4, method="inclusive")[2]


# --- the report ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Report:
    """Everything the Pivots page, its meeting summary and the `report` command show, computed once."""

    as_of: dt.date
    calendar: str
    target_mode: str
    plan: Plan
    pivots: PivotReport
    figures: dict[str, Figure]
    levers: dict[str, LeverFigures]  # the month's KGI model: each lever alone, current → required
    advice: Advice
    history: LeverHistory  # complete months of every lever (report models and cut funnels): the evidence charts
    baseline: WhatIf | None  # the month on the KGI model with no change: the simulator's starting point

    def figure(self, key: str) -> Figure:
        return self.figures[key]

    @property
    def final(self) -> bool:
        """Whether the month is over on the as-of date (its figures are results, not forecasts)."""
        return bool((self.pivots.kgi_month or {}).get("final"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "calendar": self.calendar,
            "target_mode": self.target_mode,
            "figures": {key: f.as_dict() for key, f in self.figures.items()},
            "levers": {
                name: {k: (None if v is None else v.as_dict()) for k, v in asdict_shallow(lf).items() if k != "lever"}
                for name, lf in self.levers.items()
            },
            "advice": self.advice.as_dict(),
            "plan": self.plan.as_dict(),
            "pivots": self.pivots.as_dict(),
        }


def asdict_shallow(item: Any) -> dict[str, Any]:
    return {name: getattr(item, name) for name in item.__dataclass_fields__}


def cut_models(dataset: Dataset) -> list[DriverModel]:
    """The funnel models cut at each level (the ones a stage-count KPI's pivots use)."""
    found = (funnel_model(dataset.present_levels, start=level) for level in dataset.present_levels)
    return [m for m in found if m is not None]


def build_report(
    goals: Goals,
    dataset: Dataset,
    as_of: dt.date,
    *,
    calendar: str = "jp",
    filters: Filters | None = None,
    target_mode: str = DEFAULT_TARGET_MODE,
    forecasts: Mapping[str, Forecast] | None = None,
) -> Report:
    """The report of a goal model on a dataset at `as_of`: the plan, the pivots (with the month's what-if
    baseline), the figures every page shows, and the advice. `forecasts` (by KPI id) skips forecasting again."""
    if forecasts is None:
        forecasts = forecast_goals(goals, dataset, as_of=as_of, calendar=calendar, filters=filters)
    rows = kpi_gaps(goals, dataset, as_of=as_of, calendar=calendar, filters=filters)
    plan = Plan(
        tuple(current_gaps(rows)),
        dict(forecasts),
        consistency_check(goals, dataset, as_of=as_of),
        backward_plan(goals, dataset, as_of=as_of),
    )
    run = partial(
        pivots_for_goals, goals, dataset, as_of,
        calendar=calendar, filters=filters, target_mode=target_mode, forecasts=forecasts,
    )  # fmt: skip
    try:
        pivots = run(settings=[NEUTRAL_SETTING])
    except PivotInputError:  # no model has a unit price: no baseline, the rest of the report stands
        pivots = run()
    history = lever_history(dataset, [*pivots.models, *cut_models(dataset)], as_of, filters=filters)
    monthly = _kpis(dataset, period="month", fiscal_start=goals.fiscal_year_start, filters=filters).by_period
    figures = _figures(goals, forecasts, pivots)
    levers = _lever_figures(pivots)
    supported = supported_month(monthly, as_of)
    month = pivots.kgi_month or {}
    if supported is not None:
        figures["month.supported"] = Figure("month.supported", supported, "currency", "history", month.get("period"))
    advice = _advice(pivots, figures, figures.get("month.supported"))
    return Report(as_of, calendar, target_mode, plan, pivots, figures, levers, advice, history, pivots.what_if)


def what_if_outcome(
    goals: Goals,
    dataset: Dataset,
    report: Report,
    settings: Sequence[LeverSetting],
    *,
    filters: Filters | None = None,
) -> WhatIf | None:
    """The month's KGI with `settings` applied on the report's model (PivotInputError when one cannot be)."""
    if not settings:
        return None
    outcome = pivots_for_goals(
        goals, dataset, report.as_of, settings=settings, calendar=report.calendar, filters=filters,
        target_mode=report.target_mode, forecasts=report.plan.forecasts,
    ).what_if  # fmt: skip
    return outcome


def _figures(goals: Goals, forecasts: Mapping[str, Forecast], pivots: PivotReport) -> dict[str, Figure]:
    out: dict[str, Figure] = {}
    kgi = forecasts.get("kgi")
    per = goals.kgi.period
    period = kgi.period if kgi is not None else None
    target = float(goals.kgi.target)
    value = _finite(kgi.value) if kgi is not None else None
    out["kgi.target"] = Figure("kgi.target", target, "currency", "kgi_period", period)
    out["kgi.forecast"] = Figure("kgi.forecast", value, "currency", "kgi_period", period)
    out["kgi.gap"] = Figure("kgi.gap", None if value is None else value - target, "currency", "kgi_period", period,
                            kind="gap")  # fmt: skip
    if kgi is not None:
        out["kgi.low"] = Figure("kgi.low", _finite(kgi.low), "currency", "kgi_period", period)
        out["kgi.high"] = Figure("kgi.high", _finite(kgi.high), "currency", "kgi_period", period)
        out["kgi.probability"] = Figure("kgi.probability", _finite(kgi.probability_on_target), "ratio", per, period)
    month = pivots.kgi_month
    if month is not None:
        mp = month["period"]
        out["month.target"] = Figure("month.target", month["target"], "currency", "month", mp)
        out["month.forecast"] = Figure("month.forecast", _finite(month["forecast"]), "currency", "month", mp)
        out["month.booked"] = Figure("month.booked", month["booked"], "currency", "month", mp)
        out["month.gap"] = Figure("month.gap", _finite(month["gap"]), "currency", "month", mp, kind="gap")
    for kpi in goals.kpis:
        fc = forecasts.get(kpi.id)
        if fc is None:
            continue
        unit = metric_unit(kpi.metric)
        unit = unit if unit in ("count", "currency", "ratio") else "count"
        out[f"kpi.{kpi.id}.forecast"] = Figure(f"kpi.{kpi.id}.forecast", _finite(fc.value), unit, kpi.per, fc.period)
        out[f"kpi.{kpi.id}.target"] = Figure(f"kpi.{kpi.id}.target", _finite(kpi.target), unit, kpi.per, fc.period)
    return out


def _lever_figures(pivots: PivotReport) -> dict[str, LeverFigures]:
    """Each lever of the month's KGI model alone: where it is and what it must reach for the month's target."""
    model, position = pivots.kgi_model, pivots.kgi_position
    if model is None or position is None:
        return {}
    out = {}
    for lever in model.levers:
        needed = required_rest_value(model, position, lever.name)
        if needed is not None:
            needed = max(needed, 0.0)
        change = _change(lever, position, position.rest.get(lever.name), needed)
        out[lever.name] = change_figures(change, position.period)
    return out


def _advice(pivots: PivotReport, figures: Mapping[str, Figure], supported: Figure | None) -> Advice:
    month = pivots.kgi_month
    if month is None or pivots.kgi_model is None:
        return Advice("no_model", supported=supported)
    forecast, target = month["forecast"], month["target"]
    if month["final"]:
        met = forecast is not None and forecast >= target
        return Advice("final", supported=supported, params={"met": met})
    if forecast is not None and forecast >= target:
        return Advice("on_track", supported=supported)
    found = best_pivot(pivots.shortfalls)
    if found is not None:
        return Advice("pivot", best=found[1], shortfall=found[0].kpi.id, supported=supported)
    kgi_entry = next((s for s in pivots.shortfalls if s.kpi.id == "kgi"), None)
    closest = None
    if kgi_entry is not None and pivots.history is not None:
        closest = closest_pivot(kgi_entry, pivots.kgi_model, pivots.history, month["period"])
    return Advice("closest", closest=closest, shortfall="kgi" if closest else None, supported=supported)


# --- words --------------------------------------------------------------------------------------------------------
def lever_name(report: Report, name: str, lang: str) -> str:
    """A lever's label in `lang` (the engine's models, else metrics.yaml, else the name); a pair as "A + B"."""
    if "+" in name:
        return " + ".join(lever_name(report, part, lang) for part in name.split("+"))
    from kpi_core.pivots import SUSTAINABILITY_MODEL

    for model in (*report.pivots.models, SUSTAINABILITY_MODEL):
        for lever in model.levers:
            if lever.name == name:
                return lever.label[lang]
    from kpi_core.metrics import load_catalog

    try:
        return load_catalog().get(name).label[lang]
    except KeyError:
        return name


def _joined(items: Sequence[str], lang: str) -> str:
    return ("、" if lang == "ja" else ", ").join(items)


def advice_lines(report: Report, lang: str, *, currency: str | None = None) -> list[str]:
    """The advice in sentences (kpi_core.messages), every figure from the report: what the page's advice box, the
    meeting summary's "next" column and the `report` command say first."""
    from kpi_core.format import fmt_period
    from kpi_core.messages import render

    def text(figure: Figure | None) -> str:
        return figure.text(lang, currency=currency) if figure is not None else fmt_value(None, "count", lang)

    advice, figures = report.advice, report.figures
    month = report.pivots.kgi_month or {}
    period = fmt_period(month["period"], month.get("per", "month"), lang) if month.get("period") else ""
    lines: list[str] = []
    target, forecast, gap = (figures.get(f"month.{k}") for k in ("target", "forecast", "gap"))
    if advice.code == "no_model":
        lines.append(render("report.advice.no_model", lang))
    elif advice.code == "final":
        key = "report.advice.final_met" if advice.params.get("met") else "report.advice.final_missed"
        lines.append(render(key, lang, period=period, target=text(target), result=text(forecast), gap=text(gap)))
    elif advice.code == "on_track":
        headroom = Figure(
            "month.headroom", abs(gap.value) if gap and gap.value is not None else None, "currency", "month"
        )
        lines.append(
            render("report.advice.on_track", lang, period=period, target=text(target), forecast=text(forecast),
                   headroom=text(headroom))
        )  # fmt: skip
    elif advice.code == "pivot" and advice.best is not None:
        moves = [change_figures(c, month.get("period")) for c in advice.best.changes]
        lines.append(
            render(
                "report.advice.pivot", lang, lever=lever_name(report, advice.best.lever, lang),
                current=" / ".join(text(m.current) for m in moves),
                required=" / ".join(text(m.required) for m in moves),
                change=" / ".join(text(m.change) for m in moves), achieved=advice.best.evidence.achieved,
                months=advice.best.evidence.months,
            )
        )  # fmt: skip
    elif advice.closest is not None:
        closest = advice.closest
        levels = _joined([f"{lever_name(report, m.lever, lang)} {text(m.required)}" for m in closest.levers], lang)
        lines.append(
            render(
                "report.advice.closest", lang, period=period, target=text(target),
                levers=lever_name(report, closest.pivot.lever, lang), months=HISTORY_MONTHS, levels=levels,
                forecast=text(closest.forecast), gap=text(closest.gap),
            )
        )  # fmt: skip
    else:
        lines.append(render("report.advice.none", lang, period=period, target=text(target), forecast=text(forecast)))
    if advice.supported is not None and advice.code in ("final", "closest"):
        lines.append(render("report.advice.supported", lang, supported=text(advice.supported), months=HISTORY_MONTHS))
    return lines


# --- the same figures on the other pages (Goals, Pacing, Home) ------------------------------------------------------
def figure_unit(metric: str) -> str:
    """The unit a goal's figures are shown in: count, currency, ratio or days (a formula or an unknown name as a
    count, as the report's own KPI figures show it; a days metric keeps its unit, which the report's KPI figures
    do not: forecast_figures then remakes the figure in days)."""
    try:
        unit = metric_unit(metric)
    except Exception:  # an unknown name or formula: shown as a count, as the report does
        return "count"
    return unit if unit in ("count", "currency", "ratio", "days") else "count"


def goal_prefix(goal_id: str) -> str:
    """The report's key prefix of a goal: "kgi", or "kpi.<id>"."""
    return "kgi" if goal_id == "kgi" else f"kpi.{goal_id}"


def forecast_figures(
    goal_id: str, forecast: Forecast, figures: Mapping[str, Figure] | None = None
) -> dict[str, Figure]:
    """One goal's forecast as every page shows it: "forecast", "target", "gap", "low", "high", "probability".

    The report's own figures (`figures`: kgi.*, kpi.<id>.forecast / .target) are taken as they are; the others are
    made from the same Forecast by the same rule (the metric's unit, the goal's period as the window), so a page
    that shows a KPI's range or odds rounds them once too. A report figure in another unit than the goal's metric
    (the report shows every KGI as money) is remade in the metric's unit."""
    prefix, found = goal_prefix(goal_id), dict(figures or {})
    unit = figure_unit(forecast.metric)
    window = "kgi_period" if goal_id == "kgi" else forecast.per
    value, target = _finite(forecast.value), _finite(forecast.target)

    def own(name: str, default: Figure) -> Figure:
        figure = found.get(f"{prefix}.{name}")
        return figure if figure is not None and figure.unit == default.unit else default

    gap = None if value is None or target is None else value - target
    made = {
        "forecast": Figure(f"{prefix}.forecast", value, unit, window, forecast.period),
        "target": Figure(f"{prefix}.target", target, unit, window, forecast.period),
        "gap": Figure(f"{prefix}.gap", gap, unit, window, forecast.period, kind="gap"),
        "low": Figure(f"{prefix}.low", _finite(forecast.low), unit, window, forecast.period),
        "high": Figure(f"{prefix}.high", _finite(forecast.high), unit, window, forecast.period),
        "probability": Figure(
            f"{prefix}.probability", _finite(forecast.probability_on_target), "ratio", forecast.per, forecast.period
        ),
    }
    return {name: own(name, figure) for name, figure in made.items()}


def gap_figures(gaps: Sequence[Mapping[str, Any]]) -> dict[str, Figure]:
    """The current period of the KGI and each KPI (the plan's gap rows, kpi_core.goals.current_gaps) as figures:
    "<prefix>.actual" (so far), "<prefix>.expected" (the target pro-rated to the as-of date), "<prefix>.to_date_gap"
    (actual − expected), "<prefix>.attainment", "<prefix>.period_target" — window "to_date": the period up to the
    as-of date, which is not the window of the forecasts ("kgi_period", the KPI's period end)."""
    out: dict[str, Figure] = {}
    for row in gaps:
        prefix, period = goal_prefix(str(row["id"])), row.get("period")
        unit = figure_unit(str(row["metric"]))
        actual, expected = _finite(row.get("actual")), _finite(row.get("expected"))
        out[f"{prefix}.actual"] = Figure(f"{prefix}.actual", actual, unit, "to_date", period)
        out[f"{prefix}.expected"] = Figure(f"{prefix}.expected", expected, unit, "to_date", period, required=True)
        out[f"{prefix}.to_date_gap"] = Figure(
            f"{prefix}.to_date_gap", _finite(row.get("gap")), unit, "to_date", period, kind="gap"
        )
        out[f"{prefix}.attainment"] = Figure(f"{prefix}.attainment", _finite(row.get("attainment")), "ratio",
                                             "to_date", period)  # fmt: skip
        out[f"{prefix}.period_target"] = Figure(f"{prefix}.period_target", _finite(row.get("target")), unit,
                                                "to_date", period)  # fmt: skip
    return out


def actual_figures(report: Report) -> dict[str, Figure]:
    """The report's current-period actuals (gap_figures of report.plan.gaps)."""
    return gap_figures(report.plan.gaps)


def plan_figures(plan: Mapping[str, Any]) -> dict[str, Figure]:
    """The backward plan's levels (kpi_core.goals.backward_plan) as figures: "plan.<metric>.needed" (a month's
    volume at the history window's rates, a count rounded up), "plan.<metric>.rate" (the rate it was divided by)
    and "plan.<metric>.kpi" (the KPI's own target per month) — window "history": the plan's trailing months."""
    out: dict[str, Figure] = {}
    for step in plan.get("steps", []):
        metric = str(step["metric"])
        unit = figure_unit(metric)
        key = f"plan.{metric}"
        out[f"{key}.needed"] = Figure(f"{key}.needed", _finite(step.get("needed_per_month")), unit, "history",
                                      required=True)  # fmt: skip
        out[f"{key}.kpi"] = Figure(f"{key}.kpi", _finite(step.get("kpi_target_per_month")), unit, "history",
                                   required=True)  # fmt: skip
        out[f"{key}.own"] = Figure(f"{key}.own", _finite(step.get("needed_with_kpi_rates")), unit, "history",
                                   required=True)  # fmt: skip
        rate = step.get("rate")
        if rate:
            rate_unit = "currency" if rate.get("name") == "avg_unit_price" else "ratio"
            out[f"{key}.rate"] = Figure(f"{key}.rate", _finite(rate.get("value")), rate_unit, "history")
    return out
