"""The Excel report of a view (openpyxl): a summary sheet from kpi_core.report (KGI, KPIs with their status, the
forecast and its range, the month, the top pivots, the advice), one sheet per breakdown (by owner / channel /
product … from compute_kpis), the monthly table, and the charts as images.

Numbers are stored as numbers with number formats (money in the view's currency: "¥"#,##0 / $#,##0, ratios 0.0%),
headers in Japanese or English (kpi_core.messages, "xlsx."). Every text cell goes through kpi_core.export_safety
(text that a spreadsheet would run as a formula gets a leading apostrophe and is stored as text), and characters a
workbook cannot hold are dropped. Charts come in as PNG bytes (the app renders its Altair charts with vl-convert):
the engine draws no chart itself.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kpi_core.export_safety import neutralise_cell
from kpi_core.format import currency_symbol, fmt_period, normalise_currency
from kpi_core.goals import Goals
from kpi_core.intake.load import Dataset
from kpi_core.messages import render
from kpi_core.metrics import BREAKDOWN_ROLES, Filters, KpiResult, compute_kpis, load_catalog
from kpi_core.pivots import PivotInputError
from kpi_core.report import Report, advice_lines, build_report, lever_name

TOP_PIVOTS = 10  # rows of pivots on the summary (a pair takes one row per lever)
PIVOTS_PER_SHORTFALL = 3
MAX_BREAKDOWN_ROWS = 5000  # an account list can be long: the largest groups first
MAX_IMAGE_WIDTH = 960  # px: a chart wider than this is scaled down on the sheet
COUNT_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0"
RATIO_FORMAT = "0.0%"
CHANGE_FORMAT = "+0.0%;-0.0%;0.0%"
DATE_FORMAT = "yyyy-mm-dd"
_HEADER_FONT = Font(bold=True)
_TITLE_FONT = Font(bold=True, size=14)
_SECTION_FONT = Font(bold=True, size=12)
_HEADER_FILL = PatternFill("solid", fgColor="E8EEF5")
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class ChartImage:
    """A chart to put on the charts sheet: its title (shown above it) and its PNG bytes."""

    title: str
    png: bytes


def money_format(currency: str | None) -> str:
    """The number format of an amount in `currency`: ¥ / $ / € … before whole units ("¥"#,##0, $#,##0)."""
    symbol = currency_symbol(normalise_currency(currency)).strip()
    literal = symbol if symbol == "$" else f'"{symbol}"' if len(symbol) == 1 else f'"{symbol} "'
    return f"{literal}#,##0;-{literal}#,##0"


def unit_format(unit: str, currency: str | None) -> str:
    """The number format of a value in `unit` (count, currency, ratio, days)."""
    if unit == "currency":
        return money_format(currency)
    if unit == "ratio":
        return RATIO_FORMAT
    if unit == "days":
        return DECIMAL_FORMAT
    return COUNT_FORMAT


def safe_text(value: object) -> str:
    """User or catalogue text as a workbook may hold it: no control characters, formula signs neutralised."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return str(neutralise_cell(text))


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    return None


def put(sheet: Worksheet, row: int, column: int, value: Any, number_format: str | None = None) -> None:
    """One cell: a number with its format, a date, or text made safe (stored as text, never as a formula)."""
    cell = sheet.cell(row=row, column=column)
    if value is None:
        return
    if isinstance(value, dt.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
        return
    number = _number(value)
    if number is not None:
        cell.value = number
        if number_format:
            cell.number_format = number_format
        return
    if isinstance(value, float | int):  # NaN, infinity: nothing to show
        return
    cell.value = safe_text(value)
    cell.data_type = "s"


def _header(sheet: Worksheet, row: int, labels: Sequence[str]) -> None:
    for column, label in enumerate(labels, start=1):
        put(sheet, row, column, label)
        cell = sheet.cell(row=row, column=column)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _section(sheet: Worksheet, row: int, title: str) -> int:
    put(sheet, row, 1, title)
    sheet.cell(row=row, column=1).font = _SECTION_FONT
    return row + 1


def _widths(sheet: Worksheet, widths: Mapping[int, float]) -> None:
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width


def sheet_title(text: str, taken: set[str]) -> str:
    """A valid, unused sheet name (at most 31 characters, none of []:*?/\\)."""
    cleaned = " ".join(_SHEET_NAME_BAD.sub("-", ILLEGAL_CHARACTERS_RE.sub("", text)).split())
    base = cleaned.strip("'")[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def _x(key: str, lang: str, **params: object) -> str:
    return render(f"xlsx.{key}", lang, **params)


# --- the summary sheet ----------------------------------------------------------------------------------------
def _figure_value(report: Report | None, key: str) -> float | None:
    if report is None:
        return None
    figure = report.figures.get(key)
    return None if figure is None else figure.value


def _status_label(status: str | None, lang: str) -> str:
    known = status in ("on_track", "at_risk", "off_track")
    return _x(f"status.{status}", lang) if known else _x("status.no_data", lang)


def _summary(
    sheet: Worksheet,
    report: Report | None,
    goals: Goals,
    *,
    lang: str,
    currency: str | None,
    name: str,
    scope: str,
    top: int,
) -> None:
    money = money_format(currency)
    put(sheet, 1, 1, _x("title", lang))
    sheet.cell(row=1, column=1).font = _TITLE_FONT
    row = 2
    for label, text in ((_x("name", lang), name), (_x("scope", lang), scope)):
        if text:
            put(sheet, row, 1, label)
            put(sheet, row, 2, text)
            row += 1
    if report is not None:
        put(sheet, row, 1, _x("as_of", lang))
        put(sheet, row, 2, report.as_of)
        row += 1
        put(sheet, row, 1, _x("calendar", lang))
        put(sheet, row, 2, _x(f"calendar.{report.calendar}", lang))
        row += 1
    put(sheet, row, 1, _x("currency", lang))
    put(sheet, row, 2, normalise_currency(currency) or "JPY")
    row += 2

    # The KGI: target, forecast and its range, gap, chance, status.
    gaps = {str(g.get("id")): g for g in (report.plan.gaps if report is not None else ())}
    kgi_row = gaps.get("kgi", {})
    period = _figure_period(report, "kgi.target")
    row = _section(sheet, row, _x("section.kgi", lang, period=fmt_period(period, goals.kgi.period, lang)))
    put(sheet, row, 1, _x("col.kgi", lang))
    put(sheet, row, 2, goals.kgi.name)
    row += 1
    kgi_items: tuple[tuple[str, Any, str], ...] = (
        ("col.target", float(goals.kgi.target), money),
        ("col.actual", kgi_row.get("actual"), money),
        ("col.forecast", _figure_value(report, "kgi.forecast"), money),
        ("col.low", _figure_value(report, "kgi.low"), money),
        ("col.high", _figure_value(report, "kgi.high"), money),
        ("col.gap", _figure_value(report, "kgi.gap"), money),
        ("col.chance", _figure_value(report, "kgi.probability"), RATIO_FORMAT),
    )
    for key, value, number_format in kgi_items:
        put(sheet, row, 1, _x(key, lang))
        put(sheet, row, 2, value, number_format)
        row += 1
    put(sheet, row, 1, _x("col.status", lang))
    put(sheet, row, 2, _status_label(kgi_row.get("status"), lang))
    row += 2

    # The month's share of the KGI.
    if report is not None and report.pivots.kgi_month is not None:
        month = report.pivots.kgi_month
        row = _section(sheet, row, _x("section.month", lang, period=fmt_period(month.get("period"), "month", lang)))
        for key, figure in (("col.target", "target"), ("col.booked", "booked"), ("col.forecast", "forecast"),
                            ("col.gap", "gap"), ("col.supported", "supported")):  # fmt: skip
            amount = _figure_value(report, f"month.{figure}")
            if amount is None and figure == "supported":
                continue
            put(sheet, row, 1, _x(key, lang))
            put(sheet, row, 2, amount, money)
            row += 1
        row += 1

    # The KPIs: target, actual so far, forecast, status.
    row = _section(sheet, row, _x("section.kpis", lang))
    _header(sheet, row, [_x(f"col.{k}", lang) for k in ("kpi", "period", "target", "actual", "forecast", "status")])
    row += 1
    catalog = load_catalog()
    for kpi in goals.kpis:
        gap = gaps.get(kpi.id, {})
        try:
            unit = catalog.get(kpi.metric).unit
        except KeyError:
            unit = "count"
        number_format = unit_format(unit, currency)
        forecast = _figure_value(report, f"kpi.{kpi.id}.forecast")
        put(sheet, row, 1, kpi.name)
        put(sheet, row, 2, fmt_period(gap.get("period"), kpi.per, lang) if gap.get("period") else None)
        put(sheet, row, 3, _number(kpi.target), number_format)
        put(sheet, row, 4, gap.get("actual"), number_format)
        put(sheet, row, 5, forecast, number_format)
        put(sheet, row, 6, _status_label(gap.get("status"), lang))
        row += 1
    row += 1

    # The top pivots: one row per lever move, ranked as the Pivots page ranks them.
    if report is not None:
        rows = _pivot_rows(report, lang, currency, top)
        if rows:
            row = _section(sheet, row, _x("section.pivots", lang))
            labels = ("rank", "shortfall", "lever", "current", "required", "change", "verdict", "seen")
            _header(sheet, row, [_x(f"col.{k}", lang) for k in labels])
            row += 1
            for values in rows:
                for column, (cell, cell_format) in enumerate(values, start=1):
                    put(sheet, row, column, cell, cell_format)
                row += 1
            row += 1
        row = _section(sheet, row, _x("section.advice", lang))
        for line in advice_lines(report, lang, currency=currency):
            put(sheet, row, 1, line)
            row += 1
    _widths(sheet, {1: 34, 2: 22, 3: 18, 4: 16, 5: 16, 6: 14, 7: 14, 8: 14})
    sheet.freeze_panes = None


def _figure_period(report: Report | None, key: str) -> str | None:
    if report is None or key not in report.figures:
        return None
    return report.figures[key].period


def _pivot_rows(report: Report, lang: str, currency: str | None, top: int) -> list[list[tuple[Any, str | None]]]:
    rows: list[list[tuple[Any, str | None]]] = []
    rank = 0
    for shortfall in report.pivots.shortfalls:
        for pivot in sorted(shortfall.pivots, key=lambda p: p.rank or 0)[:PIVOTS_PER_SHORTFALL]:
            rank += 1
            seen = f"{pivot.evidence.achieved} / {pivot.evidence.months}" if pivot.evidence.months else None
            verdict = _x(f"verdict.{pivot.verdict}", lang)
            for change in pivot.changes:
                number_format = unit_format(change.unit, currency)
                rows.append(
                    [
                        (rank, COUNT_FORMAT),
                        (_shortfall_name(report, shortfall.kpi.id, shortfall.kpi.name, lang), None),
                        (lever_name(report, change.lever, lang), None),
                        (change.current, number_format),
                        (change.required, number_format),
                        (change.change_pct, CHANGE_FORMAT),
                        (verdict, None),
                        (seen, None),
                    ]
                )
                if len(rows) >= top:
                    return rows
    return rows


def _shortfall_name(report: Report, kpi_id: str, name: str, lang: str) -> str:
    return _x("col.kgi", lang) if kpi_id == "kgi" else name


# --- the tables: by role, by month ----------------------------------------------------------------------------
def _table_metrics(rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, dict[str, str]]]:
    """(name, unit, label) of every catalogue measure and ratio that has a number in at least one row."""
    catalog = load_catalog()
    found = []
    for metric in (*catalog.measures, *catalog.ratios):
        if any(_number(r.get(metric.name)) is not None for r in rows):
            found.append((metric.name, metric.unit, metric.label))
    return found


def _table(
    sheet: Worksheet,
    rows: Sequence[Mapping[str, Any]],
    first: Sequence[tuple[str, Any]],
    *,
    lang: str,
    currency: str | None,
) -> None:
    """A header row and one row per group: the `first` columns (label, function of the row), then each measure."""
    metrics = _table_metrics(rows)
    _header(sheet, 1, [label for label, _ in first] + [m[2].get(lang) or m[2].get("en") or m[0] for m in metrics])
    for index, source in enumerate(rows, start=2):
        for column, (_, pick) in enumerate(first, start=1):
            put(sheet, index, column, pick(source))
        for column, (name, unit, _) in enumerate(metrics, start=len(first) + 1):
            put(sheet, index, column, source.get(name), unit_format(unit, currency))
    sheet.freeze_panes = sheet.cell(row=2, column=len(first) + 1)
    _widths(sheet, {c: (24 if c <= len(first) else 15) for c in range(1, len(first) + len(metrics) + 1)})
    sheet.row_dimensions[1].height = 32


def _breakdown_rows(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    def size(row: Mapping[str, Any]) -> tuple[float, float]:
        return (_number(row.get("won_revenue")) or 0.0, _number(row.get("records")) or 0.0)

    return sorted(rows, key=size, reverse=True)[:MAX_BREAKDOWN_ROWS]


# --- the charts -----------------------------------------------------------------------------------------------
def _charts(sheet: Worksheet, charts: Sequence[ChartImage]) -> None:
    row = 1
    for chart in charts:
        put(sheet, row, 1, chart.title)
        sheet.cell(row=row, column=1).font = _SECTION_FONT
        image = Image(io.BytesIO(chart.png))
        if image.width > MAX_IMAGE_WIDTH:
            scale = MAX_IMAGE_WIDTH / image.width
            image.width, image.height = MAX_IMAGE_WIDTH, int(image.height * scale)
        sheet.add_image(image, f"A{row + 1}")
        row += 3 + math.ceil(image.height / 20)  # default rows are 20 px high
    sheet.column_dimensions["A"].width = 20


# --- the workbook ---------------------------------------------------------------------------------------------
def report_workbook(
    report: Report | None,
    goals: Goals,
    kpis: KpiResult,
    *,
    lang: str = "ja",
    currency: str | None = None,
    name: str = "",
    scope: str = "",
    charts: Sequence[ChartImage] = (),
    top: int = TOP_PIVOTS,
) -> Workbook:
    """The workbook: summary (from `report`; None when the data feeds no report: KGI and KPIs without forecasts),
    one sheet per breakdown in `kpis.by`, the monthly table from `kpis.by_period`, and `charts` as images."""
    book = Workbook()
    taken: set[str] = set()
    summary = book.active
    assert summary is not None
    summary.title = sheet_title(_x("sheet.summary", lang), taken)
    _summary(summary, report, goals, lang=lang, currency=currency, name=name, scope=scope, top=top)

    for role, rows in kpis.by.items():
        if not rows:
            continue
        sheet = book.create_sheet(sheet_title(_x("sheet.by", lang, role=render(f"role.{role}", lang)), taken))
        _table(sheet, _breakdown_rows(rows), [(render(f"role.{role}", lang), lambda r: r.get("key"))],
               lang=lang, currency=currency)  # fmt: skip

    if kpis.by_period:
        sheet = book.create_sheet(sheet_title(_x("sheet.monthly", lang), taken))
        first = [
            (_x("col.period", lang), lambda r: fmt_period(r.get("period"), "month", lang)),
            (_x("col.start", lang), lambda r: _date(r.get("start"))),
            (_x("col.complete", lang), lambda r: _x("complete.yes" if r.get("complete") else "complete.no", lang)),
        ]
        _table(sheet, kpis.by_period, first, lang=lang, currency=currency)

    if charts:
        _charts(book.create_sheet(sheet_title(_x("sheet.charts", lang), taken)), charts)
    book.properties.title = safe_text(_x("title", lang))
    book.properties.creator = "KPI Pivot"
    return book


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def workbook_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_xlsx(
    dataset: Dataset,
    goals: Goals,
    as_of: dt.date,
    *,
    calendar: str = "jp",
    filters: Filters | None = None,
    lang: str = "ja",
    currency: str | None = None,
    name: str = "",
    scope: str = "",
    charts: Sequence[ChartImage] = (),
    report: Report | None = None,
    kpis: KpiResult | None = None,
) -> bytes:
    """The Excel report of a view as .xlsx bytes: builds the report (unless given; None when the data feeds no
    driver model) and the figures by month and by every breakdown role the data has (unless given)."""
    if report is None:
        try:
            report = build_report(goals, dataset, as_of, calendar=calendar, filters=filters)
        except PivotInputError:
            report = None
    if kpis is None:
        roles = [role for role in BREAKDOWN_ROLES if role in dataset.mapping]
        kpis = compute_kpis(
            dataset, period="month", by=roles, filters=filters, fiscal_start=goals.fiscal_year_start, as_of=as_of
        )
    currency = currency or goals.currency or dataset.currency
    book = report_workbook(report, goals, kpis, lang=lang, currency=currency, name=name, scope=scope, charts=charts)
    return workbook_bytes(book)
