"""Pitfall 1, goal misalignment: does each KPI's movement go with the KGI's (lags 0–3 months), and the Goodhart
guard's cases (volume up while its quality falls, KPI up while the KGI falls)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from kpi_core.health.history import Context, pearson
from kpi_core.health.model import Finding, Fix, Skipped
from kpi_core.metrics import load_catalog
from kpi_core.pivots import (
    CORRELATION_MAX_LAG,
    CORRELATION_MONTHS,
    NEGATIVE_CORRELATION,
    TRAILING_MONTHS,
    change_correlation,
    goodhart_checks,
    window_figures,
)

WEAK_CORRELATION = 0.3  # below this the KPI's changes say little about the KGI's


@dataclass(frozen=True)
class Link:
    """A KPI's best correlation with the KGI (changes month on month, sign turned for lower-is-better KPIs)."""

    correlation: float | None
    lag: int | None
    changes: int
    confidence: float | None
    by_lag: dict[int, float | None]


def confidence_of(r: float, n: int, tries: int = CORRELATION_MAX_LAG + 1) -> float | None:
    """1 − p of the correlation (Fisher z, two-sided), the p multiplied by the lags tried (Bonferroni)."""
    if n < 4 or abs(r) >= 1:
        return 1.0 if n >= 4 else None
    z = math.atanh(r) * math.sqrt(n - 3)
    p = math.erfc(abs(z) / math.sqrt(2))
    return max(0.0, 1.0 - min(1.0, p * tries))


def link_of(xs: list[float | None], ys: list[float | None], lower_is_better: bool = False) -> Link:
    """The best lag 0..3 of the change correlation (kpi_core.pivots.change_correlation, the Goodhart guard's)."""
    xs = xs[-CORRELATION_MONTHS:]
    ys = ys[-CORRELATION_MONTHS:]
    if lower_is_better:
        xs = [None if v is None else -v for v in xs]
    by_lag: dict[int, float | None] = {}
    best: tuple[float | None, int | None, int] = (None, None, 0)
    for lag in range(CORRELATION_MAX_LAG + 1):
        r, n = change_correlation(xs, ys, lag)
        by_lag[lag] = r
        if r is not None and (best[0] is None or r > best[0]):
            best = (r, lag, n)
    r, best_lag, n = best
    return Link(r, best_lag, n, None if r is None else confidence_of(r, n), by_lag)


def check_links(ctx: Context) -> tuple[list[Finding], list[Skipped]]:
    goals, history = ctx.goals, ctx.history
    kgi_series = history.series(goals.kgi.metric)
    goodhart = _goodhart(ctx)
    findings: list[Finding] = []
    skipped: list[Skipped] = []
    for kpi in goals.kpis:
        params = ctx.kpi_params(kpi)
        units = {"metric": "metric", "kgi_metric": "metric", "correlation": "corr", "confidence": "pct"}
        params["kgi_metric"] = goals.kgi.metric
        if kpi.metric.replace(" ", "") == goals.kgi.metric.replace(" ", ""):
            ctx.links[kpi.id] = Link(1.0, 0, 0, 1.0, {})
            findings.append(Finding(1, "ok", kpi.id, "health.p1.same_as_kgi", params, units))
            continue
        series = history.series(kpi.metric)
        link = link_of(series, kgi_series, kpi.better == "lower")
        ctx.links[kpi.id] = link
        evidence: dict[str, Any] = {
            "correlation": link.correlation,
            "lag": link.lag,
            "changes": link.changes,
            "confidence": link.confidence,
            "by_lag": {str(k): v for k, v in link.by_lag.items()},
            "level_correlation": _levels(series, kgi_series),
            "series": {"periods": history.months, "kpi": series, "kgi": kgi_series},
        }
        params.update(correlation=link.correlation, lag=link.lag, changes=link.changes, confidence=link.confidence)
        check = goodhart.get(kpi.metric)
        if check is not None:
            evidence["goodhart"] = check.explanation.params
            gparams = {
                **params,
                "partner": check.partner,
                "kpi_change": check.kpi_change_pct,
                "partner_change": check.partner_change_pct,
                "window": TRAILING_MONTHS,
            }
            gunits = {**units, "partner": "metric", "kpi_change": "change", "partner_change": "change"}
            findings.append(
                Finding(1, "fail", kpi.id, f"health.p1.{check.code}", gparams, gunits, evidence,
                        "health.p1.remedy.goodhart", {}, None)
            )  # fmt: skip
            continue
        if link.correlation is None:
            skipped.append(Skipped(1, kpi.id, "health.p1.short_history", {**params, "months": len(history.months)}))
            continue
        if link.correlation <= NEGATIVE_CORRELATION:
            findings.append(
                Finding(1, "fail", kpi.id, "health.p1.reversed", params, units, evidence, "health.p1.remedy.reversed",
                        {}, Fix("drop_kpi", kpi.id))
            )  # fmt: skip
        elif link.correlation < WEAK_CORRELATION:
            findings.append(
                Finding(1, "warn", kpi.id, "health.p1.weak", params, units, evidence, "health.p1.remedy.weak")
            )
        else:
            findings.append(Finding(1, "ok", kpi.id, "health.p1.linked", params, units, evidence))
    return findings, skipped


def _levels(xs: list[float | None], ys: list[float | None]) -> float | None:
    pairs = [(a, b) for a, b in zip(xs, ys, strict=True) if a is not None and b is not None]
    return pearson([a for a, _ in pairs], [b for _, b in pairs]) if pairs else None


def _goodhart(ctx: Context) -> dict[str, Any]:
    """The Goodhart guard's flagged checks (kpi_core.pivots.goodhart_checks) by the KPI metric they concern."""
    history, goals = ctx.history, ctx.goals
    catalog = load_catalog()
    if goals.kgi.metric not in catalog.names or len(history.months) < 2 * TRAILING_MONTHS:
        return {}
    n = len(history.months)
    after = window_figures(ctx.dataset, *history.bounds(n - TRAILING_MONTHS, n - 1), ctx.filters)
    before = window_figures(ctx.dataset, *history.bounds(n - 2 * TRAILING_MONTHS, n - TRAILING_MONTHS - 1), ctx.filters)
    metrics = [k.metric for k in goals.kpis if k.metric in catalog.names]
    found: dict[str, Any] = {}
    for check in goodhart_checks(before, after, history.rows, kpis=metrics, kgi=goals.kgi.metric):
        # The guard's sign test ignores "lower is better"; the sign-aware correlation above covers that case.
        if check.code == "kpi_kgi_negative_correlation":
            continue
        if check.flagged and check.kpi in metrics and check.kpi not in found:
            found[check.kpi] = check
    return found
