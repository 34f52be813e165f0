"""Pitfall 5, no action: an owner, a review cadence that sees a miss in time and a CSF with actions prepared for
each KPI; the goal file and the data updated within the cadence."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from kpi_core.asof import data_bounds
from kpi_core.formula import FormulaError
from kpi_core.goals import Kpi, metric_inputs
from kpi_core.health.history import Context
from kpi_core.health.model import Finding, Fix

REVIEW_DAYS = {"weekly": 7, "monthly": 31, "quarterly": 92}
PER_DAYS = {"week": 7, "month": 31, "quarter": 92, "year": 366}
CADENCE_FOR = {"week": "weekly", "month": "monthly", "quarter": "quarterly", "year": "quarterly"}
STALE_FAIL = 3  # data older than three review cycles: nobody can be looking


def check_actions(ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    for kpi in ctx.goals.kpis:
        found = _kpi_findings(ctx, kpi)
        findings += found or [Finding(5, "ok", kpi.id, "health.p5.ok", ctx.kpi_params(kpi), {"review": "review"})]
    findings += _staleness(ctx)
    return findings


def _kpi_findings(ctx: Context, kpi: Kpi) -> list[Finding]:
    goals = ctx.goals
    params: dict[str, Any] = {**ctx.kpi_params(kpi), "review": kpi.review, "per": kpi.per}
    units = {"review": "review", "per": "per", "cadence": "review", "csf": "id"}
    found = []
    if not kpi.owner.strip():
        peers = Counter(k.owner for k in goals.kpis if k.owner.strip() and k.department == kpi.department)
        owner = peers.most_common(1)[0][0] if peers else None
        found.append(
            Finding(5, "fail", kpi.id, "health.p5.no_owner", params, units, {"owner": None, "suggested": owner},
                    "health.p5.remedy.no_owner", {}, Fix("set_owner", kpi.id, owner) if owner else None)
        )  # fmt: skip
    if REVIEW_DAYS[kpi.review] > PER_DAYS[kpi.per]:
        cadence = CADENCE_FOR[kpi.per]
        found.append(
            Finding(5, "warn", kpi.id, "health.p5.slow_review", {**params, "cadence": cadence}, units,
                    {"review_days": REVIEW_DAYS[kpi.review], "period_days": PER_DAYS[kpi.per]},
                    "health.p5.remedy.slow_review", {}, Fix("set_cadence", kpi.id, cadence))
        )  # fmt: skip
    csfs = [c for c in goals.csfs if c.id in kpi.csfs]
    if not csfs:
        candidate = _matching_csf(ctx, kpi)
        found.append(
            Finding(5, "fail", kpi.id, "health.p5.no_csf", params, units, {"csfs": [], "candidate": candidate},
                    "health.p5.remedy.no_csf", {}, Fix("link_csf", kpi.id, candidate) if candidate else None)
        )  # fmt: skip
    elif not any(c.actions for c in csfs):
        found.append(
            Finding(5, "warn", kpi.id, "health.p5.no_actions", params, units,
                    {"csfs": [c.id for c in csfs], "actions": 0}, "health.p5.remedy.no_actions")
        )  # fmt: skip
    return found


def _matching_csf(ctx: Context, kpi: Kpi) -> str | None:
    """A CSF of the goal file whose lever is the KPI's metric or one of its inputs."""
    try:
        inputs = metric_inputs(kpi.metric)
    except FormulaError:
        inputs = set()
    for csf in ctx.goals.csfs:
        if csf.lever and (csf.lever.replace(" ", "") == kpi.metric.replace(" ", "") or csf.lever in inputs):
            return csf.id
    return None


def _staleness(ctx: Context) -> list[Finding]:
    """The data's last date within the shortest review cycle; the goal file revised within the longest."""
    kpis = ctx.goals.kpis
    if not kpis:
        return []
    found = []
    shortest = min(kpis, key=lambda k: REVIEW_DAYS[k.review]).review
    longest = max(kpis, key=lambda k: REVIEW_DAYS[k.review]).review
    last = data_bounds(ctx.dataset)[1]
    if last is not None:
        last = min(last, ctx.as_of)
        age = (ctx.as_of - last).days
        params = {"last": last.isoformat(), "days": age, "review": shortest}
        units = {"last": "date", "review": "review"}
        evidence = {"data_last_date": last.isoformat(), "age_days": age, "cadence_days": REVIEW_DAYS[shortest]}
        if age > REVIEW_DAYS[shortest]:
            verdict = "fail" if age > STALE_FAIL * REVIEW_DAYS[shortest] else "warn"
            found.append(Finding(5, verdict, None, "health.p5.stale_data", params, units, evidence,
                                 "health.p5.remedy.stale_data"))  # fmt: skip
        else:
            found.append(Finding(5, "ok", None, "health.p5.fresh_data", params, units, evidence))
    if ctx.goals_modified is not None:
        modified = ctx.goals_modified
        age = (ctx.as_of - modified).days
        params = {"modified": modified.isoformat(), "days": age, "review": longest}
        units = {"modified": "date", "review": "review"}
        evidence = {"goals_modified": modified.isoformat(), "age_days": age, "cadence_days": REVIEW_DAYS[longest]}
        if age > REVIEW_DAYS[longest]:
            found.append(Finding(5, "warn", None, "health.p5.stale_goals", params, units, evidence,
                                 "health.p5.remedy.stale_goals"))  # fmt: skip
        else:
            found.append(Finding(5, "ok", None, "health.p5.fresh_goals", params, units, evidence))
    return found


def as_date(value: dt.date | dt.datetime | float | None) -> dt.date | None:
    """A modified time (date, datetime or a POSIX timestamp such as Path.stat().st_mtime) as a date."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.datetime.fromtimestamp(float(value)).date()
