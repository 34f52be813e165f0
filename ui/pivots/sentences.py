"""Pivots page words: lever labels, figures and sentences in both languages, from the report's codes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from kpi_core.format import fmt_change as core_fmt_change
from kpi_core.pivots import Explanation, GoodhartCheck, IdentityCheck, LeverChange, Pivot, Shortfall, WhatIf
from kpi_core.report import Figure, LeverFigures, Report, advice_lines, change_figures
from ui.format import MISSING, MONTHS_EN, current_currency, fmt_period, fmt_value
from ui.i18n import metric_label, role_label, t
from ui.theme import STATUS_SYMBOLS

VERDICT_STATUS = {
    "no_change_needed": "on_track",
    "feasible": "on_track",
    "stretch": "at_risk",
    "impossible": "off_track",
    "no_history": "at_risk",
}
VERDICTS = tuple(VERDICT_STATUS)
QUALITY_PARTNERS = ("opportunities_per_call", "opportunities_per_visit", "won_per_proposal")


def fig(figure: Figure | None, lang: str) -> str:
    """A report figure as the reader reads it, in the session's currency: the one place a figure is rounded."""
    return figure.text(lang, currency=current_currency()) if figure is not None else MISSING


def moves(change: LeverChange, lang: str) -> tuple[str, str, str]:
    """A lever move's (current, required, change) texts, from the report's figures of the move."""
    f = change_figures(change)
    return fig(f.current, lang), fig(f.required, lang), fig(f.change, lang)


def window_label(figures: LeverFigures, lang: str) -> str:
    """Which stretch of time the current value covers: 直近3か月 / month-end forecast."""
    return t(f"report.window.{figures.current.window}", lang)


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


def fmt_lever(value: float | None, unit: str, lang: str, *, required: bool = False) -> str:
    """A lever value in the one number style (kpi_core.format): 29.8%, 108.1万円 / ¥1.08M, 42 (a required count
    rounded up)."""
    return fmt_value(value, unit if unit in ("count", "currency", "ratio") else "count", lang, compact=True,
                     required=required)  # fmt: skip


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


def fmt_change(change: float | None, lang: str = "ja") -> str:
    """A relative change with one decimal: +19.0% (kpi_core.format.fmt_change)."""
    return core_fmt_change(change, lang)


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


def shortfall_title(shortfall: Shortfall, lang: str, report: Report | None = None) -> str:
    """ "✕ 商談受注率：見込み 17.4%（目標 25.0%）": the KGI's month entry from the report's month figures, a KPI's from
    its forecast figures (the ones the Goals and Pacing pages show)."""
    kpi = shortfall.kpi
    figures = report.figures if report is not None else {}
    prefix = "month" if kpi.id == "kgi" else f"kpi.{kpi.id}"
    forecast = figures.get(f"{prefix}.forecast") or Figure("", kpi.forecast, kpi.unit, kpi.per)
    target = figures.get(f"{prefix}.target") or Figure("", kpi.target, kpi.unit, kpi.per)
    final = report is not None and report.final
    return t(
        "pivots.shortfall_title_final" if final else "pivots.shortfall_title",
        lang,
        symbol=STATUS_SYMBOLS["off_track"],
        name=t("pivots.kgi_month", lang) if kpi.id == "kgi" else kpi.name,
        forecast=fig(forecast, lang),
        target=fig(target, lang),
        period=period_text(shortfall.position.period if shortfall.position else None, kpi.per, lang),
    )


def shortfall_sentence(shortfall: Shortfall, lang: str, levers: dict[str, Any], report: Report | None = None) -> str:
    """Why it misses, in one sentence (the engine's code and parameters; the month's figures from the report)."""
    exp = shortfall.explanation
    p = exp.params
    if exp.code == "no_driver_model":
        return t("pivots.sentence.no_model", lang, name=shortfall.kpi.name)
    kpi = shortfall.kpi
    figures = report.figures if report is not None else {}
    period = period_text(p.get("period"), kpi.per, lang)
    month_target = fig(figures.get("month.target") or Figure("", p["kgi_target"], "currency", "month"), lang)
    if kpi.id == "kgi":
        forecast = fig(figures.get("month.forecast") or Figure("", p["kgi_forecast"], "currency", "month"), lang)
        lead = t("pivots.sentence.kgi_short", lang, period=period, forecast=forecast, target=month_target)
    else:
        # The month's revenue if this KPI ends at its forecast: another scenario than the month's forecast, and
        # said as one ("if ... stays at").
        lead = t(
            "pivots.sentence.kpi_if",
            lang,
            name=kpi.name,
            period=period,
            forecast=fig(figures.get(f"kpi.{kpi.id}.forecast") or Figure("", kpi.forecast, kpi.unit, kpi.per), lang),
            target=fig(figures.get(f"kpi.{kpi.id}.target") or Figure("", kpi.target, kpi.unit, kpi.per), lang),
            kgi_forecast=fig(Figure("", p["kgi_forecast"], "currency", "month"), lang),
            kgi_target=month_target,
        )
    if p.get("best"):
        tail = t(
            "pivots.sentence.some_feasible",
            lang,
            feasible=p["feasible"],
            pivots=p["pivots"],
            best=inline_label(p["best"], lang, levers),
        )
    elif p.get("feasible"):
        tail = t("pivots.sentence.covered", lang, pivots=p["pivots"])
    else:
        tail = t("pivots.sentence.none_feasible", lang, pivots=p["pivots"])
    return lead + tail


def pivot_sentence(pivot: Pivot, lang: str, levers: dict[str, Any]) -> str:
    """One pivot in one sentence, built from its code and parameters (the engine's English text uses its own number
    format; these follow ui/format.py in both languages)."""
    exp = pivot.explanation
    p = exp.params
    names = [inline_label(n, lang, levers) for n in p["levers"]]
    verdict, reason = p["verdict"], p["reason"]
    slack = verdict == "no_change_needed"  # the required level is already within the forecast: say so
    if pivot.kind == "single":
        change = pivot.changes[0]
        _current, required, change_text = moves(change, lang)
        move = t(
            "pivots.sentence.enough_single" if slack else "pivots.sentence.move_single",
            lang,
            lever=names[0],
            required=required,
            change=change_text,
        )
        pace = change_figures(change).pace
        if pace is not None and change.required is not None and not slack:
            move += t("pivots.sentence.pace", lang, pace=fig(pace, lang))
        seen = t("pivots.sentence.seen", lang, achieved=p["months_achieved"], months=p["months"])
    else:
        targets = _join([f"{n} {moves(c, lang)[1]}（{moves(c, lang)[2]}）" if lang == "ja"
                         else f"{n} {moves(c, lang)[1]} ({moves(c, lang)[2]})"
                         for n, c in zip(names, pivot.changes, strict=True)], lang)  # fmt: skip
        move = t(
            "pivots.sentence.enough_pair" if slack else "pivots.sentence.move_pair",
            lang,
            first=names[0],
            second=names[1],
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
        residual=fmt_change(p["residual_pct"], lang),
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
        kc=fmt_change(check.kpi_change_pct, lang),
        partner=inline_label(check.partner, lang, levers),
        pb=fmt_lever(check.partner_before, partner_unit, lang),
        pa=fmt_lever(check.partner_after, partner_unit, lang),
        pc=fmt_change(check.partner_change_pct, lang),
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
                value=moves(c, lang)[1],
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


def advice_sentences(report: Report, lang: str) -> list[str]:
    """The report's advice in sentences (kpi_core.report.advice_lines, in the session's currency)."""
    return advice_lines(report, lang, currency=current_currency())
