"""The Excel report of the current view (kpi_core.report_xlsx) as a download in the sidebar of every page with goals.

The page frame calls draw_report_download(view) at the bottom of the sidebar. The workbook is made only when the
button is clicked (Streamlit's deferred `data=callable`, run outside the script: everything it needs is captured
here, when the button is drawn): the view's data, goal model, filters, as-of date, calendar, language and currency,
and the charts, drawn with Altair and rendered to PNG by vl-convert (the engine draws no chart).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import altair as alt
import pandas as pd
import streamlit as st

from kpi_core.asof import AsOfError, check_as_of
from kpi_core.format import fmt_period, money_axis_expr
from kpi_core.goals import Goals
from kpi_core.metrics import BREAKDOWN_ROLES, KpiResult, compute_kpis, load_catalog
from kpi_core.report_xlsx import ChartImage, report_xlsx
from ui.charts import value_axis
from ui.export import chart_png
from ui.format import current_currency, fmt_date
from ui.i18n import role_label, t
from ui.state import canonical_key, widget_key
from ui.theme import NEUTRAL

if TYPE_CHECKING:
    from ui.frame import View

_log = logging.getLogger(__name__)

GOAL_PAGES = ("home", "goals", "pacing", "pivots", "health")  # the pages that measure the data against goals
CALENDARS = ("jp", "weekends", "none")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_WIDTH = 760
CHART_ROLES = ("owner", "channel", "product")  # a bar chart of the KGI's measure by each of these the data has
MAX_BARS = 20


def draw_report_download(view: View) -> None:
    """The "Excel report" button (only on a page with goals, once the data is loaded)."""
    if view.page not in GOAL_PAGES or view.dataset is None:
        return
    try:
        make = report_maker(view)
    except Exception:  # the goal model cannot be read: the page itself says why; no button then
        _log.exception("the Excel report of %s could not be prepared", view.page)
        return
    st.download_button(
        t("xlsx.download"),
        data=make,
        file_name=f"kpi_pivot_report_{dt.date.today():%Y%m%d}.xlsx",
        mime=XLSX_MIME,
        key="dl_report_xlsx",
        on_click="ignore",
        icon=":material/table_view:",
        help=t("xlsx.download_help"),
        width="stretch",
    )


def report_maker(view: View) -> Callable[[], bytes]:
    """A function that makes the workbook of this view as it is now (called later, outside the script run)."""
    from ui.goals_state import current_goals  # late: ui.goals_state imports the frame, which imports this module

    assert view.dataset is not None
    dataset, lang, filters = view.dataset, view.lang, view.filters
    goals = current_goals(view)  # parsed once per text (cached)
    as_of, calendar = chosen_as_of(view), chosen_calendar(view)
    currency = current_currency()
    opened = view.workspace
    name = opened.name if opened is not None else t(f"source.{view.source}", lang)
    scope = scope_text(view)

    def make() -> bytes:
        roles = [role for role in BREAKDOWN_ROLES if role in dataset.mapping]
        kpis = compute_kpis(
            dataset, period="month", by=roles, filters=filters, fiscal_start=goals.fiscal_year_start, as_of=as_of
        )
        return report_xlsx(
            dataset, goals, as_of, calendar=calendar, filters=filters, lang=lang, currency=currency, name=name,
            scope=scope, charts=report_charts(goals, kpis, lang, currency), kpis=kpis,
        )  # fmt: skip

    return make


# --- the view's choices, read without changing them --------------------------------------------------------------
def _remembered(name: str) -> Any:
    """The page's widget value of `name`, else the session's, else the URL's last value (None when none)."""
    for key in (widget_key(name), canonical_key(name)):
        if st.session_state.get(key) is not None:
            return st.session_state[key]
    values = st.query_params.get_all(name)
    return values[-1] if values else None


def chosen_as_of(view: View) -> dt.date:
    """The as-of date the goal pages use (their date input, the URL's `asof`, else the default)."""
    from ui.goals_state import default_as_of

    value = _remembered("asof")
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, dt.date):
        return default_as_of(view)
    try:
        check_as_of(value, bounds=view.bounds)
    except AsOfError:
        return default_as_of(view)
    return value


def chosen_calendar(view: View) -> str:
    """The business-day calendar the goal pages use (their choice, the URL's `cal`, else the workspace's or jp)."""
    value = _remembered("cal")
    if value in CALENDARS:
        return str(value)
    opened = view.workspace
    return opened.settings.calendar if opened is not None and opened.settings.calendar in CALENDARS else "jp"


def scope_text(view: View) -> str:
    """Date range and filters as plain text (the workbook's text cells are made safe by the engine)."""
    parts = []
    start, end = view.filters.start or view.bounds[0], view.filters.end or view.bounds[1]
    if start and end:
        parts.append(f"{fmt_date(start, view.lang)} – {fmt_date(end, view.lang)}")
    for role, values in view.filters.roles.items():
        if values:
            parts.append(f"{role_label(role, view.lang)}: {', '.join(str(v) for v in values)}")
    return " · ".join(parts)


# --- the charts --------------------------------------------------------------------------------------------------
def report_charts(goals: Goals, kpis: KpiResult, lang: str, currency: str | None = None) -> list[ChartImage]:
    """The KGI's measure by month, and by owner / channel / product, as PNG images (a chart that cannot be
    rendered is left out: the workbook still has its table)."""
    metric = goals.kgi.metric
    try:
        definition = load_catalog().get(metric)
    except KeyError:
        return []
    label, unit = definition.label[lang], definition.unit
    charts: list[tuple[str, alt.Chart]] = []
    monthly = [(fmt_period(r.get("period"), "month", lang), r.get(metric)) for r in kpis.by_period]
    if any(isinstance(v, int | float) for _, v in monthly):
        title = t("xlsx.chart.monthly", lang, metric=label)
        charts.append((title, _bars(monthly, label, unit, lang, currency, horizontal=False)))
    for role in CHART_ROLES:
        rows = kpis.by.get(role) or []
        values = [(r.get("key"), r.get(metric)) for r in rows if isinstance(r.get(metric), int | float)]
        if values:
            values = sorted(values, key=lambda kv: float(kv[1] or 0), reverse=True)[:MAX_BARS]
            title = t("xlsx.chart.by", lang, metric=label, role=role_label(role, lang))
            charts.append((title, _bars(values, label, unit, lang, currency, horizontal=True)))
    images = []
    for title, chart in charts:
        try:
            images.append(ChartImage(title, chart_png(chart.to_dict())))
        except Exception:
            _log.exception("chart %s could not be rendered for the Excel report", title)
    return images


def _axis(unit: str, lang: str, title: str, currency: str | None) -> alt.Axis:
    """The value axis; money in the view's currency (the session is gone when the workbook is made)."""
    if unit == "currency":
        return alt.Axis(title=title, labelExpr=money_axis_expr(lang, currency), tickCount=6)
    return value_axis(unit, lang, title)


def _bars(
    values: Sequence[tuple[Any, Any]], label: str, unit: str, lang: str, currency: str | None, *, horizontal: bool
) -> alt.Chart:
    frame = pd.DataFrame(
        {"key": [str(k) for k, _ in values], "order": range(len(values)), "value": [v for _, v in values]}
    )
    key = alt.Y if horizontal else alt.X
    value = alt.X if horizontal else alt.Y
    sort = alt.EncodingSortField(field="order", op="min")
    chart = (
        alt.Chart(frame)
        .mark_bar(color=NEUTRAL)
        .encode(
            key("key:N", sort=sort, title=None),
            value("value:Q", axis=_axis(unit, lang, label, currency)),
        )
    )
    height = max(24 * len(frame), 120) if horizontal else 260
    return chart.properties(width=CHART_WIDTH, height=height)
