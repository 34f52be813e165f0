"""`python -m kpi_core workspace create | list | add | revoke | allow | clean`: workspaces from the command line.

kpi_core.cli registers these with add_workspace_commands(commands). Each handler returns the JSON payload and names a
text renderer (`render`), as the other commands do; a refusal (not found, read-only, locked) is a WorkspaceError
whose `exit_status` is 1, a value the command cannot use exits with 2. main() runs the commands on their own.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from kpi_core.business_days import CALENDARS, DEFAULT_CALENDAR
from kpi_core.cli import (
    ERROR_PREFIX,
    LOCAL_FILE_MAX_BYTES,
    UsageError,
    add_input_arguments,
    default_lang,
    parse_mapping,
    parse_pairs,
)
from kpi_core.goals import GoalsError, check_document_size, load_goals, template_text
from kpi_core.intake.errors import IntakeError
from kpi_core.intake.load import FileInput, LoadOptions, load_dataset
from kpi_core.intake.stages import CANONICAL
from kpi_core.intake.values import DATE_ORDERS
from kpi_core.messages import LANGS
from kpi_core.quotas import read_teams
from kpi_core.workspace.errors import EXIT_USAGE, WorkspaceError, WorkspaceInvalid, WorkspaceStorageError
from kpi_core.workspace.messages import render
from kpi_core.workspace.workspaces import (
    Settings,
    create_workspace,
    list_workspaces,
    open_workspace,
    remove_stale_temp,
    revoke_links,
    set_allowed,
)

TEMPLATE_PREFIX = "template:"
_LANG_HELP = "language of messages and text output: ja or en (default: from the locale, LANG / LC_ALL)"
_DATA_DIR_HELP = "data directory (default: $KPI_PIVOT_DATA_DIR, else ./workspaces)"
_ALLOW_HELP = (
    "with sign-in on, only this e-mail address or @domain may open the workspace (repeat for more; "
    "default: anyone holding a link)"
)
DEFAULT_CLEAN_AGE = 600.0


def add_workspace_commands(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `workspace` with its sub-commands create, list, add, revoke, allow and clean to a parser's sub-commands."""
    workspace = subparsers.add_parser("workspace", help="save data and goals as a workspace shared by links")
    actions = workspace.add_subparsers(dest="workspace_command", required=True, metavar="ACTION")

    create = actions.add_parser("create", help="store files (and goals) as a new workspace; print its two links")
    add_input_arguments(create)  # FILE ..., --sheet, --map, --link, --fiscal-start, --stage, --date-order, ...
    create.add_argument("--name", required=True, help="the workspace's name")
    create.add_argument("--goals", metavar="GOALS", help="goal YAML file, or a template: template:sales_ja, ...")
    create.add_argument(
        "--calendar", choices=CALENDARS, default=DEFAULT_CALENDAR, help="business days (default jp: JP holidays)"
    )
    create.add_argument("--allow", action="append", default=None, metavar="EMAIL_OR_@DOMAIN", help=_ALLOW_HELP)
    create.add_argument(
        "--teams",
        type=Path,
        metavar="FILE",
        help="team file (CSV or .xlsx: an owner column and a team column); its owner → team mapping is kept",
    )
    _common_arguments(create, with_lang=False)
    create.set_defaults(handler=_storage_safe(run_create), render=render_links)

    listing = actions.add_parser("list", help="the workspaces in the data directory (for the operator)")
    _common_arguments(listing)
    listing.set_defaults(handler=_storage_safe(run_list), render=render_list)

    add = actions.add_parser("add", help="store a newer export in a workspace; the older data stays as a snapshot")
    add.add_argument("workspace_id", metavar="ID")
    add.add_argument("files", nargs="+", type=Path, metavar="FILE")
    add.add_argument("--sheet", help="Excel sheet to read (default: the sheet that holds the data)")
    add.add_argument("--key", required=True, help="the workspace's editor key (the key= part of the editor link)")
    _common_arguments(add)
    add.set_defaults(handler=_storage_safe(run_add), render=render_added)

    revoke = actions.add_parser("revoke", help="new editor and viewer links; the old ones stop working")
    revoke.add_argument("workspace_id", metavar="ID")
    revoke.add_argument("--links", action="store_true", required=True, help="replace both links")
    who = revoke.add_mutually_exclusive_group()
    who.add_argument("--key", help="the workspace's editor key")
    who.add_argument("--admin", action="store_true", help="without a key: for the operator who holds the data")
    _common_arguments(revoke)
    revoke.set_defaults(handler=_storage_safe(run_revoke), render=render_revoked)

    allow = actions.add_parser("allow", help="who may open a workspace when sign-in is on (e-mails or @domains)")
    allow.add_argument("workspace_id", metavar="ID")
    entries = allow.add_mutually_exclusive_group(required=True)
    entries.add_argument("--allow", action="append", metavar="EMAIL_OR_@DOMAIN", help=_ALLOW_HELP)
    entries.add_argument("--everyone", action="store_true", help="empty the list: anyone holding a link")
    who = allow.add_mutually_exclusive_group()
    who.add_argument("--key", help="the workspace's editor key")
    who.add_argument("--admin", action="store_true", help="without a key: for the operator who holds the data")
    _common_arguments(allow)
    allow.set_defaults(handler=_storage_safe(run_allow), render=render_allowed)

    clean = actions.add_parser("clean", help="remove temporary files a crashed writer left in the data directory")
    clean.add_argument(
        "--min-age",
        type=float,
        default=DEFAULT_CLEAN_AGE,
        metavar="SECONDS",
        help=f"leave what changed in the last SECONDS (a write in progress; default {DEFAULT_CLEAN_AGE:.0f})",
    )
    _common_arguments(clean)
    clean.set_defaults(handler=_storage_safe(run_clean), render=render_cleaned)
    return workspace


def _storage_safe(handler: Callable[[argparse.Namespace], dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """`handler` with a file-system failure turned into one sentence (WorkspaceStorageError), never a traceback."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> dict[str, Any]:
        try:
            return handler(args)
        except OSError as exc:
            raise WorkspaceStorageError("workspace.storage") from exc

    return run


def _common_arguments(parser: argparse.ArgumentParser, *, with_lang: bool = True) -> None:
    parser.add_argument("--data-dir", type=Path, default=None, metavar="DIR", help=_DATA_DIR_HELP)
    parser.add_argument("--json", action="store_true", help="one JSON object instead of text")
    if with_lang:
        parser.add_argument("--lang", choices=LANGS, default=None, help=_LANG_HELP)


def _lang(args: argparse.Namespace) -> str:
    return getattr(args, "lang", None) or getattr(args, "global_lang", None) or default_lang()


def _check_files(files: Sequence[Path]) -> None:
    for path in files:
        if not path.is_file():
            raise UsageError("cli.no_such_file", path=path)


def read_goals_text(spec: str, lang: str = "en") -> str:
    """The text of a goal file, or of template:NAME_LANG; GoalsError / UsageError when it cannot be used."""
    if spec.startswith(TEMPLATE_PREFIX):
        name, _, template_lang = spec[len(TEMPLATE_PREFIX) :].rpartition("_")
        try:
            return template_text(name, template_lang)
        except GoalsError as exc:
            raise GoalsError(exc.problems, lang=lang) from None
    path = Path(spec)
    if not path.is_file():
        raise UsageError("cli.no_such_file", path=path)
    check_document_size(path.stat().st_size, source=path.name, lang=lang)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{spec}: not a UTF-8 text file: save the goal file as UTF-8") from exc
    load_goals(text, source=path.name, lang=lang)  # one sentence with the line when it cannot be used
    return text


def read_teams_file(path: Path) -> dict[str, str]:
    """owner → team from a team file (UsageError when it is not there, TeamsError when it cannot be used)."""
    if not path.is_file():
        raise UsageError("cli.no_such_file", path=path)
    return read_teams(path, path.name)


def run_create(args: argparse.Namespace) -> dict[str, Any]:
    lang = _lang(args)
    _check_files(args.files)
    goals_text = read_goals_text(args.goals, lang) if args.goals else None
    teams = read_teams_file(args.teams) if args.teams else None
    options = LoadOptions(
        roles=parse_mapping(args.map),
        link_key=args.link,
        stage_map=parse_pairs(args.stage, "--stage", CANONICAL),
        date_orders=parse_pairs(args.date_order, "--date-order", DATE_ORDERS),
        currency=args.currency,
        lang=lang,  # an ambiguous date column is read one way for everyone who opens the workspace
    )
    settings = Settings(
        currency=args.currency, fiscal_start=args.fiscal_start, calendar=args.calendar, allowed=tuple(args.allow or ())
    ).checked()
    inputs = [FileInput(name=path.name, data=path, sheet=args.sheet) for path in args.files]
    # Local files are the operator's own: only the app's upload limit is small.
    dataset = load_dataset(inputs, dataclasses.replace(options, max_bytes=LOCAL_FILE_MAX_BYTES))
    created = create_workspace(
        inputs,
        args.name,
        goals_text=goals_text,
        options=options,
        settings=settings,
        data_dir=args.data_dir,
        dataset=dataset,
        teams=teams,
        teams_file=args.teams.name if args.teams else None,
    )
    return created.as_json()


def run_list(args: argparse.Namespace) -> dict[str, Any]:
    return {"workspaces": [summary.as_json() for summary in list_workspaces(args.data_dir)]}


def run_add(args: argparse.Namespace) -> dict[str, Any]:
    workspace = open_workspace(args.workspace_id, args.key, data_dir=args.data_dir)
    workspace.require_editor()  # refuse a viewer key before reading the files
    _check_files(args.files)
    inputs = [FileInput(name=path.name, data=path, sheet=args.sheet) for path in args.files]
    options = dataclasses.replace(workspace.options, max_bytes=LOCAL_FILE_MAX_BYTES)
    info = workspace.add_snapshot(inputs, dataset=load_dataset(inputs, options))
    return {"workspace": workspace.id, "snapshot": info.as_json(), "snapshots": len(workspace.snapshots())}


def run_revoke(args: argparse.Namespace) -> dict[str, Any]:
    if not args.admin and not args.key:
        raise WorkspaceInvalid("workspace.no_key")
    created = revoke_links(args.workspace_id, args.key, admin=args.admin, data_dir=args.data_dir)
    return created.as_json()


def run_allow(args: argparse.Namespace) -> dict[str, Any]:
    if not args.admin and not args.key:
        raise WorkspaceInvalid("workspace.no_key")
    entries = [] if args.everyone else list(args.allow or [])
    allowed = set_allowed(args.workspace_id, entries, args.key, admin=args.admin, data_dir=args.data_dir)
    return {"workspace": args.workspace_id, "allowed": list(allowed)}


def run_clean(args: argparse.Namespace) -> dict[str, Any]:
    return {"removed": remove_stale_temp(args.data_dir, min_age=args.min_age)}


# --- text for people -----------------------------------------------------------------------------------------------
def render_links(payload: dict[str, Any], lang: str = "en") -> str:
    """A new workspace: its id and its two links."""
    return _links_text(render("workspace.cli.created", lang, id=payload["workspace"]), payload, lang)


def render_revoked(payload: dict[str, Any], lang: str = "en") -> str:
    """New links: the old ones are dead."""
    return _links_text(render("workspace.cli.revoked", lang, id=payload["workspace"]), payload, lang)


def _links_text(first: str, payload: dict[str, Any], lang: str) -> str:
    lines = [
        first,
        render("workspace.cli.editor_link", lang, link=payload["editor_link"]),
        render("workspace.cli.viewer_link", lang, link=payload["viewer_link"]),
        render("workspace.cli.link_hint", lang),
    ]
    return "\n".join(lines) + "\n"


def render_allowed(payload: dict[str, Any], lang: str = "en") -> str:
    """Who may open the workspace now."""
    if not payload["allowed"]:
        return render("workspace.cli.everyone", lang, id=payload["workspace"]) + "\n"
    listed = ", ".join(payload["allowed"])
    return render("workspace.cli.allowed", lang, id=payload["workspace"], allowed=listed) + "\n"


def render_cleaned(payload: dict[str, Any], lang: str = "en") -> str:
    return render("workspace.cli.cleaned", lang, removed=payload["removed"]) + "\n"


def render_list(payload: dict[str, Any], lang: str = "en") -> str:
    rows = payload["workspaces"]
    if not rows:
        return render("workspace.cli.none", lang) + "\n"
    return "".join(render("workspace.cli.list_row", lang, **row) + "\n" for row in rows)


def render_added(payload: dict[str, Any], lang: str = "en") -> str:
    snapshot = payload["snapshot"]
    sentence = render(
        "workspace.cli.snapshot_added", lang, id=payload["workspace"], snapshot=snapshot["id"], rows=snapshot["rows"]
    )
    return sentence + "\n"


# --- on its own: python -m kpi_core.workspace.cli ------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError("cli.bad_arguments", prog=self.prog, detail=message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m kpi_core", description="KPI Pivot workspaces on the command line.")
    parser.add_argument("--lang", dest="global_lang", choices=LANGS, default=None, help=_LANG_HELP)
    add_workspace_commands(parser.add_subparsers(dest="command", required=True))
    return parser


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run a workspace command: 0 done, 1 not found / refused, 2 unusable input; one sentence on standard error."""
    out, err = out or sys.stdout, err or sys.stderr
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = default_lang()
    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        print(ERROR_PREFIX + _sentence(exc, lang), file=err)
        return EXIT_USAGE
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    lang = _lang(args)
    try:
        payload = args.handler(args)
    except WorkspaceError as exc:
        print(ERROR_PREFIX + _sentence(exc, lang), file=err)
        return exc.exit_status
    except (IntakeError, UsageError, ValueError) as exc:
        print(ERROR_PREFIX + _sentence(exc, lang), file=err)
        return EXIT_USAGE
    if args.json:
        json.dump(payload, out, ensure_ascii=False, default=str, allow_nan=False)
        out.write("\n")
    else:
        out.write(args.render(payload, lang=lang))
    return 0


def _sentence(error: Exception, lang: str) -> str:
    message = getattr(error, "message", None)
    if callable(message):
        return message(lang)
    if isinstance(error, GoalsError):
        return error.message(lang)
    return str(error)


if __name__ == "__main__":
    raise SystemExit(main())
