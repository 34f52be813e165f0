"""Pivots page helpers: cached pivot reports, sentences in both languages, frames, charts, the meeting summary."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import html
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from kpi_core.goals import Goals
from kpi_core.intake.load import Dataset
from kpi_core.metrics import Filters
from kpi_core.pacing import Forecast
from kpi_core.pivots import (
    SUSTAINABILITY_MODEL,
    DriverModel,
    Explanation,
    GoodhartCheck,
    IdentityCheck,
    LeverChange,
    LeverHistory,
    Pivot,
    PivotInputError,
    PivotReport,
    Shortfall,
    WhatIf,
    funnel_model,
    lever_history,
    parse_setting,
    pivots_for_goals,
)
from ui.charts import value_axis
from ui.export import neutralise_cell
from ui.format import MISSING, MONTHS_EN, currency_symbol, current_currency, fmt_period, fmt_value
from ui.i18n import metric_label, role_label, t
from ui.theme import NEUTRAL, NEUTRAL_LIGHT, STATUS_COLOURS, STATUS_SYMBOLS

CACHE_TTL = 3600
# A zero change of a lever every revenue model has: makes the engine report the month's what-if baseline.
NEUTRAL_SETTING = "avg_unit_price=+0%"
VERDICT_STATUS = {
    "no_change_needed": "on_track",
    "feasible": "on_track",
    "stretch": "at_risk",
    "impossible": "off_track",
    "no_history": "at_risk",
}
VERDICTS = tuple(VERDICT_STATUS)
QUALITY_PARTNERS = ("opportunities_per_call", "opportunities_per_visit", "won_per_proposal")


# --- cached engine calls ------------------------------------------------------------------------------------------
def text_hash(text: str) -> str:
    """A short content hash of the goal YAML (part of every cache key)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# How the month's share of the KGI is set: what is still missing spread over the months left (so reaching it every
# month reaches the KGI), or the annual target divided evenly (ignores how the year went so far).
TARGET_MODES = ("catch_up", "even")
DEFAULT_TARGET_MODE = "catch_up"


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def cached_pivot_report(
    key: str,
    _dataset: Dataset,
    goals_hash: str,
    _goals: Goals,
    as_of: str,
    calendar: str,
    settings: tuple[str, ...],
    roles: RoleKey = (),
    target_mode: str = DEFAULT_TARGET_MODE,
    _forecasts: Callable[[], dict[str, Forecast]] | None = None,
) -> PivotReport:
    """kpi_core.pivots.pivots_for_goals, cached by (dataset key, goal YAML hash, as-of, calendar, settings, role
    filters, how the month's share of the KGI is set).

    `_forecasts` (not part of the key) gives the pacing forecasts of the same data, goals, as-of, calendar and role
    filters (shared_forecasts), asked for only on a cache miss: the engine then does not forecast again (most of a
    report's time on big data).
    Raises PivotInputError (not cached) when a setting cannot be applied."""
    return pivots_for_goals(
        _goals,
        _dataset,
        dt.date.fromisoformat(as_of),
        settings=[parse_setting(s) for s in settings],
        calendar=calendar,
        filters=role_filters(roles),
        target_mode=target_mode,
        forecasts=_forecasts() if _forecasts is not None else None,
    )


def shared_forecasts(
    key: str, dataset: Dataset, goals_text: str, as_of: dt.date, calendar: str, roles: RoleKey = ()
) -> dict[str, Forecast]:
    """The pacing forecasts (kpi_core.pacing.forecast_goals) from the cache the Goals and Pacing pages fill: keyed
    by (dataset key, goal YAML hash, as-of, calendar, role filters), so they are computed once for every page, every
    what-if setting and target mode, and every session on the same data."""
    from ui.goals_view import GoalKey, cached_forecasts  # the goal pages' cache (imported late: it imports the frame)

    canonical = tuple(sorted((role, tuple(sorted(values))) for role, values in roles))  # as ui.data.filters_key
    gk = GoalKey(key, text_hash(goals_text), goals_text, as_of.isoformat(), calendar, canonical)
    return cached_forecasts(gk, dataset)


RoleKey = tuple[tuple[str, tuple[Any, ...]], ...]


def role_key(filters: Filters) -> RoleKey:
    """The channel / owner / product / segment filters as a cache key (dates do not apply: as_of sets the period)."""
    return tuple(sorted((role, tuple(values)) for role, values in filters.roles.items() if values))


def role_filters(roles: RoleKey) -> Filters:
    return Filters(roles={role: list(values) for role, values in roles})


def cut_models(dataset: Dataset) -> list[DriverModel]:
    """The funnel models cut at each level (the ones a stage-count KPI's pivots use)."""
    found = (funnel_model(dataset.present_levels, start=level) for level in dataset.present_levels)
    return [m for m in found if m is not None]


@st.cache_data(ttl=CACHE_TTL, max_entries=32, show_spinner=False)
def cached_lever_history(
    key: str,
    _dataset: Dataset,
    _models: tuple[DriverModel, ...],
    model_names: tuple[str, ...],
    as_of: str,
    roles: RoleKey = (),
) -> LeverHistory:
    """kpi_core.pivots.lever_history for the report's models and the cut funnels, cached by (dataset, models, as-of,
    role filters)."""
    models = [*_models, *cut_models(_dataset)]
    return lever_history(_dataset, models, dt.date.fromisoformat(as_of), filters=role_filters(roles))


@dataclass
class PivotPage:
    """What the page draws: the report (with the month's what-if baseline), the user's what-if, their problems."""

    report: PivotReport | None
    baseline: WhatIf | None
    what_if: WhatIf | None
    settings: tuple[str, ...]
    setting_error: str | None = None
    error: str | None = None
    levers: dict[str, Any] = field(default_factory=dict)


def pivot_page(
    key: str,
    dataset: Dataset,
    goals: Goals,
    goals_text: str,
    as_of: dt.date,
    calendar: str,
    settings: Sequence[str],
    roles: RoleKey = (),
    target_mode: str = DEFAULT_TARGET_MODE,
) -> PivotPage:
    """The report for the page, the baseline what-if and, when `settings` are given and valid, their what-if."""
    forecasts = functools.partial(shared_forecasts, key, dataset, goals_text, as_of, calendar, roles)
    report_for = functools.partial(
        cached_pivot_report, key, dataset, text_hash(goals_text), goals, as_of.isoformat(), calendar
    )
    try:
        report = report_for((NEUTRAL_SETTING,), roles, target_mode, forecasts)
    except PivotInputError:  # no model has a unit price: no what-if, the rest of the report still stands
        try:
            report = report_for((), roles, target_mode, forecasts)
        except PivotInputError as exc:
            return PivotPage(None, None, None, (), error=str(exc))
    page = PivotPage(report, report.what_if, None, tuple(settings))
    page.levers = lever_index(report.models, dataset)
    if settings and report.what_if is not None:
        try:
            page.what_if = report_for(tuple(settings), roles, target_mode, forecasts).what_if
        except PivotInputError as exc:
            page.setting_error = str(exc)
    return page


def lever_index(models: Sequence[DriverModel], dataset: Dataset | None = None) -> dict[str, Any]:
    """Every lever the page may name, by name (report models, cut funnels, the sustainability model)."""
    found: dict[str, Any] = {}
    for model in [*models, *(cut_models(dataset) if dataset is not None else []), SUSTAINABILITY_MODEL]:
        for lever in model.levers:
            found.setdefault(lever.name, lever)
    return found


def what_if_model(report: PivotReport, baseline: WhatIf | None) -> DriverModel | None:
    """The model the what-if runs on (the one the engine chose for the baseline)."""
    if baseline is None:
        return None
    return next((m for m in report.models if m.name == baseline.model), None)


def current_values(baseline: WhatIf) -> dict[str, LeverChange]:
    """Each lever of the what-if model with its current value (from the baseline's changed and required levers)."""
    return {c.lever: c for c in (*baseline.changed, *baseline.required)}


# --- words ----------------------------------------------------------------------------------------------------------
def lever_label(name: str, lang: str, levers: dict[str, Any]) -> str:
    """A lever's label: the engine's, else metrics.yaml's, else the page table's, else the name."""
    if name in levers:
        return levers[name].label[lang]
    if "+" in name:
        return " + ".join(lever_label(n, lang, levers) for n in name.split("+"))
    label = metric_label(name, lang)
    if label != name:
        return label
    key = f"pivots.partner.{name}"
    return t(key, lang) if name in QUALITY_PARTNERS else name


def fmt_lever(value: float | None, unit: str, lang: str) -> str:
    """A lever value as the reader expects it: 29.8%, 108.1万円 / ¥1.08M (three digits: a unit price that moves
    by 0.4 % must not read the same before and after), 42."""
    yen_words = lang == "ja" and current_currency() == "JPY"  # 万円 / 億円 are for yen only
    if unit == "currency" and not yen_words and value is not None and math.isfinite(value) and abs(value) >= 1e3:
        size = abs(value)
        limit, suffix = next((lim, suf) for lim, suf in ((1e9, "B"), (1e6, "M"), (1e3, "K")) if size >= lim)
        scaled = size / limit
        digits = 2 if scaled < 10 else 1 if scaled < 100 else 0
        return f"{'-' if value < 0 else ''}{currency_symbol()}{scaled:,.{digits}f}{suffix}"
    return fmt_value(value, unit if unit in ("count", "currency", "ratio") else "count", lang, compact=True)


def fmt_lever_pair(value: float | None, target: float | None, unit: str, lang: str) -> tuple[str, str]:
    """A forecast and its target, told apart: when the short form reads the same for two different values (1.4億円
    and 1.4億円), both are written in full."""
    short = fmt_lever(value, unit, lang), fmt_lever(target, unit, lang)
    if short[0] != short[1] or value == target or value is None or target is None:
        return short
    full = fmt_value(value, unit, lang), fmt_value(target, unit, lang)
    return full if full[0] != full[1] else short


def inline_label(name: str, lang: str, levers: dict[str, Any]) -> str:
    """A label inside an English sentence: "Win rate" → "win rate", "MQL → SQL" stays."""
    label = lever_label(name, lang, levers)
    if lang != "en" or label[:2].isupper():
        return label
    return label[:1].lower() + label[1:]


def fmt_change(change: float | None) -> str:
    """A relative change with one decimal: +19.0%."""
    if change is None or not math.isfinite(change):
        return MISSING
    return f"{change * 100:+.1f}%"


def period_text(period: str | None, per: str, lang: str) -> str:
    """A period key of the engine (2026-11, 2026, 2026-Q3) as the reader writes it."""
    if not period:
        return MISSING
    try:
        return fmt_period(period, per, lang)
    except (ValueError, IndexError):
        return period


def short_month(key: str, lang: str) -> str:
    """An axis label for a month key: 25/5 in Japanese, May 25 in English (the tooltip has the full month)."""
    year, month = int(key[:4]), int(key[5:7])
    return f"{year % 100}/{month}" if lang == "ja" else f"{MONTHS_EN[month - 1]} {year % 100:02d}"


def verdict_label(verdict: str, lang: str) -> str:
    """A verdict with its status symbol: "✓ 実現可能"."""
    return f"{STATUS_SYMBOLS[VERDICT_STATUS.get(verdict, 'at_risk')]} {t(f'pivots.verdict.{verdict}', lang)}"


def _join(items: Sequence[str], lang: str) -> str:
    return ("、" if lang == "ja" else ", ").join(items)


def reached_by_text(reached: Sequence[dict[str, Any]], lang: str, limit: int = 3) -> str:
    """Owners / segments / channels already at the level: "担当者 佐藤、鈴木 ほか2"."""
    if not reached:
        return ""
    shown = [f"{role_label(g['role'], lang)} {g['key']}" for g in reached[:limit]]
    more = len(reached) - limit
    text = _join(shown, lang)
    return text + (t("pivots.and_more", lang, count=more) if more > 0 else "")


def shortfall_title(shortfall: Shortfall, lang: str) -> str:
    """ "✕ 商談受注率：見込み 17.4%（目標 25.0%）"."""
    kpi = shortfall.kpi
    name = t("pivots.kgi_month", lang) if kpi.id == "kgi" else kpi.name
    return t(
        "pivots.shortfall_title",
        lang,
        symbol=STATUS_SYMBOLS["off_track"],
        name=name,
        forecast=fmt_lever(kpi.forecast, kpi.unit, lang),
        target=fmt_lever(kpi.target, kpi.unit, lang),
        period=period_text(shortfall.position.period if shortfall.position else None, kpi.per, lang),
    )


def shortfall_sentence(shortfall: Shortfall, lang: str, levers: dict[str, Any]) -> str:
    """Why it misses, in one sentence (built from the engine's code and parameters, formatted for the reader)."""
    exp = shortfall.explanation
    p = exp.params
    if exp.code == "no_driver_model":
        return t("pivots.sentence.no_model", lang, name=shortfall.kpi.name)
    kpi = shortfall.kpi
    period = period_text(p.get("period"), kpi.per, lang)
    kgi_forecast, kgi_target = fmt_lever_pair(p["kgi_forecast"], p["kgi_target"], "currency", lang)
    if kpi.id == "kgi":
        lead = t("pivots.sentence.kgi_short", lang, period=period, forecast=kgi_forecast, target=kgi_target)
    else:
        forecast, target = fmt_lever_pair(kpi.forecast, kpi.target, kpi.unit, lang)
        lead = t(
            "pivots.sentence.kpi_short",
            lang,
            name=kpi.name,
            period=period,
            forecast=forecast,
            target=target,
            kgi_forecast=kgi_forecast,
            kgi_target=kgi_target,
        )
    if p.get("best"):
        tail = t(
            "pivots.sentence.some_feasible",
            lang,
            feasible=p["feasible"],
            pivots=p["pivots"],
            best=inline_label(p["best"], lang, levers),
        )
    else:
        tail = t("pivots.sentence.none_feasible", lang, pivots=p["pivots"])
    return lead + tail


def pivot_sentence(pivot: Pivot, lang: str, levers: dict[str, Any]) -> str:
    """One pivot in one sentence, built from its code and parameters (the engine's English text uses its own number
    format; these follow ui/format.py in both languages)."""
    exp = pivot.explanation
    p = exp.params
    names = [inline_label(n, lang, levers) for n in p["levers"]]
    units = [c.unit for c in pivot.changes]
    verdict, reason = p["verdict"], p["reason"]
    slack = verdict == "no_change_needed"  # the required level is already within the forecast: say so
    if pivot.kind == "single":
        change = pivot.changes[0]
        move = t(
            "pivots.sentence.enough_single" if slack else "pivots.sentence.move_single",
            lang,
            lever=names[0],
            required=fmt_lever(change.required, change.unit, lang),
            change=fmt_change(change.change_pct),
        )
        if change.kind == "volume" and change.required is not None and not slack:
            move += t("pivots.sentence.pace", lang, pace=fmt_lever(change.history_level, change.unit, lang))
        seen = t("pivots.sentence.seen", lang, achieved=p["months_achieved"], months=p["months"])
    else:
        targets = _join([fmt_lever(c.required, u, lang) for c, u in zip(pivot.changes, units, strict=True)], lang)
        move = t(
            "pivots.sentence.enough_pair" if slack else "pivots.sentence.move_pair",
            lang,
            first=names[0],
            second=names[1],
            change=fmt_change(p["change_pct"]),
            targets=targets,
        )
        seen = t("pivots.sentence.seen_together", lang, achieved=p["months_achieved"], months=p["months"])
    if slack:
        tail = t("pivots.sentence.no_change", lang)
    elif reason == "nothing_left":
        tail = t("pivots.sentence.nothing_left", lang)
    elif reason == "above_max":
        tail = t("pivots.sentence.above_max", lang)
    elif verdict == "no_history":
        tail = t("pivots.sentence.no_history", lang)
    else:
        tail = seen
        if pivot.evidence.reached_by:
            tail += t("pivots.sentence.reached_by", lang, groups=reached_by_text(pivot.evidence.reached_by, lang))
        elif verdict == "impossible" and pivot.evidence.groups_compared:
            tail += t("pivots.sentence.no_group", lang)
        elif verdict == "impossible":
            tail += t("pivots.sentence.impossible", lang)
    text = t("pivots.sentence.keep", lang, goal=fmt_lever(p["kgi_goal"], "currency", lang), move=move, tail=tail)
    if pivot.csfs and verdict in ("feasible", "stretch"):  # no CSF to switch to when nothing has to change
        actions = [a for csf in pivot.csfs for a in csf.actions][:2]
        text += t("pivots.sentence.csf", lang, csf=pivot.csfs[0].name, actions=_join(actions, lang) or MISSING)
    return text + t("pivots.sentence.end", lang)


def _formula_words(formula: str, lang: str, levers: dict[str, Any]) -> str:
    words = re.sub(r"[A-Za-z_][A-Za-z_0-9]*", lambda m: inline_label(m.group(0), lang, levers), formula)
    return words.replace(" * ", " × ").replace(" / ", " ÷ ").replace("1 - ", "1 − ")


def identity_sentence(check: IdentityCheck, lang: str, levers: dict[str, Any]) -> str:
    """Whether the driver model reproduces actual revenue, and by how much it does not."""
    exp = check.explanation
    p = exp.params
    formula = _formula_words(check.formula, lang, levers)
    tolerance = fmt_value(p["tolerance"], "ratio", lang)
    if exp.code == "identity_ok":
        text = t("pivots.identity.ok", lang, formula=formula, periods=p["periods"], tolerance=tolerance)
        return text[:1].upper() + text[1:]
    family = "marketing" if check.model.startswith("marketing") else check.model
    note = t(f"pivots.identity.note.{family}", lang) if family in ("sales", "marketing", "sustainability") else ""
    text = t(
        "pivots.identity.residual",
        lang,
        formula=formula,
        residual=fmt_change(p["residual_pct"]),
        flagged=p["flagged_periods"],
        periods=p["periods"],
        tolerance=tolerance,
        note=note,
    )
    return text[:1].upper() + text[1:]


def goodhart_sentence(check: GoodhartCheck, lang: str, levers: dict[str, Any]) -> str:
    """A Goodhart check with its numbers."""
    exp = check.explanation
    p = exp.params
    kpi_unit, partner_unit = _unit_of(check.kpi, levers), _unit_of(check.partner, levers)
    text = t(
        "pivots.goodhart.moves",
        lang,
        kpi=lever_label(check.kpi, lang, levers),
        window=p["window_months"],
        kb=fmt_lever(check.kpi_before, kpi_unit, lang),
        ka=fmt_lever(check.kpi_after, kpi_unit, lang),
        kc=fmt_change(check.kpi_change_pct),
        partner=inline_label(check.partner, lang, levers),
        pb=fmt_lever(check.partner_before, partner_unit, lang),
        pa=fmt_lever(check.partner_after, partner_unit, lang),
        pc=fmt_change(check.partner_change_pct),
    )
    if check.correlation is not None and check.code != "volume_up_quality_down":
        text += t(
            "pivots.goodhart.correlation",
            lang,
            corr=f"{check.correlation:+.2f}",
            lag=check.correlation_lag,
            changes=check.correlation_changes,
        )
    if check.flagged:
        text += t(f"pivots.goodhart.flag.{check.code}", lang)
    return text + t("pivots.sentence.end", lang)


def _unit_of(name: str, levers: dict[str, Any]) -> str:
    if name in levers:
        return levers[name].unit
    if name in QUALITY_PARTNERS:
        return "ratio"
    from kpi_core.metrics import load_catalog

    try:
        unit = load_catalog().get(name).unit
    except KeyError:
        return "count"
    return unit if unit in ("currency", "ratio") else "count"


def note_sentence(note: Explanation, lang: str) -> str:
    """An engine note (no driver model, KGI not modelled)."""
    return t(f"pivots.note.{note.code}", lang, metric=note.params.get("metric", ""))


def what_if_sentence(outcome: WhatIf, lang: str, levers: dict[str, Any]) -> str:
    """The what-if outcome in one sentence."""
    settings = _join(
        [
            t(
                "pivots.what_if.setting",
                lang,
                lever=inline_label(c.lever, lang, levers),
                value=fmt_lever(c.required, c.unit, lang),
            )
            for c in outcome.changed
        ],
        lang,
    )
    return t(
        "pivots.what_if.sentence",
        lang,
        settings=settings,
        period=period_text(outcome.explanation.params.get("period"), "month", lang),
        after=fmt_lever(outcome.kgi_after, "currency", lang),
        attainment=fmt_value(outcome.attainment_after, "ratio", lang),
        target=fmt_lever(outcome.kgi_target, "currency", lang),
        before=fmt_lever(outcome.kgi_before, "currency", lang),
    )


# --- what-if settings ---------------------------------------------------------------------------------------------
def setting_text(lever: str, value: float, relative: bool) -> str:
    """A `set` URL value: win_rate=+10% (relative) or win_rate=0.3 (a value in the engine's units)."""
    return f"{lever}={value * 100:+.6g}%" if relative else f"{lever}={value:.10g}"


def settings_by_lever(settings: Sequence[str]) -> dict[str, tuple[float, bool]]:
    """The URL's settings by lever: (value, relative); unreadable ones are left out (the last one per lever wins)."""
    found: dict[str, tuple[float, bool]] = {}
    for text in settings:
        try:
            setting = parse_setting(text)
        except PivotInputError:
            continue
        found[setting.lever] = (setting.value, setting.relative)
    return found


def display_scale(unit: str) -> float:
    """Multiplier from the engine's value to what the number input shows (a ratio in %)."""
    return 100.0 if unit == "ratio" else 1.0


def value_default(change: LeverChange) -> float:
    """The value-mode input's starting point: the current value, rounded as it is shown."""
    current = change.current or 0.0
    if change.unit == "ratio":
        return round(current * 100, 1)
    if change.unit == "currency":
        return float(round(current, -3))
    return float(round(current))


# --- frames and charts --------------------------------------------------------------------------------------------
def _at_least(value: float, level: float) -> bool:
    """At or above the level, as the engine counts (a month exactly at it counts despite float rounding)."""
    return value >= level - abs(level) * 1e-12


def evidence_frame(history: LeverHistory, lever: str, level: float, unit: str, lang: str) -> pd.DataFrame:
    """One row per past month of `lever`: value, whether it reached `level` (as the engine counts), texts."""
    values = history.values.get(lever, ())
    rows = []
    for month, value in zip(history.months, values, strict=False):
        if value is None:
            continue
        reached = _at_least(value, level)
        rows.append(
            {
                "month": month,
                "period_label": period_text(month, "month", lang),
                "axis_label": short_month(month, lang),
                "value": float(value),
                "reached": reached,
                "status": t("pivots.chart.reached" if reached else "pivots.chart.below", lang),
                "value_text": fmt_value(value, unit, lang),
                "required": level,
                "required_text": fmt_value(level, unit, lang),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "month",
            "period_label",
            "axis_label",
            "value",
            "reached",
            "status",
            "value_text",
            "required",
            "required_text",
        ],
    )


# The level a lever needs, drawn the same way on every evidence chart.
REQUIRED_RULE = {"strokeDash": [6, 4], "color": STATUS_COLOURS["off_track"], "size": 2}


def _evidence_title(title: str, subtitle: str, *, reached: bool) -> alt.TitleParams:
    """The lever's name, and "seen in n of m months" in the on-track colour when any month reached the level."""
    colour = STATUS_COLOURS["on_track"] if reached else STATUS_COLOURS["off_track"]
    return alt.TitleParams(title, subtitle=subtitle, fontSize=14, subtitleFontSize=13, subtitleColor=colour)


def evidence_chart(
    frame: pd.DataFrame, *, title: str, subtitle: str, titles: dict[str, str], unit: str, lang: str
) -> alt.LayerChart:
    """A lever's monthly history as bars, months at or above the required level in the on-track colour (and a
    legend word), the required level as a dashed rule with its value."""
    statuses = [titles["reached"], titles["below"]]
    base = alt.Chart(frame).encode(
        x=alt.X(
            "axis_label:O",
            sort=alt.EncodingSortField("month", op="min"),
            title=None,
            # every third month labelled: 18 months fit a third of the page, in workshop fonts too
            axis=alt.Axis(labelAngle=0, values=list(frame["axis_label"].iloc[::3])),
        )
    )
    bars = base.mark_bar(cornerRadiusEnd=2).encode(
        y=alt.Y("value:Q", axis=value_axis(unit, lang, None, ticks=4)),  # the chart title names the lever
        color=alt.Color(
            "status:N",
            title=None,
            scale=alt.Scale(domain=statuses, range=[STATUS_COLOURS["on_track"], NEUTRAL_LIGHT]),
            legend=alt.Legend(orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("period_label:N", title=titles["period"]),
            alt.Tooltip("value_text:N", title=titles["value"]),
            alt.Tooltip("required_text:N", title=titles["required"]),
            alt.Tooltip("status:N", title=titles["status"]),
        ],
    )
    level = float(frame["required"].iloc[0]) if len(frame) else 0.0
    rule_data = pd.DataFrame({"required": [level], "label": [titles["required_label"]]})
    rule = (
        alt.Chart(rule_data)
        .mark_rule(**REQUIRED_RULE)
        .encode(y="required:Q", tooltip=[alt.Tooltip("label:N", title=titles["required"])])
    )
    label = (
        alt.Chart(rule_data)
        .mark_text(align="left", baseline="bottom", dx=4, dy=-3, color=STATUS_COLOURS["off_track"], x=0)
        .encode(y="required:Q", text="label:N")
    )
    return alt.layer(bars, rule, label).properties(
        height=210,
        title=_evidence_title(title, subtitle, reached=bool(frame["reached"].any())),
    )


def pair_evidence_frame(history: LeverHistory, changes: Sequence[LeverChange], lang: str) -> pd.DataFrame:
    """One row per past month of a pair of levers: both values (x, y), whether both reached their levels together
    (as the engine counts), texts."""
    (first, second), rows = changes, []
    xs, ys = history.values.get(first.lever, ()), history.values.get(second.lever, ())
    for month, x, y in zip(history.months, xs, ys, strict=False):
        if x is None or y is None:
            continue
        reached = _at_least(x, first.history_level) and _at_least(y, second.history_level)
        rows.append(
            {
                "month": month,
                "period_label": period_text(month, "month", lang),
                "x": float(x),
                "y": float(y),
                "reached": reached,
                "status": t("pivots.chart.reached_both" if reached else "pivots.chart.below", lang),
                "x_text": fmt_value(x, first.unit, lang),
                "y_text": fmt_value(y, second.unit, lang),
            }
        )
    columns = ["month", "period_label", "x", "y", "reached", "status", "x_text", "y_text"]
    return pd.DataFrame(rows, columns=columns)


def pair_evidence_chart(
    frame: pd.DataFrame,
    changes: Sequence[LeverChange],
    *,
    title: str,
    subtitle: str,
    titles: dict[str, str],
    lang: str,
) -> alt.LayerChart:
    """A pair's months as points (one lever across, the other up), the months both reached their levels in the
    on-track colour, the two levels as dashed rules and the corner where both are met shaded."""
    first, second = changes
    statuses = [titles["reached"], titles["below"]]
    x_level, y_level = float(first.history_level), float(second.history_level)
    x_top, y_top = max([x_level, *frame["x"]]) * 1.08, max([y_level, *frame["y"]]) * 1.08
    corner = pd.DataFrame({"x": [x_level], "x2": [x_top], "y": [y_level], "y2": [y_top]})
    area = (
        alt.Chart(corner)
        .mark_rect(color=STATUS_COLOURS["on_track"], opacity=0.08)
        .encode(x="x:Q", x2="x2", y="y:Q", y2="y2")
    )
    points = (
        alt.Chart(frame)
        .mark_circle(size=90, opacity=0.9)
        .encode(
            x=alt.X("x:Q", axis=value_axis(first.unit, lang, titles["x"], ticks=4), scale=alt.Scale(zero=False)),
            y=alt.Y("y:Q", axis=value_axis(second.unit, lang, titles["y"], ticks=4), scale=alt.Scale(zero=False)),
            color=alt.Color(
                "status:N",
                title=None,
                scale=alt.Scale(domain=statuses, range=[STATUS_COLOURS["on_track"], NEUTRAL]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("period_label:N", title=titles["period"]),
                alt.Tooltip("x_text:N", title=titles["x"]),
                alt.Tooltip("y_text:N", title=titles["y"]),
                alt.Tooltip("status:N", title=titles["status"]),
            ],
        )
    )
    x_rule = alt.Chart(pd.DataFrame({"x": [x_level]})).mark_rule(**REQUIRED_RULE).encode(x="x:Q")
    y_rule = alt.Chart(pd.DataFrame({"y": [y_level]})).mark_rule(**REQUIRED_RULE).encode(y="y:Q")
    return alt.layer(area, x_rule, y_rule, points).properties(
        height=210,
        title=_evidence_title(title, subtitle, reached=bool(frame["reached"].any())),
    )


def pivot_table(shortfall: Shortfall, lang: str, levers: dict[str, Any]) -> pd.DataFrame:
    """The ranked pivots of a shortfall as a table (texts formatted for the reader)."""
    rows = []
    for p in shortfall.pivots:
        rows.append(
            {
                t("pivots.col.rank", lang): p.rank,
                t("pivots.col.lever", lang): lever_label(p.lever, lang, levers),
                t("pivots.col.current", lang): " / ".join(fmt_lever(c.current, c.unit, lang) for c in p.changes),
                t("pivots.col.required", lang): " / ".join(fmt_lever(c.required, c.unit, lang) for c in p.changes),
                t("pivots.col.change", lang): fmt_change(p.change_pct),
                t("pivots.col.seen", lang): t(
                    "pivots.seen_short", lang, achieved=p.evidence.achieved, months=p.evidence.months
                )
                if p.evidence.months
                else MISSING,
                t("pivots.col.reached_by", lang): reached_by_text(p.evidence.reached_by, lang) or MISSING,
                t("pivots.col.verdict", lang): verdict_label(p.verdict, lang),
                t("pivots.col.csf", lang): p.csfs[0].name if p.csfs else MISSING,
            }
        )
    return pd.DataFrame(rows)


def goodhart_table(checks: Sequence[GoodhartCheck], lang: str, levers: dict[str, Any]) -> pd.DataFrame:
    """Every Goodhart check with its numbers."""
    rows = []
    for c in checks:
        ku, pu = _unit_of(c.kpi, levers), _unit_of(c.partner, levers)
        rows.append(
            {
                t("pivots.col.kpi", lang): lever_label(c.kpi, lang, levers),
                t(
                    "pivots.col.kpi_move", lang
                ): f"{fmt_lever(c.kpi_before, ku, lang)} → {fmt_lever(c.kpi_after, ku, lang)}"
                f" ({fmt_change(c.kpi_change_pct)})",
                t("pivots.col.partner", lang): lever_label(c.partner, lang, levers),
                t("pivots.col.partner_move", lang): f"{fmt_lever(c.partner_before, pu, lang)} → "
                f"{fmt_lever(c.partner_after, pu, lang)} ({fmt_change(c.partner_change_pct)})",
                t("pivots.col.correlation", lang): MISSING if c.correlation is None else f"{c.correlation:+.2f}",
                t("pivots.col.flag", lang): t("pivots.goodhart.flagged" if c.flagged else "pivots.goodhart.ok", lang),
            }
        )
    return pd.DataFrame(rows)


def identity_table(check: IdentityCheck, lang: str) -> pd.DataFrame:
    """Actual against modelled revenue per month, with the residual."""
    rows = []
    for r in (*check.by_period, check.totals):
        rows.append(
            {
                t("common.period", lang): period_text(r.period, "month", lang) if r.period else t("pivots.total", lang),
                t("pivots.col.actual", lang): fmt_value(r.actual, "currency", lang),
                t("pivots.col.modelled", lang): fmt_value(r.modeled, "currency", lang),
                t("pivots.col.residual", lang): fmt_value(r.residual, "currency", lang),
                t("pivots.col.residual_pct", lang): fmt_change(r.residual_pct),
            }
        )
    return pd.DataFrame(rows)


# --- the one-page summary for the weekly meeting ------------------------------------------------------------------
@dataclass(frozen=True)
class MeetingSummary:
    """The weekly meeting's page: headline figures, "why it missed" and "what we do next" side by side."""

    lang: str
    title: str
    subtitle: str
    figures: tuple[tuple[str, str], ...]
    why_title: str
    why: tuple[str, ...]
    next_title: str
    next: tuple[str, ...]
    footer: str


def best_pivot(report: PivotReport) -> tuple[Shortfall, Pivot] | None:
    """The top-ranked feasible pivot of the first shortfall that has one."""
    for shortfall in report.shortfalls:
        for pivot in shortfall.pivots:
            if pivot.feasible:
                return shortfall, pivot
    return None


def kpi_shortfalls(report: PivotReport) -> list[Shortfall]:
    """Shortfalls of KPIs (the KGI's own entry left out)."""
    return [s for s in report.shortfalls if s.kpi.id != "kgi"]


def build_summary(
    report: PivotReport,
    lang: str,
    levers: dict[str, Any],
    *,
    subtitle: str,
    kgi_name: str,
    outcome: WhatIf | None = None,
) -> MeetingSummary:
    """The meeting summary from the report (plain strings: escaped by each renderer)."""
    kgi = report.kgi
    forecast, target = fmt_lever_pair((kgi.get("forecast") or {}).get("value"), kgi.get("target"), "currency", lang)
    figures = [
        (t("pivots.summary.kgi", lang), kgi_name),
        (
            t("pivots.summary.kgi_forecast", lang),
            t("pivots.summary.forecast_of", lang, forecast=forecast, target=target),
        ),
        (t("pivots.head.missing", lang), str(len(kpi_shortfalls(report)))),
    ]
    best = best_pivot(report)
    if best is not None:
        figures.append((t("pivots.head.best_label", lang), lever_label(best[1].lever, lang, levers)))
    why: list[str] = []
    nxt: list[str] = []
    for shortfall in report.shortfalls:
        why.append(shortfall_sentence(shortfall, lang, levers))
        feasible = [p for p in shortfall.pivots if p.feasible][:2]
        name = t("pivots.kgi_month", lang) if shortfall.kpi.id == "kgi" else shortfall.kpi.name
        if feasible:
            for pivot in feasible:
                nxt.append(f"{name}: {pivot_sentence(pivot, lang, levers)}")
        elif shortfall.pivots:
            nxt.append(t("pivots.summary.no_feasible", lang, name=name))
    for check in report.goodhart:
        if check.flagged:
            why.append(goodhart_sentence(check, lang, levers))
    if not report.shortfalls:
        why.append(t("pivots.none_missing", lang))
        nxt.append(t("pivots.summary.keep_going", lang))
    if outcome is not None:
        nxt.append(what_if_sentence(outcome, lang, levers))
    for note in report.notes:
        why.append(note_sentence(note, lang))
    return MeetingSummary(
        lang,
        t("pivots.summary.title", lang),
        subtitle,
        tuple(figures),
        t("pivots.summary.why", lang),
        tuple(why),
        t("pivots.summary.next", lang),
        tuple(nxt),
        t("pivots.summary.footer", lang, date=dt.date.today().isoformat()),
    )


SUMMARY_CSS = """
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
body { font-family: 'Hiragino Sans', 'Noto Sans CJK JP', 'Yu Gothic', 'Source Sans Pro', sans-serif; color: #1B2430;
  font-size: 10.5pt; line-height: 1.45; margin: 0; }
h1 { font-size: 17pt; margin: 0 0 2mm; }
.sub { color: #5B6776; margin: 0 0 4mm; }
.figures { display: flex; gap: 3mm; margin-bottom: 5mm; }
.figure { flex: 1; border: 1px solid #D5DCE5; border-radius: 2mm; padding: 2mm 3mm; }
.figure .label { color: #5B6776; font-size: 8.5pt; }
.figure .value { font-size: 12.5pt; font-weight: 600; }
.columns { display: flex; gap: 6mm; }
.column { flex: 1; }
h2 { font-size: 12.5pt; border-bottom: 2px solid #1F5FA8; padding-bottom: 1mm; margin: 0 0 2mm; }
ul { margin: 0; padding-left: 5mm; }
li { margin-bottom: 2mm; }
footer { margin-top: 5mm; color: #8A94A3; font-size: 8pt; }
@media print { body { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .columns, li { break-inside: avoid; } }
"""


def summary_html(summary: MeetingSummary) -> str:
    """A self-contained HTML page (A4, one page when printed); every piece of text escaped."""
    e = html.escape
    figures = "".join(
        f'<div class="figure"><div class="label">{e(label)}</div><div class="value">{e(value)}</div></div>'
        for label, value in summary.figures
    )

    def items(lines: Sequence[str]) -> str:
        return "<ul>" + "".join(f"<li>{e(line)}</li>" for line in lines) + "</ul>"

    return (
        f'<!DOCTYPE html>\n<html lang="{e(summary.lang)}"><head><meta charset="utf-8">'
        f"<title>{e(summary.title)}</title><style>{SUMMARY_CSS}</style></head><body>"
        f'<h1>{e(summary.title)}</h1><p class="sub">{e(summary.subtitle)}</p>'
        f'<div class="figures">{figures}</div>'
        f'<div class="columns"><section class="column"><h2>{e(summary.why_title)}</h2>{items(summary.why)}</section>'
        f'<section class="column"><h2>{e(summary.next_title)}</h2>{items(summary.next)}</section></div>'
        f"<footer>{e(summary.footer)}</footer></body></html>\n"
    )


def summary_xlsx(summary: MeetingSummary) -> bytes:
    """The same summary as one worksheet: figures, then "why" and "next" side by side (formula-looking text
    neutralised)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "summary"
    n = neutralise_cell
    sheet.append([n(summary.title)])
    sheet["A1"].font = Font(size=14, bold=True)
    sheet.append([n(summary.subtitle)])
    sheet.append([])
    for label, value in summary.figures:
        sheet.append([n(label), n(value)])
    sheet.append([])
    header = sheet.max_row + 1
    sheet.append([n(summary.why_title), n(summary.next_title)])
    for cell in sheet[header]:
        cell.font = Font(bold=True)
    for i in range(max(len(summary.why), len(summary.next))):
        row = [
            n(summary.why[i]) if i < len(summary.why) else None,
            n(summary.next[i]) if i < len(summary.next) else None,
        ]
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.append([])
    sheet.append([n(summary.footer)])
    sheet.column_dimensions["A"].width = 70
    sheet.column_dimensions["B"].width = 70
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
