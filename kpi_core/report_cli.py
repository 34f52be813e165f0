"""The `report` command: the one report of a dataset and goal file (plan, pivots, the figures, the advice)."""

from __future__ import annotations

import argparse
from typing import Any

from kpi_core.business_days import CALENDARS, DEFAULT_CALENDAR
from kpi_core.cli import add_input_arguments, load_from_args, rows_summary
from kpi_core.format import fmt_period
from kpi_core.messages import render
from kpi_core.plan_cli import check_data_as_of, finite, parse_as_of, read_goals
from kpi_core.report import DEFAULT_TARGET_MODE, TARGET_MODES, Figure, Report, advice_lines, build_report, lever_name


def register(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the `report` sub-command to the parser's sub-commands (the parser of kpi_core.cli.build_parser)."""
    report = commands.add_parser("report", help="the one report: plan, forecasts, pivots, figures and advice")
    add_input_arguments(report)
    report.add_argument(
        "--goals", required=True, metavar="GOALS", help="goal YAML file, or a template: template:sales_ja, ..."
    )
    report.add_argument("--as-of", metavar="YYYY-MM-DD", help="the day to measure and forecast from (default today)")
    report.add_argument(
        "--calendar", choices=CALENDARS, default=DEFAULT_CALENDAR, help="business days (default jp: JP holidays)"
    )
    report.add_argument(
        "--target-mode",
        choices=TARGET_MODES,
        default=DEFAULT_TARGET_MODE,
        help="the month's share of the KGI: catch_up (what is still missing over the months left, default, as in the "
        "app) or even (annual ÷ 12)",
    )
    report.add_argument("--json", action="store_true", help="one JSON object instead of text")
    report.set_defaults(handler=run_report, render=render_report_text)
    return report


def run_report(args: argparse.Namespace) -> dict[str, Any]:
    """The `report` payload: rows summary, goals, and the report (figures, levers, advice, plan, pivots); the text
    lines of the advice in --lang ride along for the text output."""
    as_of = parse_as_of(args.as_of)
    goals = read_goals(args.goals, args.lang)
    if args.fiscal_start != 4 and args.fiscal_start != goals.fiscal_year_start:
        goals.fiscal_year_start = args.fiscal_start  # an explicit --fiscal-start wins over the file
    dataset = load_from_args(args)
    if args.as_of:
        as_of = check_data_as_of(as_of, dataset, args.lang)
    report = build_report(goals, dataset, as_of, calendar=args.calendar, target_mode=args.target_mode)
    payload = {
        **rows_summary(dataset, args.lang),
        "goals": {
            "source": args.goals,
            "fiscal_year_start": goals.fiscal_year_start,
            "currency": goals.currency,
            "kgi": goals.kgi.name,
        },
        **report.as_dict(),
        "advice_text": advice_lines(report, args.lang, currency=goals.currency),
        "text": _text_lines(report, goals.kgi.name, args.lang, goals.currency),
    }
    return finite(payload)


def _text_lines(report: Report, kgi_name: str, lang: str, currency: str | None) -> list[str]:
    def text(figure: Figure | None) -> str:
        return figure.text(lang, currency=currency) if figure is not None else "—"

    f = report.figures
    lines = [
        render("report.cli.as_of", lang, as_of=report.as_of.isoformat(), calendar=report.calendar),
        render(
            "report.cli.kgi", lang, name=kgi_name, forecast=text(f.get("kgi.forecast")),
            target=text(f.get("kgi.target")),
            gap=text(f.get("kgi.gap")), low=text(f.get("kgi.low")), high=text(f.get("kgi.high")),
            chance=text(f.get("kgi.probability")),
        ),
    ]  # fmt: skip
    month = report.pivots.kgi_month
    if month is not None:
        period = fmt_period(month["period"], "month", lang)
        key = "report.cli.month_final" if report.final else "report.cli.month"
        lines.append(
            render(key, lang, period=period, forecast=text(f.get("month.forecast")), target=text(f.get("month.target")),
                   gap=text(f.get("month.gap")))
        )  # fmt: skip
    if report.levers and not report.final:
        lines.append(render("report.cli.levers", lang))
        for name, lever in report.levers.items():
            lines.append(
                render(
                    "report.cli.lever", lang, lever=lever_name(report, name, lang), current=text(lever.current),
                    window=render(f"report.window.{lever.current.window}", lang), required=text(lever.required),
                    change=text(lever.change),
                )
            )  # fmt: skip
    return lines


def render_report_text(payload: dict[str, Any], lang: str = "en") -> str:
    """The report for a terminal: the KGI, the month, each lever alone, the advice."""
    return "\n".join([*payload["text"], "", *payload["advice_text"]]) + "\n"
