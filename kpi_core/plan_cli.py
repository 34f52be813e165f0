"""The `plan` command: KGI and KPI gaps, period-end forecasts, the plan's consistency and the backward plan."""

from __future__ import annotations

import argparse
import datetime as dt
import math
from pathlib import Path
from typing import Any

from kpi_core.asof import AsOfError, check_as_of
from kpi_core.business_days import CALENDARS, DEFAULT_CALENDAR
from kpi_core.cli import UsageError, add_input_arguments, load_from_args, rows_summary
from kpi_core.goals import (
    STATUS_THRESHOLDS,
    Goals,
    GoalsError,
    backward_plan,
    check_document_size,
    consistency_check,
    current_gaps,
    gap_summary,
    kpi_gaps,
    load_goals,
    load_template,
)
from kpi_core.intake.load import Dataset
from kpi_core.pacing import forecast_goals

TEMPLATE_PREFIX = "template:"


def register(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the `plan` sub-command to the parser's sub-commands (the parser of kpi_core.cli.build_parser)."""
    plan = commands.add_parser("plan", help="KGI / KPI gaps, period-end forecasts, plan consistency, backward plan")
    add_input_arguments(plan)
    plan.add_argument(
        "--goals", required=True, metavar="GOALS", help="goal YAML file, or a template: template:sales_ja, ..."
    )
    plan.add_argument("--as-of", metavar="YYYY-MM-DD", help="the day to measure and forecast from (default today)")
    plan.add_argument(
        "--calendar", choices=CALENDARS, default=DEFAULT_CALENDAR, help="business days (default jp: JP holidays)"
    )
    plan.add_argument("--json", action="store_true", help="one JSON object instead of tables")
    plan.set_defaults(handler=run_plan, render=render_plan_text)
    return plan


def read_goals(spec: str, lang: str = "en") -> Goals:
    """A goal file path, or template:NAME_LANG (e.g. template:marketing_en); GoalsError (one line in `lang`: the
    file, the line and field) when it cannot be used."""
    if spec.startswith(TEMPLATE_PREFIX):
        name, _, template_lang = spec[len(TEMPLATE_PREFIX) :].rpartition("_")
        try:
            return load_template(name, template_lang)
        except GoalsError as exc:
            raise GoalsError(exc.problems, lang=lang) from None
    path = Path(spec)
    if not path.is_file():
        raise UsageError(f"{spec}: no such goal file (or write template:sales_ja, template:marketing_en, ...)")
    check_document_size(path.stat().st_size, source=path.name, lang=lang)  # before it is read into memory
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{spec}: not a UTF-8 text file: save the goal file as UTF-8") from exc
    return load_goals(text, source=path.name, lang=lang)


def parse_as_of(text: str | None) -> dt.date:
    """--as-of as a date (default today)."""
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"--as-of {text!r}: write the date as YYYY-MM-DD") from exc


def check_data_as_of(as_of: dt.date, dataset: Dataset, lang: str = "en") -> dt.date:
    """An --as-of the data can be measured at (within a year of its dates), else UsageError with the sentence."""
    try:
        return check_as_of(as_of, dataset)
    except AsOfError as exc:
        raise UsageError(f"--as-of: {exc.message(lang)}") from exc


def run_plan(args: argparse.Namespace) -> dict[str, Any]:
    """The `plan` payload: rows summary, the KGI and KPIs (gap, forecast, status), consistency, backward plan."""
    as_of = parse_as_of(args.as_of)
    goals = read_goals(args.goals, args.lang)
    if args.fiscal_start != 4 and args.fiscal_start != goals.fiscal_year_start:
        goals.fiscal_year_start = args.fiscal_start  # an explicit --fiscal-start wins over the file
    dataset = load_from_args(args)
    if args.as_of:
        as_of = check_data_as_of(as_of, dataset, args.lang)
    rows = kpi_gaps(goals, dataset, as_of=as_of, calendar=args.calendar)
    forecasts = forecast_goals(goals, dataset, as_of=as_of, calendar=args.calendar)
    items = []
    for row in current_gaps(rows):
        forecast = forecasts[row["id"]]
        items.append(
            {
                "id": row["id"], "name": row["name"], "metric": row["metric"], "department": row["department"],
                "owner": row["owner"], "per": row["per"], "period": row["period"], "target": row["target"],
                "expected": row["expected"], "actual": row["actual"], "gap": row["gap"],
                "attainment": row["attainment"], "status": row["status"],
                "forecast": {
                    "value": forecast.value, "low": forecast.low, "high": forecast.high,
                    "probability_on_target": forecast.probability_on_target, "method": forecast.method,
                },
            }
        )  # fmt: skip
    payload = {
        **rows_summary(dataset, args.lang),
        "as_of": as_of.isoformat(),
        "calendar": args.calendar,
        "goals": {"source": args.goals, "fiscal_year_start": goals.fiscal_year_start, "currency": goals.currency},
        "status_thresholds": STATUS_THRESHOLDS,
        "kgi": items[0],
        "kpis": items[1:],
        "by_department": gap_summary(rows, "department"),
        "by_owner": gap_summary(rows, "owner"),
        "trend": rows,
        "consistency": consistency_check(goals, dataset, as_of=as_of),
        "backward_plan": backward_plan(goals, dataset, as_of=as_of),
    }
    return finite(payload)


def finite(value: Any) -> Any:
    """The payload with NaN / infinity as None, so the JSON output is valid JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


# --- text output for people --------------------------------------------------------------------------------------
def _num(value: Any, *, ratio: bool = False) -> str:
    if value is None:
        return "-"
    if ratio:
        return f"{value * 100:.1f}%"
    if isinstance(value, float) and not value.is_integer() and abs(value) < 100:
        return f"{value:,.2f}"
    return f"{value:,.0f}"


def _is_ratio(item: dict[str, Any]) -> bool:
    return item["metric"] in ("win_rate", "existing_share") or (
        item["target"] is not None and 0 < abs(item["target"]) <= 1 and isinstance(item["target"], float)
    )


def render_plan_text(payload: dict[str, Any]) -> str:
    """Tables for a terminal: each goal's gap, forecast and status; the consistency check; the backward plan."""
    rows = payload["rows"]
    parts = [f"rows: {rows['read']:,} read, {rows['used']:,} used, {rows['rejected']:,} rejected\n"]
    parts.append(f"as of {payload['as_of']} (calendar {payload['calendar']})\n\n")
    header = ["id", "metric", "period", "target", "expected", "actual", "gap", "attain", "status", "forecast",
              "low", "high", "P(target)", "method"]  # fmt: skip
    table = [header]
    for item in [payload["kgi"], *payload["kpis"]]:
        ratio = _is_ratio(item)
        forecast = item["forecast"]
        table.append(
            [
                item["id"], item["metric"], item["period"], _num(item["target"], ratio=ratio),
                _num(item["expected"], ratio=ratio), _num(item["actual"], ratio=ratio), _num(item["gap"], ratio=ratio),
                _num(item["attainment"], ratio=True), item["status"], _num(forecast["value"], ratio=ratio),
                _num(forecast["low"], ratio=ratio), _num(forecast["high"], ratio=ratio),
                _num(forecast["probability_on_target"], ratio=True), forecast["method"]["code"],
            ]
        )  # fmt: skip
    widths = [max(len(str(r[i])) for r in table) for i in range(len(header))]
    for r in table:
        parts.append("  ".join(str(c).ljust(w) if i < 3 or i == 8 else str(c).rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip() + "\n")  # fmt: skip
    thresholds = payload["status_thresholds"]
    parts.append(
        f"status: on_track ≥ {thresholds['on_track']:.0%} of the target pro-rated by business days, "
        f"at_risk ≥ {thresholds['at_risk']:.0%}, else off_track\n\n"
    )
    for item in [payload["kgi"], *payload["kpis"]]:
        parts.append(f"{item['id']}: {item['forecast']['method']['text']}\n")
    consistency = payload["consistency"]
    parts.append(f"\nconsistency: {consistency['status']}")
    if consistency.get("implied") is not None:
        ratio = consistency["gap_ratio"]
        share = "-" if ratio is None else f"{ratio:+.0%}"
        parts.append(
            f": {consistency['formula']} = {_num(consistency['implied'])} against the KGI target "
            f"{_num(consistency['kgi_target'])} ({_num(consistency['gap'])}, {share})"
        )
    parts.append("\n\nbackward plan (per month):\n")
    for step in payload["backward_plan"].get("steps", []):
        rate = step["rate"]
        rate_text = (
            f" at {rate['name']} {_num(rate['value'], ratio=rate['value'] is not None and rate['value'] <= 1)}"
            if rate
            else ""
        )
        kpi_text = f"  (KPI {step['kpi']}: {_num(step['kpi_target_per_month'])})" if step["kpi"] else ""
        parts.append(f"  {step['metric']}: {_num(step['needed_per_month'])}{rate_text}{kpi_text}\n")
    for reject in payload["rejects"][:20]:
        parts.append(f"rejected: {reject['file']} row {reject['row']} [{reject['column']}] {reject['reason']}\n")
    return "".join(parts)
