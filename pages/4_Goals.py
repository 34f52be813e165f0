"""Goals: "Are we on target?": the KGI and KPI figures and each KPI's gap to its target on the first screen; trends,
the KPI tree, the status per department and owner and the plan (consistency, backward plan) in tabs below; the
tables and the goal model editor folded in expanders at the end."""

from __future__ import annotations

import functools
import logging

import streamlit as st

from kpi_core.business_days import period_bounds
from ui.comparison_view import cached_comparison, draw_change_lines, draw_goal_change_list
from ui.format import escape_markdown, fmt_date, fmt_fiscal_year, fmt_month
from ui.frame import page_frame
from ui.goals.cache import cached_breakdown, cached_gaps, cached_plan, cached_realism, goal_key, goal_report
from ui.goals.cards import StatusFigure, draw_figures
from ui.goals.charts import backward_chart, bullet_chart, target_trend_chart
from ui.goals.editor import draw_goal_editor
from ui.goals.format import DELTA_COLOURS, fig, fmt_gap, fmt_goal, period_text, status_text, unit_of
from ui.goals.frames import backward_frame, breakdown_frame, breakdown_roles, bullet_frame, trend_frame
from ui.goals.gaps import current_figures, current_rows, kpi_period_starts, status_counts
from ui.goals.sentences import consistency_sentence, thresholds_text
from ui.goals.tables import backward_table, draw_realism, gap_table, realism_frame, summary_table
from ui.goals.tree import kpi_tree_dot
from ui.goals_state import current_goals, draw_goal_controls, is_own_goals, template_name
from ui.i18n import metric_label, role_label, t
from ui.intake_notice import draw_intake_notices
from ui.quota_view import draw_goal_quotas
from ui.show import show_chart, show_table

_log = logging.getLogger(__name__)

view = page_frame("goals")
draw_intake_notices(view.dataset, "goals")
dataset, lang = view.dataset, view.lang
goals = current_goals(view)
as_of, calendar = draw_goal_controls(view)
if is_own_goals(view):
    st.caption(t("goals.model_own", kgi=escape_markdown(goals.kgi.name)))
else:
    st.caption(t("goals.model_template", name=t(f"goals.template.{template_name(view)}")))

gk = goal_key(view, as_of, calendar)
try:
    rows = cached_gaps(gk, dataset)
except Exception:  # a goal file whose formula cannot be computed on this data: say so, keep the editor usable
    _log.exception("goal gaps failed")
    st.error(t("goals.compute_error"), icon=":material/error:")
    with st.expander(t("goals.editor_title"), expanded=True):
        draw_goal_editor(view, goals)
    st.stop()

current = current_rows(rows)
kgi_row = current["kgi"]
kgi_unit = unit_of(goals.kgi.metric)
now = current_figures(current)  # the report's rule for the current period's actuals (report.plan.gaps)
counts = status_counts(rows)
total_kpis = sum(counts.values())
fiscal = fmt_fiscal_year(period_bounds(as_of, "year", goals.fiscal_year_start)[0].year, lang)
kgi_period = period_text(kgi_row["period"], kgi_row["per"], lang)
figures = [
    StatusFigure(
        "kgi_actual",
        t("goals.fig.kgi_actual", period=kgi_period, target=fig(now["kgi.period_target"], lang)),
        fig(now["kgi.actual"], lang),
        delta=None
        if kgi_row["gap"] is None
        else t(
            "goals.fig.vs_expected",
            gap=fmt_gap(kgi_row["gap"], kgi_unit, lang, actual=kgi_row["actual"], target=kgi_row["expected"]),
        ),
        delta_color="normal",
        arrow="auto",
        help=t(
            "goals.fig.kgi_help",
            actual=fmt_goal(kgi_row["actual"], kgi_unit, lang, exact=True),
            expected=fmt_goal(kgi_row["expected"], kgi_unit, lang, exact=True),
            target=fmt_goal(kgi_row["target"], kgi_unit, lang, exact=True),
            elapsed=kgi_row["business_days_elapsed"],
            total=kgi_row["business_days_total"],
        )
        if kgi_row["actual"] is not None
        else t(
            "goals.fig.kgi_help_no_actual",
            expected=fmt_goal(kgi_row["expected"], kgi_unit, lang, exact=True),
            target=fmt_goal(kgi_row["target"], kgi_unit, lang, exact=True),
            elapsed=kgi_row["business_days_elapsed"],
            total=kgi_row["business_days_total"],
        ),
    ),
    StatusFigure(
        "kgi_attainment",
        t("goals.fig.kgi_attainment"),
        fig(now["kgi.attainment"], lang),
        delta=status_text(kgi_row["status"], lang),
        delta_color=DELTA_COLOURS[kgi_row["status"]],
    ),
]
for status in ("on_track", "at_risk", "off_track"):
    figures.append(
        StatusFigure(
            f"kpis_{status}",
            t("goals.fig.kpi_count", word=status_text(status, lang), total=total_kpis),
            f"{counts[status]}",
        )
    )
draw_figures(figures)
with st.columns(len(figures))[0]:  # under the KGI card: the same period before and a year before
    kgi_comparison = cached_comparison(
        view, as_of, [goals.kgi.metric], period=kgi_row["per"], fiscal_start=goals.fiscal_year_start,
        better={goals.kgi.metric: kgi_row["better"]},
    )  # fmt: skip
    draw_change_lines(kgi_comparison, goals.kgi.metric, lang)
st.caption(
    thresholds_text(lang)
    + " "
    + t(
        "goals.as_of_caption",
        as_of=fmt_date(as_of, lang),
        fiscal=fiscal,
        start=goals.fiscal_year_start,
    )
)

# ---------------------------------------------------------------------- the KGI's forecast: the one report's figures
with st.spinner(t("pacing.computing")):
    report = goal_report(view, as_of, calendar)  # the one report Pacing and Pivots read too
if report is not None and report.figures["kgi.forecast"].value is not None:
    shown = report.figures
    with st.container(key="goals_forecast"):
        st.caption(
            t(
                "goals.forecast_caption",
                period=kgi_period,
                forecast=escape_markdown(fig(shown["kgi.forecast"], lang)),  # "$" is Markdown math
                target=escape_markdown(fig(shown["kgi.target"], lang)),
                gap=escape_markdown(fig(shown["kgi.gap"], lang)),
                probability=escape_markdown(fig(shown.get("kgi.probability"), lang)),
            )
        )

if not goals.kpis:
    st.info(t("goals.no_kpis"), icon=":material/info:")
else:
    # ------------------------------------------------------------------ bullet chart: each KPI against its target
    st.subheader(t("goals.bullet_title"))
    starts = kpi_period_starts(rows)
    chosen_day = None
    if len(starts) > 1 and not view.workshop:
        with st.columns([1, 3])[0]:
            chosen_day = st.selectbox(
                t("goals.bullet_period"),
                list(reversed(starts)),
                format_func=lambda d: fmt_month(d, lang),
                key="goals_bullet_period",
            )
        if chosen_day == starts[-1]:
            chosen_day = None
    bullets = bullet_frame(rows, lang, chosen_day)
    titles = {
        "x": t("goals.col.attainment_axis"),
        "band": t("goals.col.status_band"),
        "name": t("goals.col.goal"),
        "period": t("common.period"),
        "actual": t("goals.col.actual"),
        "expected": t("goals.col.expected"),
        "target": t("goals.col.target"),
        "gap": t("goals.col.gap"),
        "attainment": t("goals.col.attainment"),
        "status": t("common.status"),
    }
    show_chart(
        bullet_chart(bullets, titles=titles, lang=lang),
        key="goals_bullets",
        caption=t("goals.bullet_caption"),
        data=bullets.drop(columns=["order", "label"]),
        large=view.workshop,
    )
    kpi_rows = [current[kpi.id] for kpi in goals.kpis if kpi.id in current]
    draw_goal_change_list(view, as_of, kpi_rows, goals.fiscal_year_start, lang)
    # ------------------------------------------------------------------ each target against the KPI's own history
    if not view.workshop:
        try:
            realism = cached_realism(gk, dataset)
        except Exception:  # the realism is an aside: a goal file it cannot read must not take the page down
            _log.exception("target realism failed")
        else:
            st.markdown(f"**{t('goals.realism_title')}**")
            draw_realism(realism_frame(goals, realism, lang))
            st.caption(t("goals.realism_caption"))


# -------------------------------------------------------------------------- details, one tab each
tab_names = ["trend", "tree", "by", "plan"] if goals.kpis else ["plan"]
# A tab change reruns the page, so the KPI tree is drawn only while its tab is open: on a fresh load the browser
# would otherwise load and run Graphviz (about 0.8 MB of code and a layout) before it shows the headline figures.
tab_list = st.tabs([t(f"goals.tab.{name}") for name in tab_names], key="goals_tabs", on_change="rerun")
tabs = dict(zip(tab_names, tab_list, strict=True))

if goals.kpis:
    # ------------------------------------------------------------------ trends against the target line
    with tabs["trend"]:
        st.caption(t("goals.trend_caption"))
        trend_titles = {
            "period": t("common.period"),
            "actual": t("goals.col.actual"),
            "target": t("goals.col.target"),
            "gap": t("goals.col.gap"),
            "status": t("common.status"),
        }
        columns = st.columns(2 if not view.workshop else 1)
        for index, kpi in enumerate(goals.kpis):
            trend = trend_frame(rows, kpi.id, lang)
            with columns[index % len(columns)]:
                st.markdown(f"**{status_text(current[kpi.id]['status'], lang)} · {escape_markdown(kpi.name)}**")
                if not len(trend) or trend["actual"].notna().sum() == 0:
                    st.info(t("goals.no_trend", name=escape_markdown(kpi.name)), icon=":material/info:")
                    continue
                show_chart(
                    target_trend_chart(trend, titles=trend_titles, unit=unit_of(kpi.metric), lang=lang),
                    key=f"goals_trend_{index}",
                    caption=t(
                        "goals.trend_chart_caption",
                        metric=escape_markdown(metric_label(kpi.metric, lang)),
                        per=t(f"goals.per.{kpi.per}"),
                    ),
                    data=trend[["period", "actual", "target", "status"]],
                    large=view.workshop,
                )

    # ------------------------------------------------------------------ the KPI tree
    with tabs["tree"]:
        if tabs["tree"].open:
            dot = kpi_tree_dot(goals, rows, lang, actions=not view.workshop, large=view.workshop)
            with st.container(key="goals_tree"):
                st.graphviz_chart(dot, width="content")  # its own size: the text is never scaled down to fit
                with st.container(horizontal=True, vertical_alignment="top", wrap=False):
                    st.caption(t("goals.tree_caption"), width="stretch")
                    st.download_button(
                        t("goals.tree_download"),
                        # made on click: nothing stored until then
                        data=functools.partial(str.encode, dot, "utf-8"),
                        file_name="kpi_tree.dot",
                        mime="text/vnd.graphviz",
                        key="goals_tree_dot",
                        on_click="ignore",
                        icon=":material/download:",
                        width="content",
                    )

    # ------------------------------------------------------------------ per department and owner
    with tabs["by"]:
        draw_goal_quotas(view, as_of, calendar)  # each rep and team against their own number
        if not view.workshop:  # the status tables are details: folded, one above the other, all columns in view
            with st.expander(t("goals.by_department"), icon=":material/table:"):
                show_table(summary_table(rows, "department", lang), key="goals_by_department", download=False)
            with st.expander(t("goals.by_owner"), icon=":material/table:"):
                show_table(summary_table(rows, "owner", lang), key="goals_by_owner", download=False)
        # Owners are the quota section's above (their own quota, or the even split said as such): not twice.
        all_roles = breakdown_roles(view)
        roles = [role for role in all_roles if role != "owner"]
        if not all_roles:
            st.info(t("goals.no_breakdown"), icon=":material/info:")
        elif roles:  # the other breakdowns (channel, product, …) folded: the tab stays one screen of reps
            with st.expander(t("goals.breakdown_title"), icon=":material/bar_chart:"):
                left, right, _ = st.columns([1, 1, 1])
                kpi_ids = [k.id for k in goals.kpis]
                kpi_id = left.selectbox(
                    t("goals.breakdown_kpi"),
                    kpi_ids,
                    format_func=lambda i: goals.kpi(i).name,  # a selectbox option is plain text: the name as typed
                    key="goals_breakdown_kpi",
                )
                role = right.selectbox(
                    t("goals.breakdown_role"),
                    roles,
                    format_func=lambda r, lang=lang: role_label(r, lang),
                    key="goals_breakdown_role",
                )
                items = cached_breakdown(gk, dataset, kpi_id, role)
                kpi = goals.kpi(kpi_id)
                if not items:
                    st.info(t("goals.no_breakdown_rows", role=role_label(role)), icon=":material/info:")
                else:
                    frame = breakdown_frame(items, kpi.metric, lang)
                    show_chart(
                        bullet_chart(
                            frame,
                            titles={**titles, "name": role_label(role), "period": t("goals.col.target")},
                            lang=lang,
                        ),
                        key="goals_breakdown",
                        caption=t("goals.breakdown_caption", kpi=escape_markdown(kpi.name), role=role_label(role)),
                        data=frame.drop(columns=["order", "label"]),
                        large=view.workshop,
                    )

# ---------------------------------------------------------------------- the plan: consistency and backward plan
consistency, plan = (
    (report.plan.consistency, report.plan.backward_plan) if report is not None else cached_plan(gk, dataset)
)
window = consistency.get("history_window") or plan.get("history_window") or {}
window_text = f"{fmt_month(window['start'], lang)} – {fmt_month(window['end'], lang)}" if window.get("start") else None
with tabs["plan"]:
    st.markdown(f"**{t('goals.consistency_title')}**")
    sentence = consistency_sentence(consistency, lang)
    if consistency["status"] == "mismatch":
        st.warning(sentence, icon=":material/warning:")
    elif consistency["status"] == "consistent":
        st.success(sentence, icon=":material/check_circle:")
    else:
        st.info(sentence, icon=":material/info:")
    st.caption(
        t("goals.consistency_caption", window=window_text) if window_text else t("goals.consistency_caption_no_window")
    )

    st.markdown(f"**{t('goals.backward_title')}**")
    steps = backward_frame(plan, lang)
    kgi_target = fig(report.figures["kgi.target"] if report is not None else now["kgi.period_target"], lang)
    if plan.get("status") == "not_applicable" or not len(steps):
        st.info(t("goals.backward_na"), icon=":material/info:")
    elif steps["needed"].isna().all():
        st.info(t("goals.backward_no_rates", kgi=kgi_target), icon=":material/info:")
    else:
        known = steps[steps["needed"].notna()]  # a step no rate reaches is left out of the sentence, not dashed
        volumes = known[known["unit"] == "count"]
        listed = " → ".join(f"{escape_markdown(row['step'])} {row['needed_text']}" for row in known.to_dict("records"))
        st.markdown(t("goals.backward_sentence", kgi=kgi_target, steps=listed))
        if len(volumes):
            show_chart(
                backward_chart(
                    volumes,
                    titles={
                        "x": t("goals.backward_x"),
                        "step": t("goals.col.step"),
                        "needed": t("goals.col.needed"),
                        "rate": t("goals.col.rate"),
                        "kpi": t("goals.col.kpi_target"),
                        "difference": t("goals.col.difference"),
                    },
                ),
                key="goals_backward",
                caption=t("goals.backward_caption", window=window_text)
                if window_text
                else t("goals.backward_caption_no_window"),
                data=backward_table(steps, lang),
                large=view.workshop,
            )
        if not view.workshop:
            with st.expander(t("goals.backward_table")):
                show_table(backward_table(steps, lang), key="goals_backward_table")

if not view.workshop:
    with st.expander(t("goals.table_title")):
        show_table(gap_table(rows, lang), key="goals_gaps")
    # ------------------------------------------------------------------ the goal model editor
    with st.expander(t("goals.editor_title"), expanded=False):
        draw_goal_editor(view, goals)
