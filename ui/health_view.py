"""KPI health page: the cached check, verdict words and colours, the cards' sentences, the evidence charts (Altair)
and the one-click fixes with their undo."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from kpi_core.goals import Goals, GoalsError, load_goals
from kpi_core.health import FixError, HealthReport, apply_fix, check_health
from kpi_core.health.messages import format_param
from kpi_core.health.model import PITFALLS, VERDICTS, Finding, Skipped
from kpi_core.intake.load import Dataset
from kpi_core.metrics import Filters
from kpi_core.workspace.errors import WorkspaceError
from ui.data import CACHE_TTL
from ui.format import MISSING, escape_markdown, fmt_month, fmt_number, fmt_pct
from ui.frame import View
from ui.goals.cache import GoalKey
from ui.goals.format import DELTA_COLOURS, fmt_goal, unit_of
from ui.goals_state import goals_text, is_own_goals, reset_goals, store_goals
from ui.i18n import metric_label, role_label, t
from ui.show import show_chart
from ui.theme import CATEGORICAL, MUTED, NEUTRAL, NEUTRAL_LIGHT, STATUS_COLOURS, STATUS_SYMBOLS, TEXT

VERDICT_STATUS = {"ok": "on_track", "warn": "at_risk", "fail": "off_track", None: "no_data"}
SHOWN_FINDINGS = 3  # a card lists at most this many sentences; the rest are under its details
LAST_FIX_KEY = "health_last_fix"  # session: {source: {before, after, was_own, what, score}} of the last fix
MESSAGE_KEY = "health_message"  # session: (kind, text) shown once above the fixes
KGI_COLOUR = CATEGORICAL[1] if len(CATEGORICAL) > 1 else MUTED


# ------------------------------------------------------------------------------------------------ the check, cached
def _filters(roles: tuple[Any, ...]) -> Filters:
    return Filters(roles={role: list(values) for role, values in roles})


@st.cache_data(ttl=CACHE_TTL, max_entries=32, show_spinner=False)
def _health(
    key: str,
    text_hash: str,
    as_of: str,
    roles: tuple,
    revised: float | None,
    teams: tuple[tuple[str, str], ...],
    _dataset: Dataset,
    _text: str,
) -> HealthReport:
    goals = load_goals(_text)
    return check_health(
        goals, _dataset, dt.date.fromisoformat(as_of), filters=_filters(roles), goals_modified=revised,
        teams=dict(teams),
    )  # fmt: skip


def cached_health(
    gk: GoalKey, dataset: Dataset, revised: float | None = None, teams: Mapping[str, str] | None = None
) -> HealthReport:
    """check_health of the workspace's goal text on the view's data at the as-of date, with its role filters, the
    goal file's last revision and the reps' teams (owner → team, the Goals page's team file), keyed by all of them
    and the dataset; the calendar plays no part."""
    team_items = tuple(sorted((teams or {}).items()))
    return _health(gk.dataset_key, gk.text_hash, gk.as_of, gk.roles, revised, team_items, dataset, gk.text)


# ------------------------------------------------------------------------------------------------ words
def verdict_status(verdict: str | None) -> str:
    return VERDICT_STATUS.get(verdict, "no_data")


def verdict_text(verdict: str | None, lang: str) -> str:
    """✓ 問題なし / △ 注意 / ✕ 要対応 / – 判定なし (the Goals page's symbols and colours)."""
    symbol = STATUS_SYMBOLS.get(verdict_status(verdict), "–")
    word = t(f"health_page.verdict.{verdict or 'none'}", lang)
    return f"{symbol} {word}"


def verdict_badge(verdict: str | None, lang: str) -> str:
    """The verdict as a coloured Markdown badge (the colour of st.metric's status deltas on the Goals page)."""
    return f":{DELTA_COLOURS[verdict_status(verdict)]}-badge[{verdict_text(verdict, lang)}]"


def finding_text(finding: Finding | Skipped, lang: str) -> str:
    """A finding's sentence for Markdown: its KPI names and data values are user text, so all of it is escaped (the
    engine's sentences carry no Markdown of their own)."""
    return escape_markdown(finding.message(lang))


def corr_text(value: float | None, lang: str) -> str:
    """A correlation as the findings write it (+0.47)."""
    return MISSING if value is None else str(format_param(value, "corr", lang))


def kpi_name(goals: Goals, kpi_id: str | None) -> str:
    for kpi in goals.kpis:
        if kpi.id == kpi_id:
            return kpi.name
    return str(kpi_id or "")


def kpi_metric(goals: Goals, kpi_id: str | None) -> str:
    for kpi in goals.kpis:
        if kpi.id == kpi_id:
            return kpi.metric
    return ""


def pitfall_rows(report: HealthReport) -> list[dict[str, Any]]:
    """Per pitfall (1–7, in order): its worst verdict, its findings and the checks skipped for it."""
    rows = []
    for row in report.pitfalls():
        number = row["pitfall"]
        found = [f for f in report.findings if f.pitfall == number]
        found.sort(key=lambda f: -VERDICTS.index(f.verdict))  # stable: the worst first, else the goal file's order
        skipped = [s for s in report.skipped if s.pitfall == number]
        rows.append({**row, "found": found, "skipped": skipped})
    return rows


def verdict_counts(report: HealthReport) -> dict[str, int]:
    """How many of the seven pitfalls are ok / warn / fail / not checked (None)."""
    counts: dict[str, int] = {"ok": 0, "warn": 0, "fail": 0, "none": 0}
    for row in report.pitfalls():
        counts[row["verdict"] or "none"] += 1
    return counts


# ------------------------------------------------------------------------------------------------ the fixes
def fix_label(finding: Finding, goals: Goals, lang: str) -> str:
    """A fix button's label (Markdown: names escaped): 「平均顧客単価」：目標値を 125万円 にする（落とし穴6）."""
    fix = finding.fix
    assert fix is not None
    value: Any = fix.value
    if fix.op == "set_target":
        value = fmt_goal(fix.value, unit_of(kpi_metric(goals, fix.kpi)), lang, compact=True, required=True)
    elif fix.op == "set_cadence":
        value = format_param(fix.value, "review", lang)
    elif fix.value is not None:
        value = escape_markdown(fix.value)
    if fix.op in ("drop_kpi", "set_definition"):
        op = t(f"health.fix.op.{fix.op}", lang)
    else:
        op = t(f"health.fix.op.{fix.op}", lang, value=value)
    return t(
        "health_page.fix_button", lang, kpi=escape_markdown(kpi_name(goals, fix.kpi)), op=op, number=finding.pitfall
    )


def fixable(report: HealthReport) -> list[Finding]:
    """The findings with a goal-file edit, worst first (then by pitfall), one per distinct edit."""
    seen: set[tuple[str, str, str]] = set()
    found = []
    for finding in sorted(report.findings, key=lambda f: (-VERDICTS.index(f.verdict), f.pitfall)):
        if finding.fix is None:
            continue
        mark = (finding.fix.op, finding.fix.kpi, repr(finding.fix.value))
        if mark not in seen:
            seen.add(mark)
            found.append(finding)
    return found


def _say(kind: str, text: str) -> None:
    st.session_state[MESSAGE_KEY] = (kind, text)


def apply_fix_now(view: View, fix: dict[str, Any], what: str, score: int) -> None:
    """Button callback: apply the fix to the session's goal text and store it (Goals, Pacing, Pivots follow); keep
    the text before it for the undo."""
    before = goals_text(view)
    was_own = is_own_goals(view)  # a template's fix is undone by going back to the template
    try:
        after = apply_fix(before, fix)
        store_goals(view, after)
    except FixError as exc:
        params = {k: escape_markdown(v) for k, v in exc.params.items()}
        _say("error", t("health_page.fix_failed", reason=t(exc.code, **params)))
        return
    except GoalsError as exc:
        _say("error", t("health_page.fix_failed", reason=escape_markdown(" ".join(exc.lines(view.lang)))))
        return
    except WorkspaceError as exc:  # a saved workspace opened with a viewer key, or locked by another editor
        _say("error", t("health_page.fix_failed", reason=escape_markdown(exc.message(view.lang))))
        return
    record = {"before": before, "after": after, "was_own": was_own, "what": what, "score": score}
    st.session_state.setdefault(LAST_FIX_KEY, {})[view.source] = record
    st.session_state[MESSAGE_KEY] = ("applied", what)


def undo_fix(view: View) -> None:
    """Button callback: put the goal text back as it was before the last fix."""
    record = st.session_state.get(LAST_FIX_KEY, {}).get(view.source)
    if not record:
        return
    try:
        if record["was_own"]:
            store_goals(view, record["before"])
        else:
            reset_goals(view)
    except (GoalsError, WorkspaceError) as exc:
        reason = " ".join(exc.lines(view.lang)) if isinstance(exc, GoalsError) else exc.message(view.lang)
        _say("error", t("health_page.undo_failed", reason=escape_markdown(reason)))
        return
    st.session_state[LAST_FIX_KEY].pop(view.source, None)
    _say("undone", t("health_page.undone"))


def last_fix(view: View) -> dict[str, Any] | None:
    """The last fix of this source while the goal text is still what it made (else its undo would lose edits)."""
    record = st.session_state.get(LAST_FIX_KEY, {}).get(view.source)
    if record and record["after"] == goals_text(view):
        return record
    return None


def draw_fixes(view: View, report: HealthReport, goals: Goals) -> None:
    """The fixes as buttons (one click applies one), the message of the last click and the undo."""
    lang = view.lang
    message = st.session_state.pop(MESSAGE_KEY, None)
    record = last_fix(view)
    with st.container(border=True, key="health_fixes"):
        st.markdown(f"**{t('health_page.fixes_title')}**")
        if message and message[0] == "applied" and record:
            st.success(
                t(
                    "health_page.applied",
                    what=message[1],
                    before=score_text(record["score"], lang),
                    after=score_text(report.score, lang),
                ),
                icon=":material/check_circle:",
            )
        elif message and message[0] == "undone":
            st.info(message[1], icon=":material/undo:")
        elif message and message[0] == "error":
            st.error(message[1], icon=":material/error:")
        found = fixable(report)
        if not found:
            st.caption(t("health_page.no_fixes"))
        with st.container(horizontal=True, key="health_fix_buttons"):
            for index, finding in enumerate(found):
                label = fix_label(finding, goals, lang)
                assert finding.fix is not None
                st.button(
                    label,
                    key=f"health_fix_{index}",
                    on_click=apply_fix_now,
                    args=(view, finding.fix.as_dict(), label, report.score),
                    icon=":material/build:",
                )
            if record:
                st.button(
                    t("health_page.undo"), key="health_undo", on_click=undo_fix, args=(view,), icon=":material/undo:"
                )
        if found:
            st.caption(t("health_page.fixes_caption"))


# ------------------------------------------------------------------------------------------------ the cards
def draw_card(row: dict[str, Any], goals: Goals, lang: str, *, workshop: bool = False) -> None:
    """One pitfall: its name and verdict, the sentences (problems first), the remedies, what could not be checked,
    and, folded, the items without problems and the evidence chart."""
    number = row["pitfall"]
    found: list[Finding] = row["found"]
    skipped: list[Skipped] = row["skipped"]
    with st.container(border=True, key=f"health_card_{number}"):
        title = t("health_page.card_title", number=number, name=t(f"health.pitfall.{number}"))
        st.markdown(f"**{title}** {verdict_badge(row['verdict'], lang)}")
        problems = [f for f in found if f.verdict != "ok"]
        shown = problems or found[:SHOWN_FINDINGS]
        hidden = [f for f in found if f not in shown]
        if shown:
            st.markdown("\n".join(f"- {finding_line(f, lang)}" for f in shown))
        elif not skipped:
            st.caption(t("health_page.not_checked"))
        remedies = list(dict.fromkeys(f.remedy_text(lang) for f in problems if f.remedy))
        for remedy in remedies:
            st.caption(t("health.remedy_label", text=escape_markdown(remedy)))
        for item in skipped:
            st.caption(t("health.skipped_label", text=finding_text(item, lang)))
        options = chart_options(found)
        if hidden or options:
            with st.expander(t("health_page.details"), expanded=workshop):
                if hidden:
                    st.markdown(f"**{t('health_page.ok_items', count=len(hidden))}**")
                    st.markdown("\n".join(f"- {finding_line(f, lang)}" for f in hidden))
                if options:
                    draw_evidence(number, options, goals, lang, large=workshop)


def finding_line(finding: Finding, lang: str) -> str:
    symbol = STATUS_SYMBOLS[verdict_status(finding.verdict)]
    return f"{symbol} {finding_text(finding, lang)}"


def chart_options(found: list[Finding]) -> list[Finding]:
    """The findings whose evidence can be charted, the worst first."""
    return [f for f in found if chart_kind(f) is not None]


def chart_kind(finding: Finding) -> str | None:
    evidence = finding.evidence or {}
    if finding.pitfall == 1 and evidence.get("series"):
        return "link"
    if finding.pitfall == 4 and evidence.get("series"):
        return "target"
    if finding.pitfall == 6 and evidence.get("reps"):
        return "field"
    if finding.pitfall == 7 and evidence.get("series"):
        return "link_shift"
    if finding.pitfall == 7 and evidence.get("before"):
        return "mix"
    return None


def option_label(finding: Finding, goals: Goals, lang: str) -> str:
    """A plain-text option (a selectbox shows it as typed): verdict symbol and KPI name, or the mix's role."""
    symbol = STATUS_SYMBOLS[verdict_status(finding.verdict)]
    if finding.kpi is None:
        return f"{symbol} {t('health_page.pick.mix', lang, role=role_label(str(finding.params.get('role')), lang))}"
    return f"{symbol} {kpi_name(goals, finding.kpi)}"


def draw_evidence(number: int, options: list[Finding], goals: Goals, lang: str, *, large: bool = False) -> None:
    chosen = options[0]
    if len(options) > 1:
        labels = [option_label(f, goals, lang) for f in options]  # by position: mix findings share an id
        with st.columns([2, 3])[0]:
            picked = st.selectbox(
                t("health_page.chart_pick"),
                range(len(options)),
                format_func=lambda i: labels[i],
                key=f"health_pick_{number}",
            )
        chosen = options[picked if isinstance(picked, int) and picked < len(options) else 0]
    kind = chart_kind(chosen)
    chart, caption, data = evidence_chart(kind, chosen, goals, lang)
    show_chart(chart, key=f"health_{number}", caption=caption, data=data, large=large)


def evidence_chart(kind: str | None, finding: Finding, goals: Goals, lang: str) -> tuple[Any, str, pd.DataFrame]:
    if kind in ("link", "link_shift"):
        return link_chart(finding, goals, lang, shift=kind == "link_shift")
    if kind == "target":
        return target_chart(finding, goals, lang)
    if kind == "field":
        return field_chart(finding, goals, lang)
    return mix_chart(finding, lang)


# ------------------------------------------------------------------------------------------------ charts
def _month_axis(order: list[str]) -> alt.X:
    return alt.X(
        "month_label:O", sort=order, title=None, axis=alt.Axis(labelAngle=-40, labelOverlap="greedy", labelLimit=90)
    )


def _axis(unit: str, lang: str, title: str, colour: str, orient: str = "left") -> alt.Axis:
    from ui.charts import value_axis

    axis = value_axis(unit if unit in ("currency", "ratio") else "count", lang, title, ticks=4)
    axis.orient = orient
    axis.titleColor = colour
    axis.titleLimit = 220
    return axis


def link_chart(finding: Finding, goals: Goals, lang: str, *, shift: bool = False) -> tuple[Any, str, pd.DataFrame]:
    """The KPI (left axis) and the KGI (right axis) month by month; for a shift, a rule where the halves meet."""
    series = finding.evidence["series"]
    kpi_unit, kgi_unit = unit_of(kpi_metric(goals, finding.kpi)), unit_of(goals.kgi.metric)
    kpi_title = t("health_page.chart.kpi", lang, name=kpi_name(goals, finding.kpi))
    kgi_title = t("health_page.chart.kgi", lang, name=metric_label(goals.kgi.metric, lang))
    frame = pd.DataFrame({"period": series["periods"], "kpi": series["kpi"], "kgi": series["kgi"]})
    frame["month_label"] = [fmt_month(p, lang) for p in frame["period"]]
    frame["kpi_text"] = [fmt_goal(v, kpi_unit, lang, exact=True) for v in frame["kpi"]]
    frame["kgi_text"] = [fmt_goal(v, kgi_unit, lang, compact=True) for v in frame["kgi"]]
    order = list(frame["month_label"])
    x = _month_axis(order)
    tooltip = [
        alt.Tooltip("month_label:N", title=t("health_page.chart.month", lang)),
        alt.Tooltip("kpi_text:N", title=kpi_title),
        alt.Tooltip("kgi_text:N", title=kgi_title),
    ]
    kpi_y = alt.Y("kpi:Q", axis=_axis(kpi_unit, lang, kpi_title, NEUTRAL))
    kgi_y = alt.Y("kgi:Q", axis=_axis(kgi_unit, lang, kgi_title, KGI_COLOUR, "right"))
    base = alt.Chart(frame)
    kpi_layer = alt.layer(
        base.mark_line(color=NEUTRAL).encode(x=x, y=kpi_y),
        base.mark_point(color=NEUTRAL, filled=True, size=36).encode(x=x, y=alt.Y("kpi:Q"), tooltip=tooltip),
    )
    kgi_layer = alt.layer(
        base.mark_line(color=KGI_COLOUR, strokeDash=[6, 3]).encode(x=x, y=kgi_y),
        base.mark_point(color=KGI_COLOUR, filled=True, size=36).encode(x=x, y=alt.Y("kgi:Q"), tooltip=tooltip),
    )
    layers: list[Any] = [kpi_layer, kgi_layer]
    evidence = finding.evidence
    if shift:
        split = fmt_month(evidence["split"], lang)
        rule = alt.Chart(pd.DataFrame({"month_label": [split]})).mark_rule(color=MUTED, strokeDash=[3, 3], size=2)
        layers.append(rule.encode(x=alt.X("month_label:O", sort=order)))
        caption = t(
            "health_page.caption.link_shift",
            lang,
            since=split,
            before=corr_text(evidence.get("before"), lang),
            after=corr_text(evidence.get("after"), lang),
        )
    else:
        by_lag = evidence.get("by_lag") or {}
        lags = ("、" if lang == "ja" else ", ").join(
            f"{t('health_page.chart.lag_value', lang, lag=lag)} {corr_text(value, lang)}"
            for lag, value in sorted(by_lag.items(), key=lambda kv: int(kv[0]))
        )
        caption = t("health_page.caption.link", lang, lags=lags or MISSING)
    chart = alt.layer(*layers).resolve_scale(y="independent").properties(height=240)
    data = frame[["period", "kpi", "kgi"]].rename(
        columns={"period": t("health_page.chart.month", lang), "kpi": kpi_title, "kgi": kgi_title}
    )
    return chart, caption, data


def target_chart(finding: Finding, goals: Goals, lang: str) -> tuple[Any, str, pd.DataFrame]:
    """The KPI's monthly history, the target per month (dashed) and the realistic band (shaded)."""
    evidence = finding.evidence
    unit = unit_of(kpi_metric(goals, finding.kpi))
    series = evidence["series"]
    low, high = evidence["band_monthly"]
    target = evidence["target_monthly"]
    frame = pd.DataFrame({"period": series["periods"], "value": series["values"]})
    frame["month_label"] = [fmt_month(p, lang) for p in frame["period"]]
    frame["value_text"] = [fmt_goal(v, unit, lang, exact=True) for v in frame["value"]]
    frame["low"], frame["high"], frame["target"] = low, high, target
    order = list(frame["month_label"])
    x = _month_axis(order)
    value_title = t("health_page.chart.value", lang)
    tooltip = [
        alt.Tooltip("month_label:N", title=t("health_page.chart.month", lang)),
        alt.Tooltip("value_text:N", title=value_title),
    ]
    from ui.charts import value_axis

    y_axis = value_axis(unit if unit in ("currency", "ratio") else "count", lang, None, ticks=4)
    band = (
        alt.Chart(frame)
        .mark_area(color=STATUS_COLOURS["on_track"], opacity=0.15)
        .encode(x=x, y=alt.Y("low:Q", axis=y_axis), y2="high:Q")
    )
    target_line = alt.Chart(frame).mark_line(color=MUTED, strokeDash=[5, 4], strokeWidth=2).encode(x=x, y="target:Q")
    line = alt.Chart(frame).mark_line(color=NEUTRAL).encode(x=x, y=alt.Y("value:Q"))
    points = (
        alt.Chart(frame)
        .mark_point(color=NEUTRAL, filled=True, size=40)
        .encode(x=x, y=alt.Y("value:Q"), tooltip=tooltip)
    )
    chart = alt.layer(band, target_line, line, points).properties(height=220)
    caption = t(
        "health_page.caption.target",
        lang,
        months=evidence.get("months", len(frame)),
        target=fmt_goal(target, unit, lang, compact=True, required=True),
        low=fmt_goal(low, unit, lang, compact=True),
        high=fmt_goal(high, unit, lang, compact=True),
    )
    data = frame[["period", "value", "target", "low", "high"]].rename(
        columns={
            "period": t("health_page.chart.month", lang),
            "value": value_title,
            "target": t("health_page.chart.target", lang),
        }
    )
    return chart, caption, data


FIELD_CAPTIONS = {  # the basis of the reps' targets (kpi_core/health/field.py) → the chart's caption
    "quota": "health_page.caption.field.quota",
    "mixed": "health_page.caption.field.mixed",
    "even_split": "health_page.caption.field.even_split",
    "team_target": "health_page.caption.field.team_target",
}
BASIS_WORDS = {
    "quota": "health_page.chart.basis.quota",
    "even_split": "health_page.chart.basis.even_split",
    "team_target": "health_page.chart.basis.team_target",
}


def field_frame(finding: Finding, goals: Goals, lang: str) -> pd.DataFrame:
    """One row per rep of pitfall 6's evidence, best typical month first: the typical and good month, the rep's
    own monthly target and its basis (their quota, the even split or the team target), their team, whether they
    can reach it, and the texts the tooltip shows."""
    evidence = finding.evidence
    unit = unit_of(kpi_metric(goals, finding.kpi))
    yes, no = t("health_page.chart.reach.yes", lang), t("health_page.chart.reach.no", lang)
    records = []
    for rep in evidence["reps"]:
        basis = str(rep.get("basis") or evidence.get("split") or "even_split")
        target = rep.get("target", evidence["share"])
        records.append(
            {
                "rep": str(rep["owner"]),
                "team": str(rep.get("team") or ""),
                "median": rep["median"],
                "p75": rep["p75"],
                "target": target,
                "basis": t(BASIS_WORDS.get(basis, BASIS_WORDS["even_split"]), lang),
                "reach": yes if rep["can_reach"] else no,
                "median_text": fmt_goal(rep["median"], unit, lang, compact=True),
                "p75_text": fmt_goal(rep["p75"], unit, lang, compact=True),
                "target_text": fmt_goal(target, unit, lang, compact=True),
                "met_text": t("health_page.chart.met_value", lang, met=rep["months_met"], months=rep["months"]),
            }
        )
    return pd.DataFrame(records).sort_values("median", ascending=False, kind="stable").reset_index(drop=True)


def field_chart(finding: Finding, goals: Goals, lang: str) -> tuple[Any, str, pd.DataFrame]:
    """Each rep's typical month (bar, coloured by whether they can reach their own target), a good month (dot) and
    the target: one dashed rule at the even split (or a rate's team target), or, when reps have quotas, a mark on
    each rep's row at their own target (dark: their quota; grey: the even split of a rep without one)."""
    evidence = finding.evidence
    unit = unit_of(kpi_metric(goals, finding.kpi))
    share = evidence["share"]
    basis = str(evidence.get("basis") or evidence.get("split") or "even_split")
    per_rep = basis in ("quota", "mixed")
    yes, no = t("health_page.chart.reach.yes", lang), t("health_page.chart.reach.no", lang)
    frame = field_frame(finding, goals, lang)
    names = list(frame["rep"])
    teams = bool(frame["team"].str.len().gt(0).any())
    titles = {
        "rep": t("health_page.chart.rep", lang),
        "team": t("health_page.chart.team", lang),
        "typical": t("health_page.chart.typical", lang),
        "good": t("health_page.chart.good", lang),
        "target": t("health_page.chart.target", lang),
        "basis": t("health_page.chart.basis", lang),
        "met": t("health_page.chart.met", lang),
        "reach": t("health_page.chart.reach", lang),
    }
    y = alt.Y("rep:N", sort=names, title=None, axis=alt.Axis(labelLimit=160))
    tooltip = [alt.Tooltip("rep:N", title=titles["rep"])]
    if teams:
        tooltip.append(alt.Tooltip("team:N", title=titles["team"]))
    tooltip += [
        alt.Tooltip("median_text:N", title=titles["typical"]),
        alt.Tooltip("p75_text:N", title=titles["good"]),
        alt.Tooltip("target_text:N", title=titles["target"]),
        alt.Tooltip("basis:N", title=titles["basis"]),
        alt.Tooltip("met_text:N", title=titles["met"]),
    ]
    from ui.charts import value_axis

    x_axis = value_axis(unit if unit in ("currency", "ratio") else "count", lang, titles["typical"], ticks=4)
    legend = alt.Legend(orient="bottom", direction="horizontal")
    bars = (
        alt.Chart(frame)
        .mark_bar(height={"band": 0.6}, cornerRadiusEnd=3)
        .encode(
            y=y,
            x=alt.X("median:Q", axis=x_axis),
            color=alt.Color(
                "reach:N",
                title=None,
                scale=alt.Scale(domain=[yes, no], range=[NEUTRAL_LIGHT, STATUS_COLOURS["at_risk"]]),
                legend=legend,
            ),
            tooltip=tooltip,
        )
    )
    good = (
        alt.Chart(frame)
        .mark_point(shape="circle", filled=True, size=42, color=NEUTRAL, opacity=1)
        .encode(y=y, x="p75:Q", tooltip=tooltip)
    )
    # Streamlit fits the whole chart (axis and legend too) in this height: leave each row about 30 px.
    height = 30 * len(frame) + 90
    if per_rep:
        # Each rep's own target on their row; the tick's colour says whose number it is (never colour alone:
        # the legend and the tooltip name the basis).
        own, split = t(BASIS_WORDS["quota"], lang), t(BASIS_WORDS[str(evidence.get("split") or "even_split")], lang)
        domain = [own, split] if basis == "mixed" else [own]
        marks = (
            alt.Chart(frame)
            .mark_tick(thickness=3, size=24, opacity=1)
            .encode(
                y=y,
                x="target:Q",
                color=alt.Color(
                    "basis:N", title=None, scale=alt.Scale(domain=domain, range=[TEXT, MUTED][: len(domain)]),
                    legend=legend,
                ),
                tooltip=tooltip,
            )
        )  # fmt: skip
        chart = alt.layer(bars, good, marks).resolve_scale(color="independent").properties(height=height)
        targets = [float(v) for v in frame.loc[frame["basis"] == own, "target"]]
        caption = t(
            FIELD_CAPTIONS[basis],
            lang,
            quotas=_range_text(min(targets), max(targets), unit, lang),
            count=int((frame["basis"] != own).sum()),
            fallback=format_param(evidence.get("split") or "even_split", "basis", lang),
            share=fmt_goal(share, unit, lang, compact=True),
        )
    else:
        rule = alt.Chart(pd.DataFrame({"share": [share]})).mark_rule(color=TEXT, strokeDash=[5, 3], size=2)
        chart = alt.layer(bars, good, rule.encode(x="share:Q")).properties(height=height)
        caption = t(
            FIELD_CAPTIONS.get(basis, FIELD_CAPTIONS["even_split"]),
            lang,
            share=fmt_goal(share, unit, lang, compact=True),
        )
    columns = {"rep": titles["rep"], **({"team": titles["team"]} if teams else {})}
    columns.update({"median": titles["typical"], "p75": titles["good"], "target": titles["target"],
                    "basis": titles["basis"], "reach": titles["reach"], "met_text": titles["met"]})  # fmt: skip
    data = frame[list(columns)].rename(columns=columns)
    return chart, caption, data


def _range_text(low: float, high: float, unit: str, lang: str) -> str:
    """6〜10 / 6–10, or one figure when the quotas are all the same."""
    low_text, high_text = (fmt_goal(v, unit, lang, compact=True) for v in (low, high))
    if low_text == high_text:
        return low_text
    return f"{low_text}〜{high_text}" if lang == "ja" else f"{low_text}–{high_text}"


def mix_chart(finding: Finding, lang: str) -> tuple[Any, str, pd.DataFrame]:
    """The mix of one role (channel, product, segment): each value's share in the first and the last part."""
    evidence = finding.evidence
    parts = evidence.get("parts") or {}
    first_months, last_months = parts.get("first") or [], parts.get("last") or []
    months = len(first_months)
    first = t("health_page.chart.part.first", lang, months=months)
    last = t("health_page.chart.part.last", lang, months=len(last_months))
    records = []
    for key in sorted(set(evidence["before"]) | set(evidence["after"]), key=lambda k: -evidence["after"].get(k, 0.0)):
        for part, shares in ((first, evidence["before"]), (last, evidence["after"])):
            value = shares.get(key, 0.0)
            records.append({"key": str(key), "part": part, "share": value, "share_text": fmt_pct(value, lang)})
    frame = pd.DataFrame(records)
    role = role_label(str(finding.params.get("role")), lang)
    names = list(dict.fromkeys(frame["key"]))
    value_title = t("health_page.chart.mix_value", lang)
    chart = (
        alt.Chart(frame)
        .mark_bar(height={"band": 0.9}, cornerRadiusEnd=3)
        .encode(
            y=alt.Y("key:N", sort=names, title=None, axis=alt.Axis(labelLimit=160)),
            yOffset=alt.YOffset("part:N", sort=[first, last]),
            x=alt.X("share:Q", axis=alt.Axis(format=".0%", title=value_title, tickCount=4)),
            color=alt.Color(
                "part:N",
                title=None,
                sort=[first, last],
                scale=alt.Scale(domain=[first, last], range=[NEUTRAL_LIGHT, NEUTRAL]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("key:N", title=role),
                alt.Tooltip("part:N", title=t("health_page.chart.month", lang)),
                alt.Tooltip("share_text:N", title=value_title),
            ],
        )
        .properties(height=max(34 * len(names), 120))
    )
    caption = t(
        "health_page.caption.mix",
        lang,
        role=role,
        months=months,
        first=fmt_month(first_months[0], lang) if first_months else MISSING,
        last=fmt_month(last_months[-1], lang) if last_months else MISSING,
    )
    data = frame[["key", "part", "share"]].rename(columns={"key": role, "share": value_title})
    return chart, caption, data


def score_text(score: int, lang: str) -> str:
    return fmt_number(score, lang, 0)


__all__ = [
    "PITFALLS",
    "cached_health",
    "draw_card",
    "draw_fixes",
    "last_fix",
    "pitfall_rows",
    "score_text",
    "verdict_counts",
    "verdict_text",
]
