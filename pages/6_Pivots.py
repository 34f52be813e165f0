"""Pivots: "What do we do instead?": KPIs forecast to miss, the other levers that keep the KGI, what-if, summary.

Every figure comes from the one report (kpi_core.report, cached in ui.pivots.state) and is formatted by its Figure:
the card, the sentence, the chart, the simulator and the summary show the same number.
"""

from __future__ import annotations

import functools

import streamlit as st

from kpi_core.report import Figure as ReportFigure
from kpi_core.report import change_figures
from ui.format import escape_markdown, fmt_date, fmt_yen
from ui.frame import page_frame
from ui.frames import Figure
from ui.goals_state import current_goals, draw_goal_controls, goals_text
from ui.i18n import t
from ui.intake_notice import draw_intake_notices
from ui.pivots.charts import (
    evidence_chart,
    evidence_frame,
    goodhart_table,
    identity_table,
    pair_evidence_chart,
    pair_evidence_frame,
    pivot_table,
)
from ui.pivots.sentences import (
    VERDICT_STATUS,
    advice_sentences,
    fig,
    goodhart_sentence,
    identity_sentence,
    lever_label,
    moves,
    note_sentence,
    period_text,
    pivot_sentence,
    reached_by_text,
    shortfall_sentence,
    shortfall_title,
    verdict_label,
    what_if_sentence,
    window_label,
)
from ui.pivots.state import (
    DEFAULT_TARGET_MODE,
    TARGET_MODES,
    current_values,
    display_scale,
    pivot_page,
    role_key,
    setting_text,
    settings_by_lever,
    value_default,
    what_if_model,
)
from ui.pivots.summary import build_summary, kpi_shortfalls, summary_html, summary_xlsx
from ui.show import empty_state, headline, show_chart, show_table
from ui.state import canonical_key, store_value, url_choice, url_value

BADGE = {"on_track": "green", "at_risk": "orange", "off_track": "red"}
WORKSHOP_PIVOTS = 3  # pivots shown per KPI on a projector
SHOWN_PIVOTS = 3  # the rest fold into an expander
ADVICE_BOX = {"on_track": st.success, "final": st.info, "pivot": st.info, "closest": st.warning, "no_model": st.info}
md = escape_markdown


def money(value: float | None, window: str, kind: str = "level") -> ReportFigure:
    """A what-if amount as a report figure (formatted by the same rule as the report's own)."""
    return ReportFigure("what_if", value, "currency", window, kind=kind)


def clear_what_if() -> None:
    st.session_state[canonical_key("set")] = []
    for key in [k for k in st.session_state if str(k).startswith(("w_wi_", "w_wimode_"))]:
        del st.session_state[key]


view = page_frame("pivots")
draw_intake_notices(view.dataset, "pivots")
dataset, lang = view.dataset, view.lang
as_of, calendar = draw_goal_controls(view)
target_mode = url_choice(
    "share",
    TARGET_MODES,
    DEFAULT_TARGET_MODE,
    st.segmented_control,
    label=t("pivots.target_mode"),
    format_func=lambda mode: t(f"pivots.target_mode.{mode}"),
    help=t("pivots.target_mode_help"),
)
goals, yaml_text = current_goals(view), goals_text(view)
roles = role_key(view.filters)
settings = [s for s in url_value("set", [], list) if s]
with st.spinner(t("pivots.computing")):
    page = pivot_page(view.dataset_key, dataset, goals, yaml_text, as_of, calendar, settings, roles, target_mode, lang)
report, levers = page.report, page.levers
if report is None:
    empty_state(t("pivots.error", message=md(page.error or "")), key="pivots", next_page="pages/1_Data.py",
                next_label=t("next.open_data"))  # fmt: skip
    st.stop()
pivots, figures_of, advice = report.pivots, report.figures, report.advice
baseline = page.baseline

# --- headline: the report's figures, each formatted once ---------------------------------------------------------
kgi_forecast, kgi_target = figures_of["kgi.forecast"], figures_of["kgi.target"]
kgi_period = period_text(kgi_forecast.period, goals.kgi.period or "year", lang)
missing = kpi_shortfalls(pivots)
figures = [
    Figure(
        "kgi_forecast",
        t("pivots.head.kgi", period=kgi_period, target=fig(kgi_target, lang)),
        fig(kgi_forecast, lang),
        fmt_yen(kgi_forecast.value, lang),
        delta=fig(figures_of["kgi.gap"], lang) if kgi_forecast.value is not None else None,
    )
]
if "month.forecast" in figures_of:
    month_forecast = figures_of["month.forecast"]
    month = period_text(month_forecast.period, "month", lang)
    figures.append(
        Figure(
            "kgi_month",
            t("pivots.head.month_final" if report.final else "pivots.head.month", month=month,
              target=fig(figures_of["month.target"], lang)),
            fig(month_forecast, lang),
            fmt_yen(month_forecast.value, lang),
            delta=fig(figures_of["month.gap"], lang) if month_forecast.value is not None else None,
        )
    )  # fmt: skip
figures.append(Figure("kpis_missing", t("pivots.head.missing"), f"{len(missing)} / {len(goals.kpis)}"))
if advice.best is not None:
    best_moves = [change_figures(c) for c in advice.best.changes]
    figures.append(
        Figure(
            "best_pivot",
            t("pivots.head.best", lever=md(lever_label(advice.best.lever, lang, levers))),
            " / ".join(fig(m.required, lang) for m in best_moves),
            delta=" / ".join(fig(m.change, lang) for m in best_moves),
            delta_color="off",
        )
    )
elif advice.code == "on_track":
    figures.append(Figure("best_pivot", t("pivots.head.on_track"), t("pivots.head.on_track_value")))
elif advice.code == "final":
    figures.append(Figure("best_pivot", t("pivots.head.best_label"), t("pivots.head.final_value")))
elif advice.closest is not None:
    figures.append(
        Figure(
            "best_pivot",
            t("pivots.head.closest", lever=md(lever_label(advice.closest.pivot.lever, lang, levers))),
            fig(advice.closest.forecast, lang),
            delta=fig(advice.closest.gap, lang),
        )
    )
else:
    figures.append(Figure("best_pivot", t("pivots.head.best_label"), t("pivots.head.best_none")))
headline(figures)

with st.container(key="advice", border=True):
    st.markdown(f"**{t('pivots.advice_title')}**")
    ADVICE_BOX.get(advice.code, st.info)("  \n".join(md(line) for line in advice_sentences(report, lang)))
if any(view.filters.roles.values()) or view.filters.start or view.filters.end:
    st.caption(t("pivots.filters_scope"))
if dataset.shape == "periods":
    st.info(t("pivots.sheet_note"), icon=":material/calendar_month:")
notes = [note_sentence(note, lang) for note in pivots.notes]
if notes:
    st.caption("  \n".join(md(note) for note in notes))

# --- KPIs forecast to miss, their pivots and evidence: one tab each -------------------------------------------------
st.subheader(t("pivots.missing_title"))
if not pivots.shortfalls:
    st.success(t("pivots.none_missing"), icon=":material/check_circle:")
history = report.history
tabs = (
    st.tabs([md(s.kpi.name if s.kpi.id != "kgi" else t("pivots.kgi_month")) for s in pivots.shortfalls])
    if (pivots.shortfalls)
    else []
)
for index, (tab, shortfall) in enumerate(zip(tabs, pivots.shortfalls, strict=True)):
    sid = f"{index}_{shortfall.kpi.id}"
    with tab, st.container(key=f"shortfall_{sid}"):
        st.markdown(f"#### {md(shortfall_title(shortfall, lang, report))}")
        if report.final:  # a closed month: its result against the target, no forecast and no pivot
            st.caption(t("pivots.final_note"))
            continue
        st.markdown(md(shortfall_sentence(shortfall, lang, levers, report)))
        limit = WORKSHOP_PIVOTS if view.workshop else SHOWN_PIVOTS
        more = None
        for position, pivot in enumerate(shortfall.pivots):
            if position == limit:
                if view.workshop:
                    break
                more = st.expander(t("pivots.more_pivots", count=len(shortfall.pivots) - limit))
            target = st.container() if position < limit or more is None else more
            with target, st.container(border=True, key=f"pivot_{sid}_{pivot.rank}"):
                badge = BADGE[VERDICT_STATUS[pivot.verdict]]
                st.markdown(
                    f"**{pivot.rank}. {md(lever_label(pivot.lever, lang, levers))}** "
                    f":{badge}-badge[{verdict_label(pivot.verdict, lang)}]"
                )
                texts = [moves(c, lang) for c in pivot.changes]
                windows = dict.fromkeys(window_label(change_figures(c), lang) for c in pivot.changes)
                facts = [
                    t(
                        "pivots.card.move",
                        current=" / ".join(x[0] for x in texts),
                        required=" / ".join(x[1] for x in texts),
                        change=" / ".join(x[2] for x in texts),
                    ),
                    t("pivots.card.window", window=" / ".join(windows)),
                ]
                if pivot.evidence.months:
                    facts.append(t("pivots.seen_short", achieved=pivot.evidence.achieved, months=pivot.evidence.months))
                if pivot.evidence.reached_by:
                    facts.append(t("pivots.card.reached", groups=reached_by_text(pivot.evidence.reached_by, lang)))
                st.markdown(" · ".join(md(f) for f in facts))
                st.caption(md(pivot_sentence(pivot, lang, levers)))
        singles = [p for p in shortfall.pivots if p.kind == "single" and p.evidence.months]
        pairs = [p for p in shortfall.pivots if p.kind == "pair" and p.evidence.months][: 2 if view.workshop else 3]
        if singles or pairs:
            with st.expander(t("pivots.evidence_expander"), expanded=view.workshop):
                per_row = 2 if view.workshop else 3
                charts = [("single", p) for p in singles] + [("pair", p) for p in pairs]
                for start in range(0, len(charts), per_row):
                    columns = st.columns(per_row)
                    for column, (kind, pivot) in zip(columns, charts[start : start + per_row], strict=False):
                        if kind == "single":
                            change = pivot.changes[0]
                            level = change_figures(change).pace or change_figures(change).required
                            frame = evidence_frame(history, change.lever, change.history_level, change.unit, lang)
                            if not len(frame):
                                continue
                            label = lever_label(change.lever, lang, levers)
                            required_text = fig(level, lang)
                            titles = {
                                "value": label,
                                "period": t("common.period"),
                                "required": t("pivots.chart.required"),
                                "required_label": t(
                                    "pivots.chart.pace_label" if change.kind == "volume"
                                    else "pivots.chart.required_label", value=required_text,
                                ),
                                "status": t("common.status"),
                                "reached": t("pivots.chart.reached"),
                                "below": t("pivots.chart.below"),
                            }  # fmt: skip
                            seen = t("pivots.seen_short", achieved=pivot.evidence.achieved,
                                     months=pivot.evidence.months)  # fmt: skip
                            with column:
                                show_chart(
                                    evidence_chart(frame, title=label, subtitle=seen, titles=titles,
                                                   unit=change.unit, lang=lang),
                                    key=f"evidence_{sid}_{change.lever}",
                                    caption=t(
                                        "pivots.chart.caption_volume" if change.kind == "volume"
                                        else "pivots.chart.caption",
                                        required=required_text,
                                        months=pivot.evidence.months,
                                    ),
                                    data=frame[["month", "value", "required", "reached"]],
                                    large=view.workshop,
                                )  # fmt: skip
                        else:
                            frame = pair_evidence_frame(history, pivot.changes, lang)
                            if not len(frame):
                                continue
                            x_label, y_label = (lever_label(c.lever, lang, levers) for c in pivot.changes)
                            x_required, y_required = (
                                fig(change_figures(c).pace or change_figures(c).required, lang)
                                + (t("pivots.chart.pace_suffix") if c.kind == "volume" else "")
                                for c in pivot.changes
                            )
                            titles = {
                                "x": x_label, "y": y_label, "period": t("common.period"),
                                "status": t("common.status"), "reached": t("pivots.chart.reached_both"),
                                "below": t("pivots.chart.below"),
                            }  # fmt: skip
                            seen = t("pivots.seen_together_short", achieved=pivot.evidence.achieved,
                                     months=pivot.evidence.months)  # fmt: skip
                            with column:
                                show_chart(
                                    pair_evidence_chart(frame, pivot.changes, title=f"{x_label} + {y_label}",
                                                        subtitle=seen, titles=titles, lang=lang),
                                    key=f"evidence_{sid}_{pivot.lever}",
                                    caption=t("pivots.chart.caption_pair", months=pivot.evidence.months,
                                              x=md(x_label), y=md(y_label), x_required=x_required,
                                              y_required=y_required),
                                    data=frame[["month", "x", "y", "reached"]].rename(
                                        columns={"x": pivot.changes[0].lever, "y": pivot.changes[1].lever}
                                    ),
                                    large=view.workshop,
                                )  # fmt: skip
        if not view.workshop and shortfall.pivots:
            with st.expander(t("pivots.table_title")):
                show_table(pivot_table(shortfall, lang, levers), key=f"pivots_{sid}")

# --- what-if, the meeting summary and the checks: one tab each ------------------------------------------------------
what_if_tab, summary_tab, checks_tab = st.tabs(
    [t("pivots.what_if_title"), t("pivots.summary_title"), t("pivots.checks_title")]
)
outcome = None
with what_if_tab:
    model = what_if_model(report)
    if report.final:
        st.info(t("pivots.final_note"), icon=":material/event_available:")
    elif model is None or baseline is None:
        st.info(t("pivots.what_if.unavailable"), icon=":material/info:")
    else:
        currents = current_values(baseline)
        wanted = settings_by_lever(settings)
        dropped = [lever for lever in wanted if lever not in currents]
        if dropped:
            st.warning(t("pivots.what_if.dropped", levers=md(", ".join(dropped))), icon=":material/warning:")
        month = period_text(baseline.explanation.params.get("period"), "month", lang)
        st.caption(t("pivots.what_if.intro", month=month))
        inputs, results = st.columns([3, 2], gap="large")
        chosen: list[str] = []
        with inputs:
            for lever in model.levers:
                change = currents.get(lever.name)
                if change is None:
                    continue
                value, relative = wanted.get(lever.name, (0.0, True))
                mode_key = f"w_wimode_{lever.name}"
                if mode_key not in st.session_state:
                    st.session_state[mode_key] = "pct" if relative else "value"
                name_col, mode_col, input_col = st.columns([3, 2, 3], vertical_alignment="bottom")
                name_col.markdown(
                    f"**{md(lever.label[lang])}**  \n"
                    + t(
                        "pivots.what_if.current",
                        value=moves(change, lang)[0],
                        window=window_label(change_figures(change), lang),
                    )
                )
                mode = mode_col.segmented_control(
                    t("pivots.what_if.mode_label"),
                    ["pct", "value"],
                    key=mode_key,
                    format_func=lambda m: t(f"pivots.what_if.mode.{m}"),
                    label_visibility="collapsed",
                ) or ("pct" if relative else "value")
                number_key = f"w_wi_{lever.name}_{mode}"
                scale = display_scale(change.unit)
                default = 0.0 if mode == "pct" else value_default(change)
                if number_key not in st.session_state:
                    seeded = default
                    if lever.name in wanted and (mode == "pct") == relative:
                        seeded = value * 100 if relative else value * scale
                    st.session_state[number_key] = max(seeded, -90.0 if mode == "pct" else 0.0)
                if mode == "pct":
                    typed = input_col.number_input(
                        t("pivots.what_if.pct_label"), key=number_key, min_value=-90.0, step=1.0, format="%.1f"
                    )
                    if typed != 0:
                        chosen.append(setting_text(lever.name, typed / 100, relative=True))
                else:
                    unit_label = t(f"pivots.what_if.unit.{change.unit}")
                    typed = input_col.number_input(
                        t("pivots.what_if.value_label", unit=unit_label),
                        key=number_key,
                        min_value=0.0,
                        step={"ratio": 0.5, "currency": 10_000.0}.get(change.unit, 1.0),
                        format="%.1f" if change.unit == "ratio" else "%.0f",
                    )
                    if typed != default:
                        chosen.append(setting_text(lever.name, typed / scale, relative=False))
            st.button(
                t("pivots.what_if.reset"), key="what_if_reset", on_click=clear_what_if, icon=":material/restart_alt:"
            )
        store_value("set", chosen, [], dump=list)
        if chosen != settings:
            page = pivot_page(
                view.dataset_key, dataset, goals, yaml_text, as_of, calendar, chosen, roles, target_mode, lang
            )
        outcome = page.what_if if chosen and page.setting_error is None else None
        shown = outcome or baseline
        with results:
            if page.setting_error:
                st.warning(t("pivots.what_if.error", message=md(page.setting_error)), icon=":material/warning:")
            with st.container(key="kpi_what_if"):
                after = report.figures["month.forecast"] if outcome is None else money(outcome.kgi_after, "month")
                gap = report.figures["month.gap"] if outcome is None else money(outcome.gap_after, "month", kind="gap")
                st.metric(
                    t("pivots.what_if.kgi", month=month, target=fig(report.figures["month.target"], lang)),
                    fig(after, lang),
                    delta=fig(gap, lang),
                    help=t("common.exact", value=fmt_yen(after.value, lang)),
                    border=True,
                )
            if outcome is not None:
                st.markdown(md(what_if_sentence(outcome, lang, levers)))
            st.markdown(f"**{t('pivots.what_if.required_title')}**")
            if outcome is None:  # the month as the report has it: the same figures as the cards above
                needs = [(name, lf) for name, lf in report.levers.items()]
            else:
                needs = [(r.lever, change_figures(r)) for r in outcome.required]
            st.markdown(
                "\n".join(
                    "- "
                    + t(
                        "pivots.what_if.required_line",
                        lever=md(lever_label(name, lang, levers)),
                        current=md(fig(lf.current, lang)),
                        required=md(fig(lf.required, lang)),
                        change=md(fig(lf.change, lang)),
                    )
                    for name, lf in needs
                    if lf.required.value is not None  # nothing left to move: no line with a blank
                )
            )

with summary_tab:
    subtitle = t(
        "pivots.summary.subtitle",
        source=t(f"source.{view.source}"),
        as_of=fmt_date(as_of, lang),
        kgi=goals.kgi.name,
    )
    summary = build_summary(report, lang, levers, subtitle=subtitle, kgi_name=goals.kgi.name, outcome=outcome)
    with st.container(border=True, key="summary"):
        st.caption(md(summary.subtitle))
        why_col, next_col = st.columns(2, gap="large")
        with why_col:
            st.markdown(f"**{md(summary.why_title)}**")
            st.markdown("\n".join(f"- {md(line)}" for line in summary.why))
        with next_col:
            st.markdown(f"**{md(summary.next_title)}**")
            st.markdown("\n".join(f"- {md(line)}" for line in summary.next))
    stem = f"kpi_pivot_meeting_{as_of:%Y%m%d}"
    buttons = st.container(horizontal=True)
    buttons.download_button(
        t("pivots.summary.download_html"),
        data=functools.partial(summary_html, summary),
        file_name=f"{stem}.html",
        mime="text/html",
        key="summary_html",
        on_click="ignore",
        icon=":material/print:",
    )
    buttons.download_button(
        t("pivots.summary.download_xlsx"),
        data=functools.partial(summary_xlsx, summary),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="summary_xlsx",
        on_click="ignore",
        icon=":material/table:",
    )
    st.caption(t("pivots.summary.print_hint"))

with checks_tab:
    st.markdown(f"**{t('pivots.goodhart_title')}**")
    flags = [c for c in pivots.goodhart if c.flagged]
    if flags:
        for check in flags:
            st.warning(md(goodhart_sentence(check, lang, levers)), icon=":material/warning:")
    elif pivots.goodhart:
        st.success(t("pivots.goodhart.none", count=len(pivots.goodhart)), icon=":material/check_circle:")
    else:
        st.info(t("pivots.goodhart.no_checks"), icon=":material/info:")
    if pivots.goodhart and not view.workshop:
        with st.expander(t("pivots.goodhart.table_title")):
            show_table(goodhart_table(pivots.goodhart, lang, levers), key="goodhart")
    st.markdown(f"**{t('pivots.identity_title')}**")
    for check in pivots.identity:
        ok = check.explanation.code == "identity_ok"
        (st.success if ok else st.info)(
            md(identity_sentence(check, lang, levers)), icon=":material/check_circle:" if ok else ":material/functions:"
        )
        if not view.workshop:
            with st.expander(t("pivots.identity.table_title", model=t(f"pivots.model.{check.model.split('_')[0]}"))):
                show_table(identity_table(check, lang), key=f"identity_{check.model}")
st.caption(t("pivots.footer", as_of=fmt_date(as_of, lang), calendar=t(f"goals.calendar.{calendar}")))
