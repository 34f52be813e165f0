"""Sentences of the goal pages built from engine codes and parameters: the status rule, the plan's consistency and
how each forecast is made."""

from __future__ import annotations

import math
from typing import Any

from kpi_core.goals import STATUS_THRESHOLDS
from kpi_core.pacing import MIN_ANALOGUES, Forecast
from ui.format import escape_markdown, fmt_change, fmt_number, fmt_pct
from ui.goals.format import fmt_gap, fmt_goal, status_text, unit_of
from ui.i18n import metric_label, t


def thresholds_text(lang: str) -> str:
    """The status rule in one sentence, from the engine's thresholds."""
    return t(
        "goals.thresholds",
        lang,
        on=fmt_pct(STATUS_THRESHOLDS["on_track"], lang, 0),
        risk=fmt_pct(STATUS_THRESHOLDS["at_risk"], lang, 0),
        on_word=status_text("on_track", lang),
        risk_word=status_text("at_risk", lang),
        off_word=status_text("off_track", lang),
    )


def consistency_sentence(check: dict[str, Any], lang: str) -> str:
    """The plan's consistency as one sentence with its numbers, for Markdown (a metric written as a formula in the
    goal file is user text: escaped)."""

    status = check["status"]
    kgi_unit = unit_of(check["kgi_metric"])
    kgi = fmt_goal(check["kgi_target"], kgi_unit, lang, compact=True, required=True)
    if status == "not_applicable":
        return t(
            "goals.consistency.not_applicable", lang, metric=escape_markdown(metric_label(check["kgi_metric"], lang))
        )
    terms = []
    for term in check["terms"]:
        unit = unit_of(term["metric"])
        name = escape_markdown(metric_label(term["metric"], lang))
        if term["source"] == "kpi":
            text = f"{name} {fmt_goal(term['target'], unit, lang, compact=True, required=True)}"
            scale = term.get("scale") or 1.0
            if abs(scale - 1.0) > 1e-9:
                text += f" × {fmt_number(scale, lang, 2)}"
        elif term["source"] == "data":
            text = f"{name} {fmt_goal(term['value'], unit, lang, compact=True)}{t('goals.from_data', lang)}"
        else:
            text = f"{name} {t('goals.missing_factor', lang)}"
        terms.append(text)
    product = " × ".join(terms)
    if status == "incomplete":
        return t("goals.consistency.incomplete", lang, product=product, kgi=kgi)
    implied = fmt_goal(check["implied"], kgi_unit, lang, compact=True)
    gap = fmt_gap(check["gap"], kgi_unit, lang)
    ratio = fmt_change(check.get("gap_ratio"), lang)
    tolerance = fmt_pct(check["tolerance"], lang, 0)
    key = "goals.consistency.mismatch" if status == "mismatch" else "goals.consistency.consistent"
    return t(key, lang, product=product, implied=implied, kgi=kgi, gap=gap, ratio=ratio, tolerance=tolerance)


def method_sentence(forecast: Forecast, lang: str) -> str:
    """What is particular to this goal's forecast, in words, built from the method code and parameters in either
    language (so the numbers are formatted like the rest of the page: ¥, %, 万/億): its figures so far, the value,
    the kind of range and any caution. What every forecast shares is said once, by method_overview."""
    method = forecast.method
    code, p = method["code"], method.get("params", {})
    unit = unit_of(forecast.metric)
    if forecast.value is None and code not in ("complete", "current_value"):
        return t("pacing.method.no_actual", lang)
    actual, value = (
        fmt_goal(p.get("actual"), unit, lang, compact=True),
        fmt_goal(p.get("value", forecast.value), unit, lang, compact=True),
    )
    known = p.get("actual") is not None
    if code == "complete":
        text = t("pacing.method.complete", lang, actual=actual) if known else t("pacing.method.no_actual", lang)
    elif code == "current_value":
        text = t("pacing.method.current_value", lang, actual=actual) if known else t("pacing.method.no_actual", lang)
    else:
        # The calendar is the page's (its control and the chart's caption say it): not repeated per goal.
        rate_key = "pacing.brief.rate_volume" if p.get("volume") else "pacing.brief.rate_ratio"
        elapsed, total = p.get("elapsed", forecast.business_days_elapsed), p.get("total", forecast.business_days_total)
        rate = t(rate_key, lang, actual=actual, elapsed=elapsed, total=total)
        if code == "history_rate":
            text = t("pacing.method.history_rate", lang, total=total)
        elif code == "run_rate":
            text = t("pacing.method.run_rate", lang, rate=rate, value=value)
        elif code == "pipeline":
            text = t("pacing.brief.pipeline", lang, actual=actual, value=value)
        else:
            text = t("pacing.method.blend", lang, rate=rate, value=value)
        errors = {c: e for c, e in (forecast.errors or {}).items() if e is not None}
        if len(errors) > 1 and forecast.analogues >= MIN_ANALOGUES:
            listed = ("、" if lang == "ja" else ", ").join(
                f"{t(f'pacing.code.{c}', lang)} {fmt_pct(math.expm1(e), lang, 0)}" for c, e in errors.items()
            )
            text += t("pacing.brief.compared", lang, listed=listed)
        interval = p.get("interval")
        if interval == "analogues" and p.get("n") and p.get("per") in KPI_PERIODS:
            text += t("pacing.brief.range_analogues", lang, n=p["n"], per=t(f"pacing.per.{p['per']}", lang))
        elif interval == "normal":
            text += t("pacing.brief.range_normal", lang)
        elif forecast.low is None:
            text += t("pacing.brief.range_none", lang)
    if p.get("maturing"):
        text += t("pacing.method.maturing", lang)
    return text


def method_overview(forecasts: dict[str, Forecast], lang: str) -> list[str]:
    """The method every forecast on the page shares, said once: the run rate, the pipeline when one is used, the
    choice between methods and how the range is drawn (only what the page's forecasts use)."""
    codes = {f.method.get("code") for f in forecasts.values()}
    intervals = {f.method.get("params", {}).get("interval") for f in forecasts.values()}
    lines = [t("pacing.how.run_rate", lang)]
    if codes & {"pipeline", "blend"} or any(len(f.candidates or {}) > 1 for f in forecasts.values()):
        lines.append(t("pacing.how.pipeline", lang))
        lines.append(t("pacing.how.compared", lang))
    if "analogues" in intervals:
        lines.append(t("pacing.how.range_analogues", lang))
    if "normal" in intervals:
        lines.append(t("pacing.how.range_normal", lang))
    return lines


KPI_PERIODS = ("week", "month", "quarter", "year")
