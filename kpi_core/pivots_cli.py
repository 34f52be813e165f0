"""The `pivots` command: KPIs forecast to miss, the ranked CSF pivots that keep the KGI, Goodhart flags, what-if."""

from __future__ import annotations

import argparse
from typing import Any

from kpi_core.business_days import CALENDARS, DEFAULT_CALENDAR
from kpi_core.cli import add_input_arguments, load_from_args, rows_summary
from kpi_core.format import MISSING
from kpi_core.messages import MESSAGES, render
from kpi_core.pivots import parse_setting, pivots_for_goals, sentences
from kpi_core.plan_cli import (
    _columns,
    check_data_as_of,
    finite,
    parse_as_of,
    payload_currency,
    read_goals,
    rejects_lines,
    rows_line,
)

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
# Every sentence is rendered from the engine's codes and parameters (kpi_core.pivots.sentences), in `lang`, as the
# Pivots page says it; the table's words come from the same catalogue (kpi_core.messages).
_PIVOT_COLUMNS = ("rank", "lever", "current", "required", "change", "seen", "verdict", "csf")  # "pivots.col.<name>"


def _pivot_rows(shortfall: dict[str, Any], lang: str, currency: str | None) -> list[list[str]]:
    rows = [[render(f"pivots.col.{name}", lang) for name in _PIVOT_COLUMNS]]
    for pivot in shortfall["pivots"]:
        moves = [sentences.move_texts(part, lang, currency=currency) for part in pivot["parts"]]
        seen = f"{pivot['months_achieved']}/{pivot['months']}" if pivot["months"] else MISSING
        rows.append(
            [
                str(pivot["rank"]), sentences.lever_label(pivot["lever"], lang), " / ".join(m[0] for m in moves),
                " / ".join(m[1] for m in moves), " / ".join(m[2] for m in moves), seen,
                sentences.verdict_word(pivot["verdict"], lang), pivot["csf"] or MISSING,
            ]
        )  # fmt: skip
    return rows


def _table(rows: list[list[str]]) -> str:
    return "".join("  " + line for line in _columns(rows, [True] * len(rows[0])).splitlines(keepends=True))


def _model_name(model: str, lang: str) -> str:
    family = "marketing" if model.startswith("marketing") else model
    key = f"pivots.model.{family}"
    return render(key, lang) if key in MESSAGES else model


def render_pivots_text(payload: dict[str, Any], lang: str = "en") -> str:
    """The shortfalls and their ranked pivots, the identity checks, Goodhart flags and the what-if, for a terminal,
    in `lang`."""
    currency = payload_currency(payload)
    parts = [rows_line(payload, lang) + "\n"]
    kgi = payload["kgi"]
    per_key = f"cli.pivots.per.{kgi['period']}"
    per = render(per_key, lang) if per_key in MESSAGES else str(kgi["period"])
    target = sentences.value_text(kgi["target"], "currency", lang, currency=currency)
    parts.append(render("cli.pivots.kgi", lang, as_of=payload["as_of"], name=kgi["name"], target=target, per=per))
    forecast = kgi.get("forecast") or {}
    if forecast.get("value") is not None:
        shown = sentences.value_text(forecast["value"], "currency", lang, currency=currency)
        parts.append(render("cli.pivots.kgi_forecast", lang, forecast=shown))
    parts.append("\n\n")
    for check in payload["identity"]:
        sentence = sentences.identity_sentence(check, lang)
        parts.append(render("cli.pivots.identity", lang, model=_model_name(check["model"], lang), sentence=sentence))
        parts.append("\n")
    for note in payload["notes"]:
        parts.append(render("cli.pivots.note", lang, sentence=sentences.note_sentence(note, lang)) + "\n")
    if not payload["shortfalls"]:
        parts.append("\n" + render("cli.pivots.none_missing", lang) + "\n")
    for shortfall in payload["shortfalls"]:
        parts.append("\n" + sentences.shortfall_sentence(shortfall, lang, currency=currency) + "\n")
        if shortfall["pivots"]:
            parts.append(_table(_pivot_rows(shortfall, lang, currency)))
            for pivot in shortfall["pivots"]:
                parts.append(f"  {pivot['rank']}. {sentences.pivot_sentence(pivot, lang, currency=currency)}\n")
    flags = [c for c in payload["goodhart"] if c["flagged"]]
    parts.append("\n" + render("cli.pivots.goodhart", lang, count=len(flags)) + "\n")
    for check in flags:
        parts.append(f"  {sentences.goodhart_sentence(check, lang, currency=currency)}\n")
    outcome = payload.get("what_if")
    if outcome:
        sentence = sentences.what_if_sentence(outcome, lang, currency=currency)
        parts.append("\n" + render("cli.pivots.what_if", lang, sentence=sentence) + "\n")
        parts.append("  " + render("pivots.what_if.required_title", lang) + "\n")
        for item in outcome["required"]:
            current, required, change, _pace = sentences.move_texts(item, lang, currency=currency)
            line = render("pivots.what_if.required_line", lang, lever=sentences.lever_label(item["lever"], lang),
                          current=current, required=required, change=change)  # fmt: skip
            parts.append(f"    {line}\n")
    parts.append(rejects_lines(payload, lang))
    return "".join(parts)
