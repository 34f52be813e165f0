"""Funnel: "Where does the funnel leak?": the headline figures and the current period against the previous one and
last year, step conversion by period or cohort, and by channel / owner / product."""

from __future__ import annotations

from typing import Any

import streamlit as st

from kpi_core.business_days import period_label
from kpi_core.intake.load import Dataset
from kpi_core.substages import SubstageReach, substage_reach
from ui.charts import comparison_chart, funnel_chart, funnel_small_multiples, maturing_lines_chart
from ui.comparison_view import (
    cached_comparison,
    compared_figure,
    draw_compared,
    fmt_month_short,
    span_text,
    windows_caption,
)
from ui.data import CACHE_TTL, filters_from_key
from ui.format import escape_markdown, fmt_days, fmt_int, fmt_pct, fmt_period
from ui.frame import page_frame
from ui.frames import (
    biggest_drop,
    comparison_frame,
    conversion_trend,
    first_level_measure,
    funnel_steps,
    funnel_steps_by,
    metric_figure,
    period_names,
    period_state_text,
    period_table,
    with_period_state,
)
from ui.i18n import metric_label, role_label, stage_label, t
from ui.intake_notice import draw_intake_notices
from ui.period_view import cached_lag, periods_on, view_as_of
from ui.show import empty_state, headline, show_chart, show_table
from ui.state import choice_parser, url_choice, url_value, widget_key

BREAKDOWNS = ("channel", "owner", "product", "segment")


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def cached_substages(
    key: str, _dataset: Dataset, fkey: tuple[Any, ...], cohort: bool, period: str, fiscal_start: int
) -> SubstageReach:
    """The open sub-stages of the opportunity level and how many deals reached each (cached like the figures)."""
    return substage_reach(
        _dataset, filters=filters_from_key(fkey), cohort=cohort, period=period, fiscal_start=fiscal_start
    )


view = page_frame("funnel")
draw_intake_notices(view.dataset, "funnel")
dataset, lang = view.dataset, view.lang
levels = list(dataset.present_levels)
if dataset.shape == "records":
    basis = url_choice(
        "basis",
        ("period", "cohort"),
        "period",
        st.segmented_control,
        label=t("funnel.basis"),
        format_func=lambda b, lang=lang: t(f"funnel.basis.{b}", lang),
    )
else:  # a monthly sheet has no creation dates to build cohorts from
    basis = "sheet"
cohort = basis == "cohort"
roles = [r for r in BREAKDOWNS if r in dataset.mapping]  # a period sheet per channel breaks down too
# One engine pass gives totals, periods and the breakdown chosen below (read from the view state ahead of its widget).
breakdown = url_value("by", roles[0], choice_parser(roles)) if roles else None
if st.session_state.get(widget_key("by")) in roles:  # the widget's new value, before it is drawn
    breakdown = st.session_state[widget_key("by")]
result = view.kpis(cohort=cohort, by=(breakdown,) if breakdown else ())
totals = result.totals
headline(
    [
        metric_figure(name, totals, lang)
        for name in (first_level_measure(levels), "won", "win_rate", "won_revenue", "avg_unit_price")
    ]
)
if "opportunity" in levels and totals.get("win_rate") is not None:
    # Two win rates on one page: say which is which (closed deals only, or every deal of the range).
    st.caption(t("funnel.rates_caption"))

# The period of the as-of date against the previous one and the same period last year, like with like (to date).
as_of = view_as_of(view)
names = (first_level_measure(levels), "won", "win_rate", "won_revenue", "avg_unit_price")
comparison = cached_comparison(view, as_of, names, period=view.period, cohort=cohort)
current = fmt_period(period_label(comparison.current.start, view.period, view.fiscal_start), view.period, lang)
# A label of its own (受注件数（11月）): the same measure's all-time figure is just above.
short = fmt_month_short(comparison.current.start, lang) if view.period == "month" else current
labels = {n: t("compare.figure_label", name=metric_label(n, lang), period=short) for n in names}
compared = [
    f for f in (compared_figure(comparison, n, lang, label=labels[n], key=f"cmp_{n}") for n in names) if f is not None
]
if compared:
    span = span_text(comparison.current, lang)
    title = "compare.funnel_title" if comparison.to_date else "compare.funnel_title_final"
    st.markdown(f"**{t(title, period=current, span=span)}**")
    draw_compared(comparison, compared, lang, primary="previous", border=False)
    st.caption(windows_caption(comparison, lang))

# A CRM export keeps where each open deal stands: its sub-stages (提案, 見積提出, 交渉 …) become steps of their own.
reach = (
    cached_substages(view.dataset_key, dataset, view.fkey, cohort, view.period, view.fiscal_start)
    if dataset.shape == "records" and "opportunity" in levels
    else SubstageReach()
)
steps = funnel_steps(
    totals, levels, lang, substages=[(s.stage, s.count) for s in reach], lost_unplaced=bool(reach.lost_unplaced)
)
if len(steps) < 2:
    empty_state(t("funnel.needs_levels"), key="funnel", next_page="pages/1_Data.py", next_label=t("next.check_stages"))
    st.stop()
drop = biggest_drop(steps)
if drop:
    st.markdown(
        t(
            "funnel.drop_sentence",
            start=escape_markdown(drop[0]),  # a sub-stage is named as the user's data has it
            end=escape_markdown(drop[1]),
            share=fmt_pct(drop[2], lang),
        )
    )
if "lead" not in levels and dataset.shape == "records":
    # A deal export starts at the opportunity: say where the earlier stages come from instead of leaving it unsaid.
    st.caption(t("funnel.starts_at_deals"))
titles = {
    "step": t("funnel.step"),
    "count": t("common.count"),
    "pct_prev": t("funnel.pct_prev"),
    "pct_first": t("funnel.pct_first"),
    "key": t("common.group"),
}
show_chart(
    funnel_chart(steps, titles=titles),
    key="funnel",
    caption=t(f"caption.funnel.{basis}", scope=view.scope_text()),
    data=steps[["step", "count", "pct_prev", "pct_first", "highlight"]],
    large=view.workshop,
)
if reach and reach.lost_unplaced:
    st.caption(
        t("funnel.lost_unplaced", count=fmt_int(reach.lost_unplaced, lang), stage=stage_label("opportunity", lang))
    )

st.subheader(t("funnel.compare_title"))
if not roles:
    empty_state(
        t("funnel.needs_roles"), key="funnel_compare", next_page="pages/1_Data.py", next_label=t("next.open_data")
    )
else:
    by = url_choice(
        "by",
        roles,
        roles[0],
        st.segmented_control,
        label=t("funnel.by"),
        format_func=lambda r, lang=lang: role_label(r, lang),
    )
    rows = (result if by == breakdown else view.kpis(by=(by,), cohort=cohort)).by.get(by, [])
    titles["key"] = role_label(by)
    multiples = funnel_steps_by(rows, levels, lang, top=6)
    if len(multiples):
        show_chart(
            funnel_small_multiples(multiples, titles=titles, columns=3),
            key="funnel_by",
            caption=t("caption.funnel_by", role=role_label(by), scope=view.scope_text()),
            data=multiples[["key", "step", "count", "pct_prev", "pct_first"]],
            large=view.workshop,
            stretch=False,
        )
    compare = comparison_frame(rows, levels, lang, rate="first_to_won")
    if len(compare):
        show_chart(
            comparison_chart(
                compare,
                titles={
                    "key": role_label(by),
                    "rate": t("funnel.first_to_won"),
                    "base": t("funnel.base"),
                    "won": t("common.won"),
                    "overall": t("funnel.overall"),
                },
                overall=totals.get("conversion", {}).get("first_to_won"),
            ),
            key="funnel_compare",
            caption=t("caption.compare", role=role_label(by), scope=view.scope_text()),
            data=compare[["key", "rate", "base", "won"]],
            large=view.workshop,
        )

st.subheader(t("funnel.trend_title"))
periods, young = periods_on(view, result, as_of)
trend = conversion_trend(periods, levels, view.period, lang)
if len(trend):
    trend = with_period_state(trend, periods, lang, maturing=young)
    notes = [
        t(
            "funnel.partial_sentence",
            period=fmt_period(r["period"], view.period, lang),
            state=period_state_text(r, lang),
        )
        for r in periods
        if not r["complete"]
    ]
    lag = cached_lag(view, as_of) if young else None
    if lag is not None and lag.days:
        notes.append(
            t(
                "funnel.maturing_sentence",
                lag=fmt_days(lag.days, lang),
                count=fmt_int(lag.count, lang),
                periods=period_names(periods, young, view.period, lang),
            )
        )
    if notes:
        st.markdown(("" if lang == "ja" else " ").join(notes))
    show_chart(
        maturing_lines_chart(
            trend,
            titles={
                "period": t("common.period"),
                "series": t("funnel.step"),
                "value": t("funnel.conversion"),
                "state": t("period.state"),
                "final": t("period.final"),
                "maturing": t("period.maturing"),
            },
            unit="ratio",
            lang=lang,
        ),
        key="funnel_trend",
        caption=t(f"caption.trend.{basis}", scope=view.scope_text()),
        data=trend[["start", "series", "value", "complete", "maturing"]],
        large=view.workshop,
    )
else:
    empty_state(t("funnel.no_trend"), key="funnel_trend")

if not view.workshop:
    with st.expander(t("funnel.table_title")):
        measures = [(m, "count") for m in ("leads", "mql", "sql", "opportunities", "won") if totals.get(m) is not None]
        show_table(
            period_table(
                periods, [*measures, ("win_rate", "ratio"), ("won_revenue", "currency")], view.period, lang
            ).assign(
                **{t("period.state"): [period_state_text(r, lang, maturing=r["start"] in young) for r in periods]}
            ),
            key="funnel_periods",
        )
