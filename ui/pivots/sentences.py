"""Pivots page words: figures, titles and the engine's sentences in both languages. The sentences themselves are
rendered by kpi_core.pivots.sentences from each explanation's code and parameters, as the `pivots` command says them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from kpi_core.format import fmt_change as core_fmt_change
from kpi_core.pivots import Explanation, GoodhartCheck, IdentityCheck, LeverChange, Pivot, Shortfall, WhatIf
from kpi_core.pivots import sentences as core
from kpi_core.pivots.goal_report import _identity_dict
from kpi_core.report import Figure, LeverFigures, Report, advice_lines, change_figures
from ui.format import MISSING, MONTHS_EN, current_currency, fmt_value
from ui.i18n import t
from ui.theme import STATUS_SYMBOLS

VERDICT_STATUS = {
    "no_change_needed": "on_track",
    "feasible": "on_track",
    "stretch": "at_risk",
    "impossible": "off_track",
    "no_history": "at_risk",
}
VERDICTS = tuple(VERDICT_STATUS)
QUALITY_PARTNERS = core.QUALITY_PARTNERS


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
    """A lever's label: the engine's, else metrics.yaml's, else the name (kpi_core.pivots.sentences)."""
    return core.lever_label(name, lang, levers)


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
    return core.inline_label(name, lang, levers)


def fmt_change(change: float | None, lang: str = "ja") -> str:
    """A relative change with one decimal: +19.0% (kpi_core.format.fmt_change)."""
    return core_fmt_change(change, lang)


def period_text(period: str | None, per: str, lang: str) -> str:
    """A period key of the engine (2026-11, 2026, 2026-Q3) as the reader writes it."""
    return core.period_text(period, per, lang)


def short_month(key: str, lang: str) -> str:
    """An axis label for a month key: 25/5 in Japanese, May 25 in English (the tooltip has the full month)."""
    year, month = int(key[:4]), int(key[5:7])
    return f"{year % 100}/{month}" if lang == "ja" else f"{MONTHS_EN[month - 1]} {year % 100:02d}"


def verdict_label(verdict: str, lang: str) -> str:
    """A verdict with its status symbol: "✓ 実現可能"."""
    return f"{STATUS_SYMBOLS[VERDICT_STATUS.get(verdict, 'at_risk')]} {t(f'pivots.verdict.{verdict}', lang)}"


def reached_by_text(reached: Sequence[dict[str, Any]], lang: str, limit: int = 3) -> str:
    """Owners / segments / channels already at the level: "担当者 佐藤、鈴木 ほか2"."""
    return core.reached_by_text(reached, lang, limit)


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
    """Why it misses, in one sentence (kpi_core.pivots.sentences; the month's figures from the report)."""
    kpi = shortfall.kpi
    figures = report.figures if report is not None else {}
    p = shortfall.explanation.params
    shown = {
        "kgi_target": fig(figures.get("month.target") or Figure("", p.get("kgi_target"), "currency", "month"), lang)
    }
    if kpi.id == "kgi":
        shown["forecast"] = fig(figures.get("month.forecast") or Figure("", p.get("kgi_forecast"), "currency", "month"),
                                lang)  # fmt: skip
    else:
        shown["forecast"] = fig(figures.get(f"kpi.{kpi.id}.forecast") or Figure("", kpi.forecast, kpi.unit, kpi.per),
                                lang)  # fmt: skip
        shown["target"] = fig(figures.get(f"kpi.{kpi.id}.target") or Figure("", kpi.target, kpi.unit, kpi.per), lang)
    return core.shortfall_sentence(shortfall.as_dict(), lang, levers=levers, currency=current_currency(), shown=shown)


def pivot_sentence(pivot: Pivot, lang: str, levers: dict[str, Any]) -> str:
    """One pivot in one sentence, from its code and parameters (kpi_core.pivots.sentences, as the CLI says it)."""
    return core.pivot_sentence(pivot.as_dict(), lang, levers=levers, currency=current_currency())


def identity_sentence(check: IdentityCheck, lang: str, levers: dict[str, Any]) -> str:
    """Whether the driver model reproduces actual revenue, and by how much it does not."""
    return core.identity_sentence(_identity_dict(check), lang, levers=levers)


def goodhart_sentence(check: GoodhartCheck, lang: str, levers: dict[str, Any]) -> str:
    """A Goodhart check with its numbers."""
    return core.goodhart_sentence(asdict(check), lang, levers=levers, currency=current_currency())


def _unit_of(name: str, levers: dict[str, Any]) -> str:
    return core.unit_of(name, levers)


def note_sentence(note: Explanation, lang: str) -> str:
    """An engine note (no driver model, KGI not modelled)."""
    return core.note_sentence(asdict(note), lang)


def what_if_sentence(outcome: WhatIf, lang: str, levers: dict[str, Any]) -> str:
    """The what-if outcome in one sentence."""
    return core.what_if_sentence(outcome.as_dict(), lang, levers=levers, currency=current_currency())


def advice_sentences(report: Report, lang: str) -> list[str]:
    """The report's advice in sentences (kpi_core.report.advice_lines, in the session's currency)."""
    return advice_lines(report, lang, currency=current_currency())
