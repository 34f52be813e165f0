"""The `pivots` command: KPIs forecast to miss, the ranked CSF pivots that keep the KGI, Goodhart flags, what-if."""

from __future__ import annotations

import argparse
from typing import Any

from kpi_core.business_days import CALENDARS, DEFAULT_CALENDAR
from kpi_core.cli import add_input_arguments, load_from_args, rows_summary
from kpi_core.pivots import format_change, format_value, parse_setting, pivots_for_goals
from kpi_core.plan_cli import check_data_as_of, finite, parse_as_of, read_goals

TARGET_MODES = ("even", "catch_up")


def register(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the `pivots` sub-command to the parser's sub-commands (the parser of kpi_core.cli.build_parser)."""
    pivots = commands.add_parser("pivots", help="KPIs forecast to miss and the other levers that keep the KGI")
    add_input_arguments(pivots)
    pivots.add_argument(
        "--goals", required=True, metavar="GOALS", help="goal YAML file, or a template: template:sales_ja, ..."
    )
    pivots.add_argument("--as-of", metavar="YYYY-MM-DD", help="the day to measure and forecast from (default today)")
    pivots.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="LEVER=VALUE",
        help="what-if: win_rate=0.3, avg_unit_price=+10%%, opportunities=60 (a period-end total); repeatable",
    )
    pivots.add_argument(
        "--calendar", choices=CALENDARS, default=DEFAULT_CALENDAR, help="business days (default jp: JP holidays)"
    )
    pivots.add_argument(
        "--target-mode",
        choices=TARGET_MODES,
        default="catch_up",
        help="the period's share of the KGI: catch_up (what is still missing over the periods left, default, as in "
        "the app) or even (annual ÷ 12 a month)",
    )
    pivots.add_argument("--json", action="store_true", help="one JSON object instead of text")
    pivots.set_defaults(handler=run_pivots, render=render_pivots_text)
    return pivots


def run_pivots(args: argparse.Namespace) -> dict[str, Any]:
    """The `pivots` payload: rows summary, goals, KGI, identity checks, shortfalls with pivots, Goodhart, what-if."""
    as_of = parse_as_of(args.as_of)
    settings = [parse_setting(item) for item in args.set]  # bad --set fails before the files are read
    goals = read_goals(args.goals, args.lang)
    if args.fiscal_start != 4 and args.fiscal_start != goals.fiscal_year_start:
        goals.fiscal_year_start = args.fiscal_start  # an explicit --fiscal-start wins over the file
    dataset = load_from_args(args)
    if args.as_of:
        as_of = check_data_as_of(as_of, dataset, args.lang)
    report = pivots_for_goals(
        goals, dataset, as_of, settings=settings, calendar=args.calendar, target_mode=args.target_mode
    )
    payload = {
        **rows_summary(dataset, args.lang),
        "calendar": args.calendar,
        "target_mode": args.target_mode,
        "goals": {"source": args.goals, "fiscal_year_start": goals.fiscal_year_start, "currency": goals.currency},
        **report.as_dict(),
    }
    return finite(payload)


# --- text output for people --------------------------------------------------------------------------------------
def _shown(value: Any, unit: str) -> str:
    return format_value(value, unit if unit in ("ratio", "currency") else "count")


def _pivot_rows(shortfall: dict[str, Any]) -> list[list[str]]:
    rows = [["#", "lever", "current", "required", "change", "seen", "verdict", "csf"]]
    for pivot in shortfall["pivots"]:
        parts = pivot["parts"]
        current = " / ".join(_shown(p["current"], p["unit"]) for p in parts)
        required = " / ".join(_shown(p["required"], p["unit"]) for p in parts)
        seen = f"{pivot['months_achieved']}/{pivot['months']}" if pivot["months"] else "-"
        rows.append(
            [
                str(pivot["rank"]), pivot["lever"], current, required, format_change(pivot["change_pct"]), seen,
                pivot["verdict"], pivot["csf"] or "-",
            ]
        )  # fmt: skip
    return rows


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join("  " + line for line in lines) + "\n"


def render_pivots_text(payload: dict[str, Any]) -> str:
    """The shortfalls and their ranked pivots, the identity checks, Goodhart flags and the what-if, for a terminal."""
    rows = payload["rows"]
    parts = [f"rows: {rows['read']:,} read, {rows['used']:,} used, {rows['rejected']:,} rejected\n"]
    kgi = payload["kgi"]
    parts.append(
        f"as of {payload['as_of']}: KGI {kgi['name']} ({_shown(kgi['target'], 'currency')} per {kgi['period']})"
    )
    forecast = kgi.get("forecast") or {}
    if forecast.get("value") is not None:
        parts.append(f", forecast {_shown(forecast['value'], 'currency')}")
    parts.append("\n\n")
    for check in payload["identity"]:
        parts.append(f"identity ({check['model']}): {check['explanation']['text']}\n")
    for note in payload["notes"]:
        parts.append(f"note: {note['text']}\n")
    if not payload["shortfalls"]:
        parts.append("\nno KPI is forecast to miss its target.\n")
    for shortfall in payload["shortfalls"]:
        parts.append(f"\n{shortfall['explanation']['text']}\n")
        if shortfall["pivots"]:
            parts.append(_table(_pivot_rows(shortfall)))
            for pivot in shortfall["pivots"]:
                parts.append(f"  {pivot['rank']}. {pivot['explanation']['text']}\n")
    flags = [c for c in payload["goodhart"] if c["flagged"]]
    parts.append(f"\nGoodhart guard: {len(flags)} flag{'s' if len(flags) != 1 else ''}\n")
    for check in flags:
        parts.append(f"  {check['explanation']['text']}\n")
    if payload.get("what_if"):
        parts.append(f"\nwhat-if: {payload['what_if']['explanation']['text']}\n")
        for item in payload["what_if"]["required"]:
            parts.append(
                f"  {item['lever']} alone would need {_shown(item['required'], item['unit'])} "
                f"({format_change(item['change_pct'])})\n"
            )
    for reject in payload["rejects"][:20]:
        parts.append(f"rejected: {reject['file']} row {reject['row']} [{reject['column']}] {reject['reason']}\n")
    return "".join(parts)
