"""Sentences of the goal pages built from engine codes and parameters: the status rule, the plan's consistency and
how each forecast is made."""

from __future__ import annotations

from typing import Any

from kpi_core.goals import STATUS_THRESHOLDS
from kpi_core.pacing import Forecast
from kpi_core.pacing_sentences import forecast_sentence
from ui.format import current_currency, escape_markdown, fmt_change, fmt_number, fmt_pct
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
    """What is particular to this goal's forecast, in words (kpi_core.pacing_sentences: the same catalogue entry the
    `plan` command prints), money in the session's currency. What every forecast shares is said once, by
    method_overview."""
    return forecast_sentence(forecast, lang, current_currency())


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
