"""How each period-end forecast was made, in words (ja / en), from the forecast's method code and parameters
(kpi_core.pacing) and the catalogue of kpi_core/messages.py: one sentence for the Pacing and Goals pages and the
`plan` command's text output. The JSON keeps pacing's own English text (method["text"]) as it always was."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from kpi_core.format import MISSING, fmt_number, fmt_pct, fmt_value
from kpi_core.goals import metric_unit
from kpi_core.messages import render
from kpi_core.pacing import MIN_ANALOGUES, Forecast

# The periods a range from past analogues can count ("past 24 months"): pacing.per.<per>.
KPI_PERIODS = ("week", "month", "quarter", "year")


def status_word(status: str, lang: str) -> str:
    """順調 / On track (goals.status.<status>): the one word for a status, in the UI and the CLI; the code itself
    when the catalogue has no word for it."""
    key = f"goals.status.{status}"
    word = render(key, lang)
    return status if word == key else word


def _unit(metric: str) -> str:
    """count / currency / ratio / days, or number (a formula, an unknown name)."""
    try:
        return metric_unit(metric)
    except Exception:  # an unknown name: shown as a plain number
        return "number"


def _figure(value: float | None, unit: str, lang: str, currency: str | None) -> str:
    """A figure of the sentence as the goal pages show it: money compact (万 / 億), %, days, a count whole, any
    other number with one decimal (kpi_core.format's rules)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING
    if unit in ("count", "currency", "ratio", "days"):
        return fmt_value(value, unit, lang, compact=True, currency=currency)
    return fmt_number(value, lang, 1)


def method_sentence(
    method: Mapping[str, Any],
    lang: str,
    *,
    metric: str,
    value: float | None,
    low: float | None,
    errors: Mapping[str, float | None] | None = None,
    analogues: int | None = None,
    elapsed: int | None = None,
    total: int | None = None,
    currency: str | None = None,
) -> str:
    """What is particular to one goal's forecast, in `lang`: its figures so far, the value, the kind of range and
    any caution (what every forecast shares is said once, by the Pacing page's overview). `method` is the
    forecast's {"code", "params"}; `errors` (each method's typical past miss) and `analogues` (past periods
    compared) default to the params' errors and n, so a JSON forecast (the `plan` payload) reads as the object
    does; `elapsed` / `total` business days are the fallback for params without them."""
    code, p = method.get("code"), method.get("params") or {}
    unit = _unit(metric)
    if value is None and code not in ("complete", "current_value"):
        return render("pacing.method.no_actual", lang)
    actual = _figure(p.get("actual"), unit, lang, currency)
    shown = _figure(p.get("value", value), unit, lang, currency)
    known = p.get("actual") is not None
    if code in ("complete", "current_value"):
        return (
            render(f"pacing.method.{code}", lang, actual=actual) if known else render("pacing.method.no_actual", lang)
        ) + (render("pacing.method.maturing", lang) if p.get("maturing") else "")
    # The calendar is the page's (its control and the chart's caption say it): not repeated per goal.
    rate_key = "pacing.brief.rate_volume" if p.get("volume") else "pacing.brief.rate_ratio"
    elapsed, total = p.get("elapsed", elapsed), p.get("total", total)
    rate = render(rate_key, lang, actual=actual, elapsed=elapsed, total=total)
    if code == "history_rate":
        text = render("pacing.method.history_rate", lang, total=total)
    elif code == "run_rate":
        text = render("pacing.method.run_rate", lang, rate=rate, value=shown)
    elif code == "pipeline":
        text = render("pacing.brief.pipeline", lang, actual=actual, value=shown)
    else:
        text = render("pacing.method.blend", lang, rate=rate, value=shown)
    # Each method's typical past miss, when more than one could be judged on enough past periods (the method
    # words are the `plan` table's: cli.plan.method.<code>).
    misses = {c: e for c, e in ((p.get("errors") if errors is None else errors) or {}).items() if e is not None}
    compared = (p.get("n") or 0) if analogues is None else analogues
    if len(misses) > 1 and compared >= MIN_ANALOGUES:
        listed = ("、" if lang == "ja" else ", ").join(
            f"{render(f'cli.plan.method.{c}', lang)} {fmt_pct(math.expm1(e), lang, 0)}" for c, e in misses.items()
        )
        text += render("pacing.brief.compared", lang, listed=listed)
    interval = p.get("interval")
    if interval == "analogues" and p.get("n") and p.get("per") in KPI_PERIODS:
        text += render("pacing.brief.range_analogues", lang, n=p["n"], per=render(f"pacing.per.{p['per']}", lang))
    elif interval == "normal":
        text += render("pacing.brief.range_normal", lang)
    elif low is None:
        text += render("pacing.brief.range_none", lang)
    if p.get("maturing"):
        text += render("pacing.method.maturing", lang)
    return text


def forecast_sentence(forecast: Forecast, lang: str, currency: str | None = None) -> str:
    """method_sentence of a kpi_core.pacing.Forecast (the pages' objects), money in `currency`."""
    return method_sentence(
        forecast.method,
        lang,
        metric=forecast.metric,
        value=forecast.value,
        low=forecast.low,
        errors=forecast.errors or {},
        analogues=forecast.analogues,
        elapsed=forecast.business_days_elapsed,
        total=forecast.business_days_total,
        currency=currency,
    )
