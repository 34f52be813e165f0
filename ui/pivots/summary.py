"""The one-page summary for the weekly meeting: built from the report, as HTML (A4) and XLSX."""

from __future__ import annotations

import datetime as dt
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kpi_core.pivots import (
    PivotReport,
    Shortfall,
    WhatIf,
)
from kpi_core.report import Report
from ui.export import neutralise_cell
from ui.i18n import t
from ui.pivots.sentences import (
    advice_sentences,
    fig,
    goodhart_sentence,
    lever_label,
    note_sentence,
    pivot_sentence,
    shortfall_sentence,
    shortfall_title,
    what_if_sentence,
)


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


def kpi_shortfalls(report: PivotReport) -> list[Shortfall]:
    """Shortfalls of KPIs (the KGI's own entry left out)."""
    return [s for s in report.shortfalls if s.kpi.id != "kgi"]


def build_summary(
    report: Report,
    lang: str,
    levers: dict[str, Any],
    *,
    subtitle: str,
    kgi_name: str,
    outcome: WhatIf | None = None,
) -> MeetingSummary:
    """The meeting summary from the report (plain strings: escaped by each renderer): the same figures, advice and
    sentences as the page."""
    f = report.figures
    pivots = report.pivots
    figures = [
        (t("pivots.summary.kgi", lang), kgi_name),
        (
            t("pivots.summary.kgi_forecast", lang),
            t("pivots.summary.forecast_of", lang, forecast=fig(f.get("kgi.forecast"), lang),
              target=fig(f.get("kgi.target"), lang)),
        ),
        (t("pivots.head.missing", lang), str(len(kpi_shortfalls(pivots)))),
    ]  # fmt: skip
    advice = report.advice
    if advice.best is not None:
        figures.append((t("pivots.head.best_label", lang), lever_label(advice.best.lever, lang, levers)))
    why: list[str] = []
    nxt: list[str] = list(advice_sentences(report, lang))
    for shortfall in pivots.shortfalls:
        if report.final:  # a closed month: the result against the target, as the page's title says it
            why.append(shortfall_title(shortfall, lang, report))
        else:
            why.append(shortfall_sentence(shortfall, lang, levers, report))
        if advice.code != "pivot":
            continue  # on track, closed or out of reach: the advice says it, no pivot is offered
        raising = [p for p in shortfall.pivots if p.verdict == "feasible"][:2]
        name = t("pivots.kgi_month", lang) if shortfall.kpi.id == "kgi" else shortfall.kpi.name
        for pivot in raising:
            line = f"{name}: {pivot_sentence(pivot, lang, levers)}"
            if line not in nxt:
                nxt.append(line)
        if not raising and shortfall.pivots:
            nxt.append(t("pivots.summary.no_feasible", lang, name=name))
    for check in pivots.goodhart:
        if check.flagged:
            why.append(goodhart_sentence(check, lang, levers))
    if not pivots.shortfalls:
        why.append(t("pivots.none_missing", lang))
        if advice.code not in ("on_track", "final"):
            nxt.append(t("pivots.summary.keep_going", lang))
    if outcome is not None:
        nxt.append(what_if_sentence(outcome, lang, levers))
    for note in pivots.notes:
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
