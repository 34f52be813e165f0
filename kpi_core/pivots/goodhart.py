"""Goodhart guard (pitfall 1): volume KPIs against their quality partner and the KGI."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from kpi_core.formula import evaluate, formula_names
from kpi_core.metrics import load_catalog
from kpi_core.pivots.constants import (
    CORRELATION_MAX_LAG,
    CORRELATION_MIN_MONTHS,
    CORRELATION_MONTHS,
    GOODHART_MIN_CHANGE,
    KGI,
    NEGATIVE_CORRELATION,
    TRAILING_MONTHS,
)
from kpi_core.pivots.explain import Explanation, format_change, format_value
from kpi_core.pivots.models import _label, flat_figures


@dataclass(frozen=True)
class QualityPair:
    """A volume KPI and the conversion that shows whether the extra volume is real."""

    volume: str
    partner: str
    partner_formula: str
    partner_label: str


QUALITY_PAIRS: tuple[QualityPair, ...] = (
    QualityPair("opportunities", "win_rate", "won / (won + lost)", "win rate"),
    QualityPair("leads", "lead_to_mql", "mql / leads", "lead → MQL rate"),
    QualityPair("mql", "mql_to_sql", "sql / mql", "MQL → SQL rate"),
    QualityPair("sql", "sql_to_opportunity", "opportunities / sql", "SQL → opportunity rate"),
    QualityPair("calls", "opportunities_per_call", "opportunities / calls", "opportunities per call"),
    QualityPair("visits", "opportunities_per_visit", "opportunities / visits", "opportunities per visit"),
    QualityPair("proposals", "won_per_proposal", "won / proposals", "wins per proposal"),
)


@dataclass(frozen=True)
class GoodhartCheck:
    """A KPI's move over the last 3 months against its quality partner (or the KGI) over the 3 before."""

    code: str  # volume_up_quality_down | kpi_up_kgi_down | kpi_kgi_negative_correlation
    kpi: str
    partner: str
    kpi_before: float | None
    kpi_after: float | None
    kpi_change_pct: float | None
    partner_before: float | None
    partner_after: float | None
    partner_change_pct: float | None
    correlation: float | None  # best correlation of month-on-month changes of the KPI and the KGI (lags 0-3)
    correlation_lag: int | None
    correlation_changes: int
    flagged: bool
    explanation: Explanation


def _figure(figures: Mapping[str, Any], name: str, formula: str | None = None) -> float | None:
    if formula is None:
        value = figures.get(name)
        return None if value is None else float(value)
    names = formula_names(formula)
    return None if any(n not in figures for n in names) else evaluate(formula, {n: figures[n] for n in names})


def _relative(before: float | None, after: float | None) -> float | None:
    return (after - before) / abs(before) if before not in (None, 0) and after is not None else None


def change_correlation(
    xs: Sequence[float | None], ys: Sequence[float | None], lag: int = 0
) -> tuple[float | None, int]:
    """Pearson correlation of month-on-month changes of x with those of y `lag` months later, and the number of
    changes compared (None below CORRELATION_MIN_MONTHS − 1 changes, or when a series does not move)."""
    dx = [b - a if a is not None and b is not None else None for a, b in pairwise(xs)]
    dy = [b - a if a is not None and b is not None else None for a, b in pairwise(ys)]
    pairs: list[tuple[float, float]] = []
    for t in range(len(dx) - lag):
        x, y = dx[t], dy[t + lag]
        if x is not None and y is not None:
            pairs.append((x, y))
    if len(pairs) < CORRELATION_MIN_MONTHS - 1:
        return None, len(pairs)
    mx, my = sum(a for a, _ in pairs) / len(pairs), sum(b for _, b in pairs) / len(pairs)
    sxy = sum((a - mx) * (b - my) for a, b in pairs)
    sxx, syy = sum((a - mx) ** 2 for a, _ in pairs), sum((b - my) ** 2 for _, b in pairs)
    return (sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else None), len(pairs)


def best_lag_correlation(
    xs: Sequence[float | None], ys: Sequence[float | None], max_lag: int = CORRELATION_MAX_LAG
) -> tuple[float | None, int | None, int]:
    """The highest change correlation over lags 0..max_lag (a leading KPI moves the KGI a few months later):
    (correlation, lag, changes compared)."""
    best: tuple[float | None, int | None, int] = (None, None, 0)
    for lag in range(max_lag + 1):
        corr, n = change_correlation(xs, ys, lag)
        if corr is not None and (best[0] is None or corr > best[0]):
            best = (corr, lag, n)
    return best


def goodhart_checks(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    monthly: Sequence[Mapping[str, Any]],
    *,
    kpis: Sequence[str] = (),
    kgi: str = KGI,
    min_change: float = GOODHART_MIN_CHANGE,
    window_months: int = TRAILING_MONTHS,
) -> list[GoodhartCheck]:
    """Volume KPIs against their quality partner and the KGI: the last window against the window before.

    `before` and `after` are the figures of the two windows (totals over each), `monthly` the complete months oldest
    first (for the correlation of month-on-month changes with the KGI over up to 24 months). A check is flagged
    when the KPI rose by at least `min_change` while its partner (or the KGI) fell by at least as much, or when
    its changes run against the KGI's (correlation ≤ −0.3 over ≥ 12 months).
    """
    before, after = flat_figures(before), flat_figures(after)
    rows = [flat_figures(r) for r in monthly][-CORRELATION_MONTHS:]
    kgi_series = [_figure(r, kgi) for r in rows]
    checks = []
    checked = []
    for pair in QUALITY_PAIRS:
        if _figure(after, pair.volume) is None or _figure(after, pair.partner, pair.partner_formula) is None:
            continue
        checked.append(pair.volume)
        corr = best_lag_correlation([_figure(r, pair.volume) for r in rows], kgi_series)
        checks.append(
            _check(
                "volume_up_quality_down",
                pair.volume,
                pair.partner,
                pair.partner_label,
                (_figure(before, pair.volume), _figure(after, pair.volume)),
                (
                    _figure(before, pair.partner, pair.partner_formula),
                    _figure(after, pair.partner, pair.partner_formula),
                ),
                corr,
                min_change,
                window_months,
            )
        )
    catalog = load_catalog()
    for metric in dict.fromkeys([*checked, *kpis]):
        if metric == kgi or _figure(after, metric) is None:
            continue
        try:
            better = catalog.get(metric).better
        except KeyError:
            better = "higher"
        corr = best_lag_correlation([_figure(r, metric) for r in rows], kgi_series)
        checks.append(
            _check(
                "kpi_up_kgi_down",
                metric,
                kgi,
                _label(kgi)["en"].lower(),
                (_figure(before, metric), _figure(after, metric)),
                (_figure(before, kgi), _figure(after, kgi)),
                corr,
                min_change,
                window_months,
                lower_is_better=better == "lower",
            )
        )
    return checks


def _unit(name: str) -> str:
    """count / currency / ratio of an engine metric or a quality partner (a partner is a rate)."""
    if name in {p.partner for p in QUALITY_PAIRS}:
        return "ratio"
    try:
        unit = load_catalog().get(name).unit
    except KeyError:
        return "count"
    return unit if unit in ("currency", "ratio") else "count"


def _moved(change: float | None) -> str:
    if change is None:
        return "changed"
    return f"{'rose' if change >= 0 else 'fell'} {format_change(abs(change)).lstrip('+')}"


def _check(
    code: str,
    kpi: str,
    partner: str,
    partner_label: str,
    kpi_values: tuple[float | None, float | None],
    partner_values: tuple[float | None, float | None],
    corr: tuple[float | None, int | None, int],
    min_change: float,
    window: int,
    lower_is_better: bool = False,
) -> GoodhartCheck:
    (kb, ka), (pb, pa) = kpi_values, partner_values
    kc, pc = _relative(kb, ka), _relative(pb, pa)
    improving = kc is not None and (kc <= -min_change if lower_is_better else kc >= min_change)
    worsening = pc is not None and pc <= -min_change
    correlation, lag, changes = corr
    negative = code == "kpi_up_kgi_down" and correlation is not None and correlation <= NEGATIVE_CORRELATION
    flagged = (improving and worsening) or negative
    if negative and not (improving and worsening):
        code = "kpi_kgi_negative_correlation"
    unit, kpi_unit = _unit(partner), _unit(kpi)
    text = (
        f"{_label(kpi)['en']} {_moved(kc)} ({format_value(kb, kpi_unit)} → {format_value(ka, kpi_unit)}) over the last "
        f"{window} months against the {window} before, while {partner_label} {_moved(pc)} "
        f"({format_value(pb, unit)} → {format_value(pa, unit)})"
    )
    if correlation is not None and code != "volume_up_quality_down":
        text += (
            f"; its month-on-month changes go with {partner_label}'s at best {correlation:+.2f} "
            f"(lag {lag} month{'s' if lag != 1 else ''}, {changes} changes)"
        )
    if code == "volume_up_quality_down":
        text += ": more volume of lower quality, the KPI is hit at the goal's expense (pitfall 1)" if flagged else ""
    elif code == "kpi_up_kgi_down":
        text += ": the KPI improves while the KGI worsens (pitfall 1)" if flagged else ""
    else:
        text += ": the KPI does not move the KGI, review it (pitfall 1)"
    params = {
        "kpi": kpi,
        "partner": partner,
        "kpi_before": kb,
        "kpi_after": ka,
        "kpi_change_pct": kc,
        "partner_before": pb,
        "partner_after": pa,
        "partner_change_pct": pc,
        "correlation": correlation,
        "correlation_lag": lag,
        "correlation_changes": changes,
        "window_months": window,
    }
    return GoodhartCheck(
        code,
        kpi,
        partner,
        kb,
        ka,
        kc,
        pb,
        pa,
        pc,
        correlation,
        lag,
        changes,
        flagged,
        Explanation(code if flagged else "goodhart_ok", params, text + "."),
    )
