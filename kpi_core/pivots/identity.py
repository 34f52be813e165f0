"""Identity check: whether a driver model reproduces the actual KGI, in total and per period."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kpi_core.metrics import KpiResult
from kpi_core.pivots.constants import IDENTITY_TOLERANCE
from kpi_core.pivots.explain import Explanation, _lower, format_change
from kpi_core.pivots.models import DriverModel, _label, flat_figures, lever_value


@dataclass(frozen=True)
class IdentityRow:
    """Actual KGI against the model's product for one period (or the totals: period None)."""

    period: str | None
    actual: float | None
    modeled: float | None
    residual: float | None  # actual − modeled
    residual_pct: float | None  # residual ÷ actual
    flagged: bool
    levers: dict[str, float | None]


@dataclass(frozen=True)
class IdentityCheck:
    """Whether a driver model reproduces the actual KGI, in total and per period."""

    model: str
    formula: str
    tolerance: float
    totals: IdentityRow
    by_period: tuple[IdentityRow, ...]
    flagged_periods: int
    explanation: Explanation


def _identity_row(model: DriverModel, row: Mapping[str, Any], period: str | None, tolerance: float) -> IdentityRow:
    figures = flat_figures(row)
    levers = {lever.name: lever_value(lever, figures) for lever in model.levers}
    actual = figures.get(model.kgi)
    modeled = model.kgi_of(levers)
    residual = pct = None
    flagged = False
    if actual is not None and modeled is not None:
        residual = float(actual) - modeled
        pct = residual / actual if actual else None
        flagged = abs(pct) > tolerance if pct is not None else abs(residual) > 0
    return IdentityRow(period, actual, modeled, residual, pct, flagged, levers)


def identity_check(model: DriverModel, figures: KpiResult, tolerance: float = IDENTITY_TOLERANCE) -> IdentityCheck:
    """Reproduce the actual KGI from the levers for the totals and each period; flag |residual| > tolerance.

    The sales identity mixes bases: opportunities are counted in the period they were created (as the engine
    counts them), won, lost and revenue in the period they closed, and win_rate = won / (won + lost) leaves open
    deals out. So opportunities × win_rate × avg_unit_price = revenue × opportunities ÷ (won + lost), and the
    residual revenue × (1 − opportunities ÷ (won + lost)) is the gap between deals created and deals closed in the
    period: negative while a pipeline builds up, positive while it drains. The funnel identity telescopes and
    differs from revenue only where a stage count of the period is zero.
    """
    totals = _identity_row(model, figures.totals, None, tolerance)
    rows = tuple(_identity_row(model, r, r["period"], tolerance) for r in figures.by_period)
    flagged = sum(r.flagged for r in rows)
    modeled = [r for r in rows if r.residual is not None]
    params = {
        "model": model.name,
        "formula": model.formula,
        "residual_pct": totals.residual_pct,
        "flagged_periods": flagged,
        "periods": len(modeled),
        "tolerance": tolerance,
    }
    if totals.flagged or flagged:
        text = (
            f"{_formula_words(model)} differs from actual {_label(model.kgi)['en'].lower()} by "
            f"{format_change(totals.residual_pct)} in total and by more than {tolerance:.0%} in {flagged} of "
            f"{len(modeled)} periods: {model.note}."
        )
        code = "identity_residual"
    else:
        text = (
            f"{_formula_words(model)} reproduces actual {_label(model.kgi)['en'].lower()} to within {tolerance:.0%} "
            f"in total and in each of {len(modeled)} periods."
        )
        code = "identity_ok"
    return IdentityCheck(model.name, model.formula, tolerance, totals, rows, flagged, Explanation(code, params, text))


def _formula_words(model: DriverModel) -> str:
    """The formula with labels for names: "opportunities × win rate × average unit price"."""
    labels = {lever.name: _lower(lever.label["en"]) for lever in model.levers}
    words = re.sub(r"[A-Za-z_][A-Za-z_0-9]*", lambda m: labels.get(m.group(0), m.group(0)), model.formula)
    return words.replace(" * ", " × ")
