"""Pitfall 2, vague definitions: each KPI computable from the data at hand, with a unit and a written definition,
and SMART field by field (specific, measurable, achievable → pitfall 4, relevant, time-bound)."""

from __future__ import annotations

from typing import Any

from kpi_core.formula import FormulaError, formula_names
from kpi_core.goals import Kpi, metric_inputs, metric_unit, name_formula
from kpi_core.health.history import Context, value_of
from kpi_core.health.model import Finding, Fix
from kpi_core.metrics import available, load_catalog

MIN_DEFINITION_CHARS = 12  # "受注件数" alone says what is counted, not which deals count


def missing_inputs(metric: str, ctx: Context) -> list[str]:
    """The engine measures the metric needs that the data cannot give ([] when it is computable)."""
    catalog = load_catalog()
    try:
        names = metric_inputs(metric)
    except FormulaError:
        return [metric]
    measures: set[str] = set()
    for name in names:
        expression = name_formula(name)
        measures |= formula_names(expression) if expression != name else {name}
    missing = []
    for name in sorted(measures):
        try:
            definition = catalog.get(name)
        except KeyError:
            missing.append(name)
            continue
        if definition in catalog.measures and not available(definition, ctx.dataset):
            missing.append(name)
    if not missing and not any(value_of(metric, row) is not None for row in ctx.history.rows):
        # e.g. win rate on a monthly sheet without lost deals: every input is there, the figure never is
        return sorted(measures)
    return missing


def check_definitions(ctx: Context) -> list[Finding]:
    findings = []
    for kpi in ctx.goals.kpis:
        findings.append(_check(kpi, ctx))
    return findings


def _check(kpi: Kpi, ctx: Context) -> Finding:
    params: dict[str, Any] = ctx.kpi_params(kpi)
    units = {"metric": "metric", "missing": "metrics"}
    missing = missing_inputs(kpi.metric, ctx) if ctx.history.rows else []
    unit = metric_unit(kpi.metric)
    definition = kpi.definition.strip()
    smart = {
        "specific": bool(definition) and len(definition) >= MIN_DEFINITION_CHARS,
        "measurable": not missing,
        "achievable": None,  # pitfall 4 judges the target against the history
        "relevant": bool(kpi.csfs) or kpi.klass == "lagging",
        "time_bound": kpi.target > 0 and bool(kpi.per),
    }
    evidence = {"smart": smart, "unit": unit, "missing": missing, "definition_chars": len(definition)}
    params["missing"] = missing
    params["per"] = kpi.per
    if missing:
        return Finding(2, "fail", kpi.id, "health.p2.not_computable", params, units, evidence,
                       "health.p2.remedy.not_computable", {}, Fix("drop_kpi", kpi.id))  # fmt: skip
    if not definition:
        return Finding(2, "fail", kpi.id, "health.p2.no_definition", params, units, evidence,
                       "health.p2.remedy.no_definition", {}, Fix("set_definition", kpi.id, _draft(kpi)))  # fmt: skip
    gaps = [name for name, ok in smart.items() if ok is False]
    if unit == "number":
        gaps.append("unit")
    if gaps:
        params["gaps"] = gaps
        units["gaps"] = "smart"
        fix = Fix("set_definition", kpi.id, _draft(kpi)) if "specific" in gaps else None
        return Finding(2, "warn", kpi.id, "health.p2.smart_gaps", params, units, evidence,
                       "health.p2.remedy.smart_gaps", {}, fix)  # fmt: skip
    return Finding(2, "ok", kpi.id, "health.p2.defined", params, units, evidence)


def _draft(kpi: Kpi) -> str:
    """A definition to start from (the KPI's name, what the engine counts and the period), to be rewritten in the
    team's own words: "月間有効商談数 = opportunities (month)"."""
    return f"{kpi.name} = {name_formula(kpi.metric)} ({kpi.per})"
