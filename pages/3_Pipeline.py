"""Pipeline: "What is in the pipeline?": open deals by stage, expected value, stalled deals and outcome trends."""

from __future__ import annotations

import streamlit as st

from ui.charts import aging_chart, aging_histogram_chart, metric_trend_chart, pipeline_stage_chart, stage_count_chart
from ui.data import cached_deal_aging, cached_open_pipeline
from ui.format import fmt_int, fmt_value, fmt_yen, fmt_yen_compact
from ui.frame import page_frame, use_source
from ui.frames import (
    Figure,
    aging_bins,
    aging_frame,
    aging_table,
    metric_figure,
    metric_trend,
    pipeline_stage_frame,
    stage_count_frame,
)
from ui.i18n import metric_label, t
from ui.intake_notice import draw_intake_notices
from ui.show import empty_state, headline, show_chart, show_table
from ui.state import url_int

MAX_POINTS = 1500  # more open deals than this are drawn as counts per band of days

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
has_amount = "amount" in dataset.mapping and bool(stages["value"].notna().any())
expected_total = float(stages["expected_value"].sum()) if has_amount and len(stages) else None
top = st.container()  # the headline is filled in below, once the stalled deals are known

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
stalled = aging[aging["stalled"]] if len(aging) else aging
with top:
    headline(
        [
            metric_figure("open", totals, lang),
            metric_figure("open_pipeline_value", totals, lang),
            Figure(
                "expected_value",
                t("pipeline.expected_short"),
                fmt_yen_compact(expected_total, lang),
                fmt_yen(expected_total, lang),
            ),
            Figure("stalled", t("pipeline.stalled_figure", days=stalled_days), fmt_int(len(stalled), lang)),
            metric_figure("win_rate", totals, lang),
        ]
    )
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
columns = st.columns(3)
for column, (metric, unit) in zip(
    columns, (("win_rate", "ratio"), ("avg_unit_price", "currency"), ("median_cycle_days", "days")), strict=True
):
    trend = metric_trend(result.by_period, metric, unit, view.period, lang)
    with column:
        if not len(trend):
            empty_state(t("pipeline.no_trend", metric=metric_label(metric)), key=f"trend_{metric}")
            continue
        show_chart(
            metric_trend_chart(
                trend,
                titles={"period": t("common.period"), "value": metric_label(metric)},
                unit=unit,
                lang=lang,
                height=200,
            ),
            key=f"trend_{metric}",
            caption=t("caption.outcome_trend", scope=view.scope_text()),
            data=trend[["period", "value"]].rename(columns={"value": metric}),
            large=view.workshop,
        )
