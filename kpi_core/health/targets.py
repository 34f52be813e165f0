"""Pitfall 4, bad target values: each target against the KPI's own monthly history (percentile, best month,
trend, required growth against past growth) and a realistic band; far above history is warned (the fraud case)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from kpi_core.goals import Goals, Kpi, metric_unit
from kpi_core.health.history import (
    Context,
    History,
    add_months,
    from_monthly,
    monthly_history,
    monthly_target,
    quantile,
)
from kpi_core.health.model import Finding, Fix, Skipped
from kpi_core.intake.load import Dataset
from kpi_core.metrics import Filters

REALISM_MONTHS = 24  # the history a target is read against
MIN_MONTHS = 6  # fewer months say nothing about a target
FAR_ABOVE = 1.25  # 25 % beyond the best month ever is "far above history"
TOO_EASY = 0.25  # a target at or below the history's 25th percentile was met three months in four
GROWTH_CAP = 0.3  # the band steps up by past growth, at most 30 % a year ("step up gradually")
GROWTH_GAP = 0.2  # required growth 20 points beyond past growth is warned


def realism_of(kpi: Kpi, history: History) -> dict[str, Any] | None:
    """The target against the KPI's history, all per month: percentile (0–100, mid-rank: the share of months below
    the target plus half of those equal), months_met, best_month {period, value}, trend_value (a straight line
    through the months, at the as-of month), baseline (mean of the last 12 months), required_growth (target /
    baseline − 1), past_growth (last 12 months against the 12 before; with less history the line's yearly slope
    over the mean), band (low, high) per the KPI's own period, target_monthly, months. None below MIN_MONTHS."""
    series = history.series(kpi.metric)[-REALISM_MONTHS:]
    periods = history.months[-REALISM_MONTHS:]
    points = [(i, p, v) for i, (p, v) in enumerate(zip(periods, series, strict=True)) if v is not None]
    if len(points) < MIN_MONTHS:
        return None
    values = [v for _, _, v in points]
    target = monthly_target(kpi)
    lower = kpi.better == "lower"
    n = len(values)
    below = sum(1 for v in values if v < target)
    equal = sum(1 for v in values if v == target)
    percentile = 100 * (below + 0.5 * equal) / n
    met = sum(1 for v in values if (v <= target if lower else v >= target))
    best = min(points, key=lambda p: p[2]) if lower else max(points, key=lambda p: p[2])
    slope, intercept = _line([i for i, _, _ in points], values)
    ahead = _months_between(periods[0], history.as_of)
    trend_value = intercept + slope * ahead
    last12, previous12 = values[-12:], values[-24:-12]
    baseline = sum(last12) / len(last12)
    mean_all = sum(values) / n
    past_growth: float | None
    if len(previous12) >= 12 and sum(previous12) != 0:
        past_growth, basis = baseline / (sum(previous12) / len(previous12)) - 1, "year_on_year"
    else:
        past_growth, basis = (slope * 12 / mean_all if mean_all else None), "trend"
    required_growth = target / baseline - 1 if baseline else None
    step = min(max(past_growth or 0.0, -GROWTH_CAP), GROWTH_CAP)
    if lower:
        band = (quantile(values, 0.1) * (1 + min(step, 0)), quantile(last12, 0.5) * (1 + min(step, 0)))
    else:
        band = (quantile(last12, 0.5) * (1 + max(step, 0)), quantile(values, 0.9) * (1 + max(step, 0)))
    if metric_unit(kpi.metric) == "ratio":
        band = (min(max(band[0], 0.0), 1.0), min(max(band[1], 0.0), 1.0))
    low, high = sorted(band)
    return {
        "kpi": kpi.id,
        "metric": kpi.metric,
        "better": kpi.better,
        "target": kpi.target,
        "per": kpi.per,
        "target_monthly": target,
        "months": n,
        "percentile": percentile,
        "months_met": met,
        "best_month": {"period": best[1], "value": best[2]},
        "trend_value": trend_value,
        "baseline": baseline,
        "required_growth": required_growth,
        "past_growth": past_growth,
        "past_growth_basis": basis,
        "band": (from_monthly(kpi, low), from_monthly(kpi, high)),
        "band_monthly": (low, high),
        "series": {"periods": periods, "values": series},
    }


def target_realism(
    goals: Goals, dataset: Dataset, as_of: dt.date, filters: Filters | None = None
) -> dict[str, dict[str, Any] | None]:
    """Per KPI id: realism_of (percentile, best_month, trend_value, required_growth, past_growth, band: (low, high)
    in the KPI's own period), or None when the data has fewer than MIN_MONTHS complete months of it."""
    history = monthly_history(goals, dataset, as_of, filters)
    return {kpi.id: realism_of(kpi, history) for kpi in goals.kpis}


def check_targets(ctx: Context) -> tuple[list[Finding], list[Skipped]]:
    findings, skipped = [], []
    for kpi in ctx.goals.kpis:
        realism = realism_of(kpi, ctx.history)
        params = ctx.kpi_params(kpi)
        if realism is None:
            skipped.append(Skipped(4, kpi.id, "health.p4.short_history", {**params, "months": MIN_MONTHS}))
            continue
        findings.append(_finding(kpi, realism, params))
    return findings, skipped


def _finding(kpi: Kpi, realism: dict[str, Any], params: dict[str, Any]) -> Finding:
    unit = metric_unit(kpi.metric)
    unit = unit if unit in ("count", "currency", "ratio", "days") else "number"
    lower = kpi.better == "lower"
    target = realism["target_monthly"]
    best = realism["best_month"]["value"]
    low, high = realism["band_monthly"]
    values = [v for v in realism["series"]["values"] if v is not None]
    easy = quantile(values[-12:], 1 - TOO_EASY if lower else TOO_EASY)
    params.update(
        target=kpi.target, per=kpi.per, percentile=realism["percentile"], best=best,
        best_period=realism["best_month"]["period"], trend=realism["trend_value"],
        required_growth=realism["required_growth"], past_growth=realism["past_growth"],
        low=realism["band"][0], high=realism["band"][1], months=realism["months"], met=realism["months_met"],
    )  # fmt: skip
    units = {
        "metric": "metric", "target": unit, "best": unit, "trend": unit, "low": unit, "high": unit,
        "percentile": "percentile", "required_growth": "change", "past_growth": "change", "best_period": "month",
        "per": "per",
    }  # fmt: skip
    evidence = {k: v for k, v in realism.items() if k not in ("kpi", "metric")}
    far = target < best / FAR_ABOVE if lower else target > best * FAR_ABOVE
    above = target < low if lower else target > high
    too_easy = target >= easy if lower else target <= easy
    gap = None
    if realism["required_growth"] is not None and realism["past_growth"] is not None:
        gap = realism["required_growth"] - realism["past_growth"]
        gap = -gap if lower else gap
    evidence["growth_gap"] = gap
    if far or above:
        value = _nice(from_monthly(kpi, low if lower else high), unit, lower)
        fix = Fix("set_target", kpi.id, value) if value != kpi.target else None
        code = "health.p4.far_above" if far else "health.p4.above_band"
        return Finding(4, "fail" if far else "warn", kpi.id, code, params, units, evidence,
                       "health.p4.remedy.fraud" if far else "health.p4.remedy.step_up", {}, fix)  # fmt: skip
    if too_easy:
        value = _nice(from_monthly(kpi, high if lower else low), unit, lower)
        fix = Fix("set_target", kpi.id, value) if value != kpi.target else None
        return Finding(4, "warn", kpi.id, "health.p4.too_easy", params, units, evidence, "health.p4.remedy.too_easy",
                       {}, fix)  # fmt: skip
    if gap is not None and gap > GROWTH_GAP:
        return Finding(4, "warn", kpi.id, "health.p4.growth_gap", params, units, evidence,
                       "health.p4.remedy.step_up")  # fmt: skip
    return Finding(4, "ok", kpi.id, "health.p4.realistic", params, units, evidence)


def _nice(value: float, unit: str, lower: bool) -> float:
    """A target as people write it: whole counts, rates to 0.5 %, money and others to 3 significant digits."""
    if unit == "count":
        return float(math.floor(value) if lower else math.ceil(value - 1e-9))
    if unit == "ratio":
        return round(round(value * 200) / 200, 4)
    if value == 0 or not math.isfinite(value):
        return 0.0
    digits = 2 - math.floor(math.log10(abs(value)))
    rounded = round(value, digits)
    return float(int(rounded)) if float(rounded).is_integer() else float(rounded)


def _line(xs: list[int], ys: list[float]) -> tuple[float, float]:
    """Least-squares slope and intercept."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    return slope, my - slope * mx


def _months_between(first: str, as_of: dt.date) -> int:
    """Months from the first month of the window to the month holding as_of (its index on the trend line)."""
    start = dt.date.fromisoformat(first + "-01")
    months = 0
    while add_months(start, months) < as_of.replace(day=1):
        months += 1
    return months
