"""Pitfall 6, disconnect from the field: the KPI by owner: how many reps reach their own target in their own months,
and the spread between them; targets most of the field cannot reach are flagged.

A rep's target is their quota when the goal file gives them one for the KPI (kpi_core.goals.Quota), else the even
split of the team target (a volume) or the team target itself (a rate); each finding says which basis it used."""

from __future__ import annotations

import dataclasses
import math
import statistics
from typing import Any, TypedDict

from kpi_core.formula import FormulaError
from kpi_core.goals import Kpi, metric_unit, owner_key, time_degree
from kpi_core.health.history import Context, from_monthly, monthly_target, quantile, value_of
from kpi_core.health.model import Finding, Fix, Skipped
from kpi_core.metrics import compute_kpis
from kpi_core.pivots import flat_figures

FIELD_MONTHS = 12  # each rep is read over the last 12 complete months
MIN_REP_MONTHS = 3  # a rep with fewer months of data is not judged
REACH_SHARE = 0.25  # a rep "can reach" the share when they did in at least one month in four
FAIL_BELOW, WARN_BELOW = 0.5, 0.75  # reps who can reach: below half fails ("most cannot"), below ¾ warns
WIDE_SPREAD = 3.0  # best rep's typical month three times the weakest's: an even split ignores the field


class _Rep(TypedDict):
    """One rep's months against their own monthly target (an item of the evidence's "reps"): `basis` quota,
    even_split or team_target; `team` from the goal file's quotas or a team file (None without one)."""

    owner: str
    team: str | None
    target: float
    basis: str
    months: int
    months_met: int
    can_reach: bool
    median: float
    p75: float
    series: list[float]


def check_field(ctx: Context) -> tuple[list[Finding], list[Skipped]]:
    dataset, history = ctx.dataset, ctx.history
    if "owner" not in dataset.mapping:
        return [], [Skipped(6, None, "health.p6.no_owner_data", {})]
    if not history.months:
        return [], [Skipped(6, None, "health.p6.no_owner_data", {})]
    first = max(0, len(history.months) - FIELD_MONTHS)
    window = history.window(first, len(history.months) - 1)
    result = compute_kpis(
        dataset, period="month", by_period_and=("owner",), filters=window, fiscal_start=ctx.goals.fiscal_year_start
    )
    rows: dict[str, list[dict[str, Any]]] = {}
    for row in result.by_period_and.get("owner", []):
        if row["key"] is not None:
            rows.setdefault(str(row["key"]), []).append(flat_figures(row))
    reps = {owner: items for owner, items in rows.items() if len(items) >= MIN_REP_MONTHS}
    findings, skipped = [], []
    for kpi in ctx.goals.kpis:
        finding = _check(ctx, kpi, reps)
        if finding is None:
            skipped.append(Skipped(6, kpi.id, "health.p6.few_reps", {**ctx.kpi_params(kpi), "reps": len(reps)}))
        else:
            findings.append(finding)
    return findings, skipped


def _check(ctx: Context, kpi: Kpi, reps: dict[str, list[dict[str, Any]]]) -> Finding | None:
    try:
        volume = time_degree(kpi.metric) == 1
    except FormulaError:
        volume = False
    lower = kpi.better == "lower"
    values = {
        owner: [v for v in (value_of(kpi.metric, r) for r in items) if v is not None] for owner, items in reps.items()
    }
    values = {owner: vs for owner, vs in values.items() if len(vs) >= MIN_REP_MONTHS}
    if len(values) < 2:
        return None
    team = monthly_target(kpi)
    # Reps without a quota keep the even split of the team target over the reps judged (a rate: the target itself).
    share = team / len(values) if volume else team
    fallback = "even_split" if volume else "team_target"
    quotas = {owner_key(q.owner): monthly_target(dataclasses.replace(kpi, target=q.target))
              for q in ctx.goals.quotas_for(kpi.id)}  # fmt: skip
    per_rep: list[_Rep] = []
    for owner, vs in sorted(values.items()):
        quota = quotas.get(owner_key(owner))
        target = share if quota is None else quota
        met = sum(1 for v in vs if (v <= target if lower else v >= target))
        per_rep.append(
            {
                "owner": owner,
                "team": ctx.teams.get(owner_key(owner)),
                "target": target,
                "basis": fallback if quota is None else "quota",
                "months": len(vs),
                "months_met": met,
                "can_reach": met / len(vs) >= REACH_SHARE,
                "median": statistics.median(vs),
                "p75": quantile(vs, 0.25 if lower else 0.75),
                "series": vs,
            }
        )
    with_quota = [r for r in per_rep if r["basis"] == "quota"]
    basis = fallback if not with_quota else ("quota" if len(with_quota) == len(per_rep) else "mixed")
    reach = sum(1 for r in per_rep if r["can_reach"])
    medians = [r["median"] for r in per_rep]
    spread = max(medians) / min(medians) if min(medians) > 0 else None
    unit = metric_unit(kpi.metric)
    unit = unit if unit in ("count", "currency", "ratio", "days") else "number"
    params = {
        **ctx.kpi_params(kpi), "basis": basis, "reps": len(per_rep), "reach": reach, "share": share,
        "fallback": fallback, "quota_reps": len(with_quota), "split_reps": len(per_rep) - len(with_quota),
        "quotas": [min(r["target"] for r in with_quota), max(r["target"] for r in with_quota)] if with_quota else None,
        "spread": spread, "low": min(medians), "high": max(medians),
    }  # fmt: skip
    units = {"metric": "metric", "share": unit, "low": unit, "high": unit, "spread": "times", "quotas": f"range:{unit}",
             "owners": "ids", "fallback": "basis"}  # fmt: skip
    # "share" is the even split (or the rate's team target): what a rep without a quota is judged against.
    evidence = {
        "basis": basis, "share": share, "split": fallback, "reps": per_rep, "reach": reach,
        "reach_share": reach / len(per_rep), "spread": spread, "cv": _cv(medians),
    }  # fmt: skip
    ratio = reach / len(per_rep)
    if ratio < WARN_BELOW:
        verdict = "fail" if ratio < FAIL_BELOW else "warn"
        if with_quota:
            # Quotas are the reps' own numbers: the fix is a conversation with the reps who cannot reach theirs, not
            # a new team target (which would move only the even split of the reps without one).
            behind = [r["owner"] for r in per_rep if not r["can_reach"]]
            return Finding(6, verdict, kpi.id, f"health.p6.{basis}.out_of_reach", params, units, evidence,
                           f"health.p6.remedy.{basis}", {"owners": behind})  # fmt: skip
        reachable = _reachable_share(list(values.values()), lower)
        # Never stricter than the target it replaces: the fix only ever brings the share within the field's reach.
        reachable = max(reachable, share) if lower else min(reachable, share)
        value = _lenient(from_monthly(kpi, reachable * len(per_rep) if volume else reachable), unit, lower)
        params["suggested"] = value
        units["suggested"] = unit
        fix = Fix("set_target", kpi.id, value) if value != kpi.target else None
        return Finding(6, verdict, kpi.id, f"health.p6.{basis}.out_of_reach", params, units, evidence,
                       "health.p6.remedy.out_of_reach", {}, fix)  # fmt: skip
    if basis == "even_split" and spread is not None and spread >= WIDE_SPREAD:
        # With quotas the split is already the field's own; only an even split can ignore a wide spread.
        return Finding(6, "warn", kpi.id, "health.p6.even_split.wide_spread", params, units, evidence,
                       "health.p6.remedy.wide_spread")  # fmt: skip
    return Finding(6, "ok", kpi.id, f"health.p6.{basis}.reachable", params, units, evidence)


def _reachable_share(series: list[list[float]], lower: bool) -> float:
    """The strictest share that at least ¾ of the reps reach in at least one month in four (WARN_BELOW, REACH_SHARE):
    each rep's best value reached that often, then the value that ¾ of the reps reach."""
    best = []
    for vs in series:
        months = math.ceil(REACH_SHARE * len(vs))  # months the rep must reach it in
        ordered = sorted(vs) if lower else sorted(vs, reverse=True)
        best.append(ordered[months - 1])
    reps = math.ceil(WARN_BELOW * len(best))
    ordered = sorted(best) if lower else sorted(best, reverse=True)
    return ordered[reps - 1]


def _lenient(value: float, unit: str, lower: bool) -> float:
    """A suggested target as people write it (whole counts, rates to 0.5 %, else 3 significant digits), rounded
    towards the easier side so rounding never takes it out of the field's reach."""
    down = not lower  # a higher-is-better target gets easier when it goes down
    step = {"count": 1.0, "ratio": 0.005}.get(unit)
    if step is None:
        if value == 0 or not math.isfinite(value):
            return 0.0
        step = 10.0 ** (math.floor(math.log10(abs(value))) - 2)
    steps = value / step
    rounded = (math.floor(steps + 1e-9) if down else math.ceil(steps - 1e-9)) * step
    return float(round(rounded, 10))


def _cv(values: list[float]) -> float | None:
    mean = sum(values) / len(values)
    return statistics.pstdev(values) / mean if mean else None
