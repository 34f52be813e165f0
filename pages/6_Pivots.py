"""Pivots: "What do we do instead?": KPIs forecast to miss, the other levers that keep the KGI, what-if, summary."""

from __future__ import annotations

import functools

import streamlit as st

from ui.format import escape_markdown, fmt_date, fmt_yen, fmt_yen_compact
from ui.frame import page_frame
from ui.frames import Figure
from ui.goals_state import current_goals, draw_goal_controls, goals_text
from ui.i18n import t
from ui.intake_notice import draw_intake_notices
from ui.pivots_view import (
    DEFAULT_TARGET_MODE,
    TARGET_MODES,
    VERDICT_STATUS,
    best_pivot,
    build_summary,
    cached_lever_history,
    current_values,
    display_scale,
    evidence_chart,
    evidence_frame,
    fmt_change,
    fmt_lever,
    goodhart_sentence,
    goodhart_table,
    identity_sentence,
    identity_table,
    kpi_shortfalls,
    lever_label,
    note_sentence,
    pair_evidence_chart,
    pair_evidence_frame,
    period_text,
    pivot_page,
    pivot_sentence,
    pivot_table,
    reached_by_text,
    role_key,
    setting_text,
    settings_by_lever,
    shortfall_sentence,
    shortfall_title,
    summary_html,
    summary_xlsx,
    value_default,
    verdict_label,
    what_if_model,
    what_if_sentence,
)
from ui.show import empty_state, headline, show_chart, show_table
from ui.state import canonical_key, store_value, url_choice, url_value

BADGE = {"on_track": "green", "at_risk": "orange", "off_track": "red"}
WORKSHOP_PIVOTS = 3  # pivots shown per KPI on a projector
SHOWN_PIVOTS = 4  # the rest fold into an expander
md = escape_markdown


def signed_compact(value: float | None, lang: str) -> str | None:
    if value is None:
        return None
    return ("+" if value >= 0 else "") + fmt_yen_compact(value, lang)


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
    page = pivot_page(view.dataset_key, dataset, goals, yaml_text, as_of, calendar, settings, roles, target_mode)
report, levers = page.report, page.levers
if report is None:
    empty_state(t("pivots.error", message=md(page.error or "")), key="pivots", next_page="pages/1_Data.py",
                next_label=t("next.open_data"))  # fmt: skip
    st.stop()

# --- headline -----------------------------------------------------------------------------------------------------
kgi = report.kgi
forecast = kgi.get("forecast") or {}
kgi_value, kgi_target = forecast.get("value"), kgi.get("target")
kgi_period = period_text(forecast.get("period"), kgi.get("period") or "year", lang)
missing = kpi_shortfalls(report)
baseline = page.baseline
best = best_pivot(report)
figures = [
    Figure(
        "kgi_forecast",
        t("pivots.head.kgi", period=kgi_period, target=fmt_yen_compact(kgi_target, lang)),
        fmt_yen_compact(kgi_value, lang),
        fmt_yen(kgi_value, lang),
        delta=signed_compact(kgi_value - kgi_target, lang) if kgi_value is not None and kgi_target else None,
    )
]
if baseline is not None:
    month = period_text(baseline.explanation.params.get("period"), "month", lang)
    figures.append(
        Figure(
            "kgi_month",
            t("pivots.head.month", month=month, target=fmt_yen_compact(baseline.kgi_target, lang)),
            fmt_yen_compact(baseline.kgi_before, lang),
            fmt_yen(baseline.kgi_before, lang),
            delta=signed_compact(baseline.kgi_before - baseline.kgi_target, lang)
            if baseline.kgi_before is not None
            else None,
        )
    )
figures.append(Figure("kpis_missing", t("pivots.head.missing"), f"{len(missing)} / {len(goals.kpis)}"))
if best is not None:
    figures.append(
        Figure(
            "best_pivot",
            t("pivots.head.best", lever=md(lever_label(best[1].lever, lang, levers))),
            " / ".join(fmt_lever(c.required, c.unit, lang) for c in best[1].changes),
            delta=fmt_change(best[1].change_pct),
            delta_color="off",
        )
    )
else:
    figures.append(Figure("best_pivot", t("pivots.head.best_label"), t("pivots.head.best_none")))
headline(figures)
if any(view.filters.roles.values()) or view.filters.start or view.filters.end:
    st.caption(t("pivots.filters_scope"))
if dataset.shape == "periods":
    st.info(t("pivots.sheet_note"), icon=":material/calendar_month:")
for note in report.notes:
    st.info(md(note_sentence(note, lang)), icon=":material/info:")

# --- KPIs forecast to miss, their pivots and evidence ---------------------------------------------------------------
st.subheader(t("pivots.missing_title"))
if not report.shortfalls:
    st.success(t("pivots.none_missing"), icon=":material/check_circle:")
history = cached_lever_history(
    view.dataset_key, dataset, report.models, tuple(m.name for m in report.models), as_of.isoformat(), roles
)
for index, shortfall in enumerate(report.shortfalls):
    sid = f"{index}_{shortfall.kpi.id}"
    with st.container(key=f"shortfall_{sid}"):
        st.markdown(f"#### {md(shortfall_title(shortfall, lang))}")
        st.markdown(md(shortfall_sentence(shortfall, lang, levers)))
        limit = WORKSHOP_PIVOTS if view.workshop else SHOWN_PIVOTS
        for position, pivot in enumerate(shortfall.pivots):
            if position == limit:
                if view.workshop:
                    break
                more = st.expander(t("pivots.more_pivots", count=len(shortfall.pivots) - limit))
            target = st.container() if position < limit else more
            with target, st.container(border=True, key=f"pivot_{sid}_{pivot.rank}"):
                badge = BADGE[VERDICT_STATUS[pivot.verdict]]
                st.markdown(
                    f"**{pivot.rank}. {md(lever_label(pivot.lever, lang, levers))}** "
                    f":{badge}-badge[{verdict_label(pivot.verdict, lang)}]"
                )
                facts = [
                    t(
                        "pivots.card.move",
                        current=" / ".join(fmt_lever(c.current, c.unit, lang) for c in pivot.changes),
                        required=" / ".join(fmt_lever(c.required, c.unit, lang) for c in pivot.changes),
                        change=fmt_change(pivot.change_pct),
                    )
                ]
                if pivot.evidence.months:
                    facts.append(t("pivots.seen_short", achieved=pivot.evidence.achieved, months=pivot.evidence.months))
                if pivot.evidence.reached_by:
                    facts.append(t("pivots.card.reached", groups=reached_by_text(pivot.evidence.reached_by, lang)))
                st.markdown(" · ".join(md(f) for f in facts))
                st.caption(md(pivot_sentence(pivot, lang, levers)))
                if pivot.csfs:
                    actions = [a for csf in pivot.csfs for a in csf.actions]
                    st.markdown(
                        t("pivots.card.csf", csf=md(" / ".join(c.name for c in pivot.csfs)))
                        + (" — " + " · ".join(md(a) for a in actions[:4]) if actions else "")
                    )
        singles = [p for p in shortfall.pivots if p.kind == "single" and p.evidence.months]
        if singles:
            st.markdown(f"**{t('pivots.evidence_title')}**")
            per_row = 2 if view.workshop else 3
            for start in range(0, len(singles), per_row):
                columns = st.columns(per_row)
                for column, pivot in zip(columns, singles[start : start + per_row], strict=False):
                    change = pivot.changes[0]
                    frame = evidence_frame(history, change.lever, change.history_level, change.unit, lang)
                    if not len(frame):
                        continue
                    label = lever_label(change.lever, lang, levers)
                    required_text = fmt_lever(change.history_level, change.unit, lang)
                    titles = {
                        "value": label,
                        "period": t("common.period"),
                        "required": t("pivots.chart.required"),
                        "required_label": t("pivots.chart.required_label", value=required_text),
                        "status": t("common.status"),
                        "reached": t("pivots.chart.reached"),
                        "below": t("pivots.chart.below"),
                    }
                    seen = t("pivots.seen_short", achieved=pivot.evidence.achieved, months=pivot.evidence.months)
                    with column:
                        show_chart(
                            evidence_chart(
                                frame, title=label, subtitle=seen, titles=titles, unit=change.unit, lang=lang
                            ),
                            key=f"evidence_{sid}_{change.lever}",
                            caption=t(
                                "pivots.chart.caption_volume" if change.kind == "volume" else "pivots.chart.caption",
                                required=required_text,
                                months=pivot.evidence.months,
                            ),
                            data=frame[["month", "value", "required", "reached"]],
                            large=view.workshop,
                        )
        pairs = [p for p in shortfall.pivots if p.kind == "pair" and p.evidence.months][: 2 if view.workshop else 3]
        if pairs:
            columns = st.columns(2 if view.workshop else 3)
            for column, pivot in zip(columns, pairs, strict=False):
                frame = pair_evidence_frame(history, pivot.changes, lang)
                if not len(frame):
                    continue
                x_label, y_label = (lever_label(c.lever, lang, levers) for c in pivot.changes)
                x_required, y_required = (fmt_lever(c.history_level, c.unit, lang) for c in pivot.changes)
                titles = {
                    "x": x_label,
                    "y": y_label,
                    "period": t("common.period"),
                    "status": t("common.status"),
                    "reached": t("pivots.chart.reached_both"),
                    "below": t("pivots.chart.below"),
                }
                seen = t("pivots.seen_together_short", achieved=pivot.evidence.achieved, months=pivot.evidence.months)
                with column:
                    show_chart(
                        pair_evidence_chart(
                            frame, pivot.changes, title=f"{x_label} + {y_label}", subtitle=seen, titles=titles,
                            lang=lang,
                        ),
                        key=f"evidence_{sid}_{pivot.lever}",
                        caption=t(
                            "pivots.chart.caption_pair",
                            months=pivot.evidence.months,
                            x=md(x_label),
                            y=md(y_label),
                            x_required=x_required,
                            y_required=y_required,
                        ),
                        data=frame[["month", "x", "y", "reached"]].rename(
                            columns={"x": pivot.changes[0].lever, "y": pivot.changes[1].lever}
                        ),
                        large=view.workshop,
                    )  # fmt: skip
        if not view.workshop and shortfall.pivots:
            with st.expander(t("pivots.table_title")):
                show_table(pivot_table(shortfall, lang, levers), key=f"pivots_{sid}")

# --- Goodhart guard ------------------------------------------------------------------------------------------------
st.subheader(t("pivots.goodhart_title"))
flags = [c for c in report.goodhart if c.flagged]
if flags:
    for check in flags:
        st.warning(md(goodhart_sentence(check, lang, levers)), icon=":material/warning:")
elif report.goodhart:
    st.success(t("pivots.goodhart.none", count=len(report.goodhart)), icon=":material/check_circle:")
else:
    st.info(t("pivots.goodhart.no_checks"), icon=":material/info:")
if report.goodhart and not view.workshop:
    with st.expander(t("pivots.goodhart.table_title")):
        show_table(goodhart_table(report.goodhart, lang, levers), key="goodhart")

# --- what-if -------------------------------------------------------------------------------------------------------
st.subheader(t("pivots.what_if_title"))
model = what_if_model(report, baseline)
outcome = None
if model is None or baseline is None:
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
                + t("pivots.what_if.current", value=fmt_lever(change.current, change.unit, lang))
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
        st.button(t("pivots.what_if.reset"), key="what_if_reset", on_click=clear_what_if, icon=":material/restart_alt:")
    store_value("set", chosen, [], dump=list)
    if chosen != settings:
        page = pivot_page(view.dataset_key, dataset, goals, yaml_text, as_of, calendar, chosen, roles, target_mode)
    outcome = page.what_if if chosen and page.setting_error is None else None
    shown = outcome or baseline
    with results:
        if page.setting_error:
            st.warning(t("pivots.what_if.error", message=md(page.setting_error)), icon=":material/warning:")
        with st.container(key="kpi_what_if"):
            st.metric(
                t("pivots.what_if.kgi", month=month, target=fmt_yen_compact(shown.kgi_target, lang)),
                fmt_yen_compact(shown.kgi_after, lang),
                delta=signed_compact(shown.gap_after, lang),
                help=t("common.exact", value=fmt_yen(shown.kgi_after, lang)),
                border=True,
            )
        if outcome is not None:
            st.markdown(md(what_if_sentence(outcome, lang, levers)))
        st.markdown(f"**{t('pivots.what_if.required_title')}**")
        st.markdown(
            "\n".join(
                "- "
                + t(
                    "pivots.what_if.required_line",
                    lever=md(lever_label(r.lever, lang, levers)),
                    current=md(fmt_lever(r.current, r.unit, lang)),
                    required=md(fmt_lever(r.required, r.unit, lang)),
                    change=md(fmt_change(r.change_pct)),
                )
                for r in shown.required
            )
        )

# --- one-page summary for the weekly meeting ---------------------------------------------------------------------
st.subheader(t("pivots.summary_title"))
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

# --- identity check -------------------------------------------------------------------------------------------------
st.subheader(t("pivots.identity_title"))
for check in report.identity:
    ok = check.explanation.code == "identity_ok"
    (st.success if ok else st.info)(
        md(identity_sentence(check, lang, levers)), icon=":material/check_circle:" if ok else ":material/functions:"
    )
    if not view.workshop:
        with st.expander(t("pivots.identity.table_title", model=t(f"pivots.model.{check.model.split('_')[0]}"))):
            show_table(identity_table(check, lang), key=f"identity_{check.model}")
st.caption(t("pivots.footer", as_of=fmt_date(as_of, lang), calendar=t(f"goals.calendar.{calendar}")))
