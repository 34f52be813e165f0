"""Home: "How are we doing?": the headline figures of the chosen data, the revenue trend and where to look next."""

from __future__ import annotations

import streamlit as st

from ui.charts import metric_trend_chart
from ui.frame import current_params, page_frame
from ui.frames import first_level_measure, metric_figure, metric_trend
from ui.i18n import metric_label, t
from ui.intake_notice import draw_intake_notices
from ui.show import headline, show_chart

view = page_frame("home")
draw_intake_notices(view.dataset, "home")
dataset = view.dataset
result = view.kpis()
totals, lang = result.totals, view.lang
names = [first_level_measure(dataset.present_levels), "won", "won_revenue", "win_rate"]
names.append("open_pipeline_value" if totals.get("open_pipeline_value") is not None else "avg_unit_price")
headline([metric_figure(name, totals, lang) for name in names])

trend = metric_trend(result.by_period, "won_revenue", "currency", view.period, lang)
if len(trend):
    chart = metric_trend_chart(
        trend,
        titles={"period": t("common.period"), "value": metric_label("won_revenue")},
        unit="currency",
        lang=lang,
        bars=True,
        height=260,
    )
    show_chart(
        chart,
        key="home_revenue",
        caption=t("caption.revenue_trend", scope=view.scope_text()),
        data=trend[["period", "value"]].rename(columns={"value": "won_revenue"}),
        large=view.workshop,
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
