"""Pacing: "Will we make the targets by period end?": the KGI's forecast for its own period (said in the heading),
range, odds and outlook; the cumulative pace of one goal against its pro-rated target; each KPI's forecast for its
period. How every forecast is made is said once (an expander); under each goal only what is particular to it."""

from __future__ import annotations

import logging

import streamlit as st

from kpi_core.goals import STATUS_THRESHOLDS
from ui.format import escape_markdown, fmt_date, fmt_pct
from ui.frame import page_frame
from ui.goals.cache import cached_forecasts, cached_pacing_series, goal_key, goal_report, report_figures
from ui.goals.cards import StatusFigure, draw_figures
from ui.goals.charts import pacing_chart
from ui.goals.forecasts import forecast_figure, forecast_rows, goal_figures, outlook_figure, range_text
from ui.goals.format import delta_style, fig, period_text, unit_of
from ui.goals.frames import pacing_frame
from ui.goals.sentences import method_overview, method_sentence
from ui.goals_state import current_goals, draw_goal_controls
from ui.i18n import metric_label, t
from ui.intake_notice import draw_intake_notices
from ui.quota_view import draw_pacing_quotas
from ui.show import show_chart, show_table
from ui.state import url_choice

_log = logging.getLogger(__name__)

view = page_frame("pacing")
draw_intake_notices(view.dataset, "pacing")
dataset, lang = view.dataset, view.lang
goals = current_goals(view)
as_of, calendar = draw_goal_controls(view)

gk = goal_key(view, as_of, calendar)
with st.spinner(t("pacing.computing")):
    report = goal_report(view, as_of, calendar)  # the one report the Goals and Pivots pages read too
try:
    forecasts = report.plan.forecasts if report is not None else cached_forecasts(gk, dataset)
except Exception:  # a goal file whose formula cannot be computed on this data
    _log.exception("forecasts failed")
    st.error(t("goals.compute_error"), icon=":material/error:")
    st.page_link("pages/4_Goals.py", label=t("nav.goals"), icon=":material/arrow_forward:")
    st.stop()

names = {"kgi": goals.kgi.name, **{k.id: k.name for k in goals.kpis}}
kgi = forecasts["kgi"]
kgi_figures = goal_figures("kgi", kgi, report)
period = period_text(kgi.period, kgi.per, lang)
target_text = fig(kgi_figures["target"], lang)

# -------------------------------------------------------------------------- the KGI: the period the cards show
st.subheader(t("pacing.kgi_title", period=period))
st.caption(
    t(
        "pacing.periods_caption",
        as_of=fmt_date(as_of, lang),
        kgi_period=period,
        start=fmt_date(kgi.period_start, lang),
        end=fmt_date(kgi.period_end, lang),
    )
)
draw_figures(
    [
        forecast_figure(
            "kgi_forecast", t("pacing.fig.forecast", period=period, target=target_text), kgi, lang, kgi_figures
        ),
        StatusFigure("kgi_range", t("pacing.fig.range"), range_text(kgi, lang, figures=kgi_figures)),
        StatusFigure(
            "kgi_probability",
            t("pacing.fig.probability"),
            fig(kgi_figures["probability"], lang),
            delta=t("pacing.fig.days", elapsed=kgi.business_days_elapsed, total=kgi.business_days_total),
        ),
        outlook_figure("kgi_status", kgi, lang),
    ],
    widths=[1.1, 1.6, 1.05, 1.05],
)
with st.container(key="kgi_method"):
    st.caption(
        f"**{t('pacing.method_label')}**：{method_sentence(kgi, lang)}"
        if lang == "ja"
        else f"**{t('pacing.method_label')}**: {method_sentence(kgi, lang)}"
    )
with st.expander(t("pacing.method_title"), icon=":material/info:"):
    for line in method_overview(forecasts, lang):
        st.caption(line)
    st.caption(
        t(
            "pacing.status_caption",
            on=fmt_pct(STATUS_THRESHOLDS["on_track"], lang, 0),
            risk=fmt_pct(STATUS_THRESHOLDS["at_risk"], lang, 0),
        )
    )

# -------------------------------------------------------------------------- the KGI's month: the report's figures
month_figures = report_figures(report)
if "month.forecast" in month_figures and report is not None:
    month_forecast = month_figures["month.forecast"]
    month = period_text(month_forecast.period, "month", lang)
    st.subheader(t("pacing.month_title", month=month))
    month_gap = month_figures["month.gap"]
    arrow, colour = delta_style(month_gap.value)
    draw_figures(
        [
            StatusFigure(
                "kgi_month",
                t(
                    "pacing.fig.month_final" if report.final else "pacing.fig.month",
                    month=month,
                    target=fig(month_figures["month.target"], lang),
                ),
                fig(month_forecast, lang),
                delta=None if month_gap.value is None else t("pacing.fig.vs_target", gap=fig(month_gap, lang)),
                delta_color=colour,
                arrow=arrow,
            ),
            StatusFigure("kgi_month_booked", t("pacing.fig.month_booked"), fig(month_figures["month.booked"], lang)),
        ],
        widths=[1.4, 1],
    )
    st.caption(t("pacing.month_caption", mode=t(f"pivots.target_mode.{report.target_mode}")))

# -------------------------------------------------------------------------- the pacing chart
st.subheader(t("pacing.chart_title"))
goal_ids = list(forecasts)
chosen = url_choice(
    "goal",
    goal_ids,
    goal_ids[1] if len(goal_ids) > 1 else "kgi",
    st.segmented_control,
    label=t("pacing.goal_choice"),
    # segmented-control options are Markdown: a goal name is escaped (the chart's axis title is plain text)
    format_func=lambda i: "KGI" if i == "kgi" else escape_markdown(names.get(i, i)),
)
forecast = forecasts[chosen]
series = cached_pacing_series(gk, dataset, chosen)
frame = pacing_frame(series, forecast, lang)
chosen_unit = unit_of(forecast.metric)
chart_titles = {
    "x": t("pacing.x"),
    "y": names.get(chosen, chosen) if chosen != "kgi" else "KGI",
    "date": t("pacing.date"),
    "actual": t("pacing.actual"),
    "target": t("pacing.target"),
    "forecast": t("pacing.forecast"),
    "low": t("pacing.col.low"),
    "high": t("pacing.col.high"),
}
caption_key = "pacing.chart_caption" if chosen_unit in ("count", "currency") else "pacing.chart_caption_rate"
caption = t(
    caption_key,
    name=escape_markdown(names.get(chosen, chosen)),
    period=period_text(forecast.period, forecast.per, lang),
    calendar=t(f"pacing.cal_words.{calendar}"),
)
if dataset.shape == "periods":
    caption += " " + t("pacing.sheet_note")
show_chart(
    pacing_chart(frame, titles=chart_titles, unit=chosen_unit, lang=lang),
    key="pacing_chart",
    caption=caption,
    data=series,
    large=view.workshop,
)

# -------------------------------------------------------------------------- each KPI
if goals.kpis:
    kpi_periods = dict.fromkeys(period_text(forecasts[k.id].period, forecasts[k.id].per, lang) for k in goals.kpis)
    st.subheader(t("pacing.kpis_title", periods=("、" if lang == "ja" else ", ").join(kpi_periods)))
for kpi in goals.kpis:
    forecast = forecasts[kpi.id]
    figures_of = goal_figures(kpi.id, forecast, report)
    with st.container(border=True, key=f"pacing_kpi_{kpi.id}"):
        label = t(
            "pacing.kpi_forecast",
            name=escape_markdown(kpi.name),  # a metric label is Markdown
            period=period_text(forecast.period, forecast.per, lang),
            target=fig(figures_of["target"], lang),
        )
        figures = [
            forecast_figure(f"{kpi.id}_forecast", label, forecast, lang, figures_of),
            StatusFigure(f"{kpi.id}_range", t("pacing.fig.range"), range_text(forecast, lang, figures=figures_of)),
            StatusFigure(f"{kpi.id}_probability", t("pacing.fig.probability"), fig(figures_of["probability"], lang)),
            outlook_figure(f"{kpi.id}_status", forecast, lang),
        ]
        draw_figures(figures, widths=[1.15, 1.65, 0.95, 1])  # a range ("7,995–9,005万円") is the longest
        st.caption(method_sentence(forecast, lang))
        lever = report.levers.get(kpi.metric) if report is not None else None
        if lever is not None and lever.current.window != "month_end":  # Pivots shows this lever over another window
            st.caption(
                t(
                    "pacing.window_note",
                    lever=escape_markdown(metric_label(kpi.metric, lang)),
                    window=t(f"report.window.{lever.current.window}"),
                    value=escape_markdown(fig(lever.current, lang)),  # "$" is Markdown math
                    period=period_text(forecast.period, forecast.per, lang),
                    forecast=escape_markdown(fig(figures_of["forecast"], lang)),
                )
            )

draw_pacing_quotas(view, as_of, calendar)  # each rep's forecast against their own number

if not view.workshop:
    with st.expander(t("pacing.table_title")):
        show_table(forecast_rows(forecasts, goals, lang, report), key="pacing_forecasts")
