"""Pitfall 7, rigidity: the mix (channel, product, segment) and each KPI's link with the KGI, first part of the
history against the last; a shift the goal file has not been revised since is flagged."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from typing import Any

from kpi_core.health.history import Context, pearson
from kpi_core.health.link import WEAK_CORRELATION
from kpi_core.health.model import Finding, Skipped
from kpi_core.metrics import compute_kpis

MIX_ROLES = ("channel", "product", "segment")
MIX_MEASURES = ("records", "leads", "opportunities", "won")  # the first one the data has counts the mix
MIN_MONTHS = 9  # three months in each part at least
MIX_SHIFT = 0.15  # total variation distance of the shares (half the sum of |share change|)
LINK_DROP = 0.3  # the change correlation fell by this much, from linked to below WEAK_CORRELATION
MIN_CHANGES = 6  # month-on-month changes in each half


def check_rigidity(ctx: Context) -> tuple[list[Finding], list[Skipped]]:
    history = ctx.history
    n = len(history.months)
    if n < MIN_MONTHS:
        return [], [Skipped(7, None, "health.p7.short_history", {"months": n, "needed": MIN_MONTHS})]
    part = max(3, n // 3)
    shift_start = dt.date.fromisoformat(history.months[n - part] + "-01")
    revised = ctx.goals_modified is not None and ctx.goals_modified >= shift_start
    findings = [f for f in (_mix(ctx, role, part, shift_start, revised) for role in MIX_ROLES) if f is not None]
    findings += _links(ctx, revised)
    return findings, []


def _shares(ctx: Context, role: str, first: int, last: int) -> tuple[str, dict[str, float]] | None:
    window = ctx.history.window(first, last)
    result = compute_kpis(
        ctx.dataset, period="month", by=(role,), filters=window, fiscal_start=ctx.goals.fiscal_year_start
    )
    items = result.by.get(role, [])
    for measure in MIX_MEASURES:
        total = sum(r.get(measure) or 0 for r in items)
        if total > 0:
            return measure, {("-" if r["key"] is None else str(r["key"])): (r.get(measure) or 0) / total for r in items}
    return None


def _mix(ctx: Context, role: str, part: int, shift_start: dt.date, revised: bool) -> Finding | None:
    if role not in ctx.dataset.mapping:
        return None
    n = len(ctx.history.months)
    before, after = _shares(ctx, role, 0, part - 1), _shares(ctx, role, n - part, n - 1)
    if before is None or after is None or before[0] != after[0]:
        return None
    keys = sorted(set(before[1]) | set(after[1]))
    moves = {k: after[1].get(k, 0.0) - before[1].get(k, 0.0) for k in keys}
    distance = sum(abs(v) for v in moves.values()) / 2
    top = sorted(moves, key=lambda k: -abs(moves[k]))[:2]
    params: dict[str, Any] = {
        "role": role, "distance": distance, "first": ctx.history.months[0], "last": ctx.history.months[-1],
        "since": shift_start.isoformat(), "top": top[0] if top else "-", "top_change": moves[top[0]] if top else 0.0,
        "modified": ctx.goals_modified.isoformat() if ctx.goals_modified else None,
    }  # fmt: skip
    units = {"role": "role", "distance": "pct", "first": "month", "last": "month", "since": "date",
             "top_change": "points", "modified": "date"}  # fmt: skip
    evidence = {
        "measure": before[0], "before": before[1], "after": after[1], "moves": moves, "distance": distance,
        "parts": {"first": ctx.history.months[:part], "last": ctx.history.months[n - part :]},
        "goals_modified": params["modified"], "shift_start": shift_start.isoformat(), "revised_since": revised,
    }  # fmt: skip
    if distance < MIX_SHIFT:
        return Finding(7, "ok", None, "health.p7.mix_stable", params, units, evidence)
    if revised:
        return Finding(7, "ok", None, "health.p7.mix_shift_revised", params, units, evidence)
    code = "health.p7.mix_shift" if ctx.goals_modified else "health.p7.mix_shift_unknown"
    return Finding(7, "warn", None, code, params, units, evidence, "health.p7.remedy.mix_shift")


def _links(ctx: Context, revised: bool) -> list[Finding]:
    history, goals = ctx.history, ctx.goals
    kgi = history.series(goals.kgi.metric)
    half = len(history.months) // 2
    findings = []
    for kpi in goals.kpis:
        if kpi.metric.replace(" ", "") == goals.kgi.metric.replace(" ", ""):
            continue
        series = history.series(kpi.metric)
        if kpi.better == "lower":
            series = [None if v is None else -v for v in series]
        first = _change_correlation(series[:half], kgi[:half])
        last = _change_correlation(series[half:], kgi[half:])
        if first is None or last is None:
            continue
        params = {
            **ctx.kpi_params(kpi), "before": first, "after": last, "since": history.months[half],
            "modified": ctx.goals_modified.isoformat() if ctx.goals_modified else None,
        }  # fmt: skip
        units = {"metric": "metric", "before": "corr", "after": "corr", "since": "month", "modified": "date"}
        evidence = {
            "before": first, "after": last, "split": history.months[half], "revised_since": revised,
            "series": {"periods": history.months, "kpi": history.series(kpi.metric), "kgi": kgi},
        }  # fmt: skip
        shifted = first >= WEAK_CORRELATION > last and last <= first - LINK_DROP
        if not shifted:
            findings.append(Finding(7, "ok", kpi.id, "health.p7.link_stable", params, units, evidence))
        elif revised and ctx.goals_modified and ctx.goals_modified >= dt.date.fromisoformat(params["since"] + "-01"):
            findings.append(Finding(7, "ok", kpi.id, "health.p7.link_shift_revised", params, units, evidence))
        else:
            code = "health.p7.link_shift" if ctx.goals_modified else "health.p7.link_shift_unknown"
            findings.append(Finding(7, "fail", kpi.id, code, params, units, evidence, "health.p7.remedy.link_shift"))
    return findings


def _change_correlation(xs: list[float | None], ys: list[float | None]) -> float | None:
    pairs = [
        (b - a, d - c)
        for (a, b), (c, d) in zip(pairwise(xs), pairwise(ys), strict=True)
        if a is not None and b is not None and c is not None and d is not None
    ]
    if len(pairs) < MIN_CHANGES:
        return None
    return pearson([p for p, _ in pairs], [q for _, q in pairs])
