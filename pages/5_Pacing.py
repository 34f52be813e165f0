"""Pacing: "Will we make the month?": period-end forecasts of the KGI and each KPI with range, odds, status and
the method in words, and the cumulative pace against the pro-rated target."""

from __future__ import annotations

import logging

import streamlit as st

from kpi_core.goals import STATUS_THRESHOLDS
from ui.format import escape_markdown, fmt_pct
from ui.frame import page_frame
from ui.goals_state import current_goals, draw_goal_controls
from ui.goals_view import (
    DELTA_COLOURS,
    StatusFigure,
    cached_forecasts,
    cached_pacing_series,
    delta_style,
    draw_figures,
    fmt_gap,
    fmt_goal,
    forecast_rows,
    forecast_status,
    goal_key,
    method_sentence,
    pacing_chart,
    pacing_frame,
    period_text,
    range_text,
    status_text,
    unit_of,
)
from ui.i18n import t
from ui.intake_notice import draw_intake_notices
from ui.show import show_chart, show_table
from ui.state import url_choice

_log = logging.getLogger(__name__)

view = page_frame("pacing")
draw_intake_notices(view.dataset, "pacing")
dataset, lang = view.dataset, view.lang
goals = current_goals(view)
as_of, calendar = draw_goal_controls(view)

gk = goal_key(view, as_of, calendar)
try:
    forecasts = cached_forecasts(gk, dataset)
except Exception:  # a goal file whose formula cannot be computed on this data
    _log.exception("forecasts failed")
    st.error(t("goals.compute_error"), icon=":material/error:")
    st.page_link("pages/4_Goals.py", label=t("nav.goals"), icon=":material/arrow_forward:")
    st.stop()

names = {"kgi": goals.kgi.name, **{k.id: k.name for k in goals.kpis}}
kgi = forecasts["kgi"]
unit = unit_of(kgi.metric)
kgi_status = forecast_status(kgi)
period = period_text(kgi.period, kgi.per, lang)
gap = None if kgi.value is None or kgi.target is None else kgi.value - kgi.target
target_text = fmt_goal(kgi.target, unit, lang, compact=True, required=True)
draw_figures(
    [
        StatusFigure(
            "kgi_forecast",
            t("pacing.fig.forecast", period=period, target=target_text),
            fmt_goal(kgi.value, unit, lang, compact=True),
            delta=t("pacing.fig.vs_target", gap=fmt_gap(gap, unit, lang, actual=kgi.value, target=kgi.target)),
            delta_color=delta_style(gap, kgi.better)[1],
            arrow=delta_style(gap, kgi.better)[0],
            help=fmt_goal(kgi.value, unit, lang, exact=True),
        ),
        StatusFigure("kgi_range", t("pacing.fig.range"), range_text(kgi, lang)),
        StatusFigure(
            "kgi_probability",
            t("pacing.fig.probability"),
            fmt_pct(kgi.probability_on_target, lang),
            delta=t("pacing.fig.days", elapsed=kgi.business_days_elapsed, total=kgi.business_days_total),
        ),
        StatusFigure(
            "kgi_status",
            t("pacing.fig.status"),
            status_text(kgi_status, lang),
            delta=fmt_pct(None if not kgi.target or kgi.value is None else kgi.value / kgi.target, lang),
            delta_color=DELTA_COLOURS[kgi_status],
        ),
    ],
    widths=[1.1, 1.6, 1.05, 1.05],  # the actual so far is in the method sentence below
)
with st.container(key="kgi_method"):
    st.caption(
        f"**{t('pacing.method_label')}**：{method_sentence(kgi, lang)}"
        if lang == "ja"
        else f"**{t('pacing.method_label')}**: {method_sentence(kgi, lang)}"
    )
st.caption(
    t(
        "pacing.status_caption",
        on=fmt_pct(STATUS_THRESHOLDS["on_track"], lang, 0),
        risk=fmt_pct(STATUS_THRESHOLDS["at_risk"], lang, 0),
    )
)

# -------------------------------------------------------------------------- the pacing chart
st.subheader(t("pacing.chart_title"))
goal_ids = list(forecasts)
with st.columns([2, 1])[0]:
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
    scope=view.scope_text(),
)
if dataset.shape == "periods":
    caption += " " + t("pacing.sheet_note")
chart_area, method_area = st.columns([4, 1]) if not view.workshop else (st.container(), st.container())
with chart_area:
    show_chart(
        pacing_chart(frame, titles=chart_titles, unit=chosen_unit, lang=lang),
        key="pacing_chart",
        caption=caption,
        data=series,
        large=view.workshop,
    )
with method_area, st.container(border=True, key="pacing_chart_method"):
    chosen_status = forecast_status(forecast)
    st.markdown(f"**{status_text(chosen_status, lang)}**")
    st.metric(
        t("pacing.col.forecast"),
        fmt_goal(forecast.value, chosen_unit, lang, compact=True),
        delta=range_text(forecast, lang),
        delta_color="off",
        delta_arrow="off",
        help=fmt_goal(forecast.value, chosen_unit, lang, exact=True),
    )
    st.caption(method_sentence(forecast, lang))

# -------------------------------------------------------------------------- each KPI
st.subheader(t("pacing.kpis_title"))
for kpi in goals.kpis:
    forecast = forecasts[kpi.id]
    kpi_unit = unit_of(forecast.metric)
    status = forecast_status(forecast)
    gap = None if forecast.value is None or forecast.target is None else forecast.value - forecast.target
    with st.container(border=True, key=f"pacing_kpi_{kpi.id}"):
        figures = [
            StatusFigure(
                f"{kpi.id}_forecast",
                t(
                    "pacing.kpi_forecast",
                    name=escape_markdown(kpi.name),  # a metric label is Markdown
                    period=period_text(forecast.period, forecast.per, lang),
                    target=fmt_goal(forecast.target, kpi_unit, lang, compact=True, required=True),
                ),
                fmt_goal(forecast.value, kpi_unit, lang, compact=True),
                delta=t(
                    "pacing.fig.vs_target",
                    gap=fmt_gap(gap, kpi_unit, lang, actual=forecast.value, target=forecast.target),
                ),
                delta_color=delta_style(gap, kpi.better)[1],
                arrow=delta_style(gap, kpi.better)[0],
                help=fmt_goal(forecast.value, kpi_unit, lang, exact=True),
            ),
            StatusFigure(f"{kpi.id}_range", t("pacing.fig.range"), range_text(forecast, lang)),
            StatusFigure(
                f"{kpi.id}_probability", t("pacing.fig.probability"), fmt_pct(forecast.probability_on_target, lang)
            ),
            StatusFigure(
                f"{kpi.id}_status",
                t("pacing.fig.status"),
                status_text(status, lang),
                delta=t("pacing.fig.days", elapsed=forecast.business_days_elapsed, total=forecast.business_days_total),
                delta_color=DELTA_COLOURS[status],
            ),
        ]
        draw_figures(figures, widths=[1.15, 1.65, 0.95, 1])  # a range ("7,995–9,005万円") is the longest
        st.caption(method_sentence(forecast, lang))

if not view.workshop:
    with st.expander(t("pacing.table_title")):
        show_table(forecast_rows(forecasts, goals, lang), key="pacing_forecasts")
