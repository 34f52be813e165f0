"""The `plan` command: KGI and KPI gaps, period-end forecasts, the plan's consistency and the backward plan."""

from __future__ import annotations

import argparse
import datetime as dt
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kpi_core.asof import AsOfError, check_as_of
from kpi_core.business_days import CALENDARS, DEFAULT_CALENDAR
from kpi_core.cli import UsageError, _pad, _width, add_input_arguments, load_from_args, rows_summary
from kpi_core.format import MISSING, fmt_change, fmt_pct, fmt_period, fmt_signed, fmt_value
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
from kpi_core.messages import MESSAGES, Phrase, render
from kpi_core.pacing import forecast_goals
from kpi_core.pacing_sentences import method_sentence, status_word
from kpi_core.pivots import sentences
from kpi_core.quotas import TeamsError, by_owner, read_teams
from kpi_core.report import Figure, figure_unit, gap_figures, goal_prefix

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
    add_teams_argument(plan)
    plan.add_argument("--json", action="store_true", help="one JSON object instead of tables")
    plan.set_defaults(handler=run_plan, render=render_plan_text)
    return plan


def add_teams_argument(parser: argparse.ArgumentParser) -> None:
    """--teams FILE (plan, digest, check): each rep's team, as the app's team file upload."""
    parser.add_argument(
        "--teams", metavar="FILE", help="team file: two columns, owner and team (CSV or Excel), as in the app"
    )


def read_teams_file(spec: str | None) -> dict[str, str] | None:
    """owner → team from --teams (kpi_core.quotas.read_teams); None without one. A missing file is a UsageError, a
    file that cannot be used a TeamsError: one sentence in the command's language, exit status 2."""
    if not spec:
        return None
    path = Path(spec)
    if not path.is_file():
        raise UsageError("cli.no_team_file", spec=spec)
    try:
        return read_teams(path, path.name)
    except OSError:
        raise TeamsError("teams.unreadable", file=path.name) from None


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
        raise UsageError("cli.no_goal_file", spec=spec)
    check_document_size(path.stat().st_size, source=path.name, lang=lang)  # before it is read into memory
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError("cli.goal_file_not_utf8", spec=spec) from exc
    return load_goals(text, source=path.name, lang=lang)


def parse_as_of(text: str | None) -> dt.date:
    """--as-of as a date (default today)."""
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise UsageError("cli.bad_as_of", text=repr(text)) from exc


def check_data_as_of(as_of: dt.date, dataset: Dataset, lang: str = "en") -> dt.date:
    """An --as-of the data can be measured at (within a year of its dates), else UsageError with the sentence."""
    try:
        return check_as_of(as_of, dataset)
    except AsOfError as exc:
        raise UsageError("cli.as_of", problem=Phrase(exc.code, exc.params)) from exc


def run_plan(args: argparse.Namespace) -> dict[str, Any]:
    """The `plan` payload: rows summary, the KGI and KPIs (gap, forecast, status), consistency, backward plan."""
    as_of = parse_as_of(args.as_of)
    goals = read_goals(args.goals, args.lang)
    teams = read_teams_file(args.teams)  # before the data: a bad team file fails fast, as a bad goal file does
    if args.fiscal_start != 4 and args.fiscal_start != goals.fiscal_year_start:
        goals.fiscal_year_start = args.fiscal_start  # an explicit --fiscal-start wins over the file
    dataset = load_from_args(args)
    if args.as_of:
        as_of = check_data_as_of(as_of, dataset, args.lang)
    rows = kpi_gaps(goals, dataset, as_of=as_of, calendar=args.calendar)
    forecasts = forecast_goals(goals, dataset, as_of=as_of, calendar=args.calendar)
    quotas = by_owner(goals, dataset, as_of=as_of, calendar=args.calendar, teams=teams)
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
                "by_owner": quotas.get(row["id"], []),
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
# Every word from kpi_core.messages in `lang`; every number through kpi_core.report's Figure (kpi_core.format), as
# the Goals and Pacing pages show it. Ids, goal names and the user's formula stay as written.
_PLAN_COLUMNS = (
    "id",
    "metric",
    "period",
    "target",
    "expected",
    "actual",
    "gap",
    "attainment",
    "status",
    "forecast",
    "low",
    "high",
    "probability",
    "method",
)  # fmt: skip  (headings: "cli.plan.col.<name>")
_LEFT = {"id", "metric", "period", "status", "method"}


def _word(key: str, lang: str, fallback: str) -> str:
    """The catalogue's word for `key`, else `fallback` (a code this version has no word for, shown as it is)."""
    return render(key, lang) if key in MESSAGES else fallback


def metric_text(metric: str, lang: str) -> str:
    """A metric's label (商談数 / Opportunities: metrics.yaml, else the driver models' levers such as 商談→受注); a
    formula's names each replaced by theirs."""
    return re.sub(r"[A-Za-z_][A-Za-z_0-9]*", lambda m: sentences.lever_label(m.group(0), lang), metric)


def _period(key: str | None, per: str | None, lang: str) -> str:
    try:
        return fmt_period(key, per or "month", lang)
    except (ValueError, IndexError):
        return str(key)


def _goal_row(item: dict[str, Any], lang: str, currency: str | None) -> list[str]:
    prefix = goal_prefix(str(item["id"]))
    figures = gap_figures([item])
    unit = figure_unit(str(item["metric"]))
    forecast = item["forecast"]
    made = {
        name: Figure(f"{prefix}.{name}", forecast[key], unit, str(item.get("per")), item.get("period"))
        for name, key in (("forecast", "value"), ("low", "low"), ("high", "high"))
    }
    made["probability"] = Figure(f"{prefix}.probability", forecast["probability_on_target"], "ratio", "period")
    shown = {name: f.text(lang, currency=currency) for name, f in made.items()}
    for name, key in (("target", "period_target"), ("expected", "expected"), ("actual", "actual"),
                      ("gap", "to_date_gap"), ("attainment", "attainment")):  # fmt: skip
        shown[name] = figures[f"{prefix}.{key}"].text(lang, currency=currency)
    code = str((forecast.get("method") or {}).get("code", ""))
    shown |= {
        "id": str(item["id"]),
        "metric": metric_text(str(item["metric"]), lang),
        "period": _period(item.get("period"), item.get("per"), lang),
        "status": status_word(str(item["status"]), lang),
        "method": _word(f"cli.plan.method.{code}", lang, code or MISSING),
    }
    return [shown[name] for name in _PLAN_COLUMNS]


def _columns(rows: list[list[str]], left: Sequence[bool]) -> str:
    """Rows as aligned columns (a Japanese character takes two), numbers to the right."""
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "".join(
        "  ".join(_pad(c, w, right=not left[i]) for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip() + "\n"
        for r in rows
    )


def rows_line(payload: dict[str, Any], lang: str) -> str:
    """ "rows: 1,234 read, ..." as the other commands say it."""
    rows = payload["rows"]
    skipped = render("cli.rows_skipped", lang, count=rows["skipped"]) if rows.get("skipped") else ""
    return render("cli.rows", lang, read=rows["read"], used=rows["used"], rejected=rows["rejected"], skipped=skipped)


def rejects_lines(payload: dict[str, Any], lang: str) -> str:
    """The first 20 rejected rows and how many more there are."""
    parts = []
    for reject in payload["rejects"][:20]:
        fields = {name: reject[name] for name in ("file", "row", "column", "reason")}
        parts.append(render("cli.rejected_row", lang, **fields) + "\n")
    if len(payload["rejects"]) > 20:
        parts.append(render("cli.more_rejects", lang, count=len(payload["rejects"]) - 20) + "\n")
    return "".join(parts)


def payload_currency(payload: dict[str, Any]) -> str | None:
    """The goal file's currency, else the data's."""
    return (payload.get("goals") or {}).get("currency") or payload.get("currency")


def render_plan_text(payload: dict[str, Any], lang: str = "en") -> str:
    """Tables for a terminal, in `lang`: each goal's gap, forecast and status; the consistency check; the backward
    plan."""
    currency = payload_currency(payload)
    calendar = _word(f"cli.calendar.{payload['calendar']}", lang, str(payload["calendar"]))
    parts = [rows_line(payload, lang) + "\n", render("cli.as_of_calendar", lang, as_of=payload["as_of"],
                                                     calendar=calendar) + "\n\n"]  # fmt: skip
    table = [[render(f"cli.plan.col.{name}", lang) for name in _PLAN_COLUMNS]]
    goals = [payload["kgi"], *payload["kpis"]]
    table += [_goal_row(item, lang, currency) for item in goals]
    parts.append(_columns(table, [name in _LEFT for name in _PLAN_COLUMNS]))
    thresholds = payload["status_thresholds"]
    words = {status: status_word(status, lang) for status in ("on_track", "at_risk", "off_track")}
    shares = {f"{status}_share": fmt_pct(thresholds[status], lang, 0) for status in ("on_track", "at_risk")}
    parts.append(render("cli.plan.status_rule", lang, **words, **shares) + "\n\n")
    parts += [_reps_section(item, lang, currency) for item in goals]
    # How each forecast was made, in `lang`: the sentence the Pacing page shows, from the method code + params.
    parts += [_method_line(item, lang, currency) + "\n" for item in goals] + ["\n"]
    parts.append(_consistency(payload["consistency"], lang, currency) + "\n\n")
    parts.append(render("cli.plan.backward_title", lang) + "\n")
    parts += ["  " + _backward_step(step, lang, currency) + "\n" for step in payload["backward_plan"].get("steps", [])]
    parts.append(rejects_lines(payload, lang))
    return "".join(parts)


def _method_line(item: dict[str, Any], lang: str, currency: str | None) -> str:
    """ "deals: Run rate: 7 so far in 3 of 20 business days, extended at the same pace: 47." (the JSON keeps
    pacing's English text in method.text)."""
    forecast = item["forecast"]
    sentence = method_sentence(
        forecast.get("method") or {},
        lang,
        metric=str(item["metric"]),
        value=forecast.get("value"),
        low=forecast.get("low"),
        currency=currency,
    )
    return render("cli.plan.method_line", lang, id=item["id"], sentence=sentence)


_REP_COLUMNS = ("rank", "owner", "team", "quota", "expected", "actual", "attainment", "forecast", "probability")
_REP_LEFT = {"owner", "team"}


def _reps_section(item: dict[str, Any], lang: str, currency: str | None) -> str:
    """A goal with quotas, rep by rep as ranked in by_owner: quota, the quota pro-rated to the as-of date, actual,
    attainment (of the pro-rated quota), forecast and its chance; the team column only when a rep has a team.
    "" for a goal without quotas (the Goals page shows its even split)."""
    reps = item.get("by_owner") or []
    if not any(rep.get("basis") == "quota" for rep in reps):
        return ""
    columns = [c for c in _REP_COLUMNS if c != "team" or any(rep.get("team") for rep in reps)]
    unit = figure_unit(str(item["metric"]))
    table = [[render(f"cli.plan.col.{name}", lang) for name in columns]]
    rank = 0
    for rep in reps:
        rank += rep.get("attainment") is not None  # reps without an attainment (no quota, no data) are not ranked
        forecast = rep.get("forecast") or {}
        shown = {
            "rank": str(rank) if rep.get("attainment") is not None else MISSING,
            "owner": str(rep["owner"]),
            "team": str(rep.get("team") or MISSING),
            "quota": fmt_value(rep.get("target"), unit, lang, compact=True, currency=currency, required=True),
            "expected": fmt_value(rep.get("expected"), unit, lang, compact=True, currency=currency, required=True),
            "actual": fmt_value(rep.get("actual"), unit, lang, compact=True, currency=currency),
            "attainment": fmt_pct(rep.get("attainment"), lang),
            "forecast": fmt_value(forecast.get("value"), unit, lang, compact=True, currency=currency),
            "probability": fmt_pct(forecast.get("probability_on_target"), lang),
        }
        table.append([shown[name] for name in columns])
    title = render("cli.plan.reps_title", lang, id=item["id"], basis=render("quota.basis.quota", lang))
    body = _columns(table, [name in _REP_LEFT for name in columns])
    return title + "\n" + "".join("  " + line + "\n" for line in body.splitlines()) + "\n"


def _consistency(consistency: dict[str, Any], lang: str, currency: str | None) -> str:
    """Whether the KPI targets multiply up to the KGI target: "consistency: mismatch: ... (−3,600万円, −25%)"."""
    status = str(consistency["status"])
    line = render("cli.plan.consistency", lang, status=_word(f"cli.plan.consistency.{status}", lang, status))
    if consistency.get("implied") is None:
        return line
    ratio = consistency.get("gap_ratio")
    return line + render(
        "cli.plan.consistency_detail",
        lang,
        formula=metric_text(str(consistency.get("formula") or ""), lang),
        implied=fmt_value(consistency["implied"], "currency", lang, compact=True, currency=currency),
        kgi_target=fmt_value(consistency["kgi_target"], "currency", lang, compact=True, currency=currency),
        gap=fmt_signed(consistency["gap"], "currency", lang, currency=currency),
        share=MISSING if ratio is None else fmt_change(ratio, lang),
    )


def _backward_step(step: dict[str, Any], lang: str, currency: str | None) -> str:
    """One step of the backward plan: "商談数：54（受注率 25.0%で）（KPI deals の目標：50）"."""
    metric = str(step["metric"])
    unit = figure_unit(metric)
    needed = Figure("", step.get("needed_per_month"), unit, "history", required=True).text(lang, currency=currency)
    rate = step.get("rate")
    rate_text = ""
    if rate:
        rate_unit = "currency" if rate.get("name") == "avg_unit_price" else "ratio"
        value = Figure("", rate.get("value"), rate_unit, "history").text(lang, currency=currency)
        rate_text = render("cli.plan.backward_rate", lang, rate=metric_text(str(rate["name"]), lang), value=value)
    kpi_text = ""
    if step.get("kpi"):
        target = Figure("", step.get("kpi_target_per_month"), unit, "history", required=True)
        kpi_text = render("cli.plan.backward_kpi", lang, kpi=step["kpi"], target=target.text(lang, currency=currency))
    return render("cli.plan.backward_step", lang, metric=metric_text(metric, lang), needed=needed, rate=rate_text,
                  kpi=kpi_text)  # fmt: skip
