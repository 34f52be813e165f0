"""Command line: `python -m kpi_core kpis FILE ...` (and the goal commands), the same engine the app uses.

Every sentence it prints comes from kpi_core.messages in the language of `--lang ja|en` (before or after the
command; default from the locale: LC_ALL / LC_MESSAGES / LANG starting with "ja" → ja, else en). JSON keys and codes
never change; JSON `message` fields follow `--lang`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import json
import os
import sys
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from kpi_core.intake.errors import IntakeError
from kpi_core.intake.inference import CURRENCIES
from kpi_core.intake.load import Dataset, FileInput, LoadOptions, load_dataset
from kpi_core.intake.roles import PERIOD_ROLES, RECORD_ROLES
from kpi_core.intake.stages import CANONICAL
from kpi_core.intake.values import DATE_ORDERS
from kpi_core.messages import LANGS, MESSAGES, Sentence, render
from kpi_core.metrics import BREAKDOWN_ROLES, PERIODS, KpiResult, compute_kpis

EXIT_OK, EXIT_BAD_INPUT = 0, 2
LOCAL_FILE_MAX_BYTES = 64 * 1024**3  # local files are the user's own: only the upload limit of the app is small
ERROR_PREFIX = "error: "  # the same in every language: scripts look for it; the sentence after it follows --lang


class UsageError(Exception):
    """Input the command cannot use: printed as one line, exit status 2.

    ``key`` names the sentence in kpi_core.messages ("cli.no_such_file", …), filled from ``params``; ``message`` is
    the English sentence (also str()) and ``message(lang)`` the sentence in ja / en. A ``key`` that is not in the
    catalogue is taken as the sentence itself.
    """

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key = key
        self.code = key
        self.params = params
        self.message = Sentence(self._render)
        super().__init__(str(self.message))

    def _render(self, lang: str) -> str:
        return render(self.key, lang, **self.params) if self.key in MESSAGES else self.key


def default_lang(environ: Mapping[str, str] | None = None) -> str:
    """The language of the messages without --lang: the locale's (LC_ALL, else LC_MESSAGES, else LANG), ja when it
    starts with "ja", else en."""
    environ = os.environ if environ is None else environ
    locale = next((environ[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(name)), "")
    return "ja" if locale.lower().startswith("ja") else "en"


def _lang_in(argv: Sequence[str]) -> str | None:
    """The last --lang given in `argv`, read before parsing so that an argument error is said in it too."""
    found = None
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        value = argv[index + 1] if arg == "--lang" and index + 1 < len(argv) else arg.partition("--lang=")[2]
        if value in LANGS:
            found = value
    return found


def _command_in(argv: Sequence[str]) -> str | None:
    """The command named in `argv` (its first word after a global --lang)."""
    words = iter(argv)
    for arg in words:
        if arg == "--lang":
            next(words, None)
        elif not arg.startswith("--lang="):
            return arg
    return None


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line (UsageError) instead of printing and exiting, and settles
    `lang` once the whole command line is read (the command's --lang, else the global one, else the locale's)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError("cli.bad_arguments", prog=self.prog, detail=message)

    def parse_known_args(self, args=None, namespace=None):
        parsed, extras = super().parse_known_args(args, namespace)
        if hasattr(parsed, "global_lang"):  # the top-level parser (a command's parser has no global_lang)
            parsed.lang = getattr(parsed, "lang", None) or parsed.global_lang or default_lang()
        return parsed, extras


_LANG_HELP = "language of messages and text output: ja or en (default: from the locale, LANG / LC_ALL)"


def build_parser(*, with_goal_commands: bool = True) -> argparse.ArgumentParser:
    """The command-line parser. The goal commands pull in pandas; `kpis` alone starts faster without them."""
    parser = _Parser(prog="python -m kpi_core", description="KPI Pivot engine on the command line.")
    # dest differs from the commands' --lang: a command's parser would otherwise overwrite it with its default.
    parser.add_argument("--lang", dest="global_lang", choices=LANGS, default=None, help=_LANG_HELP)
    commands = parser.add_subparsers(dest="command", required=True)
    kpis = commands.add_parser("kpis", help="funnel and pipeline figures from CSV / Excel files")
    add_input_arguments(kpis)
    kpis.add_argument("--period", choices=PERIODS, default="month", help="period of the breakdown (default month)")
    kpis.add_argument("--by", action="append", default=[], choices=BREAKDOWN_ROLES, help="break down by a role")
    kpis.add_argument("--cohort", action="store_true", help="count everything in the period of the created date")
    kpis.add_argument("--json", action="store_true", help="one JSON object instead of tables")
    kpis.add_argument(
        "--compare",
        action="store_true",
        help="with --json, add `comparisons`: the period of the as-of date against the previous one and the same "
        "period last year, both cut at the same day (costs three more passes over the data)",
    )
    kpis.add_argument(
        "--as-of", type=_date_arg, help="as-of date of --compare, YYYY-MM-DD (default: the data's last date)"
    )
    kpis.set_defaults(handler=run_kpis)
    if with_goal_commands:
        # The goal commands live beside the logic they print (imported here: they import this module's helpers).
        from kpi_core import changes_cli, digest_cli, pivots_cli, plan_cli, report_cli
        from kpi_core.health.cli import add_check_command
        from kpi_core.workspace.cli import add_workspace_commands

        plan_cli.register(commands)
        pivots_cli.register(commands)
        report_cli.register(commands)
        add_check_command(commands)
        changes_cli.register(commands)
        digest_cli.register(commands)
        add_workspace_commands(commands)
    return parser


_LEVELS = ", ".join(CANONICAL)


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments every command that reads files shares."""
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--sheet", help="Excel sheet to read (default: the sheet that holds the data)")
    parser.add_argument("--map", action="append", default=[], metavar="ROLE=COLUMN", help="set a column role")
    parser.add_argument("--link", help="column that links several files (default: found automatically)")
    parser.add_argument("--fiscal-start", type=int, default=4, help="first month of the fiscal year (default 4)")
    parser.add_argument(
        "--stage", action="append", default=[], metavar="VALUE=LEVEL", help=f"map a stage value: LEVEL one of {_LEVELS}"
    )
    parser.add_argument(
        "--date-order", action="append", default=[], metavar="COLUMN=dmy|mdy", help="day/month order of a date column"
    )
    parser.add_argument("--currency", choices=CURRENCIES, help="currency of the amounts (default: read from the file)")
    parser.add_argument("--lang", choices=LANGS, default=None, help=_LANG_HELP)


def parse_mapping(items: Sequence[str]) -> dict[str, str | None]:
    """--map ROLE=COLUMN items as a dict; an empty COLUMN drops the role."""
    mapping: dict[str, str | None] = {}
    for item in items:
        role, sep, column = item.partition("=")
        if not sep or role.strip() not in (*RECORD_ROLES, *PERIOD_ROLES):
            roles = ", ".join(dict.fromkeys((*RECORD_ROLES, *PERIOD_ROLES)))
            raise UsageError("cli.bad_map", item=repr(item), roles=roles)
        mapping[role.strip()] = column.strip() or None
    return mapping


def parse_pairs(items: Sequence[str], option: str, allowed: Sequence[str]) -> dict[str, str]:
    """--stage VALUE=LEVEL / --date-order COLUMN=ORDER items as a dict, the right side one of `allowed`."""
    pairs: dict[str, str] = {}
    for item in items:
        left, sep, right = item.rpartition("=")
        if not sep or not left.strip() or right.strip() not in allowed:
            raise UsageError("cli.bad_pair", option=option, item=repr(item), allowed="|".join(allowed))
        pairs[left.strip()] = right.strip()
    return pairs


def load_from_args(args: argparse.Namespace) -> Dataset:
    """Load the files named on the command line with the options given."""
    for path in args.files:
        if not path.is_file():
            raise UsageError("cli.no_such_file", path=path)
    if not 1 <= args.fiscal_start <= 12:
        raise UsageError("cli.fiscal_start")
    inputs = [FileInput(name=path.name, data=path, sheet=args.sheet) for path in args.files]
    options = LoadOptions(
        roles=parse_mapping(args.map),
        link_key=args.link,
        max_bytes=LOCAL_FILE_MAX_BYTES,
        stage_map=parse_pairs(args.stage, "--stage", CANONICAL),
        date_orders=parse_pairs(args.date_order, "--date-order", DATE_ORDERS),
        currency=args.currency,
        lang=args.lang,
    )
    return load_dataset(inputs, options)


def rows_summary(dataset: Dataset, lang: str = "en") -> dict[str, Any]:
    """The `rows`, `rejects` and `mapping` part every JSON output starts with."""
    return {
        "rows": {
            "read": dataset.rows_read,
            "used": dataset.rows_used,
            "rejected": dataset.rejected,
            "linked": dataset.rows_linked,
            "skipped": len(dataset.skipped),
        },
        "rejects": [r.as_dict(lang) for r in dataset.rejects],
        "skipped": [s.as_dict(lang) for s in dataset.skipped],
        "warnings": [w.as_dict(lang) for w in dataset.warnings],
        "links": [link.as_dict() for link in dataset.links],
        "mapping": dataset.mapping,
        "currency": dataset.currency,
        "evidence": dataset.evidence,
    }


def run_kpis(args: argparse.Namespace) -> dict[str, Any]:
    dataset = load_from_args(args)
    missing = [role for role in args.by if role not in dataset.mapping]
    if dataset.shape == "periods" and missing:
        raise UsageError("cli.by_missing_role", role=missing[0])
    result = compute_kpis(dataset, period=args.period, by=args.by, cohort=args.cohort, fiscal_start=args.fiscal_start)
    payload = {**rows_summary(dataset, args.lang), **kpi_payload(result)}
    if getattr(args, "compare", False):
        payload["comparisons"] = comparisons_payload(dataset, result, args)
    return payload


def _date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def comparisons_payload(dataset: Dataset, result: KpiResult, args: argparse.Namespace) -> dict[str, Any]:
    """`comparisons` of `kpis --compare`: every figure the totals have, in the period (--period) of the as-of date
    (--as-of, else the data's last date) against the previous period and the same period last year."""
    from kpi_core.asof import check_as_of, data_bounds
    from kpi_core.metrics import load_catalog
    from kpi_core.period_compare import compare_periods, default_measures

    bounds = data_bounds(dataset)
    as_of = check_as_of(args.as_of, bounds=bounds) if args.as_of else bounds[1]
    if as_of is None:
        raise UsageError("cli.compare_undated")
    comparison = compare_periods(
        dataset,
        as_of=as_of,
        period=args.period,
        measures=default_measures(result.totals, load_catalog().names),
        fiscal_start=args.fiscal_start,
        cohort=args.cohort,
        bounds=bounds,
    )
    return comparison.as_dict(args.lang)


def kpi_payload(result: KpiResult) -> dict[str, Any]:
    """The figures part of the `kpis` JSON."""
    return {
        "totals": result.totals,
        "by_period": result.by_period,
        "by": result.by,
        "undated": result.undated,
    }


def main(argv: Sequence[str] | None = None, *, out=None, err=None) -> int:
    """Run a command; return the exit status (0, or 2 with one line on stderr for unusable input)."""
    out, err = out or sys.stdout, err or sys.stderr
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _lang_in(argv) or default_lang()
    parser = build_parser(with_goal_commands=_command_in(argv) != "kpis")
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        print(ERROR_PREFIX + _sentence(exc, lang), file=err)
        return EXIT_BAD_INPUT
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    lang = args.lang
    handler: Callable[[argparse.Namespace], dict[str, Any]] = args.handler
    try:
        payload = handler(args)
    except (IntakeError, UsageError, ValueError) as exc:
        print(ERROR_PREFIX + _sentence(exc, lang), file=err)
        return getattr(exc, "exit_status", EXIT_BAD_INPUT)  # a workspace refusal has its own (1: not found, refused)
    if args.json:
        json.dump(payload, out, ensure_ascii=False, default=str, allow_nan=False)
        out.write("\n")
    else:
        out.write(_render_payload(getattr(args, "render", render_text), payload, lang))
    return getattr(args, "exit_status", EXIT_OK)  # a command may set its own status on success (digest: 3)


def _sentence(error: Exception, lang: str) -> str:
    """The error's sentence in `lang` when it has one (message(lang)), else its text."""
    message = getattr(error, "message", None)
    return message(lang) if callable(message) else str(error)


def _render_payload(renderer: Callable[..., str], payload: dict[str, Any], lang: str) -> str:
    """The text a command prints, in `lang` when its renderer takes a language."""
    if "lang" in inspect.signature(renderer).parameters:
        return renderer(payload, lang=lang)
    return renderer(payload)


# --- text output for people --------------------------------------------------------------------------------------
_TEXT_COLUMNS = (
    "records",
    "leads",
    "mql",
    "sql",
    "opportunities",
    "won",
    "lost",
    "open",
    "win_rate",
    "won_revenue",
    "avg_unit_price",
    "median_cycle_days",
)  # fmt: skip  (each column's heading is "cli.col.<name>" in kpi_core.messages)


def _fmt(value: Any, name: str) -> str:
    if value is None:
        return "-"
    if name == "win_rate":
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 or value.is_integer() else f"{value:,.1f}"
    return f"{value:,}"


def _width(text: str) -> int:
    """Columns `text` takes in a terminal (a Japanese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, *, right: bool) -> str:
    space = " " * max(0, width - _width(text))
    return space + text if right else text + space


def _table(title: str, rows: list[tuple[str, dict[str, Any]]], lang: str = "en") -> str:
    header = [title] + [render(f"cli.col.{name}", lang) for name in _TEXT_COLUMNS]
    body = [[key] + [_fmt(figures.get(name), name) for name in _TEXT_COLUMNS] for key, figures in rows]
    widths = [max(_width(str(r[i])) for r in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(_pad(str(c), w, right=i > 0) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
        for r in [header, *body]
    ]
    return "\n".join(lines) + "\n"


def render_text(payload: dict[str, Any], lang: str = "en") -> str:
    """Tables for a terminal: rows read, totals, by period, by role, and the first rejects (sentences in `lang`)."""
    rows = payload["rows"]
    skipped = render("cli.rows_skipped", lang, count=rows["skipped"]) if rows.get("skipped") else ""
    line = render("cli.rows", lang, read=rows["read"], used=rows["used"], rejected=rows["rejected"], skipped=skipped)
    parts = [line + "\n"]
    # What could not be read, or was read on an assumption, comes before the figures it affects.
    parts += [render("cli.warning", lang, message=w["message"]) + "\n" for w in payload.get("warnings", [])]
    if any(w["code"].startswith("missing_") for w in payload.get("warnings", [])):
        parts.append(render("cli.map_hint", lang) + "\n")
    pairs = ", ".join(f"{k}={v}" for k, v in payload["mapping"].items())
    parts.append(render("cli.mapping", lang, pairs=pairs) + "\n\n")
    if "totals" in payload:
        parts.append(_table("", [(render("cli.total", lang), payload["totals"])], lang) + "\n")
        parts.append(_table(render("cli.period", lang), [(r["period"], r) for r in payload["by_period"]], lang) + "\n")
        for role, items in payload.get("by", {}).items():
            parts.append(_table(render(f"role.{role}", lang), [(str(r["key"]), r) for r in items], lang) + "\n")
    for reject in payload["rejects"][:20]:
        fields = {name: reject[name] for name in ("file", "row", "column", "reason")}
        parts.append(render("cli.rejected_row", lang, **fields) + "\n")
    if len(payload["rejects"]) > 20:
        parts.append(render("cli.more_rejects", lang, count=len(payload["rejects"]) - 20) + "\n")
    return "".join(parts)
