"""Pipeline: "What is in the pipeline?": open deals by stage, expected value, stalled deals and outcome trends; on a
lead funnel, the open leads by age and level first (a lead that never progressed is not a stalled deal)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from kpi_core.intake.load import Dataset
from kpi_core.lead_aging import LeadAging, has_deals, has_lead_levels, lead_aging
from kpi_core.maturity import restated
from ui.charts import (
    aging_chart,
    aging_histogram_chart,
    lead_band_chart,
    maturing_lines_chart,
    pipeline_stage_chart,
    stage_count_chart,
)
from ui.data import CACHE_TTL, cached_deal_aging, cached_open_pipeline, filters_from_key
from ui.format import fmt_date, fmt_days, fmt_int, fmt_value, fmt_yen, fmt_yen_compact
from ui.frame import page_frame, use_source
from ui.frames import (
    Figure,
    aging_bins,
    aging_frame,
    aging_table,
    lead_band_frame,
    metric_figure,
    metric_trend,
    oldest_leads_table,
    pipeline_stage_frame,
    stage_count_frame,
    with_period_state,
)
from ui.i18n import metric_label, stage_label, t
from ui.intake_notice import draw_intake_notices
from ui.period_view import view_as_of
from ui.show import empty_state, headline, show_chart, show_table
from ui.state import url_int

MAX_POINTS = 1500  # more open deals than this are drawn as counts per band of days
DEAL_LEVEL = 4  # the opportunity level: open records below it are leads, not deals


@st.cache_data(ttl=CACHE_TTL, max_entries=16, show_spinner=False)
def cached_lead_aging(key: str, _dataset: Dataset, fkey: tuple[Any, ...]) -> LeadAging:
    """Open leads by age band and level, and the oldest un-progressed ones (cached like the pipeline)."""
    import kpi_core.pipeline as pipeline  # the pipeline's as-of date: the latest date the data shows

    return lead_aging(_dataset, as_of=pipeline.data_as_of(_dataset), filters=filters_from_key(fkey))


view = page_frame("pipeline")
draw_intake_notices(view.dataset, "pipeline")
dataset, lang = view.dataset, view.lang
if dataset.shape != "records":
    empty_state(
        t("pipeline.needs_records"), key="pipeline", next_page="pages/1_Data.py", next_label=t("next.open_data")
    )
    st.button(t("next.use_sales_sample"), key="use_sales_sample", on_click=use_source, args=("sales",))
    st.stop()

result = view.kpis()
totals = result.totals
stages = cached_open_pipeline(view.dataset_key, dataset, view.fkey)
leads = cached_lead_aging(view.dataset_key, dataset, view.fkey) if has_lead_levels(dataset) else None
if leads is not None:  # a lead funnel: the stage chart and the stalled deals count deals only
    stages = stages[stages["level"] >= DEAL_LEVEL].reset_index(drop=True)
has_amount = "amount" in dataset.mapping and bool(stages["value"].notna().any())
expected_total = float(stages["expected_value"].sum()) if has_amount and len(stages) else None
top = st.container()  # the headline is filled in below, once the stalled deals are known

if leads is not None:
    st.subheader(t("pipeline.leads_title"))
    levels = [stage_label(level) for level in leads.by_level]
    st.markdown(
        t(
            "pipeline.leads_sentence",
            total=fmt_int(leads.total, lang),
            levels=("、" if lang == "ja" else ", ").join(levels),
            median=fmt_days(leads.median_age, lang),
            year=fmt_int(leads.older_than(365), lang),
        )
    )
    bands = lead_band_frame(leads.counts, lang)
    show_chart(
        lead_band_chart(
            bands,
            titles={
                "band": t("pipeline.age_band"),
                "count": t("pipeline.lead_count"),
                "level": t("pipeline.lead_level"),
            },
        ),
        key="lead_aging",
        caption=t("caption.lead_aging", date=fmt_date(leads.as_of, lang), scope=view.scope_text()),
        data=bands[["level", "band_label", "count"]],
        large=view.workshop,
    )
    if not view.workshop and len(leads.oldest):
        level_name = stage_label(leads.first_level or "lead")
        with st.expander(t("pipeline.oldest_title", level=level_name, count=fmt_int(len(leads.oldest), lang))):
            show_table(oldest_leads_table(leads.oldest, lang), key="oldest_leads")
    if not has_deals(dataset):
        st.caption(t("pipeline.no_deal_level"))
        with top:
            headline(
                [
                    Figure("open_leads", t("pipeline.fig.open_leads"), fmt_int(leads.total, lang)),
                    Figure("lead_age", t("pipeline.fig.median_age"), fmt_days(leads.median_age, lang)),
                    Figure("leads_over_year", t("pipeline.fig.over_year"), fmt_int(leads.older_than(365), lang)),
                    metric_figure("win_rate", totals, lang),
                ]
            )
        st.stop()
    st.caption(t("pipeline.deals_only"))

st.subheader(t("pipeline.stage_title"))
if not len(stages):
    empty_state(t("pipeline.no_open"), key="pipeline_stages")
elif has_amount:
    frame = pipeline_stage_frame(stages, lang)
    show_chart(
        pipeline_stage_chart(
            frame,
            titles={
                "stage": t("common.stage"),
                "count": t("pipeline.open_count"),
                "measure": t("common.measure"),
                "amount": t("common.amount"),
                "probability": t("pipeline.probability"),
            },
            lang=lang,
        ),
        key="pipeline_stages",
        caption=t("caption.pipeline", scope=view.scope_text()),
        data=stages,
        large=view.workshop,
    )
else:
    frame = stage_count_frame(stages, lang)
    show_chart(
        stage_count_chart(
            frame,
            titles={
                "stage": t("common.stage"),
                "count": t("pipeline.open_count"),
                "probability": t("pipeline.probability"),
            },
        ),
        key="pipeline_stages",
        caption=t("caption.pipeline_count", scope=view.scope_text()),
        data=stages,
        large=view.workshop,
    )

st.subheader(t("pipeline.aging_title"))
with st.columns([1, 3])[0]:
    stalled_days = url_int("stalled", 30, 1, 365, st.number_input, label=t("pipeline.stalled_days"), step=5)
aging = cached_deal_aging(view.dataset_key, dataset, view.fkey, stalled_days)
if leads is not None and len(aging):  # deals only: a lead that never progressed is not a stalled deal
    aging = aging[aging["stage"].isin(set(stages["stage"].dropna()))].reset_index(drop=True)
stalled = aging[aging["stalled"]] if len(aging) else aging
with top:
    stalled_figure = Figure("stalled", t("pipeline.stalled_figure", days=stalled_days), fmt_int(len(stalled), lang))
    expected_figure = Figure(
        "expected_value",
        t("pipeline.expected_short"),
        fmt_yen_compact(expected_total, lang),
        fmt_yen(expected_total, lang),
    )
    if leads is None:
        figures = [
            metric_figure("open", totals, lang),
            metric_figure("open_pipeline_value", totals, lang),
            expected_figure,
            stalled_figure,
            metric_figure("win_rate", totals, lang),
        ]
    else:  # a lead funnel: leads and deals counted apart; amounts only when the open deals have them
        figures = [
            Figure("open_leads", t("pipeline.fig.open_leads"), fmt_int(leads.total, lang)),
            Figure("open", t("pipeline.fig.open_deals"), fmt_int(len(aging), lang)),
            *([expected_figure] if has_amount else []),
            stalled_figure,
            metric_figure("win_rate", totals, lang),
        ]
    headline(figures)
if not len(aging):
    empty_state(t("pipeline.no_open"), key="pipeline_aging")
else:
    counts = {"count": fmt_int(len(stalled), lang), "total": fmt_int(len(aging), lang), "days": stalled_days}
    if has_amount:
        value = fmt_value(float(stalled["amount"].sum()), "currency", lang, compact=True)
        st.markdown(t("pipeline.stalled_sentence", value=value, **counts))
    else:
        st.markdown(t("pipeline.stalled_sentence_count", **counts))
    titles = {
        "id": t("common.id"),
        "stage": t("common.stage"),
        "owner": t("common.owner"),
        "amount": t("common.amount"),
        "idle": t("pipeline.idle_days"),
        "age": t("pipeline.age_days"),
        "status": t("common.status"),
        "count": t("common.count"),
        "moving": t("pipeline.moving"),
        "threshold": t("pipeline.threshold", days=stalled_days),
        "threshold_title": t("pipeline.stalled_days"),
    }
    if len(aging) <= MAX_POINTS:
        positions = {str(s): i for i, s in enumerate(dataset.stage_order)}
        chart = aging_chart(aging_frame(aging, positions, lang), titles=titles, stalled_days=stalled_days)
    else:  # thousands of open records: counts per band of days instead of one point each
        chart = aging_histogram_chart(aging_bins(aging, lang), titles=titles, stalled_days=stalled_days)
    show_chart(
        chart,
        key="pipeline_aging",
        caption=t("caption.aging", days=stalled_days, scope=view.scope_text()),
        data=lambda: aging_table(aging, lang),
        large=view.workshop,
    )
    if not view.workshop and len(stalled):
        with st.expander(t("pipeline.stalled_table", count=fmt_int(len(stalled), lang))):
            show_table(aging_table(stalled, lang), key="stalled_deals")

st.subheader(t("pipeline.trend_title"))
periods = restated(result.by_period, view.period, view.fiscal_start, view_as_of(view))
columns = st.columns(3)
for column, (metric, unit) in zip(
    columns, (("win_rate", "ratio"), ("avg_unit_price", "currency"), ("median_cycle_days", "days")), strict=True
):
    trend = metric_trend(periods, metric, unit, view.period, lang)
    with column:
        if not len(trend):
            empty_state(t("pipeline.no_trend", metric=metric_label(metric)), key=f"trend_{metric}")
            continue
        show_chart(
            maturing_lines_chart(
                with_period_state(trend, periods, lang),
                titles={
                    "period": t("common.period"),
                    "value": metric_label(metric),
                    "state": t("period.state"),
                    "final": t("period.final"),
                    "maturing": t("period.running"),
                },
                unit=unit,
                lang=lang,
                height=200,
                series=False,
            ),
            key=f"trend_{metric}",
            caption=t("caption.outcome_trend", scope=view.scope_text()),
            data=trend[["period", "value"]].rename(columns={"value": metric}),
            large=view.workshop,
        )
