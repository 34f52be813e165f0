"""Goals and pacing pages: cached engine calls, frames, sentences and Altair charts (bullet, trend, pacing, tree)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import math
import unicodedata
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from kpi_core.goals import (
    STATUS_THRESHOLDS,
    Goals,
    attainment_of,
    backward_plan,
    consistency_check,
    gap_summary,
    kpi_breakdown,
    kpi_gaps,
    load_goals,
    metric_unit,
    status_of,
)
from kpi_core.intake.load import Dataset
from kpi_core.metrics import Filters
from kpi_core.pacing import MIN_ANALOGUES, Forecast, forecast_goals, pacing_series
from kpi_core.report import Figure as ReportFigure
from kpi_core.report import Report, forecast_figures, gap_figures, goal_prefix, plan_figures
from ui.data import CACHE_TTL
from ui.format import (
    MISSING,
    currency_symbol,
    current_currency,
    escape_markdown,
    fmt_change,
    fmt_date,
    fmt_month,
    fmt_number,
    fmt_pct,
    fmt_period,
    fmt_signed,
    fmt_value,
    fmt_yen_compact,
)
from ui.frame import View
from ui.goals_state import current_goals, goals_text
from ui.i18n import current_lang, metric_label, role_label, t
from ui.show import figure_card
from ui.theme import MUTED, NEUTRAL, NEUTRAL_LIGHT, STATUS_COLOURS, STATUS_SYMBOLS

_log = logging.getLogger(__name__)
NO_DATA_COLOUR = "#7F7F7F"
# Light fills of the status colours for the KPI tree (the border keeps the full colour).
STATUS_FILLS = {"on_track": "#D4EFE5", "at_risk": "#FBEBCC", "off_track": "#F7DACB", "no_data": "#EEF1F5"}
BULLET_MAX = 1.5  # the bullet chart's axis ends at 150 % of the target (bars beyond are clipped, labels exact)

# st.metric delta colours per status (the word and symbol always come with them).
DELTA_COLOURS = {"on_track": "green", "at_risk": "orange", "off_track": "red", "no_data": "gray"}


# ------------------------------------------------------------------------------------------------ the goal key
@dataclass(frozen=True)
class GoalKey:
    """What every cached goal computation is keyed by: data, goal text, as-of date, calendar and role filters."""

    dataset_key: str
    text_hash: str
    text: str
    as_of: str
    calendar: str
    roles: tuple[Any, ...]

    def args(self) -> tuple[Any, ...]:
        return (self.dataset_key, self.text_hash, self.as_of, self.calendar, self.roles)


def goal_key(view: View, as_of: dt.date, calendar: str) -> GoalKey:
    """The cache key of the view's goal computations (date filters do not apply: periods come from as_of)."""
    text = goals_text(view)
    return GoalKey(
        dataset_key=str(view.dataset_key),
        text_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        text=text,
        as_of=as_of.isoformat(),
        calendar=calendar,
        roles=view.fkey[2],
    )


def _filters(roles: tuple[Any, ...]) -> Filters:
    return Filters(roles={role: list(values) for role, values in roles})


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def _gaps(key: str, text_hash: str, as_of: str, calendar: str, roles: tuple, _dataset: Dataset, _text: str) -> list:
    goals = load_goals(_text)
    date = dt.date.fromisoformat(as_of)
    return kpi_gaps(goals, _dataset, as_of=date, calendar=calendar, filters=_filters(roles))


def cached_gaps(gk: GoalKey, dataset: Dataset) -> list[dict[str, Any]]:
    """kpi_gaps rows (KGI and each KPI, one per period of this fiscal year up to as_of)."""
    return _gaps(*gk.args(), dataset, gk.text)


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def _forecasts(key: str, text_hash: str, as_of: str, calendar: str, roles: tuple, _dataset: Dataset, _text: str):
    goals = load_goals(_text)
    date = dt.date.fromisoformat(as_of)
    return forecast_goals(goals, _dataset, as_of=date, calendar=calendar, filters=_filters(roles))


def cached_forecasts(gk: GoalKey, dataset: Dataset) -> dict[str, Forecast]:
    """forecast_goals: the KGI (key "kgi") and every KPI by id."""
    return _forecasts(*gk.args(), dataset, gk.text)


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def _series(
    key: str, text_hash: str, as_of: str, calendar: str, roles: tuple, goal_id: str, _dataset: Dataset, _text: str
) -> pd.DataFrame:
    goals = load_goals(_text)
    forecast = _forecasts(key, text_hash, as_of, calendar, roles, _dataset, _text)[goal_id]
    return pacing_series(forecast, _dataset, fiscal_start=goals.fiscal_year_start, filters=_filters(roles))


def cached_pacing_series(gk: GoalKey, dataset: Dataset, goal_id: str) -> pd.DataFrame:
    """pacing_series of one goal's forecast (day by day through its period)."""
    return _series(*gk.args(), goal_id, dataset, gk.text)


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def _breakdown(
    key: str, text_hash: str, as_of: str, calendar: str, roles: tuple, kpi_id: str, role: str, _ds: Dataset, _text: str
) -> list:
    goals = load_goals(_text)
    return kpi_breakdown(goals, _ds, kpi_id, role=role, as_of=dt.date.fromisoformat(as_of), calendar=calendar)


def cached_breakdown(gk: GoalKey, dataset: Dataset, kpi_id: str, role: str) -> list[dict[str, Any]]:
    """kpi_breakdown: the current period of one KPI per value of a data role."""
    return _breakdown(*gk.args(), kpi_id, role, dataset, gk.text)


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def _plan(key: str, text_hash: str, as_of: str, _dataset: Dataset, _text: str) -> tuple[dict, dict]:
    goals = load_goals(_text)
    date = dt.date.fromisoformat(as_of)
    return consistency_check(goals, _dataset, as_of=date), backward_plan(goals, _dataset, as_of=date)


def cached_plan(gk: GoalKey, dataset: Dataset) -> tuple[dict[str, Any], dict[str, Any]]:
    """(consistency_check, backward_plan) of the goal model against the data's trailing 12 months."""
    return _plan(gk.dataset_key, gk.text_hash, gk.as_of, dataset, gk.text)


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def _realism(key: str, text_hash: str, as_of: str, roles: tuple, _dataset: Dataset, _text: str) -> dict:
    from kpi_core.health import target_realism

    goals = load_goals(_text)
    return target_realism(goals, _dataset, dt.date.fromisoformat(as_of), filters=_filters(roles))


def goal_report(view: View, as_of: dt.date, calendar: str) -> Report | None:
    """The one report of the view's data, goals, role filters, as-of date and calendar (kpi_core.report, cached in
    ui.pivots.state.cached_report under the very key the Pivots page uses, with the month's target mode of the URL's
    `share`): every figure a goal page shares with another page is read from it. None (logged) when the report
    cannot be built on this goal file: the page then shows its own figures by the same rules."""
    from ui.pivots.state import DEFAULT_TARGET_MODE, TARGET_MODES, cached_report, role_key, shared_forecasts, text_hash
    from ui.state import choice_parser, url_value

    assert view.dataset is not None
    text = goals_text(view)
    roles = role_key(view.filters)
    mode = url_value("share", DEFAULT_TARGET_MODE, choice_parser(TARGET_MODES))
    mode = mode if mode in TARGET_MODES else DEFAULT_TARGET_MODE
    forecasts = functools.partial(shared_forecasts, str(view.dataset_key), view.dataset, text, as_of, calendar, roles)
    try:
        return cached_report(
            str(view.dataset_key), view.dataset, text_hash(text), current_goals(view), as_of.isoformat(), calendar,
            roles, mode, forecasts,
        )  # fmt: skip
    except Exception:  # the report is the shared truth, but a goal file it cannot read must not take a page down
        _log.exception("the report failed on this goal file")
        return None


def report_figures(report: Report | None) -> dict[str, ReportFigure]:
    """The report's figures (none without a report)."""
    return dict(report.figures) if report is not None else {}


def current_figures(current: dict[str, dict[str, Any]]) -> dict[str, ReportFigure]:
    """The current period's actual, pro-rated target, attainment and period target of the KGI and each KPI (rows
    by id, current_rows) as the report's figures (kpi_core.report.gap_figures of the same rows as report.plan.gaps),
    keyed by figure_key."""
    return gap_figures(list(current.values()))


def figure_key(goal_id: str, name: str) -> str:
    """A goal's figure key in the report: kgi.<name> / kpi.<id>.<name>."""
    return f"{goal_prefix(goal_id)}.{name}"


def fig(figure: ReportFigure | None, lang: str) -> str:
    """A report figure as the reader reads it, in the session's currency: the one place it is rounded."""
    return figure.text(lang, currency=current_currency()) if figure is not None else MISSING


def cached_realism(gk: GoalKey, dataset: Dataset) -> dict[str, dict[str, Any] | None]:
    """target_realism: each KPI's target against its own monthly history (None: too few months)."""
    return _realism(gk.dataset_key, gk.text_hash, gk.as_of, gk.roles, dataset, gk.text)


# ------------------------------------------------------------------------------------------------ formatting
def unit_of(metric: str) -> str:
    """count / currency / ratio / days / number (a formula)."""
    try:
        return metric_unit(metric)
    except Exception:  # an unknown name: shown as a plain number
        return "number"


def fmt_goal(
    value: float | None, unit: str, lang: str, *, compact: bool = False, required: bool = False, exact: bool = False
) -> str:
    """A goal figure: money compact (万 / 億) or exact, %, days; a count as a whole number, rounded up when
    `required` (a target, a number needed), to the nearest otherwise, or with its decimal when `exact` (a tooltip);
    another number with at most one decimal. The rules are kpi_core/format.py's."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING
    if unit == "count":
        return fmt_number(value, lang, 1) if exact else fmt_value(value, unit, lang, required=required)
    if unit in ("currency", "ratio", "days"):
        return fmt_value(value, unit, lang, compact=compact and not exact)
    return fmt_number(value, lang, 1)


def fmt_yen_short(value: float, lang: str) -> str:
    """A goal amount in few characters: the one compact money rule (1.44億円 / 120万円 / ¥144M / ¥1.2M)."""
    return fmt_yen_compact(value, lang)


def delta_style(gap: float | None, better: str = "higher") -> tuple[str, str]:
    """(arrow, colour) of a delta whose text does not start with its sign: down/red when the gap is bad."""
    if gap is None or gap == 0:
        return "off", "gray"
    good = (gap > 0) == (better != "lower")
    return ("up" if gap > 0 else "down"), ("green" if good else "red")


def fmt_gap(
    value: float | None, unit: str, lang: str, *, actual: float | None = None, target: float | None = None
) -> str:
    """A signed difference: +8 (a count: the `actual` minus the `target` as shown, when given) / -7.6pt /
    +13.5万円 (compact)."""
    return fmt_signed(value, unit, lang, actual=actual, target=target)


def status_text(status: str, lang: str) -> str:
    """✓ 順調 / △ 要注意 / ✕ 遅れ / – データなし."""
    symbol = STATUS_SYMBOLS.get(status, "–")
    return f"{symbol} {t(f'goals.status.{status}', lang)}"


def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, NO_DATA_COLOUR)


def thresholds_text(lang: str) -> str:
    """The status rule in one sentence, from the engine's thresholds."""
    return t(
        "goals.thresholds",
        lang,
        on=fmt_pct(STATUS_THRESHOLDS["on_track"], lang, 0),
        risk=fmt_pct(STATUS_THRESHOLDS["at_risk"], lang, 0),
        on_word=status_text("on_track", lang),
        risk_word=status_text("at_risk", lang),
        off_word=status_text("off_track", lang),
    )


def period_text(period: str, per: str, lang: str) -> str:
    return fmt_period(period, per, lang)


# ------------------------------------------------------------------------------------------------ headline
@dataclass(frozen=True)
class StatusFigure:
    """A headline figure whose delta is a status word (no arrow: the symbol says it)."""

    name: str
    label: str
    value: str
    delta: str | None = None
    delta_color: str = "off"
    arrow: str = "off"
    help: str | None = None


def draw_figures(figures: list[StatusFigure], widths: list[float] | None = None) -> None:
    """Large figures across the top, each in a container keyed `kpi_<name>` (a range needs a wider column)."""
    for column, figure in zip(st.columns(widths or len(figures)), figures, strict=True):
        with column, figure_card(figure.name, figure.value):
            st.metric(
                figure.label,
                figure.value,
                delta=figure.delta,
                delta_color=figure.delta_color,  # type: ignore[arg-type]
                delta_arrow=figure.arrow,  # type: ignore[arg-type]
                help=figure.help,
                border=True,
            )


def current_rows(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The current period's row of the KGI ("kgi") and each KPI, by id."""
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:
        latest[row["id"]] = row
    return latest


def status_counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    """How many KPIs (not the KGI) are in each status in their current period."""
    counts = dict.fromkeys(("on_track", "at_risk", "off_track", "no_data"), 0)
    for row in current_rows(rows).values():
        if row["kind"] == "kpi":
            counts[row["status"]] += 1
    return counts


# ------------------------------------------------------------------------------------------------ gap frames
def gap_table(rows: list[dict[str, Any]], lang: str) -> pd.DataFrame:
    """The current period of the KGI and each KPI as a readable table."""
    records = []
    current = current_rows(rows)
    figures = current_figures(current)  # the report's rule: the same texts as the cards and the other pages
    for row in current.values():
        unit = unit_of(row["metric"])
        records.append(
            {
                t("goals.col.goal", lang): row["name"],
                t("goals.col.metric", lang): metric_label(row["metric"], lang),
                t("common.period", lang): period_text(row["period"], row["per"], lang),
                t("goals.col.actual", lang): fig(figures[figure_key(row["id"], "actual")], lang),
                t("goals.col.expected", lang): fig(figures[figure_key(row["id"], "expected")], lang),
                t("goals.col.target", lang): fig(figures[figure_key(row["id"], "period_target")], lang),
                t("goals.col.gap", lang): fmt_gap(row["gap"], unit, lang, actual=row["actual"], target=row["expected"]),
                t("goals.col.attainment", lang): fig(figures[figure_key(row["id"], "attainment")], lang),
                t("common.status", lang): status_text(row["status"], lang),
                t("goals.col.department", lang): row["department"] or MISSING,
                t("goals.col.owner", lang): row["owner"] or MISSING,
            }
        )
    return pd.DataFrame(records)


def bullet_frame(rows: list[dict[str, Any]], lang: str, day: dt.date | None = None) -> pd.DataFrame:
    """One row per KPI for the period holding `day` (default: the current one): attainment against the
    (pro-rated) target, with texts for labels and tooltips."""
    chosen: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["kind"] != "kpi":
            continue
        start, end = dt.date.fromisoformat(row["start"]), dt.date.fromisoformat(row["end"])
        if day is None or start <= day <= end:
            chosen[row["id"]] = row
    records = []
    for order, row in enumerate(chosen.values()):
        unit = unit_of(row["metric"])
        attainment = row["attainment"]
        records.append(
            {
                "order": order,
                "name": row["name"],
                "period_text": period_text(row["period"], row["per"], lang),
                "attainment": None if attainment is None else min(float(attainment), BULLET_MAX),
                "status": row["status"],
                "status_text": status_text(row["status"], lang),
                "actual_text": fmt_goal(row["actual"], unit, lang, exact=True),
                "expected_text": fmt_goal(row["expected"], unit, lang, exact=True),
                "target_text": fmt_goal(row["target"], unit, lang, exact=True),
                "gap_text": fmt_gap(row["gap"], unit, lang, actual=row["actual"], target=row["expected"]),
                "attainment_text": fmt_pct(attainment, lang),
                "label": bullet_label(row, unit, lang),
            }
        )
    return pd.DataFrame(
        records,
        columns=["order", "name", "period_text", "attainment", "status", "status_text", "actual_text",
                 "expected_text", "target_text", "gap_text", "attainment_text", "label"],
    )  # fmt: skip


def bullet_label(row: dict[str, Any], unit: str, lang: str) -> str:
    """A bullet row's label: status, attainment and actual / target, or "no actual yet (target …)" in words."""
    target = fmt_goal(row["expected"], unit, lang, compact=True, required=True)
    if row["actual"] is None or row["attainment"] is None:
        return f"{status_text(row['status'], lang)}  {t('goals.bullet.no_actual', lang, target=target)}"
    return (
        f"{status_text(row['status'], lang)}  {fmt_pct(row['attainment'], lang)}"
        f"  ({fmt_goal(row['actual'], unit, lang, compact=True)} / {target})"
    )


def kpi_period_starts(rows: list[dict[str, Any]]) -> list[dt.date]:
    """The start dates of the KPIs' periods so far (the choices of the bullet chart's period)."""
    return sorted({dt.date.fromisoformat(r["start"]) for r in rows if r["kind"] == "kpi"})


def trend_frame(rows: list[dict[str, Any]], kpi_id: str, lang: str) -> pd.DataFrame:
    """One KPI over the periods of this fiscal year: actual, (pro-rated) target, status and whether it missed."""
    records = []
    for row in rows:
        if row["id"] != kpi_id:
            continue
        unit = unit_of(row["metric"])
        records.append(
            {
                "start": row["start"],
                "period": row["period"],
                "period_label": period_text(row["period"], row["per"], lang),
                "actual": row["actual"],
                "target": row["expected"],
                "status": row["status"],
                "status_text": status_text(row["status"], lang)
                + ("" if row["complete"] else " " + t("goals.so_far", lang)),
                "missed": row["status"] in ("at_risk", "off_track"),
                "actual_text": fmt_goal(row["actual"], unit, lang, exact=True),
                "target_text": fmt_goal(row["expected"], unit, lang, exact=True),
                "gap_text": fmt_gap(row["gap"], unit, lang, actual=row["actual"], target=row["expected"]),
            }
        )
    frame = pd.DataFrame(records)
    if len(frame):
        frame["actual"] = pd.to_numeric(frame["actual"], errors="coerce").astype("float64")
        frame["target"] = pd.to_numeric(frame["target"], errors="coerce").astype("float64")
    return frame


def summary_table(rows: list[dict[str, Any]], by: str, lang: str) -> pd.DataFrame:
    """KPI status counts per department or KPI owner (current periods)."""
    names = {row["id"]: row["name"] for row in rows}  # the KPIs as the goal file names them, not their ids
    records = []
    for group in gap_summary(rows, by):
        records.append(
            {
                t(f"goals.col.{by}", lang): group[by] or MISSING,
                t("goals.col.kpis", lang): ("、" if lang == "ja" else ", ").join(
                    names.get(i, i) for i in group["kpis"]
                ),
                status_text("on_track", lang): group["on_track"],
                status_text("at_risk", lang): group["at_risk"],
                status_text("off_track", lang): group["off_track"],
                status_text("no_data", lang): group["no_data"],
            }
        )
    return pd.DataFrame(records)


def breakdown_frame(items: list[dict[str, Any]], metric: str, lang: str) -> pd.DataFrame:
    """kpi_breakdown rows as a bullet frame (one row per data value, largest actual first)."""
    unit = unit_of(metric)
    items = sorted(items, key=lambda r: -(r["actual"] or 0))
    records = []
    for order, row in enumerate(items):
        attainment = row["attainment"]
        name = t("common.blank", lang) if row["key"] is None or row["key"] == "" else str(row["key"])
        records.append(
            {
                "order": order,
                "name": name,
                "attainment": None if attainment is None else min(float(attainment), BULLET_MAX),
                "status": row["status"],
                "status_text": status_text(row["status"], lang),
                "actual_text": fmt_goal(row["actual"], unit, lang, exact=True),
                "expected_text": fmt_goal(row["expected"], unit, lang, exact=True),
                "target_text": fmt_goal(row["target"], unit, lang, exact=True),
                "gap_text": fmt_gap(row["gap"], unit, lang, actual=row["actual"], target=row["expected"]),
                "attainment_text": fmt_pct(attainment, lang),
                "period_text": t(f"goals.basis.{row['target_basis']}", lang),
                "label": bullet_label(row, unit, lang),
            }
        )
    return pd.DataFrame(records)


def realism_frame(goals: Goals, realism: dict[str, dict[str, Any] | None], lang: str) -> pd.DataFrame:
    """One row per KPI: its target per month against its own monthly history (percentile, best month, growth
    needed against past growth, the realistic band per month), as texts with translated headers."""
    from kpi_core.health.targets import MIN_MONTHS

    columns = {c: t(f"goals.realism.col.{c}", lang) for c in ("kpi", "target", "percentile", "best", "growth", "band")}
    records = []
    for kpi in goals.kpis:
        row = realism.get(kpi.id)
        unit = unit_of(kpi.metric)
        record = {columns["kpi"]: kpi.name}
        if row is None:
            record[columns["target"]] = fmt_goal(kpi.target, unit, lang, compact=True, required=True)
            record[columns["percentile"]] = t("goals.realism.short", lang, months=MIN_MONTHS)
            record.update({columns[c]: MISSING for c in ("best", "growth", "band")})
        else:
            best = row["best_month"]
            low, high = row["band_monthly"]
            record[columns["target"]] = fmt_goal(row["target_monthly"], unit, lang, compact=True, required=True)
            record[columns["percentile"]] = fmt_number(row["percentile"], lang, 0)
            record[columns["best"]] = t(
                "goals.realism.best",
                lang,
                value=fmt_goal(best["value"], unit, lang, compact=True),
                month=fmt_month(best["period"], lang),
            )
            record[columns["growth"]] = t(
                "goals.realism.growth",
                lang,
                needed=fmt_change(row["required_growth"], lang),
                past=fmt_change(row["past_growth"], lang),
            )
            record[columns["band"]] = t(
                "goals.realism.band",
                lang,
                low=fmt_goal(low, unit, lang, compact=True),
                high=fmt_goal(high, unit, lang, compact=True),
            )
        records.append(record)
    return pd.DataFrame(records, columns=list(columns.values()))


REALISM_WIDTHS = (150, 110, 130, 150, 140, 160)  # px: every text whole at 1280 px (a grid cell cuts, never wraps)


def draw_realism(frame: pd.DataFrame) -> None:
    """The realism table (texts), its columns wide enough for their values, in a container `table_goals_realism`."""
    with st.container(key="table_goals_realism"):
        st.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            column_config={
                name: st.column_config.TextColumn(name, width=width)
                for name, width in zip(frame.columns, REALISM_WIDTHS, strict=True)
            },
        )


# ------------------------------------------------------------------------------------------------ charts
def _status_scale(lang: str) -> tuple[list[str], list[str], list[str]]:
    statuses = ["on_track", "at_risk", "off_track", "no_data"]
    words = [status_text(s, lang) for s in statuses]
    colours = [status_colour(s) for s in statuses]
    shapes = ["circle", "triangle-up", "cross", "square"]
    return words, colours, shapes


def bullet_chart(frame: pd.DataFrame, *, titles: dict[str, str], lang: str) -> alt.LayerChart:
    """Bullet rows: shaded bands at the off-track / at-risk thresholds, a bar for the attainment (actual over the
    pro-rated target), a tick at 100 % (the target), and a label with status, attainment and actual / target.

    `frame`: order, name, attainment, status_text, *_text, label (see bullet_frame).
    """
    risk, on = STATUS_THRESHOLDS["at_risk"], STATUS_THRESHOLDS["on_track"]
    bands = pd.DataFrame(
        {
            "lo": [0.0, risk, on],
            "hi": [risk, on, BULLET_MAX],
            "band": [status_text(s, lang) for s in ("off_track", "at_risk", "on_track")],
            "colour": [STATUS_FILLS[s] for s in ("off_track", "at_risk", "on_track")],
        }
    )
    names = list(frame.sort_values("order")["name"])
    y = alt.Y("name:N", sort=names, title=None, axis=alt.Axis(labelLimit=260))
    band_rows = frame[["name"]].merge(bands, how="cross")
    band_layer = (
        alt.Chart(band_rows)
        .mark_bar(height={"band": 0.8})
        .encode(
            y=y,
            x=alt.X(
                "lo:Q",
                scale=alt.Scale(domain=[0, BULLET_MAX], nice=False),
                axis=alt.Axis(format=".0%", title=titles["x"]),
            ),
            x2="hi:Q",
            color=alt.Color("colour:N", scale=None, legend=None),
            tooltip=[alt.Tooltip("band:N", title=titles["band"])],
        )
    )
    tooltip = [
        alt.Tooltip("name:N", title=titles["name"]),
        alt.Tooltip("period_text:N", title=titles["period"]),
        alt.Tooltip("actual_text:N", title=titles["actual"]),
        alt.Tooltip("expected_text:N", title=titles["expected"]),
        alt.Tooltip("target_text:N", title=titles["target"]),
        alt.Tooltip("gap_text:N", title=titles["gap"]),
        alt.Tooltip("attainment_text:N", title=titles["attainment"]),
        alt.Tooltip("status_text:N", title=titles["status"]),
    ]
    bars = (
        alt.Chart(frame)
        .mark_bar(height={"band": 0.34}, color="#1B2430")
        .encode(y=y, x=alt.X("attainment:Q"), tooltip=tooltip)
    )
    ticks = (
        alt.Chart(frame).mark_tick(thickness=3, size=30, color="#1B2430").encode(y=y, x=alt.datum(1.0), tooltip=tooltip)
    )
    labels = (
        alt.Chart(frame)
        .mark_text(align="left", dx=6, dy=-17, fontSize=12)
        .encode(y=y, x=alt.datum(0.0), text="label:N", color=alt.value("#1B2430"))
    )
    return alt.layer(band_layer, bars, ticks, labels).properties(height=max(64 * len(frame), 120))


def target_trend_chart(frame: pd.DataFrame, *, titles: dict[str, str], unit: str, lang: str) -> alt.LayerChart:
    """A KPI's actual per period as a line, its target as a dashed line, and each period's point in its status
    colour and shape (the missed months stand out).

    `frame`: start, period_label, actual, target, status_text, missed, *_text (see trend_frame).
    """
    from ui.charts import value_axis

    words, colours, shapes = _status_scale(lang)
    x = alt.X(
        "period_label:O",
        sort=alt.EncodingSortField(field="start", op="min"),
        title=None,
        axis=alt.Axis(labelAngle=-40, labelOverlap="greedy"),
    )
    tooltip = [
        alt.Tooltip("period_label:N", title=titles["period"]),
        alt.Tooltip("actual_text:N", title=titles["actual"]),
        alt.Tooltip("target_text:N", title=titles["target"]),
        alt.Tooltip("gap_text:N", title=titles["gap"]),
        alt.Tooltip("status_text:N", title=titles["status"]),
    ]
    y_axis = value_axis(unit if unit in ("currency", "ratio") else "count", lang, None, ticks=4)
    target = (
        alt.Chart(frame)
        .mark_line(strokeDash=[5, 4], color=MUTED, strokeWidth=2)
        .encode(x=x, y=alt.Y("target:Q", axis=y_axis), tooltip=tooltip)
    )
    line = alt.Chart(frame).mark_line(color=NEUTRAL).encode(x=x, y=alt.Y("actual:Q"), tooltip=tooltip)
    points = (
        alt.Chart(frame)
        .mark_point(filled=True, size=110, opacity=1)
        .encode(
            x=x,
            y=alt.Y("actual:Q"),
            color=alt.Color(
                "status_word:N",
                title=None,
                scale=alt.Scale(domain=words, range=colours),
                legend=alt.Legend(orient="bottom"),
            ),
            shape=alt.Shape("status_word:N", title=None, scale=alt.Scale(domain=words, range=shapes)),
            tooltip=tooltip,
        )
        .transform_calculate(status_word="split(datum.status_text, ' (')[0]")
    )
    return alt.layer(target, line, points).properties(height=220)


def backward_frame(plan: dict[str, Any], lang: str) -> pd.DataFrame:
    """The backward plan's steps with texts (needed per month at the historical rates, the KPI target): every
    level is the report's figure of the plan (kpi_core.report.plan_figures), formatted once."""
    figures = plan_figures(plan)
    records = []
    for order, step in enumerate(plan.get("steps", [])):
        unit = unit_of(step["metric"])
        key = f"plan.{step['metric']}"
        rate = step["rate"]
        records.append(
            {
                "order": order,
                "metric": step["metric"],
                "step": metric_label(step["metric"], lang),
                "unit": unit,
                "needed": step["needed_per_month"],
                "kpi_target": step["kpi_target_per_month"],
                "needed_text": fig(figures[f"{key}.needed"], lang),
                "rate_text": MISSING
                if rate is None
                else f"{metric_label(rate['name'], lang)} {fig(figures.get(f'{key}.rate'), lang)}",
                "kpi_text": fig(figures[f"{key}.kpi"], lang),
                "difference_text": fmt_gap(
                    step["difference"], unit, lang, actual=step["kpi_target_per_month"], target=step["needed_per_month"]
                ),
                "own_text": fig(figures[f"{key}.own"], lang),
            }
        )
    return pd.DataFrame(records)


def backward_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The backward plan for a table and its CSV: translated headers."""
    columns = {
        "step": "goals.col.step",
        "needed_text": "goals.col.needed",
        "rate_text": "goals.col.rate",
        "kpi_text": "goals.col.kpi_target",
        "difference_text": "goals.col.difference",
        "own_text": "goals.col.own_rates",
    }
    return frame[list(columns)].rename(columns={c: t(k, lang) for c, k in columns.items()})


def backward_chart(frame: pd.DataFrame, *, titles: dict[str, str]) -> alt.LayerChart:
    """Volumes per month per funnel step: needed at the historical rates (bar) and the KPI target (tick).

    `frame`: backward_frame rows of count steps.
    """
    names = list(frame.sort_values("order")["step"])
    y = alt.Y("step:N", sort=names, title=None)
    tooltip = [
        alt.Tooltip("step:N", title=titles["step"]),
        alt.Tooltip("needed_text:N", title=titles["needed"]),
        alt.Tooltip("rate_text:N", title=titles["rate"]),
        alt.Tooltip("kpi_text:N", title=titles["kpi"]),
        alt.Tooltip("difference_text:N", title=titles["difference"]),
    ]
    bars = (
        alt.Chart(frame)
        .mark_bar(color=NEUTRAL_LIGHT, height={"band": 0.6}, cornerRadiusEnd=3)
        .encode(y=y, x=alt.X("needed:Q", title=titles["x"], axis=alt.Axis(format=",.0f")), tooltip=tooltip)
    )
    ticks = (
        alt.Chart(frame.dropna(subset=["kpi_target"]))
        .mark_tick(thickness=3, size=26, color=NEUTRAL)
        .encode(y=y, x="kpi_target:Q", tooltip=tooltip)
    )
    text = (
        alt.Chart(frame)
        .mark_text(align="left", dx=6)
        .encode(y=y, x="needed:Q", text=alt.Text("label:N"))
        .transform_calculate(label="datum.needed_text")
    )
    return alt.layer(bars, ticks, text).properties(height=max(44 * len(frame), 120))


# ------------------------------------------------------------------------------------------------ sentences
def consistency_sentence(check: dict[str, Any], lang: str) -> str:
    """The plan's consistency as one sentence with its numbers, for Markdown (a metric written as a formula in the
    goal file is user text: escaped)."""

    status = check["status"]
    kgi_unit = unit_of(check["kgi_metric"])
    kgi = fmt_goal(check["kgi_target"], kgi_unit, lang, compact=True, required=True)
    if status == "not_applicable":
        return t(
            "goals.consistency.not_applicable", lang, metric=escape_markdown(metric_label(check["kgi_metric"], lang))
        )
    terms = []
    for term in check["terms"]:
        unit = unit_of(term["metric"])
        name = escape_markdown(metric_label(term["metric"], lang))
        if term["source"] == "kpi":
            text = f"{name} {fmt_goal(term['target'], unit, lang, compact=True, required=True)}"
            scale = term.get("scale") or 1.0
            if abs(scale - 1.0) > 1e-9:
                text += f" × {fmt_number(scale, lang, 2)}"
        elif term["source"] == "data":
            text = f"{name} {fmt_goal(term['value'], unit, lang, compact=True)}{t('goals.from_data', lang)}"
        else:
            text = f"{name} {t('goals.missing_factor', lang)}"
        terms.append(text)
    product = " × ".join(terms)
    if status == "incomplete":
        return t("goals.consistency.incomplete", lang, product=product, kgi=kgi)
    implied = fmt_goal(check["implied"], kgi_unit, lang, compact=True)
    gap = fmt_gap(check["gap"], kgi_unit, lang)
    ratio = fmt_change(check.get("gap_ratio"), lang)
    tolerance = fmt_pct(check["tolerance"], lang, 0)
    key = "goals.consistency.mismatch" if status == "mismatch" else "goals.consistency.consistent"
    return t(key, lang, product=product, implied=implied, kgi=kgi, gap=gap, ratio=ratio, tolerance=tolerance)


def method_sentence(forecast: Forecast, lang: str) -> str:
    """What is particular to this goal's forecast, in words, built from the method code and parameters in either
    language (so the numbers are formatted like the rest of the page: ¥, %, 万/億): its figures so far, the value,
    the kind of range and any caution. What every forecast shares is said once, by method_overview."""
    method = forecast.method
    code, p = method["code"], method.get("params", {})
    unit = unit_of(forecast.metric)
    if forecast.value is None and code not in ("complete", "current_value"):
        return t("pacing.method.no_actual", lang)
    actual, value = (
        fmt_goal(p.get("actual"), unit, lang, compact=True),
        fmt_goal(p.get("value", forecast.value), unit, lang, compact=True),
    )
    known = p.get("actual") is not None
    if code == "complete":
        text = t("pacing.method.complete", lang, actual=actual) if known else t("pacing.method.no_actual", lang)
    elif code == "current_value":
        text = t("pacing.method.current_value", lang, actual=actual) if known else t("pacing.method.no_actual", lang)
    else:
        # The calendar is the page's (its control and the chart's caption say it): not repeated per goal.
        rate_key = "pacing.brief.rate_volume" if p.get("volume") else "pacing.brief.rate_ratio"
        elapsed, total = p.get("elapsed", forecast.business_days_elapsed), p.get("total", forecast.business_days_total)
        rate = t(rate_key, lang, actual=actual, elapsed=elapsed, total=total)
        if code == "history_rate":
            text = t("pacing.method.history_rate", lang, total=total)
        elif code == "run_rate":
            text = t("pacing.method.run_rate", lang, rate=rate, value=value)
        elif code == "pipeline":
            text = t("pacing.brief.pipeline", lang, actual=actual, value=value)
        else:
            text = t("pacing.method.blend", lang, rate=rate, value=value)
        errors = {c: e for c, e in (forecast.errors or {}).items() if e is not None}
        if len(errors) > 1 and forecast.analogues >= MIN_ANALOGUES:
            listed = ("、" if lang == "ja" else ", ").join(
                f"{t(f'pacing.code.{c}', lang)} {fmt_pct(math.expm1(e), lang, 0)}" for c, e in errors.items()
            )
            text += t("pacing.brief.compared", lang, listed=listed)
        interval = p.get("interval")
        if interval == "analogues" and p.get("n") and p.get("per") in KPI_PERIODS:
            text += t("pacing.brief.range_analogues", lang, n=p["n"], per=t(f"pacing.per.{p['per']}", lang))
        elif interval == "normal":
            text += t("pacing.brief.range_normal", lang)
        elif forecast.low is None:
            text += t("pacing.brief.range_none", lang)
    if p.get("maturing"):
        text += t("pacing.method.maturing", lang)
    return text


def method_overview(forecasts: dict[str, Forecast], lang: str) -> list[str]:
    """The method every forecast on the page shares, said once: the run rate, the pipeline when one is used, the
    choice between methods and how the range is drawn (only what the page's forecasts use)."""
    codes = {f.method.get("code") for f in forecasts.values()}
    intervals = {f.method.get("params", {}).get("interval") for f in forecasts.values()}
    lines = [t("pacing.how.run_rate", lang)]
    if codes & {"pipeline", "blend"} or any(len(f.candidates or {}) > 1 for f in forecasts.values()):
        lines.append(t("pacing.how.pipeline", lang))
        lines.append(t("pacing.how.compared", lang))
    if "analogues" in intervals:
        lines.append(t("pacing.how.range_analogues", lang))
    if "normal" in intervals:
        lines.append(t("pacing.how.range_normal", lang))
    return lines


KPI_PERIODS = ("week", "month", "quarter", "year")


# ------------------------------------------------------------------------------------------------ pacing
def forecast_status(forecast: Forecast) -> str:
    """The status of the forecast period-end value against the full target (same thresholds as the goals)."""
    attainment = attainment_of(forecast.value, forecast.target, forecast.better)
    if attainment is not None and math.isinf(attainment):
        return "on_track"
    return status_of(attainment)


def forecast_figure(
    name: str, label: str, forecast: Forecast, lang: str, figures: dict[str, ReportFigure] | None = None
) -> StatusFigure:
    """A goal's period-end forecast as a headline figure: compact value, the gap to the target as its delta
    (none when either is missing: never a dash beside an arrow) and the exact value in its help. `figures` (from
    goal_figures) are the report's: the value and, for money and rates, the gap are their texts."""
    unit = unit_of(forecast.metric)
    gap = None if forecast.value is None or forecast.target is None else forecast.value - forecast.target
    arrow, colour = delta_style(gap, forecast.better)
    value = fmt_goal(forecast.value, unit, lang, compact=True) if figures is None else fig(figures["forecast"], lang)
    if figures is None or figures["gap"].unit == "count":  # a count's gap: the difference of the values as shown
        gap_text = fmt_gap(gap, unit, lang, actual=forecast.value, target=forecast.target)
    else:
        gap_text = fig(figures["gap"], lang)
    return StatusFigure(
        name,
        label,
        value,
        delta=None if gap is None else t("pacing.fig.vs_target", lang, gap=gap_text),
        delta_color=colour,
        arrow=arrow,
        help=None if forecast.value is None else fmt_goal(forecast.value, unit, lang, exact=True),
    )


def goal_figures(goal_id: str, forecast: Forecast, report: Report | None) -> dict[str, ReportFigure]:
    """One goal's forecast figures (forecast, target, gap, low, high, probability): the report's own where it has
    them, the rest by the same rule (kpi_core.report.forecast_figures)."""
    return forecast_figures(goal_id, forecast, report_figures(report))


def outlook_figure(name: str, forecast: Forecast, lang: str) -> StatusFigure:
    """The outlook as Goals shows a status: the forecast against the target as the figure, and the status word
    with its symbol and colour as the delta (the symbol always sits with its word)."""
    status = forecast_status(forecast)
    attainment = attainment_of(forecast.value, forecast.target, forecast.better)
    if forecast.target is None:
        return StatusFigure(name, t("pacing.fig.status", lang), t("pacing.fig.no_target", lang))
    if attainment is None or not math.isfinite(attainment):
        return StatusFigure(name, t("pacing.fig.status", lang), status_text(status, lang))
    return StatusFigure(
        name,
        t("pacing.fig.status", lang),
        fmt_pct(attainment, lang),
        delta=status_text(status, lang),
        delta_color=DELTA_COLOURS[status],
    )


def forecast_rows(
    forecasts: dict[str, Forecast], goals: Goals, lang: str, report: Report | None = None
) -> pd.DataFrame:
    """One row per goal (KGI first): forecast, range, probability, status and the method in words (the figures
    the report has are its texts)."""
    names = {"kgi": goals.kgi.name, **{k.id: k.name for k in goals.kpis}}
    records = []
    for goal_id, forecast in forecasts.items():
        unit = unit_of(forecast.metric)
        figures = goal_figures(goal_id, forecast, report)
        records.append(
            {
                t("goals.col.goal", lang): names.get(goal_id, goal_id),
                t("common.period", lang): period_text(forecast.period, forecast.per, lang),
                t("pacing.col.actual", lang): fmt_goal(forecast.actual, unit, lang, compact=True),
                t("pacing.col.forecast", lang): fig(figures["forecast"], lang),
                t("pacing.col.low", lang): fig(figures["low"], lang),
                t("pacing.col.high", lang): fig(figures["high"], lang),
                t("goals.col.target", lang): fig(figures["target"], lang),
                t("pacing.col.probability", lang): fig(figures["probability"], lang),
                t("common.status", lang): status_text(forecast_status(forecast), lang),
                t("pacing.col.method", lang): method_sentence(forecast, lang),
            }
        )
    return pd.DataFrame(records)


def range_text(
    forecast: Forecast, lang: str, *, compact: bool = True, figures: dict[str, ReportFigure] | None = None
) -> str:
    """low – high, or "no range" in words when the history is too short to give one (`figures`: the report's low
    and high, joined as they are formatted)."""
    unit = unit_of(forecast.metric)
    if forecast.low is None or forecast.high is None:
        return t("pacing.no_range", lang)
    if figures is not None:
        return join_range(fig(figures["low"], lang), fig(figures["high"], lang))
    return join_range(
        fmt_goal(forecast.low, unit, lang, compact=compact), fmt_goal(forecast.high, unit, lang, compact=compact)
    )


def join_range(low: str, high: str) -> str:
    """Two formatted ends as one range, the unit once: 1.12億円 + 1.56億円 → 1.12–1.56億円, ¥80.4M + ¥90.6M →
    ¥80.4–90.6M (the texts are not rounded again: only the repeated unit is dropped)."""
    for suffix in ("億円", "万円", "%", "日", " days", "B", "M", "K"):
        if low.endswith(suffix) and high.endswith(suffix):
            return f"{low[: -len(suffix)]}–{high.removeprefix(currency_symbol())}"
    return f"{low}–{high}"  # no spaces around the dash: the range must fit a headline figure


def pacing_frame(series: pd.DataFrame, forecast: Forecast, lang: str) -> pd.DataFrame:
    """Business days of the period: cumulative actual, pro-rated target, forecast and its band, with texts.
    The forecast starts at the last actual, so the dashed line continues the solid one."""
    frame = series[series["is_business_day"]].copy()
    frame = frame.drop_duplicates("business_day", keep="last")
    if not len(frame):
        return frame
    unit = unit_of(forecast.metric)
    as_of = forecast.as_of
    done = frame[frame["date"] <= as_of]
    if len(done) and forecast.value is not None and forecast.method.get("code") != "complete":
        last = done.index[-1]
        columns = ("forecast", "low", "high") if forecast.low is not None else ("forecast",)
        for column in columns:
            if pd.isna(frame.at[last, column]):
                frame.at[last, column] = frame.at[last, "actual"]
    frame["date_text"] = [fmt_date(d, lang) for d in frame["date"]]
    for column in ("actual", "target", "forecast", "low", "high"):
        frame[f"{column}_text"] = [
            fmt_goal(None if pd.isna(v) else float(v), unit, lang, exact=True) for v in frame[column]
        ]
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def pacing_chart(frame: pd.DataFrame, *, titles: dict[str, str], unit: str, lang: str) -> alt.LayerChart:
    """Cumulative actual by business day (solid) against the pro-rated target (grey), the forecast (dashed) and its
    80 % band (shaded); a hover rule shows the day's exact values.

    `frame`: pacing_frame rows.
    """
    from ui.charts import value_axis

    series_names = [titles["actual"], titles["target"], titles["forecast"]]
    long = frame.melt(
        id_vars=["business_day", "date_text"], value_vars=["actual", "target", "forecast"], var_name="key"
    ).dropna(subset=["value"])
    long["series"] = long["key"].map(
        {"actual": titles["actual"], "target": titles["target"], "forecast": titles["forecast"]}
    )
    x = alt.X("business_day:Q", title=titles["x"], axis=alt.Axis(format="d", tickMinStep=1))
    y_axis = value_axis(unit if unit in ("currency", "ratio") else "count", lang, titles["y"])
    band = (
        alt.Chart(frame.dropna(subset=["low", "high"]))
        .mark_area(color=NEUTRAL, opacity=0.15)
        .encode(x=x, y=alt.Y("low:Q", axis=y_axis), y2="high:Q")
    )
    lines = (
        alt.Chart(long)
        .mark_line()
        .encode(
            x=x,
            y=alt.Y("value:Q", axis=y_axis),
            color=alt.Color(
                "series:N",
                title=None,
                sort=series_names,
                scale=alt.Scale(domain=series_names, range=[NEUTRAL, MUTED, NEUTRAL]),
            ),
            strokeDash=alt.StrokeDash(
                "series:N",
                title=None,
                sort=series_names,
                scale=alt.Scale(domain=series_names, range=[[1, 0], [2, 3], [7, 4]]),
            ),
        )
    )
    hover = alt.selection_point(fields=["business_day"], nearest=True, on="pointerover", empty=False)
    rule = (
        alt.Chart(frame)
        .mark_rule(color=MUTED)
        .encode(
            x=x,
            opacity=alt.condition(hover, alt.value(0.6), alt.value(0)),
            tooltip=[
                alt.Tooltip("date_text:N", title=titles["date"]),
                alt.Tooltip("business_day:Q", title=titles["x"]),
                alt.Tooltip("actual_text:N", title=titles["actual"]),
                alt.Tooltip("target_text:N", title=titles["target"]),
                alt.Tooltip("forecast_text:N", title=titles["forecast"]),
                alt.Tooltip("low_text:N", title=titles["low"]),
                alt.Tooltip("high_text:N", title=titles["high"]),
            ],
        )
        .add_params(hover)
    )
    return alt.layer(band, lines, rule).properties(height=320)


# ------------------------------------------------------------------------------------------------ the KPI tree
def _columns(text: str) -> int:
    """Display columns of a text: a CJK or full-width character takes two, the rest one."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap_columns(text: str, width: int) -> list[str]:
    """Lines of at most `width` display columns: broken at spaces where there are some, else anywhere (CJK text
    has no spaces), so Japanese and English names make boxes of the same width."""
    lines: list[str] = []
    line = ""
    for word in " ".join(str(text).split()).split(" "):
        candidate = f"{line} {word}" if line else word
        if _columns(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:
            if _columns(line + char) > width:
                lines.append(line)
                line = ""
            line += char
    if line:
        lines.append(line)
    return lines or [""]


def dot_text(text: object, width: int = 22, max_lines: int = 3, sep: str = "\\n") -> str:
    """User text made safe inside a quoted DOT label: backslashes and quotes escaped, line breaks as \\n, long
    text wrapped every `width` display columns (CJK text has no spaces to wrap at), at most `max_lines` lines,
    joined by `sep` (a DOT line break: centred \\n, or left-aligned \\l with an indent)."""
    lines = wrap_columns(str(text), width)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and _columns(last) > width - 2:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last + "…"]
    escaped = [line.replace("\\", "\\\\").replace('"', '\\"') for line in lines]
    return sep.join(escaped)


INDENT = "\\l   "  # a left-aligned DOT line break, the next line indented under the text of a list item


def kpi_tree_dot(
    goals: Goals, rows: list[dict[str, Any]], lang: str, *, actions: bool = True, large: bool = False
) -> str:
    """The KGI → KPIs → CSFs tree as DOT, left to right: goal nodes show actual, target, gap and their status
    (colour, symbol and word); each CSF lists its lever and its actions inside its own box, so the tree has three
    columns and its text stays readable in a narrow page (wrapped by display width, never scaled below ~11 px)."""
    current = current_rows(rows)
    size = 17 if large else 13
    lines = [
        "digraph kpi_tree {",
        '  graph [rankdir=LR, nodesep=0.16, ranksep=0.35, bgcolor="transparent", pad=0.05];',
        '  node [shape=box, style="rounded,filled", fontname="Noto Sans CJK JP, Hiragino Sans, sans-serif", '
        f'fontsize={size}, penwidth=2, margin="0.10,0.05"];',
        '  edge [color="#9AA5B1", arrowsize=0.6];',
    ]

    def goal_node(node_id: str, row: dict[str, Any] | None, name: str, metric: str) -> str:
        unit = unit_of(metric)
        status = row["status"] if row else "no_data"
        target = fmt_goal(row["expected"], unit, lang, compact=True, required=True) if row else MISSING
        if row is None:
            figures = t("goals.status.no_data", lang)
        elif row["actual"] is None:
            figures = t("goals.tree.no_actual", lang, target=target)
        else:
            figures = t(
                "goals.tree.figures",
                lang,
                actual=fmt_goal(row["actual"], unit, lang, compact=True),
                target=target,
                gap=fmt_gap(row["gap"], unit, lang, actual=row["actual"], target=row["expected"]),
            )
        label = f"{dot_text(status_text(status, lang) + ' ' + name, 28)}\\n{dot_text(figures, 36)}"
        return (
            f'  "{node_id}" [label="{label}", fillcolor="{STATUS_FILLS.get(status, STATUS_FILLS["no_data"])}", '
            f'color="{status_colour(status)}"];'
        )

    lines.append(goal_node("kgi", current.get("kgi"), goals.kgi.name, goals.kgi.metric))
    csf_ids = {c.id for c in goals.csfs}
    for index, kpi in enumerate(goals.kpis):
        node = f"kpi_{index}"
        lines.append(goal_node(node, current.get(kpi.id), kpi.name, kpi.metric))
        lines.append(f'  "kgi" -> "{node}";')
        for ref in kpi.csfs:
            if ref in csf_ids:
                lines.append(f'  "{node}" -> "csf_{dot_text(ref, 200)}";')
    for csf in goals.csfs:
        parts = [f"CSF: {dot_text(csf.name, 28, 2, INDENT)}"]
        if csf.lever:
            parts.append(dot_text(t("goals.tree.lever", lang, metric=metric_label(csf.lever, lang)), 30, 1))
        if actions:
            parts.extend(f"・{dot_text(action, 28, 2, INDENT)}" for action in csf.actions)
        label = "\\l".join(parts) + "\\l"  # left-aligned lines: a list reads down its left edge
        lines.append(
            f'  "csf_{dot_text(csf.id, 200)}" [label="{label}", fillcolor="#E6EEF8", color="{NEUTRAL}", penwidth=1];'
        )
    lines.append("}")
    return "\n".join(lines)


def breakdown_roles(view: View) -> list[str]:
    """The data roles a KPI can be broken down by (records with that column)."""
    from kpi_core.metrics import BREAKDOWN_ROLES

    dataset = view.dataset
    if dataset is None or dataset.shape != "records":
        return []
    return [r for r in ("owner", "channel", "product", "segment") if r in BREAKDOWN_ROLES and r in dataset.mapping]


def role_name(role: str, lang: str) -> str:
    return role_label(role, lang)


# ------------------------------------------------------------------------------------------------ the goal editor
MESSAGE_KEY = "goals_editor_message"  # session: (kind, text, problems) shown once under the editor
TEMPLATES = ("sales", "marketing")
TABLE_COLUMNS = ("id", "name", "metric", "target", "per", "owner", "department")


def _say(kind: str, text: str, problems: list[str] | None = None) -> None:
    st.session_state[MESSAGE_KEY] = (kind, text, problems or [])


def _store(view: View, text: str, done: str) -> None:
    from kpi_core.goals import GoalsError
    from kpi_core.workspace import WorkspaceError
    from ui.goals_state import store_goals

    try:
        store_goals(view, text)
    except GoalsError as exc:
        _say("error", t("goals.editor.errors"), exc.lines(current_lang()))
        return
    except WorkspaceError as exc:  # a viewer key, another editor, a revoked link: the engine's one sentence
        _say("error", exc.message(current_lang()))
        return
    _say("success", done)


def _apply_template(view: View) -> None:
    from kpi_core.goals import template_text

    name = st.session_state.get("goals_template", TEMPLATES[0])
    lang = st.session_state.get("goals_template_lang", view.lang)
    _store(view, template_text(name, lang), t("goals.editor.applied"))


def _reset(view: View) -> None:
    from kpi_core.workspace import WorkspaceError
    from ui.goals_state import reset_goals

    try:
        reset_goals(view)
    except WorkspaceError as exc:
        _say("error", exc.message(current_lang()))
        return
    _say("success", t("goals.editor.applied"))


def _import(view: View) -> None:
    upload = st.session_state.get("goals_upload")
    if upload is None:
        return
    try:
        text = upload.getvalue().decode("utf-8-sig")
    except UnicodeDecodeError:
        _say("error", t("goals.editor.not_utf8", name=escape_user(upload.name)))
        return
    _store(view, text, t("goals.editor.imported", name=escape_user(upload.name)))


def _apply_yaml(view: View, key: str) -> None:
    _store(view, str(st.session_state.get(key, "")), t("goals.editor.applied"))


def _apply_table(view: View, key: str, goals: Goals) -> None:
    """Write the edited KPI rows (and KGI target) back through dump_goals, checked like any goal file."""
    import copy

    from kpi_core.goals import dump_goals

    edited = copy.deepcopy(goals)
    state = st.session_state.get(key) or {}
    for index, changes in (state.get("edited_rows") or {}).items():
        kpi = edited.kpis[int(index)]
        for column, value in changes.items():
            if column == "target" and value is not None:
                kpi.target = float(value)
            elif column in ("name", "owner", "department", "per") and value is not None:
                setattr(kpi, column, str(value))
    kgi_target = st.session_state.get(f"{key}_kgi")
    if kgi_target is not None:
        edited.kgi.target = float(kgi_target)
    _store(view, dump_goals(edited), t("goals.editor.applied"))


def escape_user(text: object) -> str:
    return escape_markdown(text)


def draw_goal_editor(view: View, goals: Goals) -> None:
    """Templates, import, YAML editing and a KPI target table; every change is checked (GoalsError lists the
    line and field of each problem) before it replaces the workspace's goal model."""
    text = goals_text(view)
    version = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    message = st.session_state.pop(MESSAGE_KEY, None)
    if message:
        kind, sentence, problems = message
        body = sentence + ("\n\n" + "\n".join(f"- {escape_user(p)}" for p in problems) if problems else "")
        (st.error if kind == "error" else st.success)(body, icon=":material/error:" if kind == "error" else None)
    st.download_button(
        t("goals.editor.export"),
        data=functools.partial(str.encode, text, "utf-8"),  # made on click: nothing stored until then
        file_name="goals.yaml",
        mime="application/x-yaml",
        key="goals_export",
        icon=":material/download:",
        on_click="ignore",
    )
    from ui.workspace_view import workspace_of

    opened = workspace_of(view)
    if opened is not None and not opened.editable:  # a viewer link, or another editor holds the workspace
        with st.container(key="goals_read_only"):
            st.info(opened.lock_message or t("ws.read_only_note"), icon=":material/visibility:")
        return
    tab_template, tab_import, tab_yaml, tab_table = st.tabs(
        [
            t("goals.editor.tab_template"),
            t("goals.editor.tab_import"),
            t("goals.editor.tab_yaml"),
            t("goals.editor.tab_table"),
        ]
    )
    with tab_template:
        from ui.goals_state import is_own_goals, template_name

        left, right = st.columns(2)
        if st.session_state.get("goals_template") not in TEMPLATES:
            st.session_state["goals_template"] = template_name(view)
        if st.session_state.get("goals_template_lang") not in ("ja", "en"):
            st.session_state["goals_template_lang"] = view.lang
        left.selectbox(
            t("goals.editor.template"),
            TEMPLATES,
            key="goals_template",
            format_func=lambda name, lang=view.lang: t(f"goals.template.{name}", lang),
        )
        right.selectbox(
            t("goals.editor.template_lang"),
            ("ja", "en"),
            key="goals_template_lang",
            format_func=lambda code, lang=view.lang: t(f"goals.lang.{code}", lang),
        )
        with st.container(horizontal=True):
            st.button(t("goals.editor.use_template"), key="goals_use_template", on_click=_apply_template, args=(view,))
            st.button(
                t("goals.editor.reset"),
                key="goals_reset",
                on_click=_reset,
                args=(view,),
                disabled=not is_own_goals(view),
            )
    with tab_import:
        st.file_uploader(
            t("goals.editor.upload"),
            type=["yaml", "yml"],
            key="goals_upload",
            help=t("goals.editor.upload_help"),
            on_change=_import,
            args=(view,),
        )
    with tab_yaml:
        key = f"goals_yaml_{version}"
        st.text_area(t("goals.editor.yaml"), value=text, key=key, height=360)
        st.button(
            t("goals.editor.apply"), key="goals_apply_yaml", on_click=_apply_yaml, args=(view, key), type="primary"
        )
    with tab_table:
        table_key = f"goals_table_{version}"
        st.caption(t("goals.editor.table_help"))
        st.number_input(
            t("goals.editor.kgi_target"), value=float(goals.kgi.target), key=f"{table_key}_kgi", step=1_000_000.0
        )
        frame = pd.DataFrame(
            [{c: getattr(k, c) for c in TABLE_COLUMNS} for k in goals.kpis], columns=list(TABLE_COLUMNS)
        )
        frame["metric"] = [metric_label(m, view.lang) for m in frame["metric"]]
        from kpi_core.goals import KPI_PERS

        st.data_editor(
            frame,
            key=table_key,
            hide_index=True,
            width="stretch",
            num_rows="fixed",
            disabled=["id", "metric"],
            column_config={
                "id": st.column_config.TextColumn(t("goals.editor.col.id")),
                "name": st.column_config.TextColumn(t("goals.editor.col.name")),
                "metric": st.column_config.TextColumn(t("goals.editor.col.metric")),
                "target": st.column_config.NumberColumn(t("goals.editor.col.target"), format="%.6g"),
                "per": st.column_config.SelectboxColumn(t("goals.editor.col.per"), options=list(KPI_PERS)),
                "owner": st.column_config.TextColumn(t("goals.editor.col.owner")),
                "department": st.column_config.TextColumn(t("goals.editor.col.department")),
            },
        )
        st.button(
            t("goals.editor.apply_table"),
            key="goals_apply_table",
            on_click=_apply_table,
            args=(view, table_key, goals),
            type="primary",
        )
