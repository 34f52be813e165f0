"""The `digest` command: the week on one page for the meeting or a scheduler.

    python -m kpi_core digest FILE ... --goals G [--as-of D] [--since OLD] [--teams FILE]
                                       [--format md|html|json|pdf] [--output FILE] [--lang ja|en] [--post]

Exit status: 0, 3 when the KGI is off track (so a scheduler can alert), 2 with one line on stderr for input that
cannot be used or a digest that could not be posted. `--post` sends the Markdown digest to a Slack or Microsoft
Teams incoming webhook whose address is read from the environment variable KPI_PIVOT_WEBHOOK_URL only (never from
the command line; never printed). `--format pdf` gives one A4 page (kpi_core.digest_pdf) as bytes on stdout (never
to a terminal) or in the file given with --output, which takes the other formats too.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from kpi_core.business_days import CALENDARS, DEFAULT_CALENDAR
from kpi_core.cli import UsageError, add_input_arguments, load_from_args
from kpi_core.digest import build_digest
from kpi_core.plan_cli import (
    add_teams_argument,
    check_data_as_of,
    finite,
    parse_as_of,
    read_goals,
    read_teams_file,
)

EXIT_OFF_TRACK = 3
WEBHOOK_ENV = "KPI_PIVOT_WEBHOOK_URL"
POST_TIMEOUT = 10.0  # seconds
FORMATS = ("md", "html", "json", "pdf")


def register(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the `digest` sub-command to the parser's sub-commands (the parser of kpi_core.cli.build_parser)."""
    digest = commands.add_parser("digest", help="the week on one page; exit status 3 when the KGI is off track")
    add_input_arguments(digest)
    digest.add_argument(
        "--goals", required=True, metavar="GOALS", help="goal YAML file, or a template: template:sales_ja, ..."
    )
    digest.add_argument("--as-of", metavar="YYYY-MM-DD", help="the day to measure and forecast from (default today)")
    digest.add_argument("--since", type=Path, metavar="OLD", help="last week's export of the same deals: what changed")
    digest.add_argument(
        "--calendar", choices=CALENDARS, default=DEFAULT_CALENDAR, help="business days (default jp: JP holidays)"
    )
    add_teams_argument(digest)
    digest.add_argument("--format", choices=FORMATS, default="md", help="md (default), html, json or pdf (A4)")
    digest.add_argument(
        "--output", type=Path, metavar="FILE", help="write the digest to FILE instead of stdout (prints nothing)"
    )
    digest.add_argument(
        "--post", action="store_true", help=f"also post the Markdown digest to the webhook in ${WEBHOOK_ENV}"
    )
    digest.set_defaults(handler=run_digest, render=render_digest, json=False)
    return digest


def run_digest(args: argparse.Namespace) -> dict[str, Any]:
    """{"body": the digest in the chosen format} (empty once written to --output); sets `args.exit_status` (3 when
    the KGI is off track) for kpi_core.cli.main."""
    as_of = parse_as_of(args.as_of)
    goals = read_goals(args.goals, args.lang)
    teams = read_teams_file(args.teams)  # each rep's team beside their name; a bad file: one sentence, exit 2
    if args.fiscal_start != 4 and args.fiscal_start != goals.fiscal_year_start:
        goals.fiscal_year_start = args.fiscal_start  # an explicit --fiscal-start wins over the file
    if args.post:
        _webhook_url()  # a missing or unusable address fails before the work
    if args.format == "pdf" and args.output is None and sys.stdout.isatty():
        raise UsageError("digest.pdf_terminal")
    dataset = load_from_args(args)
    if args.as_of:
        as_of = check_data_as_of(as_of, dataset, args.lang)
    since = None
    if args.since is not None:
        since = load_from_args(argparse.Namespace(**{**vars(args), "files": [args.since]}))
    digest = build_digest(goals, dataset, as_of, calendar=args.calendar, since=since, lang=args.lang, teams=teams)
    markdown = digest.to_markdown(args.lang)
    if args.post:
        post_markdown(markdown)
    args.exit_status = EXIT_OFF_TRACK if digest.kgi_off_track else 0
    if args.format == "pdf":
        from kpi_core.digest_pdf import digest_pdf  # reportlab is loaded only for a PDF

        body: bytes | str = digest_pdf(digest, args.lang)
    elif args.format == "json":
        body = json.dumps(finite(digest.as_dict(args.lang)), ensure_ascii=False, allow_nan=False) + "\n"
    else:
        body = digest.to_html(args.lang) if args.format == "html" else markdown
    if args.output is not None:
        write_output(args.output, body)
        return {"body": ""}
    return {"body": body}


def write_output(path: Path, body: bytes | str) -> None:
    """The digest in a file (text as UTF-8); UsageError naming the file when it cannot be written."""
    data = body if isinstance(body, bytes) else body.encode("utf-8")
    try:
        path.write_bytes(data)
    except OSError:
        raise UsageError("digest.output_failed", file=str(path)) from None


def render_digest(payload: dict[str, Any], lang: str = "en") -> str:
    """The text to print; a PDF goes to stdout's byte stream here (what kpi_core.cli.main prints is text)."""
    body = payload["body"]
    if isinstance(body, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
        return ""
    return body


def _webhook_url() -> str:
    url = os.environ.get(WEBHOOK_ENV, "").strip()
    if not url:
        raise UsageError("digest.no_webhook", name=WEBHOOK_ENV)
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise UsageError("digest.bad_webhook", name=WEBHOOK_ENV, scheme="https://")
    return url


def post_markdown(markdown: str, *, timeout: float = POST_TIMEOUT) -> None:
    """POST the digest as {"text": markdown} (what Slack and Teams incoming webhooks read) to the address in
    KPI_PIVOT_WEBHOOK_URL; UsageError (one sentence, never the address) when it fails."""
    url = _webhook_url()
    body = json.dumps({"text": markdown}, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # the scheme is checked above
            response.read()
    except urllib.error.HTTPError as exc:
        raise UsageError("digest.post_status", status=exc.code) from None
    except (urllib.error.URLError, OSError, ValueError):
        raise UsageError("digest.post_failed") from None
