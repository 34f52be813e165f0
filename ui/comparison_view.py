"""A headline figure with its 前月比 / 前年同月比: the engine's period comparison (kpi_core/period_compare.py), cached,
and drawn as st.metric with each change in a line under it (前月同日比 ↑ +5.0%).

Arrows follow the sign of the change; colours follow whether higher is better (green good, red bad, grey when there
is nothing to compare, always with the arrow and the words beside them). The tooltip names the exact days compared.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from kpi_core.format import MONTHS_EN
from kpi_core.intake.load import Dataset
from kpi_core.period_compare import ZERO_BASE, Change, MeasureComparison, PeriodComparison, Window, compare_periods
from ui.data import CACHE_TTL, filters_from_key
from ui.format import escape_markdown, fmt_change, fmt_date, fmt_number, fmt_points, fmt_signed, fmt_value
from ui.frame import View
from ui.i18n import metric_label, t
from ui.show import figure_card


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def _comparison(
    key: str,
    _dataset: Dataset,
    fkey: tuple[Any, ...],
    as_of: str,
    period: str,
    fiscal_start: int,
    cohort: bool,
    measures: tuple[str, ...],
    better: tuple[tuple[str, str], ...],
    bounds: tuple[dt.date | None, dt.date | None],
) -> PeriodComparison:
    return compare_periods(
        _dataset,
        as_of=dt.date.fromisoformat(as_of),
        period=period,
        measures=measures,
        fiscal_start=fiscal_start,
        roles=filters_from_key(fkey).roles,
        cohort=cohort,
        bounds=bounds,
        better=dict(better),
    )


def cached_comparison(
    view: View,
    as_of: dt.date,
    measures: Sequence[str],
    *,
    period: str = "month",
    fiscal_start: int | None = None,
    cohort: bool = False,
    better: Mapping[str, str] | None = None,
) -> PeriodComparison:
    """The measures of the view (role filters kept, the date filter left out: the windows are the dates) in the
    period holding `as_of`, against the previous period and the same period last year; cached."""
    assert view.dataset is not None and view.dataset_key is not None
    return _comparison(
        str(view.dataset_key),
        view.dataset,
        view.fkey,
        as_of.isoformat(),
        period,
        fiscal_start or view.fiscal_start,
        cohort,
        tuple(dict.fromkeys(measures)),
        tuple(sorted((better or {}).items())),
        view.bounds,
    )


# ------------------------------------------------------------------------------------------------ texts (pure)
def span_text(window: Window, lang: str) -> str:
    """The days of a window: 2026年11月1日〜15日 / Nov 1 – 15, 2026 (both dates written out across years)."""
    first, last = window.start, window.end
    if first == last:
        return fmt_date(first, lang)
    if first.year == last.year:  # written as fmt_date writes a date, the year once
        if lang == "ja":
            tail = f"{last.day}日" if first.month == last.month else f"{last.month}月{last.day}日"
            return f"{first.year}年{first.month}月{first.day}日〜{tail}"
        month = MONTHS_EN[first.month - 1]
        tail = f"{last.day}" if first.month == last.month else f"{MONTHS_EN[last.month - 1]} {last.day}"
        return f"{month} {first.day} – {tail}, {first.year}"
    return t("compare.span.any", lang, start=fmt_date(first, lang), end=fmt_date(last, lang))


def fmt_month_short(day: dt.date, lang: str) -> str:
    """The month alone, for a label under a title that names the year: 11月 / Nov."""
    return f"{day.month}月" if lang == "ja" else MONTHS_EN[day.month - 1]


def change_text(item: MeasureComparison, change: Change, lang: str) -> str:
    """+5.0% (a volume or an amount) / +2.5pt (a rate) / +3 (from a base of 0) / why there is none."""
    if not change.comparable:
        return t(f"compare.reason.{change.reason}", lang)
    if item.unit == "ratio":
        return fmt_points(change.absolute, lang)
    if change.relative is None:  # from a base of 0 a relative change means nothing: the difference does
        return fmt_signed(change.absolute, item.unit, lang)
    return fmt_change(change.relative, lang)


def is_good(item: MeasureComparison, change: Change) -> bool | None:
    """Whether the change is good news (None: no change, or nothing to compare)."""
    if not change.comparable or not change.absolute:
        return None
    return (change.absolute > 0) == (item.better != "lower")


def change_line(comparison: PeriodComparison, item: MeasureComparison, basis: str, lang: str) -> str:
    """One change as a caption in Markdown: 前年同月同日比 ↑ +5.0% / ↑ +5.0% vs same days last year, in green when
    good, red when bad, grey otherwise.
    Every part is the app's own text or a formatted number, escaped all the same (a $ would start maths)."""
    change = item.changes[basis]
    text = escape_markdown(change_text(item, change, lang))
    label = escape_markdown(comparison.label(basis, lang))
    good = is_good(item, change)
    # The arrow and the figure never part at a line break (a no-break space between them); in English the change
    # comes first ("↑ +5.0% vs same days last month"), in Japanese after what it is against (前月同日比 ↑ +5.0%).
    if good is None:
        shown = f":gray[{text}]"
    else:
        arrow = "↑" if (change.absolute or 0) > 0 else "↓"
        shown = f":{'green' if good else 'red'}[{arrow}\u00a0{text}]"
    return f"{label} {shown}" if lang == "ja" else f"{shown} {label}"


def comparison_help(comparison: PeriodComparison, item: MeasureComparison, lang: str) -> str:
    """The tooltip: the current window and value, then each compared window with its value (or why it has none)."""
    lines = [
        t("compare.help.current", lang, span=span_text(comparison.current, lang), value=_exact(item, item.value, lang))
    ]
    for basis, change in item.changes.items():
        span = span_text(comparison.windows[basis], lang)
        label = comparison.label(basis, lang)
        if change.value is None or change.reason in ("no_data", "partial_data"):
            reason = t(f"compare.reason.{change.reason}", lang)
            lines.append(t("compare.help.none", lang, label=label, span=span, reason=reason))
        else:
            lines.append(
                t("compare.help.against", lang, label=label, span=span, value=_exact(item, change.value, lang))
            )
        if change.reason == ZERO_BASE:
            lines.append(t("compare.help.zero_base", lang))
    return "  \n".join(escape_markdown(line) for line in lines)


def _exact(item: MeasureComparison, value: float | None, lang: str, *, compact: bool = False) -> str:
    if item.unit in ("count", "currency", "ratio", "days"):
        return fmt_value(value, item.unit, lang, compact=compact)
    return fmt_number(value, lang, 2)  # a goal's formula: a plain number


def windows_caption(comparison: PeriodComparison, lang: str) -> str:
    """The compared days in one sentence (what a page prints under its compared figures)."""
    spans = {basis: span_text(window, lang) for basis, window in comparison.windows.items()}
    to_date = t("compare.caption.to_date", lang) if comparison.to_date else ""
    key = "compare.caption.windows" if "last_year" in spans else "compare.caption.windows_one"
    return t(key, lang, current=span_text(comparison.current, lang), to_date=to_date, **spans)


# ------------------------------------------------------------------------------------------------ drawing
@dataclass(frozen=True)
class ComparedFigure:
    """A headline figure with its comparisons: drawn in a container keyed `kpi_<name>`."""

    name: str
    label: str
    value: str
    item: MeasureComparison


def compared_figure(
    comparison: PeriodComparison, name: str, lang: str, *, label: str | None = None, key: str | None = None
) -> ComparedFigure | None:
    """The figure of measure `name` in the current window (compact; None when the data cannot give it)."""
    item = comparison.measures.get(name)
    if item is None or (item.value is None and all(c.value is None for c in item.changes.values())):
        return None
    value = _exact(item, item.value, lang, compact=True)
    return ComparedFigure(key or name, label or metric_label(name, lang), value, item)


def draw_compared(
    comparison: PeriodComparison,
    figures: Sequence[ComparedFigure],
    lang: str,
    *,
    primary: str = "previous",
    border: bool = True,
) -> None:
    """Figures across the page, each with its changes in lines under it (the one against `primary`, previous |
    last_year, first); the exact windows and values in the tooltip."""
    if not figures:
        return
    # The changes go in lines under the figure, not in st.metric's delta: its description is cut short in a
    # card a fifth of the page wide ("前年同月同…"), and a change without what it is against means nothing.
    bases = sorted(comparison.windows, key=lambda basis: basis != primary)
    for column, figure in zip(st.columns(len(figures)), figures, strict=True):
        with column, figure_card(figure.name, figure.value):
            st.metric(figure.label, figure.value, help=comparison_help(comparison, figure.item, lang), border=border)
            st.caption("  \n".join(change_line(comparison, figure.item, basis, lang) for basis in bases))


def draw_change_lines(comparison: PeriodComparison, name: str, lang: str) -> None:
    """Under a card that already has a delta of its own (a goal's status): every change of measure `name` as one
    caption line, the exact windows in its tooltip. Nothing when the comparison lacks the measure."""
    item = comparison.measures.get(name)
    if item is None:
        return
    lines = [change_line(comparison, item, basis, lang) for basis in comparison.windows]
    st.caption("  \n".join(lines), help=comparison_help(comparison, item, lang))


def goal_comparisons(
    view: View, as_of: dt.date, rows: Sequence[Mapping[str, Any]], fiscal_start: int
) -> dict[str, PeriodComparison]:
    """For goal rows (kpi_gaps rows: metric, per, better), one cached comparison per period length they use."""
    pers: dict[str, dict[str, str]] = {}
    for row in rows:
        pers.setdefault(str(row["per"]), {})[str(row["metric"])] = str(row.get("better") or "higher")
    return {
        per: cached_comparison(view, as_of, list(better), period=per, fiscal_start=fiscal_start, better=better)
        for per, better in pers.items()
    }


def draw_goal_change_lines(
    view: View, as_of: dt.date, rows: Sequence[Mapping[str, Any]], fiscal_start: int, lang: str
) -> None:
    """Under a row of goal cards drawn across the page (one per row of `rows`, in order): each goal's changes against
    the previous period and the same period last year, in columns that line up with the cards."""
    if not rows:
        return
    comparisons = goal_comparisons(view, as_of, rows, fiscal_start)
    for column, row in zip(st.columns(len(rows)), rows, strict=True):
        with column:
            draw_change_lines(comparisons[str(row["per"])], str(row["metric"]), lang)


def draw_goal_change_list(
    view: View, as_of: dt.date, rows: Sequence[Mapping[str, Any]], fiscal_start: int, lang: str
) -> None:
    """Under a chart of goals (Goals' bullet chart): one caption line per goal, its name then each change against the
    previous period and the same period last year; nothing for a goal whose measure the comparison lacks."""
    if not rows:
        return
    comparisons = goal_comparisons(view, as_of, rows, fiscal_start)
    lines = []
    for row in rows:
        comparison = comparisons[str(row["per"])]
        item = comparison.measures.get(str(row["metric"]))
        if item is None:
            continue
        changes = t("compare.goal_line.separator", lang).join(
            change_line(comparison, item, basis, lang) for basis in comparison.windows
        )
        lines.append(t("compare.goal_line", lang, name=escape_markdown(str(row["name"])), changes=changes))
    if lines:
        st.caption("  \n".join(lines))
