"""The `changes` command: what changed between two exports of the same deals (last week's and this week's).

    python -m kpi_core changes OLD NEW [FILE ...] [--from D --to D] [--json]

OLD and NEW are the two exports; any further FILE (accounts, products, a bookings sheet…) is linked to both. JSON
gives `summary`, `deals` and `waterfall` (kpi_core.changes), with each snapshot's rows, warnings and mapping.
Exit status as `kpis`: 0, or 2 with one line on stderr for input that cannot be used.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kpi_core.changes import compare_snapshots, read_period
from kpi_core.cli import _LANG_HELP, UsageError, _pad, _width, load_from_args, rows_summary
from kpi_core.format import fmt_count, fmt_date, fmt_money, fmt_signed
from kpi_core.intake.inference import CURRENCIES
from kpi_core.messages import LANGS, render


def register(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the `changes` sub-command to the parser's sub-commands (the parser of kpi_core.cli.build_parser)."""
    changes = commands.add_parser("changes", help="what changed between two exports: new, won, lost, moved, slipped")
    changes.add_argument("old", type=Path, metavar="OLD", help="last week's export")
    changes.add_argument("new", type=Path, metavar="NEW", help="this week's export")
    changes.add_argument("files", nargs="*", type=Path, metavar="FILE", help="linked files shared by both exports")
    changes.add_argument("--sheet", help="Excel sheet to read (default: the sheet that holds the data)")
    changes.add_argument("--map", action="append", default=[], metavar="ROLE=COLUMN", help="set a column role")
    changes.add_argument("--link", help="column that links several files (default: found automatically)")
    changes.add_argument("--fiscal-start", type=int, default=4, help="first month of the fiscal year (default 4)")
    changes.add_argument("--stage", action="append", default=[], metavar="VALUE=LEVEL", help="map a stage value")
    changes.add_argument(
        "--date-order", action="append", default=[], metavar="COLUMN=dmy|mdy", help="day/month order of a date column"
    )
    changes.add_argument("--currency", choices=CURRENCIES, help="currency of the amounts (default: read from the file)")
    changes.add_argument("--from", dest="period_start", metavar="YYYY-MM-DD", help="waterfall: deals expected from")
    changes.add_argument("--to", dest="period_end", metavar="YYYY-MM-DD", help="waterfall: deals expected until")
    changes.add_argument("--json", action="store_true", help="one JSON object instead of text")
    changes.add_argument("--lang", choices=LANGS, default=None, help=_LANG_HELP)
    changes.set_defaults(handler=run_changes, render=render_changes_text)
    return changes


def _load(args: argparse.Namespace, export: Path) -> Any:
    return load_from_args(argparse.Namespace(**{**vars(args), "files": [export, *args.files]}))


def run_changes(args: argparse.Namespace) -> dict[str, Any]:
    """The `changes` payload: summary, deals, waterfall, notes, and each snapshot's rows summary."""
    period = read_period(args.period_start, args.period_end)  # a bad --from / --to fails before the files are read
    for path in (args.old, args.new, *args.files):
        if not path.is_file():
            raise UsageError("cli.no_such_file", path=path)
    before, after = _load(args, args.old), _load(args, args.new)
    result = compare_snapshots(before, after, period=period)
    return {
        **result.as_dict(args.lang),
        "old": {"file": args.old.name, **rows_summary(before, args.lang)},
        "new": {"file": args.new.name, **rows_summary(after, args.lang)},
    }


# --- text output for people --------------------------------------------------------------------------------------
def _money(value: float | None, lang: str, currency: str | None) -> str:
    return "-" if value is None else fmt_money(value, lang, currency)


def render_changes_text(payload: dict[str, Any], lang: str = "en") -> str:
    """The summary (count and amount per kind), the waterfall with its bars, then every change deal by deal."""
    currency = payload.get("currency")
    say = lambda key, **params: render(key, lang, **params)  # noqa: E731
    parts = [say("changes.heading", old=payload["old"]["file"], new=payload["new"]["file"]) + "\n"]
    for side in ("old", "new"):
        for warning in payload[side].get("warnings", []):
            parts.append(render("cli.warning", lang, message=warning["message"]) + "\n")
    parts += [note["message"] + "\n" for note in payload.get("notes", [])]
    parts.append("\n")
    rows = [
        (say(f"changes.kind.{kind}"), fmt_count(figures["count"], lang), _money(figures["amount"], lang, currency))
        for kind, figures in payload["summary"].items()
    ]
    parts.append(_columns(rows))
    fall = payload["waterfall"]
    start, end = _money(fall["start"], lang, currency), _money(fall["end"], lang, currency)
    period = fall["period"]
    key = "changes.pipeline_period" if period else "changes.pipeline"
    dates = {"start_date": fmt_date(period["start"], lang), "end_date": fmt_date(period["end"], lang)} if period else {}
    parts.append("\n" + say(key, start=start, end=end, **dates) + "\n")
    bars = [
        (
            "  " + say(f"changes.kind.{bar['change']}"),
            fmt_count(bar["count"], lang),
            _signed(bar["amount"], lang, currency),
        )
        for bar in fall["bars"]
        if bar["count"]
    ]
    parts.append(_columns(bars))
    if payload["deals"]:
        parts.append("\n" + say("changes.deals_heading") + "\n")
        for change in payload["deals"]:
            parts.append("  " + _deal_line(change, lang, currency) + "\n")
    return "".join(parts)


def _signed(value: float, lang: str, currency: str | None) -> str:
    text = fmt_money(abs(value), lang, currency)
    return ("+" if value >= 0 else "-") + text


def _deal_line(change: dict[str, Any], lang: str, currency: str | None) -> str:
    before, after = change["before"] or {}, change["after"] or {}
    kind = change["change"]
    if kind in ("amount_up", "amount_down"):
        detail = f"{_money(before.get('amount'), lang, currency)} → {_money(after.get('amount'), lang, currency)}"
    elif kind in ("slipped", "pulled_in"):
        days = fmt_signed(change.get("days"), "days", lang) if change.get("days") is not None else ""
        detail = f"{before.get('expected_close')} → {after.get('expected_close')} ({days})"
    elif kind == "removed":
        detail = f"{before.get('stage') or '-'} {_money(before.get('amount'), lang, currency)}"
    elif kind == "new":
        detail = f"{after.get('stage') or '-'} {_money(after.get('amount'), lang, currency)}"
    else:
        detail = (
            f"{before.get('stage') or '-'} → {after.get('stage') or '-'} {_money(change['amount'], lang, currency)}"
        )
    return f"{change['id']}  {render(f'changes.kind.{kind}', lang)}  {detail}"


def _columns(rows: Sequence[tuple[str, ...]]) -> str:
    if not rows:
        return ""
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "".join(
        "  ".join(_pad(cell, width, right=i > 0) for i, (cell, width) in enumerate(zip(row, widths, strict=True)))
        + "\n"
        for row in rows
    )
