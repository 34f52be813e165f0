"""The quota views of Goals and Pacing: each rep and team against their own number, ranked (kpi_core.quotas)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from kpi_core.goals import QUOTA_KGI, STATUS_THRESHOLDS, attainment_of, load_goals, metric_unit, status_of
from kpi_core.quotas import KpiQuotas, OwnerFigures, TeamsError, quota_report, read_teams
from kpi_core.workspace import WorkspaceError
from ui.data import CACHE_TTL, SAMPLE_DIR
from ui.format import MISSING, escape_markdown, fmt_number, fmt_pct, fmt_period, fmt_value
from ui.frame import View
from ui.goals_state import current_goals, goals_text
from ui.i18n import t
from ui.show import show_chart, show_table
from ui.theme import STATUS_COLOURS, STATUS_SYMBOLS
from ui.workspace_view import save_teams as save_workspace_teams

_log = logging.getLogger(__name__)

# The team file shipped with a sample source (sample_data/generate.py writes it), read when no other is loaded.
SAMPLE_TEAM_FILES: dict[str, str] = {"sales": "sales_teams_ja.csv"}
# session: source → (file name, {owner: team}) of a team file loaded on the Goals page (not in a workspace: it
# keeps its own, saved by an editor and read by every link)
TEAMS_KEY = "quota_teams"
STATUSES = ("on_track", "at_risk", "off_track", "no_data")
NO_DATA_COLOUR = "#7F7F7F"
STATUS_FILLS = {"on_track": "#D4EFE5", "at_risk": "#FBEBCC", "off_track": "#F7DACB"}
BULLET_MAX = 1.5  # the attainment axis ends at 150 %: a rep far ahead is drawn to the edge, the label says how far
ROW_PX = 30
BULLET_ROW_PX = 46  # a bullet row holds its label above the bar


# --- data ----------------------------------------------------------------------------------------------------------
@st.cache_data(ttl=CACHE_TTL, max_entries=8, show_spinner=False)
def _sample_teams(name: str, mtime_ns: int) -> dict[str, str]:
    return read_teams(SAMPLE_DIR / name, name)


def current_teams(view: View) -> tuple[str | None, dict[str, str]]:
    """(file name, owner → team): the open workspace's stored mapping; else the team file loaded for this source in
    this session, else the sample's own (none for uploads)."""
    opened = view.workspace
    if opened is not None:
        return (opened.teams_file, dict(opened.teams)) if opened.teams else (None, {})
    stored = st.session_state.get(TEAMS_KEY, {}).get(view.source)
    if stored is not None:
        return stored
    name = SAMPLE_TEAM_FILES.get(view.source)
    if name is None or view.workspace is not None or not (SAMPLE_DIR / name).is_file():
        return None, {}
    try:
        return name, _sample_teams(name, (SAMPLE_DIR / name).stat().st_mtime_ns)
    except TeamsError:
        _log.exception("sample team file unreadable")
        return None, {}


@st.cache_data(ttl=CACHE_TTL, max_entries=32, show_spinner=False)
def _report(
    dataset_key: str,
    text_hash: str,
    as_of: str,
    calendar: str,
    teams: tuple[tuple[str, str], ...],
    _dataset: Any,
    _text: str,
) -> list[KpiQuotas]:
    goals = load_goals(_text)
    return quota_report(goals, _dataset, as_of=dt.date.fromisoformat(as_of), calendar=calendar, teams=dict(teams))


def cached_quotas(view: View, as_of: dt.date, calendar: str) -> list[KpiQuotas]:
    """kpi_core.quotas.quota_report for the view's data and goal file, cached by content."""
    text = goals_text(view)
    _, teams = current_teams(view)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return _report(str(view.dataset_key), digest, as_of.isoformat(), calendar, tuple(sorted(teams.items())),
                   view.dataset, text)  # fmt: skip


# --- formatting ----------------------------------------------------------------------------------------------------
def unit_of(metric: str) -> str:
    unit = metric_unit(metric)
    return unit if unit in ("count", "currency", "ratio", "days") else "number"


def fmt_figure(value: float | None, unit: str, lang: str, *, required: bool = False) -> str:
    """A rep's figure as every page writes it (kpi_core/format.py): money compact, a rate in %, a count whole (a
    target or a pro-rated target rounded up, as a requirement; an actual or a forecast to the nearest); a formula's
    value to one decimal."""
    if value is None:
        return MISSING
    if unit == "number":
        return fmt_number(value, lang, 1)
    return fmt_value(value, unit, lang, compact=True, required=required)


def status_text(status: str, lang: str) -> str:
    return f"{STATUS_SYMBOLS.get(status, '–')} {t(f'goals.status.{status}', lang)}"


def forecast_status(item: OwnerFigures, better: str) -> str:
    """The outlook: the forecast against the full target, judged by the same thresholds as attainment."""
    return status_of(_finite_ratio(attainment_of(item.forecast.value, item.target, better)))


def _finite_ratio(value: float | None) -> float | None:
    return None if value is None or value == float("inf") else value


def _kpi_label(item: KpiQuotas, lang: str) -> str:
    return item.name + (t("quotas.kgi_suffix", lang) if item.kpi == QUOTA_KGI else "")


def _basis_text(item: KpiQuotas, unit: str, lang: str) -> str:
    target = fmt_figure(item.team_target, unit, lang)
    if item.basis == "quota":
        per = t(f"goals.per.{item.per}", lang)
        return t("quotas.basis.quota", lang, per=per)
    if item.basis == "even_split":
        count = sum(1 for o in item.owners if o.target is not None)
        share = item.team_target / count if count else None
        return t("quotas.basis.even_split", lang, target=target, count=count, share=fmt_figure(share, unit, lang))
    return t("quotas.basis.team_target", lang, target=target)


def _sum_text(item: KpiQuotas, unit: str, lang: str) -> str | None:
    """How the quotas relate to the team target (the difference shown), or None without quotas."""
    if item.basis != "quota":
        return None
    target = fmt_figure(item.team_target, unit, lang)
    if not item.volume or item.quota_sum is None or item.difference is None:
        return t("quotas.rate_quotas", lang, target=target)
    total = fmt_figure(item.quota_sum, unit, lang)
    gap = fmt_figure(abs(item.difference), unit, lang)
    if abs(item.difference) < 1e-9 * max(1.0, abs(item.team_target)):
        return t("quotas.sum_equal", lang, sum=total, target=target)
    key = "quotas.sum_short" if item.difference < 0 else "quotas.sum_over"
    return t(key, lang, sum=total, target=target, difference=gap)


def _names(names: list[str], lang: str) -> str:
    return escape_markdown(("、" if lang == "ja" else ", ").join(names))


# --- frames --------------------------------------------------------------------------------------------------------
def owner_frame(item: KpiQuotas, lang: str) -> pd.DataFrame:
    """One row per rep, in rank order: what the chart draws (internal names) and the texts of its tooltip."""
    unit = unit_of(item.metric)
    rows = []
    for rank, o in enumerate(item.owners, start=1):
        f = o.forecast
        outlook = forecast_status(o, item.better)
        rows.append(
            {
                "rank": rank, "owner": o.owner, "team": o.team or "", "target": o.target, "expected": o.expected,
                "actual": o.actual, "attainment": o.attainment, "status": o.status,
                "status_text": status_text(o.status, lang),
                "bar": None if o.attainment is None else min(o.attainment, BULLET_MAX),
                "forecast": f.value, "low": f.low, "high": f.high, "chance": f.probability_on_target,
                "outlook": outlook, "outlook_text": status_text(outlook, lang),
                "target_text": fmt_figure(o.target, unit, lang, required=True),
                "expected_text": fmt_figure(o.expected, unit, lang, required=True),
                "actual_text": fmt_figure(o.actual, unit, lang), "attainment_text": fmt_pct(o.attainment, lang),
                "forecast_text": fmt_figure(f.value, unit, lang),
                "range_text": MISSING if f.low is None or f.high is None
                else f"{fmt_figure(f.low, unit, lang)}–{fmt_figure(f.high, unit, lang)}",
                "chance_text": fmt_pct(f.probability_on_target, lang),
                "basis_text": t(f"goals.basis.{o.basis}", lang),
            }
        )  # fmt: skip
    return pd.DataFrame(rows)


def table_frame(item: KpiQuotas, lang: str, *, forecast: bool) -> pd.DataFrame:
    """The details table with localised headers (texts as shown; the CSV download is the same)."""
    frame = owner_frame(item, lang)
    if not len(frame):
        return frame
    columns = {"rank": "rank", "owner": "owner", "team": "team", "target_text": "target"}
    if forecast:
        columns |= {"forecast_text": "forecast", "range_text": "range", "chance_text": "chance",
                    "outlook_text": "status"}  # fmt: skip
    else:
        columns |= {"expected_text": "expected", "actual_text": "actual", "attainment_text": "attainment",
                    "status_text": "status", "basis_text": "basis"}  # fmt: skip
    out = frame[list(columns)].rename(columns={k: t(f"quotas.col.{v}", lang) for k, v in columns.items()})
    return out


# --- charts --------------------------------------------------------------------------------------------------------
def _status_scale(lang: str) -> alt.Scale:
    return alt.Scale(
        domain=[status_text(s, lang) for s in STATUSES],
        range=[STATUS_COLOURS.get(s, NO_DATA_COLOUR) for s in STATUSES],
    )


def attainment_chart(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    """Bullet rows per rep, best first: shaded status bands, a bar for the attainment (capped at BULLET_MAX) in its
    status colour, a tick at 100 %, and a label with the attainment and actual / target."""
    names = list(frame["owner"])
    y = alt.Y("owner:N", sort=names, title=None, axis=alt.Axis(labelLimit=200))
    x_scale = alt.Scale(domain=[0, BULLET_MAX], nice=False, clamp=True)
    risk, on = STATUS_THRESHOLDS["at_risk"], STATUS_THRESHOLDS["on_track"]
    fills = [STATUS_FILLS[s] for s in ("off_track", "at_risk", "on_track")]
    bands = pd.DataFrame({"lo": [0.0, risk, on], "hi": [risk, on, BULLET_MAX], "fill": fills})
    band_rows = frame[["owner"]].merge(bands, how="cross")
    band = (
        alt.Chart(band_rows)
        .mark_bar(height={"band": 0.9})
        .encode(y=y, x=alt.X("lo:Q", scale=x_scale, axis=alt.Axis(format=".0%", title=t("quotas.axis.attainment"))),
                x2="hi:Q", color=alt.Color("fill:N", scale=None, legend=None))
    )  # fmt: skip
    tooltip = [
        alt.Tooltip("owner:N", title=t("quotas.col.owner")),
        alt.Tooltip("team:N", title=t("quotas.col.team")),
        alt.Tooltip("actual_text:N", title=t("quotas.col.actual")),
        alt.Tooltip("expected_text:N", title=t("quotas.col.expected")),
        alt.Tooltip("target_text:N", title=t("quotas.col.target")),
        alt.Tooltip("attainment_text:N", title=t("quotas.col.attainment")),
        alt.Tooltip("status_text:N", title=t("quotas.col.status")),
    ]
    bar = (
        alt.Chart(frame)
        .mark_bar(height={"band": 0.28})
        .encode(y=y, x=alt.X("bar:Q", scale=x_scale),
                color=alt.Color("status_text:N", scale=_status_scale(lang), legend=None), tooltip=tooltip)
    )  # fmt: skip
    rule = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(color="#1B2430", strokeWidth=2).encode(x="x:Q")
    symbols = frame["status"].map(lambda s: STATUS_SYMBOLS.get(s, "–"))
    frame = frame.assign(
        label=symbols + " " + frame["attainment_text"] + " · " + frame["actual_text"] + " / " + frame["expected_text"]
    )
    label = (
        alt.Chart(frame)
        .mark_text(align="left", dx=6, dy=-12, fontSize=12, color="#1B2430")
        .encode(y=y, x=alt.datum(0.0), text="label:N", tooltip=tooltip)
    )
    return alt.layer(band, bar, rule, label).properties(height=max(100, BULLET_ROW_PX * len(frame)))


def forecast_chart(frame: pd.DataFrame, unit: str, lang: str) -> alt.LayerChart:
    """Per rep, in rank order (named with the chance of reaching the target): the 80 % range as a line, the forecast
    as a point in its outlook colour and shape, the target as a tick."""
    # each row is named with the rep's chance, the order of the ranking
    frame = frame.assign(row=frame["owner"] + "  " + frame["chance_text"])
    y = alt.Y("row:N", sort=list(frame["row"]), title=None, axis=alt.Axis(labelLimit=240))
    fmt = ".0%" if unit == "ratio" else ",.0f" if unit in ("count", "number") else "~s"
    x = alt.X("forecast:Q", title=t("quotas.axis.forecast"), axis=alt.Axis(format=fmt),
              scale=alt.Scale(zero=unit != "ratio"))  # fmt: skip
    tooltip = [
        alt.Tooltip("owner:N", title=t("quotas.col.owner")),
        alt.Tooltip("team:N", title=t("quotas.col.team")),
        alt.Tooltip("forecast_text:N", title=t("quotas.col.forecast")),
        alt.Tooltip("range_text:N", title=t("quotas.col.range")),
        alt.Tooltip("target_text:N", title=t("quotas.col.target")),
        alt.Tooltip("chance_text:N", title=t("quotas.col.chance")),
        alt.Tooltip("outlook_text:N", title=t("quotas.col.status")),
    ]
    ranged = frame[frame["low"].notna() & frame["high"].notna()]
    span = alt.Chart(ranged).mark_rule(strokeWidth=3, color="#9FB3C8").encode(y=y, x="low:Q", x2="high:Q",
                                                                              tooltip=tooltip)  # fmt: skip
    target = (
        alt.Chart(frame[frame["target"].notna()])
        .mark_tick(color="#1B2430", thickness=2, size=18)
        .encode(y=y, x="target:Q", tooltip=tooltip)
    )
    point = (
        alt.Chart(frame[frame["forecast"].notna()])
        .mark_point(filled=True, size=110, opacity=1)
        .encode(y=y, x=x, color=alt.Color("outlook_text:N", scale=_status_scale(lang), legend=None),
                shape=alt.Shape("outlook_text:N", legend=None,
                                scale=alt.Scale(domain=[status_text(s, lang) for s in STATUSES],
                                                range=["circle", "triangle-up", "cross", "square"])),
                tooltip=tooltip)
    )  # fmt: skip
    return alt.layer(span, target, point).properties(height=max(90, ROW_PX * len(frame)))


# --- the sections --------------------------------------------------------------------------------------------------
def _choose_kpi(items: list[KpiQuotas], key: str, lang: str) -> KpiQuotas:
    """A KPI picker: the first goal with quotas is shown first."""
    ordered = sorted(items, key=lambda i: i.basis != "quota")
    ids = [i.kpi for i in ordered]
    labels = {i.kpi: _kpi_label(i, lang) for i in ordered}
    with st.columns([2, 3])[0]:
        chosen = st.selectbox(t("quotas.kpi"), ids, format_func=lambda i: labels[i], key=key)
    return next(i for i in ordered if i.kpi == chosen)


def _team_lines(item: KpiQuotas, unit: str, lang: str, *, forecast: bool) -> list[str]:
    lines = []
    for team in item.teams:
        if forecast:
            outlook = forecast_status(team, item.better)
            lines.append(t("quotas.team_line_forecast", lang, status=status_text(outlook, lang),
                           team=escape_markdown(team.owner), count=len(team.members),
                           forecast=escape_markdown(fmt_figure(team.forecast.value, unit, lang)),
                           target=escape_markdown(fmt_figure(team.target, unit, lang, required=True)),
                           chance=fmt_pct(team.forecast.probability_on_target, lang)))  # fmt: skip
        else:
            lines.append(t("quotas.team_line", lang, status=status_text(team.status, lang),
                           team=escape_markdown(team.owner), count=len(team.members),
                           actual=escape_markdown(fmt_figure(team.actual, unit, lang)),
                           target=escape_markdown(fmt_figure(team.target, unit, lang, required=True)),
                           attainment=fmt_pct(team.attainment, lang)))  # fmt: skip
    return lines


def _notes(item: KpiQuotas, lang: str) -> list[str]:
    notes = []
    missing = [o.owner for o in item.owners if not o.in_data]
    if missing:
        notes.append(t("quotas.not_in_data", lang, names=_names(missing, lang)))
    if item.basis == "quota":
        without = [o.owner for o in item.owners if o.target is None]
        if without:
            notes.append(t("quotas.unassigned", lang, names=_names(without, lang)))
    return notes


def _compute(view: View, as_of: dt.date, calendar: str) -> list[KpiQuotas] | None:
    """The report, or None after saying why there is none (no owner column, a metric the data cannot give)."""
    dataset = view.dataset
    if dataset is None or dataset.shape != "records" or "owner" not in dataset.mapping:
        st.info(t("quotas.no_owner"), icon=":material/info:")
        return None
    try:
        items = cached_quotas(view, as_of, calendar)
    except Exception:  # a goal file whose formula cannot be computed here: the rest of the page stays usable
        _log.exception("quota report failed")
        st.warning(t("quotas.compute_error"), icon=":material/warning:")
        return None
    if not items:
        st.info(t("quotas.no_owner"), icon=":material/info:")
        return None
    return items


def draw_goal_quotas(view: View, as_of: dt.date, calendar: str) -> None:
    """Goals page: per KPI, each rep's actual against their (pro-rated) target, ranked, with the team roll-up and
    how the quotas relate to the team target; the table and the team-file upload in an expander."""
    lang = view.lang
    with st.container(key="quotas_goals"):
        st.subheader(t("quotas.goals_title"))
        items = _compute(view, as_of, calendar)
        if items is None:
            return
        item = _choose_kpi(items, "quotas_goals_kpi", lang)
        unit = unit_of(item.metric)
        frame = owner_frame(item, lang)
        period = fmt_period(item.period, item.per, lang)
        basis = _basis_text(item, unit, lang)
        if not len(frame):
            st.info(t("quotas.no_rows", period=period), icon=":material/info:")
        else:
            show_chart(
                attainment_chart(frame, lang),
                key="quotas_goals",
                caption=t("quotas.chart_caption", period=period, basis=basis),
                data=table_frame(item, lang, forecast=False),
                large=view.workshop,
            )
        for line in [_sum_text(item, unit, lang), *_notes(item, lang)]:
            if line:
                st.caption(line)
        lines = _team_lines(item, unit, lang, forecast=False)
        if lines:
            st.markdown("  \n".join(lines))
        if view.workshop:
            return
        with st.expander(t("quotas.details"), icon=":material/groups:"):
            if len(frame):
                show_table(table_frame(item, lang, forecast=False), key="quotas_goals_table")
            _draw_teams_upload(view, bool(lines))


def draw_pacing_quotas(view: View, as_of: dt.date, calendar: str) -> None:
    """Pacing page: per KPI, each rep's period-end forecast with its range and the chance of reaching their target,
    ranked, with the teams' forecasts; the table in an expander."""
    lang = view.lang
    with st.container(key="quotas_pacing"):
        st.subheader(t("quotas.pacing_title"))
        items = _compute(view, as_of, calendar)
        if items is None:
            return
        item = _choose_kpi(items, "quotas_pacing_kpi", lang)
        unit = unit_of(item.metric)
        by_chance = sorted(item.owners, key=lambda o: (o.forecast.probability_on_target is None,
                                                      -(o.forecast.probability_on_target or 0.0), o.owner))  # fmt: skip
        ranked = dataclasses.replace(item, owners=tuple(by_chance))
        frame = owner_frame(ranked, lang)
        period = fmt_period(item.period, item.per, lang)
        if not len(frame):
            st.info(t("quotas.no_rows", period=period), icon=":material/info:")
            return
        show_chart(
            forecast_chart(frame, unit, lang),
            key="quotas_pacing",
            caption=t("quotas.pacing_caption", period=period, basis=_basis_text(item, unit, lang)),
            data=table_frame(ranked, lang, forecast=True),
            large=view.workshop,
        )
        lines = _team_lines(item, unit, lang, forecast=True)
        if lines:
            st.markdown("  \n".join(lines))
        if not view.workshop:
            with st.expander(t("quotas.details_pacing"), icon=":material/table:"):
                show_table(table_frame(ranked, lang, forecast=True), key="quotas_pacing_table")


def _draw_teams_upload(view: View, has_teams: bool) -> None:
    """The team file: where the teams come from, and an uploader for another (kept for this source, this session;
    in a workspace saved to it, and only for an editor who may change it now: a viewer gets no uploader)."""
    opened = view.workspace
    name, _ = current_teams(view)
    goals = current_goals(view)
    source = escape_markdown(name) if name else (t("quotas.teams_goal_file") if goals.teams() else None)
    if source:
        st.caption(t("quotas.teams_from", source=source))
    elif not has_teams:
        st.caption(t("quotas.no_teams"))
    if opened is not None and not opened.editable:
        return
    upload = st.file_uploader(
        t("quotas.teams_upload"), type=["csv", "xlsx"], key="quotas_teams_upload", help=t("quotas.teams_upload_help")
    )
    if upload is None:
        return
    try:
        teams = read_teams(upload.getvalue(), upload.name)
    except TeamsError as exc:
        st.error(escape_markdown(exc.message(view.lang)), icon=":material/error:")
        return
    if opened is not None:
        if teams == opened.teams:  # saved already (the uploader keeps its file across runs); the name is display
            return
        try:
            save_workspace_teams(opened, teams, upload.name)
        except WorkspaceError as exc:
            st.error(escape_markdown(exc.message(view.lang)), icon=":material/error:")
            return
        st.rerun()
    stored: dict[str, Any] = st.session_state.setdefault(TEAMS_KEY, {})
    if stored.get(view.source) != (upload.name, teams):
        stored[view.source] = (upload.name, teams)
        st.rerun()
