"""The `check` command: the KPI health check of a goal file against data (score and findings), or with --fix ID
the goal file repaired by one finding's fix."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kpi_core.cli import UsageError, add_input_arguments, load_from_args, rows_summary
from kpi_core.goals import template_text
from kpi_core.health.fixes import FixError, apply_fix
from kpi_core.health.messages import render_health
from kpi_core.health.model import finite
from kpi_core.health.runner import check_health
from kpi_core.plan_cli import (
    TEMPLATE_PREFIX,
    add_teams_argument,
    check_data_as_of,
    parse_as_of,
    read_goals,
    read_teams_file,
)


def add_check_command(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `check FILE ... --goals GOALS [--as-of D] [--teams FILE] [--json] [--fix ID]` to kpi_core.cli's
    sub-commands."""
    check = subparsers.add_parser("check", help="KPI health check: the seven pitfalls of KPI management")
    add_input_arguments(check)
    check.add_argument(
        "--goals", required=True, metavar="GOALS", help="goal YAML file, or a template: template:sales_ja, ..."
    )
    check.add_argument("--as-of", metavar="YYYY-MM-DD", help="the day to check on (default today)")
    add_teams_argument(check)
    check.add_argument("--json", action="store_true", help="one JSON object instead of text")
    check.add_argument("--fix", metavar="ID", help="print the goal file repaired by the fix of finding ID")
    check.set_defaults(handler=run_check, render=render_check_text)
    return check


def goals_source(spec: str) -> tuple[str, float | None]:
    """The goal file's text and modified time (POSIX seconds; None for a built-in template)."""
    if spec.startswith(TEMPLATE_PREFIX):
        name, _, lang = spec[len(TEMPLATE_PREFIX) :].rpartition("_")
        return template_text(name, lang), None
    path = Path(spec)
    return path.read_text(encoding="utf-8-sig"), path.stat().st_mtime


def run_check(args: argparse.Namespace) -> dict[str, Any]:
    """The `check` payload: score, pitfalls, findings (message, evidence, remedy, fix) and the unchecked; with
    --fix, also `fixed_goals` (the repaired goal file)."""
    lang = args.lang
    as_of = parse_as_of(args.as_of)
    goals = read_goals(args.goals, lang)  # UsageError / GoalsError with the line and field
    text, modified = goals_source(args.goals)
    teams = read_teams_file(args.teams)  # each rep's team in pitfall 6; a bad file: one sentence, exit 2
    if args.fiscal_start != 4 and args.fiscal_start != goals.fiscal_year_start:
        goals.fiscal_year_start = args.fiscal_start
    dataset = load_from_args(args)
    if args.as_of:
        as_of = check_data_as_of(as_of, dataset, lang)
    report = check_health(goals, dataset, as_of, lang=lang, goals_modified=modified, teams=teams)
    payload: dict[str, Any] = {**rows_summary(dataset, lang), "goals": args.goals, **report.as_dict(lang)}
    if args.fix:
        fixable = [f.id for f in report.findings if f.fix is not None]
        try:
            finding = report.finding(args.fix)
        except KeyError:
            raise UsageError(
                render_health("health.cli.unknown_fix", lang, {"id": args.fix, "ids": ", ".join(fixable) or "-"}, {})
            ) from None
        if finding.fix is None:
            raise UsageError(render_health("health.cli.no_fix", lang, {"id": args.fix}, {}))
        try:
            payload["fixed_goals"] = apply_fix(text, finding.fix)
        except FixError as exc:
            raise UsageError(render_health(exc.code, lang, exc.params, {})) from None
        payload["fix"] = finding.fix.as_dict()
    return finite(payload)


def render_check_text(payload: dict[str, Any], lang: str = "en") -> str:
    """The score, then per pitfall its findings (verdict, sentence, remedy, fix ID); with --fix, the goal file."""
    if "fixed_goals" in payload:
        return payload["fixed_goals"]
    say = lambda key, **params: render_health(key, lang, params, {})  # noqa: E731
    parts = [say("health.score", score=payload["score"]) + "\n"]
    for pitfall in payload["pitfalls"]:
        number = pitfall["pitfall"]
        verdict = say(f"health.verdict.{pitfall['verdict']}") if pitfall["verdict"] else "-"
        parts.append(f"\n{number}. {say(f'health.pitfall.{number}')} [{verdict}]\n")
        for finding in (f for f in payload["findings"] if f["pitfall"] == number):
            mark = {"ok": "  ok  ", "warn": "  !   ", "fail": "  ×   "}[finding["verdict"]]
            parts.append(f"{mark}{finding['message']}\n")
            if finding["verdict"] != "ok" and finding["remedy"]["text"]:
                parts.append("      " + say("health.remedy_label", text=finding["remedy"]["text"]) + "\n")
            if finding["fix"]:
                fix = finding["fix"]
                op = say(f"health.fix.op.{fix['op']}", value=fix["value"])
                parts.append("      " + say("health.fix_label", id=finding["id"], op=op) + "\n")
        for skipped in (s for s in payload["skipped"] if s["pitfall"] == number):
            parts.append("  -   " + say("health.skipped_label", text=skipped["message"]) + "\n")
    return "".join(parts)
