"""A goal's period-end forecast as the Pacing page shows it: its status, headline cards, range and table rows (the
report's figures where it has them)."""

from __future__ import annotations

import math

import pandas as pd

from kpi_core.goals import Goals, attainment_of, status_of
from kpi_core.pacing import Forecast
from kpi_core.report import Figure as ReportFigure
from kpi_core.report import Report, forecast_figures
from ui.format import currency_symbol, fmt_pct
from ui.goals.cache import report_figures
from ui.goals.cards import StatusFigure
from ui.goals.format import DELTA_COLOURS, delta_style, fig, fmt_gap, fmt_goal, period_text, status_text, unit_of
from ui.goals.sentences import method_sentence
from ui.i18n import t


def forecast_status(forecast: Forecast) -> str:
    """The status of the forecast period-end value against the full target (same thresholds as the goals)."""
    attainment = attainment_of(forecast.value, forecast.target, forecast.better)
    if attainment is not None and math.isinf(attainment):
        return "on_track"
    return status_of(attainment)


def goal_figures(goal_id: str, forecast: Forecast, report: Report | None) -> dict[str, ReportFigure]:
    """One goal's forecast figures (forecast, target, gap, low, high, probability): the report's own where it has
    them, the rest by the same rule (kpi_core.report.forecast_figures)."""
    return forecast_figures(goal_id, forecast, report_figures(report))


def forecast_figure(
    name: str, label: str, forecast: Forecast, lang: str, figures: dict[str, ReportFigure] | None = None
) -> StatusFigure:
    """A goal's period-end forecast as a headline figure: compact value, the gap to the target as its delta
    (none when either is missing: never a dash beside an arrow) and the exact value in its help. `figures` (from
    goal_figures) are the report's: the value and, for money and rates, the gap are their texts."""
    unit = unit_of(forecast.metric)
    gap = None if forecast.value is None or forecast.target is None else forecast.value - forecast.target
    arrow, colour = delta_style(gap, forecast.better)
    value = fmt_goal(forecast.value, unit, lang, compact=True) if figures is None else fig(figures["forecast"], lang)
    if figures is None or figures["gap"].unit == "count":  # a count's gap: the difference of the values as shown
        gap_text = fmt_gap(gap, unit, lang, actual=forecast.value, target=forecast.target)
    else:
        gap_text = fig(figures["gap"], lang)
    return StatusFigure(
        name,
        label,
        value,
        delta=None if gap is None else t("pacing.fig.vs_target", lang, gap=gap_text),
        delta_color=colour,
        arrow=arrow,
        help=None if forecast.value is None else fmt_goal(forecast.value, unit, lang, exact=True),
    )


def outlook_figure(name: str, forecast: Forecast, lang: str) -> StatusFigure:
    """The outlook as Goals shows a status: the forecast against the target as the figure, and the status word
    with its symbol and colour as the delta (the symbol always sits with its word)."""
    status = forecast_status(forecast)
    attainment = attainment_of(forecast.value, forecast.target, forecast.better)
    if forecast.target is None:
        return StatusFigure(name, t("pacing.fig.status", lang), t("pacing.fig.no_target", lang))
    if attainment is None or not math.isfinite(attainment):
        return StatusFigure(name, t("pacing.fig.status", lang), status_text(status, lang))
    return StatusFigure(
        name,
        t("pacing.fig.status", lang),
        fmt_pct(attainment, lang),
        delta=status_text(status, lang),
        delta_color=DELTA_COLOURS[status],
    )


def range_text(
    forecast: Forecast, lang: str, *, compact: bool = True, figures: dict[str, ReportFigure] | None = None
) -> str:
    """low – high, or "no range" in words when the history is too short to give one (`figures`: the report's low
    and high, joined as they are formatted)."""
    unit = unit_of(forecast.metric)
    if forecast.low is None or forecast.high is None:
        return t("pacing.no_range", lang)
    if figures is not None:
        return join_range(fig(figures["low"], lang), fig(figures["high"], lang))
    return join_range(
        fmt_goal(forecast.low, unit, lang, compact=compact), fmt_goal(forecast.high, unit, lang, compact=compact)
    )


def join_range(low: str, high: str) -> str:
    """Two formatted ends as one range, the unit once: 1.12億円 + 1.56億円 → 1.12–1.56億円, ¥80.4M + ¥90.6M →
    ¥80.4–90.6M (the texts are not rounded again: only the repeated unit is dropped)."""
    for suffix in ("億円", "万円", "%", "日", " days", "B", "M", "K"):
        if low.endswith(suffix) and high.endswith(suffix):
            return f"{low[: -len(suffix)]}–{high.removeprefix(currency_symbol())}"
    return f"{low}–{high}"  # no spaces around the dash: the range must fit a headline figure


def forecast_rows(
    forecasts: dict[str, Forecast], goals: Goals, lang: str, report: Report | None = None
) -> pd.DataFrame:
    """One row per goal (KGI first): forecast, range, probability, status and the method in words (the figures
    the report has are its texts)."""
    names = {"kgi": goals.kgi.name, **{k.id: k.name for k in goals.kpis}}
    records = []
    for goal_id, forecast in forecasts.items():
        unit = unit_of(forecast.metric)
        figures = goal_figures(goal_id, forecast, report)
        records.append(
            {
                t("goals.col.goal", lang): names.get(goal_id, goal_id),
                t("common.period", lang): period_text(forecast.period, forecast.per, lang),
                t("pacing.col.actual", lang): fmt_goal(forecast.actual, unit, lang, compact=True),
                t("pacing.col.forecast", lang): fig(figures["forecast"], lang),
                t("pacing.col.low", lang): fig(figures["low"], lang),
                t("pacing.col.high", lang): fig(figures["high"], lang),
                t("goals.col.target", lang): fig(figures["target"], lang),
                t("pacing.col.probability", lang): fig(figures["probability"], lang),
                t("common.status", lang): status_text(forecast_status(forecast), lang),
                t("pacing.col.method", lang): method_sentence(forecast, lang),
            }
        )
    return pd.DataFrame(records)
