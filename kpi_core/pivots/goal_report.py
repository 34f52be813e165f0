"""The goal model's shortfalls and their pivots: the report of the pivots page and command."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from kpi_core.business_days import period_bounds
from kpi_core.intake.load import Dataset
from kpi_core.metrics import Filters, load_catalog
from kpi_core.pivots.candidates import CsfRef, KpiForecast, Pivot, find_pivots
from kpi_core.pivots.constants import KGI, MONTHS_IN, PivotInputError
from kpi_core.pivots.evidence import LeverHistory
from kpi_core.pivots.explain import Explanation, _lower, format_value
from kpi_core.pivots.goodhart import GoodhartCheck
from kpi_core.pivots.identity import IdentityCheck, identity_check
from kpi_core.pivots.models import DriverModel, _label, available_models, model_for_metric
from kpi_core.pivots.solver import PeriodPosition, kgi_forecast
from kpi_core.pivots.what_if import LeverSetting, WhatIf, what_if
from kpi_core.pivots.windows import (
    _kpis,
    goodhart_for_dataset,
    lever_history,
    period_kgi_target,
    period_position,
    window_figures,
)

if TYPE_CHECKING:
    from kpi_core.goals import Goals


@dataclass(frozen=True)
class Shortfall:
    """A KPI forecast to miss its target (or the KGI itself, id "kgi"), and the ranked pivots that keep the KGI."""

    kpi: KpiForecast
    model: str | None
    missing: str | None  # the lever held at its forecast (None: every lever may move)
    position: PeriodPosition | None
    kgi_forecast: float | None  # booked + the model over the rest of the period
    pivots: tuple[Pivot, ...]
    explanation: Explanation

    def as_dict(self) -> dict[str, Any]:
        position = self.position
        return {
            "id": self.kpi.id,
            "name": self.kpi.name,
            "metric": self.kpi.metric,
            "per": self.kpi.per,
            "period": position.period if position else None,
            "target": self.kpi.target,
            "forecast": self.kpi.forecast,
            "unit": self.kpi.unit,
            "forecast_method": self.kpi.method,
            "model": self.model,
            "missing_lever": self.missing,
            "kgi_target": position.kgi_target if position else None,
            "kgi_booked": position.kgi_booked if position else None,
            "kgi_forecast": self.kgi_forecast,
            "remaining_share": position.remaining_share if position else None,
            "pivots": [p.as_dict() for p in self.pivots],
            "explanation": asdict(self.explanation),
        }


@dataclass(frozen=True)
class PivotReport:
    """Everything the pivots page and the `pivots` command show for one goal model, dataset and as-of date."""

    as_of: dt.date
    models: tuple[DriverModel, ...]
    identity: tuple[IdentityCheck, ...]
    kgi: dict[str, Any]
    shortfalls: tuple[Shortfall, ...]
    goodhart: tuple[GoodhartCheck, ...]
    what_if: WhatIf | None
    notes: tuple[Explanation, ...]
    # The `kgi_per` period (a month) on the model the KGI entry uses: booked, forecast (booked + the model over the
    # rest), target, whether it is over. One place for the figure the page's card, sentences and summary show.
    kgi_month: dict[str, Any] | None = None
    kgi_model: DriverModel | None = None
    kgi_position: PeriodPosition | None = None
    history: LeverHistory | None = None  # the lever history the verdicts were judged on (not in the JSON)

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "kgi_month": self.kgi_month,
            "kgi": self.kgi,
            "models": [
                {"name": m.name, "kgi": m.kgi, "formula": m.formula, "levers": m.lever_names, "note": m.note}
                for m in self.models
            ],
            "identity": [_identity_dict(c) for c in self.identity],
            "shortfalls": [s.as_dict() for s in self.shortfalls],
            "goodhart": [asdict(c) for c in self.goodhart],
            "what_if": self.what_if.as_dict() if self.what_if else None,
            "notes": [asdict(n) for n in self.notes],
        }


def _identity_dict(check: IdentityCheck) -> dict[str, Any]:
    out = asdict(check)
    out["by_period"] = [asdict(r) for r in check.by_period]
    return out


def pivots_for_goals(
    goals: Goals,
    dataset: Dataset,
    as_of: dt.date,
    *,
    settings: Sequence[LeverSetting] = (),
    calendar: str = "jp",
    target_mode: str = "even",
    forecasts: Mapping[str, Any] | None = None,
    kgi_per: str = "month",
    filters: Filters | None = None,
) -> PivotReport:
    """Shortfalls of a goal model (kpi_core.goals.Goals) at `as_of`, with ranked pivots, Goodhart checks, what-if.

    A KPI is short when its pacing forecast (kpi_core.pacing.forecast_goals, or `forecasts` by KPI id) misses its
    target. Its pivots hold it at that forecast and ask every other lever of the driver model that explains it
    for the period's share of the KGI (`target_mode` "even" or "catch_up", see period_kgi_target). The KGI gets
    its own entry (id "kgi", period `kgi_per`) when the model forecasts it short. `settings` run a what-if on
    the sales model (else the first model that has the levers) for the `kgi_per` period.
    """
    from kpi_core.goals import metric_unit  # the goal model and pacing sit above the pure core
    from kpi_core.pacing import forecast_goals

    fiscal_start = goals.fiscal_year_start
    result = _kpis(dataset, period="month", fiscal_start=fiscal_start, filters=filters)
    monthly = result.by_period
    levels = dataset.present_levels
    models = available_models(result.totals, levels)
    notes: list[Explanation] = []
    if forecasts is None:
        forecasts = forecast_goals(goals, dataset, as_of=as_of, calendar=calendar, filters=filters)
    kgi_fc = forecasts.get("kgi")
    kgi = {
        "name": goals.kgi.name,
        "metric": goals.kgi.metric,
        "target": goals.kgi.target,
        "period": goals.kgi.period,
        "forecast": _forecast_dict(kgi_fc),
    }
    if goals.kgi.metric.replace(" ", "") != KGI:
        notes.append(
            Explanation(
                "kgi_not_modelled",
                {"metric": goals.kgi.metric},
                f"The KGI is {goals.kgi.metric}, and the driver models explain {KGI}: no pivots can be computed.",
            )
        )
        models = []
    if not models:
        notes.append(
            Explanation(
                "no_driver_model",
                {"levels": list(levels)},
                "The data cannot feed a driver model of revenue (it needs amounts, won deals and a volume).",
            )
        )
    csfs = [CsfRef(c.id, c.name, c.lever, tuple(c.actions)) for c in goals.csfs if c.lever]
    items: list[tuple[KpiForecast, DriverModel | None, str | None]] = []
    for kpi in goals.kpis:
        fc = forecasts.get(kpi.id)
        if fc is None or fc.value is None or kpi.target is None:
            continue
        unit = metric_unit(kpi.metric)
        item = KpiForecast(
            kpi.id,
            kpi.name,
            kpi.metric,
            float(kpi.target),
            float(fc.value),
            kpi.per,
            unit if unit in ("count", "currency", "ratio") else "count",
            kpi.better,
            (fc.method or {}).get("text", ""),
        )
        if not item.short:
            continue
        found = model_for_metric(models, kpi.metric.replace(" ", ""), levels) if models else None
        items.append((item, *(found or (None, None))))
    used = list(models) + [m for _, m, _ in items if m is not None and m not in models]
    history = lever_history(dataset, used, as_of, monthly=monthly, filters=filters)
    positions: dict[str, PeriodPosition] = {}

    volumes = {lv.name for m in used for lv in m.levers if lv.kind == "volume"}

    def position_for(per: str) -> PeriodPosition:
        """Volumes that are KPIs of this period length rest on their pacing forecast; rates on the trailing
        months (a rate to date rests on a handful of closes early in a period)."""
        if per not in positions:
            plan = {
                k.metric.replace(" ", ""): float(value)
                for k in goals.kpis
                if k.per == per and k.id in forecasts and (value := forecasts[k.id].value) is not None
            }
            plan = {name: value for name, value in plan.items() if name in volumes}
            target = _period_target(goals, dataset, as_of, per, target_mode)
            positions[per] = period_position(
                dataset, used, as_of, per, target, forecasts=plan, monthly=monthly, calendar=calendar,
                fiscal_start=fiscal_start, filters=filters,
            )  # fmt: skip
        return positions[per]

    shortfalls = []
    for item, model, missing in items:
        if model is None:
            text = f"{item.name} is forecast to miss ({format_value(item.forecast, item.unit)} of "
            text += f"{format_value(item.target, item.unit)}), and no driver model holds {item.metric}: no pivots."
            shortfalls.append(
                Shortfall(item, None, None, None, None, (), Explanation("no_driver_model", {"kpi": item.id}, text))
            )
            continue
        position = position_for(item.per)
        if missing is not None and missing not in volumes:
            position = replace(position, rest={**position.rest, missing: item.forecast})  # the short KPI's forecast
        pivots = find_pivots(model, position, history, missing=missing, kpi=item, csfs=csfs, kgi_goal=goals.kgi.target)
        shortfalls.append(_shortfall(item, model, missing, position, pivots))
    main = _kgi_model(models, [k.metric.replace(" ", "") for k in goals.kpis], levels)
    kgi_month = main_position = None
    if main is not None:
        position = main_position = position_for(kgi_per)
        forecast = kgi_forecast(main, position)
        kgi_month = {
            "model": main.name,
            "per": kgi_per,
            "period": position.period,
            "start": position.start.isoformat(),
            "end": position.end.isoformat(),
            "target": position.kgi_target,
            "booked": position.kgi_booked,
            "forecast": forecast,
            "gap": None if forecast is None else forecast - position.kgi_target,
            "remaining_share": position.remaining_share,
            "final": position.remaining_share <= 0,  # the period is over on the as-of date: a result, not a forecast
        }
        if forecast is not None and forecast < position.kgi_target:
            label = _label(KGI)["en"]
            item = KpiForecast("kgi", label, KGI, position.kgi_target, forecast, kgi_per, "currency")
            pivots = find_pivots(main, position, history, missing=None, csfs=csfs, kgi_goal=goals.kgi.target)
            shortfalls.insert(0, _shortfall(item, main, None, position, pivots, kgi_goal=goals.kgi.target))
    goodhart = goodhart_for_dataset(
        dataset,
        as_of,
        kpis=[k.metric for k in goals.kpis if k.metric in load_catalog().names],
        monthly=monthly,
        filters=filters,
    )
    outcome = None
    if settings:
        names = {s.lever for s in settings}
        ordered = ([main] if main is not None else []) + [m for m in models if m is not main]
        model = next((m for m in ordered if names <= set(m.lever_names)), None)
        if model is None:
            known = sorted({n for m in models for n in m.lever_names})
            raise PivotInputError(
                "pivot_input.no_model_for_levers", levers=", ".join(sorted(names)), known=", ".join(known)
            )
        outcome = what_if(model, position_for(kgi_per), settings)
    identity = tuple(identity_check(m, result) for m in models)
    return PivotReport(
        as_of, tuple(models), identity, kgi, tuple(shortfalls), tuple(goodhart), outcome, tuple(notes),
        kgi_month=kgi_month, kgi_model=main, kgi_position=main_position, history=history,
    )  # fmt: skip


def _kgi_model(models: Sequence[DriverModel], metrics: Sequence[str], levels: Sequence[str]) -> DriverModel | None:
    """The driver model that explains most of the goal's KPIs (sales on a tie): the one the KGI entry uses."""
    candidates = [m for m in models if m.name != "sustainability"]
    if not candidates:
        return None
    score = dict.fromkeys((m.name for m in candidates), 0)
    for metric in metrics:
        found = model_for_metric(candidates, metric, levels)
        if found is not None:
            name = "marketing" if found[0].name.startswith("marketing") else found[0].name
            if name in score:
                score[name] += 1
    return max(candidates, key=lambda m: (score[m.name], -candidates.index(m)))


def _forecast_dict(forecast: Any) -> dict[str, Any] | None:
    if forecast is None:
        return None
    return {
        "value": forecast.value,
        "low": forecast.low,
        "high": forecast.high,
        "probability_on_target": forecast.probability_on_target,
        "method": forecast.method,
        "period": forecast.period,
    }


def _period_target(goals: Goals, dataset: Dataset, as_of: dt.date, per: str, mode: str) -> float:
    """The `per` period's share of the KGI target (see period_kgi_target)."""
    kgi = goals.kgi
    if mode != "catch_up":
        return period_kgi_target(kgi.target, kgi.period, per, mode=mode)
    kgi_start, kgi_end = period_bounds(as_of, kgi.period, goals.fiscal_year_start)
    start = period_bounds(as_of, per, goals.fiscal_year_start)[0]
    before = window_figures(dataset, kgi_start, start - dt.timedelta(days=1)).get(KGI) if start > kgi_start else 0.0
    months_left: float = (kgi_end.year - start.year) * 12 + kgi_end.month - start.month + 1
    if per == "week":
        months_left = ((kgi_end - start).days + 1) / 7 * MONTHS_IN["week"]
    return period_kgi_target(
        kgi.target, kgi.period, per, mode=mode, booked_before=before or 0.0, months_left=months_left
    )


def _shortfall(
    item: KpiForecast,
    model: DriverModel,
    missing: str | None,
    position: PeriodPosition,
    pivots: tuple[Pivot, ...],
    kgi_goal: float | None = None,
) -> Shortfall:
    forecast = kgi_forecast(model, position)
    feasible = [p for p in pivots if p.feasible]
    # the best pivot moves a lever up: one the forecast already covers (its level would even fall) is no advice
    best = next((p for p in pivots if p.verdict == "feasible"), None)
    if missing is None and item.id == "kgi":
        text = (
            f"{item.name} for {position.period} is forecast at {format_value(forecast, 'currency')} of "
            f"{format_value(position.kgi_target, 'currency')}, its share of {format_value(kgi_goal, 'currency')}"
        )
    else:
        text = (
            f"{item.name} is forecast at {format_value(item.forecast, item.unit)} of "
            f"{format_value(item.target, item.unit)} for {position.period}; with it, {_lower(_label(KGI)['en'])} "
            f"would end at {format_value(forecast, 'currency')} of {format_value(position.kgi_target, 'currency')}"
        )
    text += (
        f": {len(feasible)} of {len(pivots)} pivots were reached in past months or need no change, best: {best.lever}."
        if best
        else f": none of {len(pivots)} pivots was reached in past months."
    )
    params = {
        "kpi": item.id,
        "forecast": item.forecast,
        "target": item.target,
        "period": position.period,
        "kgi_forecast": forecast,
        "kgi_target": position.kgi_target,
        "feasible": len(feasible),
        "pivots": len(pivots),
        "best": best.lever if best else None,
    }
    return Shortfall(item, model.name, missing, position, forecast, pivots, Explanation("shortfall", params, text))
