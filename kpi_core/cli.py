"""Command line: `python -m kpi_core kpis FILE ...` (and the goal commands), the same engine the app uses."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from kpi_core.intake.errors import IntakeError
from kpi_core.intake.inference import CURRENCIES
from kpi_core.intake.load import Dataset, FileInput, LoadOptions, load_dataset
from kpi_core.intake.roles import PERIOD_ROLES, RECORD_ROLES
from kpi_core.intake.stages import CANONICAL
from kpi_core.intake.values import DATE_ORDERS
from kpi_core.metrics import BREAKDOWN_ROLES, PERIODS, KpiResult, compute_kpis

EXIT_OK, EXIT_BAD_INPUT = 0, 2
LOCAL_FILE_MAX_BYTES = 64 * 1024**3  # local files are the user's own: only the upload limit of the app is small


class UsageError(Exception):
    """Input the command cannot use: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line (UsageError) instead of printing and exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def build_parser(*, with_goal_commands: bool = True) -> argparse.ArgumentParser:
    """The command-line parser. The goal commands pull in pandas; `kpis` alone starts faster without them."""
    parser = _Parser(prog="python -m kpi_core", description="KPI Pivot engine on the command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    kpis = commands.add_parser("kpis", help="funnel and pipeline figures from CSV / Excel files")
    add_input_arguments(kpis)
    kpis.add_argument("--period", choices=PERIODS, default="month", help="period of the breakdown (default month)")
    kpis.add_argument("--by", action="append", default=[], choices=BREAKDOWN_ROLES, help="break down by a role")
    kpis.add_argument("--cohort", action="store_true", help="count everything in the period of the created date")
    kpis.add_argument("--json", action="store_true", help="one JSON object instead of tables")
    kpis.set_defaults(handler=run_kpis)
    if with_goal_commands:
        # The goal commands live beside the logic they print (imported here: they import this module's helpers).
        from kpi_core import pivots_cli, plan_cli

        plan_cli.register(commands)
        pivots_cli.register(commands)
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
    parser.add_argument("--lang", choices=("ja", "en"), default="en", help="language of messages (default en)")


def parse_mapping(items: Sequence[str]) -> dict[str, str | None]:
    """--map ROLE=COLUMN items as a dict; an empty COLUMN drops the role."""
    mapping: dict[str, str | None] = {}
    for item in items:
        role, sep, column = item.partition("=")
        if not sep or role.strip() not in (*RECORD_ROLES, *PERIOD_ROLES):
            roles = ", ".join(dict.fromkeys((*RECORD_ROLES, *PERIOD_ROLES)))
            raise UsageError(f"--map {item!r}: write ROLE=COLUMN with ROLE one of {roles}")
        mapping[role.strip()] = column.strip() or None
    return mapping


def parse_pairs(items: Sequence[str], option: str, allowed: Sequence[str]) -> dict[str, str]:
    """--stage VALUE=LEVEL / --date-order COLUMN=ORDER items as a dict, the right side one of `allowed`."""
    pairs: dict[str, str] = {}
    for item in items:
        left, sep, right = item.rpartition("=")
        if not sep or not left.strip() or right.strip() not in allowed:
            raise UsageError(f"{option} {item!r}: write NAME={'|'.join(allowed)}")
        pairs[left.strip()] = right.strip()
    return pairs


def load_from_args(args: argparse.Namespace) -> Dataset:
    """Load the files named on the command line with the options given."""
    for path in args.files:
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
    if not 1 <= args.fiscal_start <= 12:
        raise UsageError("--fiscal-start must be a month number from 1 to 12")
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
        raise UsageError(f"the period sheet has no {missing[0]} column: --by needs a column of that role")
    result = compute_kpis(dataset, period=args.period, by=args.by, cohort=args.cohort, fiscal_start=args.fiscal_start)
    return {**rows_summary(dataset, args.lang), **kpi_payload(result)}


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
    parser = build_parser(with_goal_commands=argv[:1] != ["kpis"])
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_BAD_INPUT
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    handler: Callable[[argparse.Namespace], dict[str, Any]] = args.handler
    try:
        payload = handler(args)
    except (IntakeError, UsageError) as exc:
        print(f"error: {getattr(exc, 'message', None) or exc}", file=err)
        return EXIT_BAD_INPUT
    except ValueError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_BAD_INPUT
    if args.json:
        json.dump(payload, out, ensure_ascii=False, default=str, allow_nan=False)
        out.write("\n")
    else:
        out.write(getattr(args, "render", render_text)(payload))
    return EXIT_OK


# --- text output for people --------------------------------------------------------------------------------------
_TEXT_COLUMNS = (
    ("records", "records"), ("leads", "leads"), ("mql", "MQL"), ("sql", "SQL"), ("opportunities", "opps"),
    ("won", "won"), ("lost", "lost"), ("open", "open"), ("win_rate", "win rate"), ("won_revenue", "revenue"),
    ("avg_unit_price", "unit price"), ("median_cycle_days", "cycle d"),
)  # fmt: skip


def _fmt(value: Any, name: str) -> str:
    if value is None:
        return "-"
    if name == "win_rate":
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 or value.is_integer() else f"{value:,.1f}"
    return f"{value:,}"


def _table(title: str, rows: list[tuple[str, dict[str, Any]]]) -> str:
    header = [title] + [label for _, label in _TEXT_COLUMNS]
    body = [[key] + [_fmt(figures.get(name), name) for name, _ in _TEXT_COLUMNS] for key, figures in rows]
    widths = [max(len(str(r[i])) for r in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
        for r in [header, *body]
    ]
    return "\n".join(lines) + "\n"


def render_text(payload: dict[str, Any]) -> str:
    """Tables for a terminal: rows read, totals, by period, by role, and the first rejects."""
    rows = payload["rows"]
    skipped = f", {rows['skipped']:,} skipped (blank or total rows)" if rows.get("skipped") else ""
    parts = [f"rows: {rows['read']:,} read, {rows['used']:,} used, {rows['rejected']:,} rejected{skipped}\n"]
    # What could not be read, or was read on an assumption, comes before the figures it affects.
    parts += [f"warning: {w['message']}\n" for w in payload.get("warnings", [])]
    if any(w["code"].startswith("missing_") for w in payload.get("warnings", [])):
        parts.append("(on the command line, --map ROLE=COLUMN sets a column role)\n")
    parts.append("mapping: " + ", ".join(f"{k}={v}" for k, v in payload["mapping"].items()) + "\n\n")
    if "totals" in payload:
        parts.append(_table("", [("total", payload["totals"])]) + "\n")
        parts.append(_table("period", [(r["period"], r) for r in payload["by_period"]]) + "\n")
        for role, items in payload.get("by", {}).items():
            parts.append(_table(role, [(str(r["key"]), r) for r in items]) + "\n")
    for reject in payload["rejects"][:20]:
        parts.append(f"rejected: {reject['file']} row {reject['row']} [{reject['column']}] {reject['reason']}\n")
    if len(payload["rejects"]) > 20:
        parts.append(f"... and {len(payload['rejects']) - 20} more (use --json for the full list)\n")
    return "".join(parts)
