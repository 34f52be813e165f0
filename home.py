"""Home: "How are we doing?": the current month against its targets, the same days last year and last month, the
revenue trend with the running month marked, then the all-time totals and where to look next."""

from __future__ import annotations

import logging
from dataclasses import replace

import pandas as pd
import streamlit as st

from kpi_core.business_days import period_bounds
from kpi_core.maturity import is_maturing
from ui.charts import period_bars_chart
from ui.comparison_view import (
    cached_comparison,
    compared_figure,
    draw_compared,
    draw_goal_change_lines,
    span_text,
    windows_caption,
)
from ui.format import escape_markdown, fmt_date, fmt_days, fmt_fiscal_year, fmt_month, fmt_value
from ui.frame import current_params, page_frame
from ui.frames import first_level_measure, metric_figure, metric_trend, with_period_state
from ui.goals.cache import cached_gaps, goal_key
from ui.goals.cards import StatusFigure, draw_figures
from ui.goals.format import DELTA_COLOURS, fig, figure_key, fmt_goal, period_text, status_text, unit_of
from ui.goals.gaps import current_figures, current_rows
from ui.goals_state import current_goals, is_own_goals, template_name
from ui.i18n import metric_label, t
from ui.intake_notice import draw_intake_notices
from ui.period_view import cached_lag, chosen_as_of, month_of, periods_on, view_as_of, view_calendar
from ui.show import show_chart, show_table

_log = logging.getLogger(__name__)
STAGE_MEASURES = ("mql", "sql", "opportunities")  # counted by creation date: they grow as young records progress

view = page_frame("home")
draw_intake_notices(view.dataset, "home")
dataset, lang = view.dataset, view.lang
as_of = view_as_of(view)
first, last = month_of(as_of)
running = as_of < last
result = view.kpis()

# ---------------------------------------------------------------- 1. the current month against its targets
state = t("period.in_progress", done=(as_of - first).days + 1, days=(last - first).days + 1) if running else None
month = fmt_month(first, lang)
st.subheader(
    t("home.current_title", period=month, state=state) if running else t("home.current_title_final", period=month)
)
goals = current_goals(view)
try:
    rows = current_rows(cached_gaps(goal_key(view, as_of, view_calendar(view)), dataset))
except Exception:  # a goal file whose measures this data cannot give: the comparison with last year still stands
    _log.exception("goal gaps failed on home")
    rows = {}
now = current_figures(rows)  # the report's figures of the current period (report.plan.gaps), as Goals
figures: list[StatusFigure] = []
shown = [row for row in rows.values() if row["actual"] is not None][:5]  # the cards across the page
for row in shown:
    unit = unit_of(row["metric"])
    target = fig(now[figure_key(row["id"], "period_target")], lang)
    if row["kind"] == "kgi":
        fiscal = fmt_fiscal_year(period_bounds(as_of, "year", goals.fiscal_year_start)[0].year, lang)
        label = t("home.fig.kgi", name=metric_label(row["metric"]), period=fiscal, target=target)
    else:  # the goal file's own words
        label = t("home.fig.target", name=escape_markdown(row["name"]), target=target)
    figures.append(
        StatusFigure(
            f"goal_{row['id']}",
            label,
            fig(now[figure_key(row["id"], "actual")], lang),
            delta=status_text(row["status"], lang),
            delta_color=DELTA_COLOURS[row["status"]],
            help=t(
                "home.fig.help",
                actual=fmt_goal(row["actual"], unit, lang, exact=True),
                expected=fmt_goal(row["expected"], unit, lang, exact=True),
                target=fmt_goal(row["target"], unit, lang, exact=True),
                elapsed=row.get("business_days_elapsed", "–"),
                total=row.get("business_days_total", "–"),
            )
            + f" · {period_text(row['period'], row['per'], lang)}",
        )
    )
if figures:
    draw_figures(figures)
    # each goal against its previous period and the same period last year (前月同日比, 前年度同日比 …)
    draw_goal_change_lines(view, as_of, shown, goals.fiscal_year_start, lang)
    goals_name = (
        t("home.goals_own")
        if is_own_goals(view)
        else t("home.goals_template", name=t(f"goals.template.{template_name(view)}"))
    )
    st.caption(
        t(
            "home.as_of_caption_chosen" if chosen_as_of(view) == as_of else "home.as_of_caption",
            date=fmt_date(as_of, lang),
            goals=goals_name,
        )
        + " "
        + t("home.window_note", month=month)
    )
else:
    st.info(t("home.no_goals"), icon=":material/info:")
first_measure = first_level_measure(dataset.present_levels)
stage_goals = [
    r["metric"]
    for r in rows.values()
    if r["kind"] == "kpi" and r["metric"] in STAGE_MEASURES and r["metric"] != first_measure
]
if stage_goals and dataset.shape == "records":
    lag = cached_lag(view, as_of)
    if lag.days and is_maturing(first, "month", view.fiscal_start, as_of, lag.days):
        names = ("、" if lang == "ja" else ", ").join(metric_label(m) for m in stage_goals)
        st.caption(t("home.maturing_note", measures=names, lag=fmt_days(lag.days, lang)))

# ---------------------------------------------------------------- 2. against the same days last year and last month
names = [first_level_measure(dataset.present_levels), "won", "won_revenue", "win_rate"]
comparison = cached_comparison(view, as_of, names, period="month")
st.markdown(f"**{t('compare.home_title', span=span_text(comparison.current, lang))}**")
compared = []
for name in names:
    figure = compared_figure(comparison, name, lang)
    if figure is None:
        continue
    last_year = figure.item.changes["last_year"]
    if last_year.value is not None:  # the label carries last year's figure, the delta how far this year is from it
        old = fmt_value(last_year.value, figure.item.unit, lang, compact=True)
        figure = replace(figure, label=t("home.last_year_label", name=figure.label, value=old))
    compared.append(figure)
draw_compared(comparison, compared, lang, primary="last_year")
st.caption(windows_caption(comparison, lang))

# ---------------------------------------------------------------- 3. the revenue trend, the running period marked
periods, _ = periods_on(view, result, as_of)
trend = metric_trend(periods, "won_revenue", "currency", view.period, lang)
if len(trend):
    trend = with_period_state(trend, periods, lang)
    chart = period_bars_chart(
        trend,
        titles={"period": t("common.period"), "value": metric_label("won_revenue"), "state": t("period.state")},
        unit="currency",
        lang=lang,
        height=260,
    )
    show_chart(
        chart,
        key="home_revenue",
        caption=t(
            "caption.revenue_trend_partial" if not trend["complete"].all() else "caption.revenue_trend",
            scope=view.scope_text(),
        ),
        data=trend[["period", "value", "complete"]].rename(columns={"value": "won_revenue"}),
        large=view.workshop,
    )

# ---------------------------------------------------------------- 4. all-time totals, folded
totals = result.totals
names = [first_level_measure(dataset.present_levels), "won", "won_revenue", "win_rate"]
names.append("open_pipeline_value" if totals.get("open_pipeline_value") is not None else "avg_unit_price")
low, high = view.filters.start or view.bounds[0], view.filters.end or view.bounds[1]
with st.expander(t("home.all_time_title", start=fmt_date(low, lang), end=fmt_date(high, lang))):
    all_time = [metric_figure(name, totals, lang) for name in names]
    show_table(
        pd.DataFrame(
            {
                t("home.col.measure"): [f.label for f in all_time],
                t("home.col.value"): [f.value for f in all_time],
                t("home.col.exact"): [f.exact or f.value for f in all_time],
            }
        ),
        key="home_all_time",
    )

st.subheader(t("home.next_title"))
params = current_params()
for column, (path, label, text, icon) in zip(
    st.columns(3),
    (
        ("pages/2_Funnel.py", "nav.funnel", "home.funnel_text", ":material/filter_alt:"),
        ("pages/3_Pipeline.py", "nav.pipeline", "home.pipeline_text", ":material/view_kanban:"),
        ("pages/1_Data.py", "nav.data", "home.data_text", ":material/upload_file:"),
    ),
    strict=True,
):
    with column, st.container(border=True, key=f"home_link_{label.split('.')[-1]}"):
        st.page_link(path, label=t(label), icon=icon, query_params=params)
        st.caption(t(text))
