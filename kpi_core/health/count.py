"""Pitfall 3, too many or too few KPIs: 3–5 per department, the least linked to the KGI named first for dropping,
pairs that move together named for merging, and leading / lagging balance."""

from __future__ import annotations

from typing import Any

from kpi_core.health.history import Context, pearson
from kpi_core.health.model import Finding, Fix

MIN_KPIS, MAX_KPIS = 3, 5
FAIL_ABOVE = 6  # 7 or more for one department fails; 6 warns ("5–6 KPIs blurs focus")
MERGE_CORRELATION = 0.9  # two KPIs whose monthly values move this closely measure the same thing


def check_count(ctx: Context) -> list[Finding]:
    goals = ctx.goals
    if not goals.kpis:
        return [Finding(3, "fail", None, "health.p3.no_kpis", {}, {}, {"count": 0}, "health.p3.remedy.too_few")]
    departments: dict[str, list[Any]] = {}
    for kpi in goals.kpis:
        departments.setdefault(kpi.department, []).append(kpi)
    findings = []
    for department, kpis in departments.items():
        count = len(kpis)
        ranked = sorted(kpis, key=lambda k: _strength(ctx, k.id))
        params = {"department": department or "-", "count": count, "low": MIN_KPIS, "high": MAX_KPIS}
        units = {"drop": "ids", "merge": "pairs"}
        evidence: dict[str, Any] = {
            "count": count,
            "kpis": [k.id for k in kpis],
            "link_order": [{"kpi": k.id, "correlation": _correlation(ctx, k.id)} for k in ranked],
            "merge_pairs": _merge_pairs(ctx, kpis),
            "classes": {k.id: k.klass for k in kpis},
        }
        if count > MAX_KPIS:
            drop = [k.id for k in ranked[: count - MAX_KPIS]]
            params.update(drop=drop, merge=evidence["merge_pairs"])
            verdict = "fail" if count > FAIL_ABOVE else "warn"
            for index, kpi_id in enumerate(drop):
                findings.append(
                    Finding(3, verdict if index == 0 else "warn", kpi_id, "health.p3.too_many", params, units,
                            evidence, "health.p3.remedy.too_many", {}, Fix("drop_kpi", kpi_id))
                )  # fmt: skip
            continue
        if count < MIN_KPIS:
            findings.append(
                Finding(3, "warn", None, "health.p3.too_few", params, units, evidence, "health.p3.remedy.too_few")
            )
            continue
        classes = {k.klass for k in kpis}
        if "leading" not in classes or "lagging" not in classes:
            params["missing_class"] = "leading" if "leading" not in classes else "lagging"
            units["missing_class"] = "class"
            findings.append(
                Finding(3, "warn", None, "health.p3.unbalanced", params, units, evidence,
                        "health.p3.remedy.unbalanced")
            )  # fmt: skip
            continue
        findings.append(Finding(3, "ok", None, "health.p3.ok", params, units, evidence))
    return findings


def _correlation(ctx: Context, kpi_id: str) -> float | None:
    link = ctx.links.get(kpi_id)
    return link.correlation if link is not None else None


def _strength(ctx: Context, kpi_id: str) -> float:
    """The sort key: the KPI's correlation with the KGI, -2 (below any correlation) when it has none."""
    correlation = _correlation(ctx, kpi_id)
    return -2.0 if correlation is None else correlation


def _merge_pairs(ctx: Context, kpis: list[Any]) -> list[list[str]]:
    pairs = []
    for i, first in enumerate(kpis):
        for second in kpis[i + 1 :]:
            xs, ys = ctx.history.series(first.metric), ctx.history.series(second.metric)
            both = [(a, b) for a, b in zip(xs, ys, strict=True) if a is not None and b is not None]
            r = pearson([a for a, _ in both], [b for _, b in both]) if len(both) >= 6 else None
            if r is not None and r >= MERGE_CORRELATION and first.metric != second.metric:
                pairs.append([first.id, second.id])
            elif first.metric.replace(" ", "") == second.metric.replace(" ", ""):
                pairs.append([first.id, second.id])  # the same figure twice
    return pairs
