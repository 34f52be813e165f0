"""Workspaces in the app: a link `/?ws=<id>&key=<key>` opens one (its data, column roles, stage mapping, goal file,
currency, fiscal-year start and calendar), an unknown or revoked key shows one plain "not found" page, and the Data
page saves an upload as a new workspace and shows its two links.

The workspace is read again on every run (another server may have written since; a revoked key stops working at
once): the URL is the only place its id and key live, and the nav links carry them like the other shared
parameters. Every write goes through kpi_core.workspace, which refuses a viewer key (WorkspaceReadOnly) and a second
editor (WorkspaceLocked) on the server side; the widgets that write are also hidden from viewers.

The one-editor lock a session takes is given back as soon as the session has no more use for it: when it leaves the
workspace (a link home, another workspace), signs out, clicks "Done editing", or closes its tab (the server's sweep,
after the reconnect grace time). Otherwise it would bar the next editor until it expired.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import streamlit as st

from kpi_core.format import fmt_date
from kpi_core.intake.errors import IntakeError
from kpi_core.intake.load import Dataset, FileInput
from kpi_core.workspace import (
    Settings,
    SnapshotInfo,
    Workspace,
    WorkspaceError,
    WorkspaceLocked,
    WorkspaceNotFound,
    create_workspace,
    open_workspace,
    share_link,
)
from kpi_core.workspace.lock import release_lease
from ui.data import SourceOptions
from ui.format import escape_markdown
from ui.held_data import held_data
from ui.i18n import current_lang, t
from ui.workspace_access import (
    AccessSettings,
    allowed_from_info,
    draw_sign_in,
    is_allowed,
    sign_in_available,
    signed_in_email,
)

WS_SOURCE = "workspace"  # the view's source while a workspace is open
UPLOAD_SOURCE = "upload"  # the source of this session's uploads (what "save as workspace" stores)
WS_PARAMS: tuple[str, ...] = ("ws", "key")
OWNER_KEY = "workspace_owner"  # session: this browser session's token for the one-editor lock
CURRENT_KEY = "workspace_current"  # session: the workspace this run opened (set by the frame on every run)
CREATED_KEY = "workspace_created"  # session: the workspace this session just created, with its links
NOTICE_KEY = "workspace_notice"  # session: (kind, sentence) shown once on the Data page
LOCKS_KEY = "workspace_locks"  # session: {workspace id: its folder} of the edit locks this session took
SIGNING_OUT_KEY = "workspace_signing_out"  # session: it signed out (the browser is leaving): take no lock again
EDITING_PAGES = ("data", "goals")  # the pages whose widgets change the workspace: an editor there holds the lock
EDIT_LEASE_SECONDS = 10 * 60  # renewed by every run of an editing page and every save


@dataclass
class OpenedWorkspace:
    """A workspace as this run opened it: the engine's object and what the pages read from it."""

    workspace: Workspace
    name: str
    settings: Settings
    allowed: tuple[str, ...]
    options: SourceOptions
    goals_text: str | None
    snapshot: SnapshotInfo
    snapshot_count: int
    inputs: list[FileInput]
    lock_message: str | None = None  # another editor holds the workspace (one sentence, in the reader's language)
    holds_lock: bool = False
    teams: dict[str, str] = field(default_factory=dict)  # the stored team mapping {owner: team}
    teams_file: str | None = None  # the name of the team file it was read from, for display

    @property
    def id(self) -> str:
        return self.workspace.id

    @property
    def role(self) -> str:
        return self.workspace.role

    @property
    def can_edit(self) -> bool:
        return self.workspace.can_edit

    @property
    def editable(self) -> bool:
        """Whether this session may change the workspace now (an editor key, and no other editor holds it)."""
        return self.can_edit and self.lock_message is None

    @property
    def stored_files(self) -> list[tuple[str, str]]:
        """(content hash, display name) of each stored table of the snapshot shown."""
        return [(f.sha256, f.name) for f in self.snapshot.files]


def link_params() -> tuple[str, str] | None:
    """(id, key) from the URL; None when the URL names no workspace. Either part alone counts as a (bad) link."""
    ids, keys = st.query_params.get_all("ws"), st.query_params.get_all("key")
    if not ids and not keys:
        return None
    return (ids[-1] if ids else ""), (keys[-1] if keys else "")


def session_owner() -> str:
    """One token per browser session: the owner of this session's edit lock."""
    if OWNER_KEY not in st.session_state:
        st.session_state[OWNER_KEY] = secrets.token_hex(8)
    return str(st.session_state[OWNER_KEY])


def open_linked(ws_id: str, key: str) -> OpenedWorkspace:
    """Open and read the workspace (WorkspaceNotFound for any bad id or key, the same for all)."""
    workspace = open_workspace(ws_id, key, owner=session_owner())
    info = workspace.info()
    snapshots = workspace.snapshots()
    if not snapshots:
        raise WorkspaceError("workspace.damaged", id=workspace.id)
    snapshot = snapshots[-1]
    inputs, stored = workspace.load_inputs(snapshot.id)
    return OpenedWorkspace(
        workspace=workspace,
        name=str(info.get("name", "")),
        settings=Settings.from_json(info.get("settings")),
        allowed=allowed_from_info(info),
        options=SourceOptions.from_load_options(stored),
        goals_text=workspace.goals_text,
        snapshot=snapshot,
        snapshot_count=len(snapshots),
        inputs=inputs,
        teams=workspace.teams,
        teams_file=workspace.teams_file,
    )


def current() -> OpenedWorkspace | None:
    """The workspace this run opened (None outside one); for callbacks and helpers that get no view."""
    opened = st.session_state.get(CURRENT_KEY)
    return opened if isinstance(opened, OpenedWorkspace) else None


def workspace_of(view: Any) -> OpenedWorkspace | None:
    """The workspace a page frame's view shows (None for samples and uploads)."""
    extra = getattr(view, "extra", None)
    opened = extra.get("workspace") if isinstance(extra, dict) else None
    return opened if isinstance(opened, OpenedWorkspace) else None


def open_for_page(page: str, lang: str) -> OpenedWorkspace | None:
    """The workspace the URL names, opened for `page`; None when the URL names none.

    A bad link draws the "not found" page and stops the run; a workspace limited to listed people asks for
    sign-in or refuses an unlisted account; an editor on an editing page takes the one-editor lock (a second
    editor is told who holds it, in one sentence, and sees the workspace read-only)."""
    params = link_params()
    if params is None:
        st.session_state.pop(CURRENT_KEY, None)
        release_session_locks()  # the workspace was left: the next editor need not wait
        return None
    try:
        opened = open_linked(*params)
    except WorkspaceNotFound:
        st.session_state.pop(CURRENT_KEY, None)
        release_session_locks()
        for name in WS_PARAMS:  # the dead link leaves the address bar: the home link and F5 lead to the app
            if name in st.query_params:
                del st.query_params[name]
        draw_not_found(lang)
        st.stop()
        raise  # st.stop raises; never reached
    except WorkspaceError as exc:  # damaged or unreadable storage: one sentence, nothing else
        st.session_state.pop(CURRENT_KEY, None)
        st.error(exc.message(lang), icon=":material/error:")
        _home_link(lang)
        st.stop()
        raise
    release_session_locks(keep=opened.id)  # another workspace's lock from earlier in this session
    _check_access(opened, lang)
    if opened.can_edit and page in EDITING_PAGES and not st.session_state.get(SIGNING_OUT_KEY):
        try:
            opened.workspace.start_editing(EDIT_LEASE_SECONDS)
            opened.holds_lock = True
            _note_lock(opened.workspace)
        except WorkspaceLocked as exc:
            opened.lock_message = exc.message(lang)
    st.session_state[CURRENT_KEY] = opened
    return opened


def _home_link(lang: str) -> None:
    """A link to the app's home without the workspace (only the language is kept)."""
    st.page_link("home.py", label=t("ws.go_home", lang), icon=":material/home:", query_params={"lang": lang})


def draw_not_found(lang: str) -> None:
    """The one page every bad link gets (wrong key, unknown id, revoked key, malformed id): a title, one sentence,
    and a link home. It names nothing about any workspace."""
    st.title(t("ws.not_found_title", lang))
    with st.container(key="ws_not_found"):
        st.markdown(WorkspaceNotFound().message(lang))
        _home_link(lang)


def _check_access(opened: OpenedWorkspace, lang: str) -> None:
    """Stop the run unless the signed-in person may open a workspace limited to listed e-mails or domains."""
    if not opened.allowed:
        return
    if not sign_in_available():  # limited, but nobody can be checked on this server: closed, not open
        st.error(t("ws.sign_in_unavailable", lang), icon=":material/lock:")
        _home_link(lang)
        st.stop()
    email = signed_in_email()
    if email is None:
        st.info(t("ws.needs_sign_in", lang), icon=":material/lock:")
        draw_sign_in(t("ws.sign_in", lang), t("ws.sign_out", lang), None)
        _home_link(lang)
        st.stop()
    if not is_allowed(email, opened.allowed):
        st.error(t("ws.not_allowed", lang, email=escape_markdown(email)), icon=":material/lock:")
        draw_sign_in(
            t("ws.sign_in", lang), t("ws.sign_out", lang), t("ws.signed_in_as", lang, email=escape_markdown(email))
        )
        _home_link(lang)
        st.stop()


def draw_sidebar(opened: OpenedWorkspace, page: str, lang: str) -> None:
    """The workspace's name, how it was opened, its data's date, the lock, and a way out (in the sidebar)."""
    with st.container(key="ws_sidebar"):
        st.markdown(f"**{t('ws.sidebar_title', lang, name=escape_markdown(opened.name))}**")
        st.caption(t(f"ws.role.{opened.role}", lang))
        created = _date_of(opened.snapshot.created)
        if created is not None:
            st.caption(t("ws.snapshot_caption", lang, created=fmt_date(created, lang), count=opened.snapshot_count))
        if opened.lock_message:
            st.warning(opened.lock_message, icon=":material/lock_clock:")
        if opened.holds_lock:
            st.button(t("ws.stop_editing", lang), key="ws_stop_editing", on_click=_stop_editing)
        st.page_link("home.py", label=t("ws.leave", lang), icon=":material/logout:", query_params={"lang": lang})


def _date_of(iso: str) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(iso).date()
    except (TypeError, ValueError):
        return None


def _stop_editing() -> None:
    opened = current()
    if opened is None:
        return
    try:
        opened.workspace.stop_editing()
    except WorkspaceError as exc:
        say("error", exc.message(current_lang()))
        return
    _forget_lock(opened.id)
    say("success", t("ws.stopped_editing"))


# ------------------------------------------------------------------------------------------------ giving the lock back
def _session_id() -> str | None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.session_id if ctx is not None else None


def _lock_hook(ws_id: str) -> str:
    return f"edit-lock:{ws_id}"


def _note_lock(workspace: Workspace) -> None:
    """Remember that this session holds `workspace`'s edit lock: given back when the session leaves the workspace
    or signs out, and by the server's sweep once the session has been closed past the reconnect grace time."""
    locks = st.session_state.setdefault(LOCKS_KEY, {})
    locks[workspace.id] = str(workspace.path)
    session_id = _session_id()
    if session_id is not None:
        # Only this owner's lease, and only while this server took or last renewed it (see lock.release_lease).
        action = functools.partial(release_lease, workspace.path, workspace.owner)
        held_data().on_session_close(session_id, _lock_hook(workspace.id), action)


def _forget_lock(ws_id: str) -> None:
    """The lock of `ws_id` is given back already (or never was this session's): nothing to do on close."""
    st.session_state.get(LOCKS_KEY, {}).pop(ws_id, None)
    session_id = _session_id()
    if session_id is not None:
        held_data().forget_on_close(session_id, _lock_hook(ws_id))


def stop_editing_for_sign_out() -> None:
    """Before st.logout: give every lock back, and take none in the run that follows the click (the browser
    leaves for the sign-out address after it; that session is over)."""
    st.session_state[SIGNING_OUT_KEY] = True
    release_session_locks()


def release_session_locks(keep: str | None = None) -> None:
    """Give back every edit lock this session holds except `keep`'s (a workspace left, a sign-out)."""
    locks = st.session_state.get(LOCKS_KEY)
    if not isinstance(locks, dict) or not locks:
        return
    owner = session_owner()
    for ws_id, folder in list(locks.items()):
        if ws_id != keep:
            release_lease(Path(folder), owner)
            _forget_lock(ws_id)


# ------------------------------------------------------------------------------------------------ writes
def say(kind: str, text: str) -> None:
    """A sentence to show once at the top of the Data page (after a callback)."""
    st.session_state[NOTICE_KEY] = (kind, text)


def draw_notice() -> None:
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        kind, text = notice
        with st.container(key="ws_notice"):
            if kind == "error":
                st.error(text, icon=":material/error:")
            else:
                st.success(text, icon=":material/check_circle:")


def write(opened: OpenedWorkspace, action: Callable[[Workspace], object]) -> object:
    """Run one write as this session's editor: take (or renew) the lock, then `action(workspace)`.

    The engine refuses a viewer key (WorkspaceReadOnly), a revoked key (WorkspaceNotFound) and a workspace another
    editor holds (WorkspaceLocked); callers catch WorkspaceError and show its one sentence."""
    workspace = opened.workspace
    workspace.start_editing(EDIT_LEASE_SECONDS)
    _note_lock(workspace)
    return action(workspace)


def save_options(opened: OpenedWorkspace, options: SourceOptions) -> bool:
    """Save the Data page's roles, stage mapping and other choices to the workspace; False (and a sentence shown
    on the Data page) when the engine refuses."""
    try:
        write(opened, lambda ws: ws.save_options(options.load_options()))
    except WorkspaceError as exc:
        say("error", exc.message(current_lang()))
        return False
    opened.options = options
    return True


def save_goals(opened: OpenedWorkspace, text: str) -> None:
    """Save a checked goal file to the workspace (raises WorkspaceError; GoalsError when the file is wrong)."""
    write(opened, lambda ws: ws.save_goals(text))
    opened.goals_text = text


def save_teams(opened: OpenedWorkspace, teams: dict[str, str], file_name: str | None) -> None:
    """Save a team file's owner → team mapping to the workspace (raises WorkspaceError; the engine refuses a
    viewer key and a mapping it cannot store)."""
    stored = write(opened, lambda ws: ws.save_teams(teams, file_name))
    assert isinstance(stored, dict)
    opened.teams, opened.teams_file = stored, opened.workspace.teams_file


def save_settings(opened: OpenedWorkspace, settings: Settings, allowed: tuple[str, ...]) -> None:
    """Save currency, fiscal-year start, calendar and who may open it (raises WorkspaceError)."""
    from ui.workspace_access import save_settings as save_with_allowed

    write(opened, lambda ws: save_with_allowed(ws, settings, allowed))
    opened.settings, opened.allowed = settings, allowed


def add_snapshot(opened: OpenedWorkspace, files: list[FileInput]) -> int:
    """Store a newer export as the workspace's data (the older stays as a snapshot); the rows stored.

    Raises WorkspaceError (refused) or IntakeError (the files cannot be read with the workspace's options)."""
    info = write(opened, lambda ws: ws.add_snapshot(files, options=opened.options.load_options()))
    assert isinstance(info, SnapshotInfo)
    return info.rows


# ------------------------------------------------------------------------------------------------ links
def base_url() -> str | None:
    """This app's address as the browser reached it (scheme, host and the configured base path), when known."""
    try:
        url = st.context.url
    except Exception:  # an older runtime, or no request behind this run (AppTest)
        return None
    if not isinstance(url, str) or not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    base_path = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"{parts.scheme}://{parts.netloc}" + (f"/{base_path}" if base_path else "")


def full_link(path: str) -> str:
    """The link to open: this app's address + `path` ("/?ws=…&key=…"), or the path alone when the address is not
    known (then ws.append_hint is shown beside it)."""
    base = base_url()
    return f"{base}{path}" if base else path


def draw_created_links(lang: str, workspace_id: str | None = None) -> None:
    """The links of the workspace this session just created (shown once: only hashes of the keys are stored)."""
    created = st.session_state.get(CREATED_KEY)
    if not isinstance(created, dict) or (workspace_id is not None and created.get("id") != workspace_id):
        return
    with st.container(key="ws_links", border=True):
        st.success(t("ws.saved", lang, name=escape_markdown(created["name"])), icon=":material/check_circle:")
        editor, viewer = (share_link(created["id"], created[role]) for role in ("editor", "viewer"))
        st.markdown(t("ws.viewer_link", lang))
        st.code(full_link(viewer), language=None, wrap_lines=True)
        st.markdown(t("ws.editor_link", lang))
        st.code(full_link(editor), language=None, wrap_lines=True)
        if base_url() is None:
            st.caption(t("ws.append_hint", lang))
        if workspace_id is None:  # not opened yet in this tab
            st.button(t("ws.open_here", lang), key="ws_open_here", on_click=_open_here, icon=":material/open_in_new:")


def _open_here() -> None:
    created = st.session_state.get(CREATED_KEY)
    if isinstance(created, dict):
        st.query_params["ws"] = created["id"]
        st.query_params["key"] = created["editor"]


# ------------------------------------------------------------------------------------------------ save as workspace
def pinned_options(options: SourceOptions, dataset: Dataset) -> SourceOptions:
    """`options` with each date column read in the creator's language pinned to the order used, so every reader
    of the workspace sees the same dates."""
    evidence = getattr(dataset, "evidence", None)
    orders = evidence.get("date_order") if isinstance(evidence, dict) else None
    if not isinstance(orders, dict):
        return options
    pinned = dict(options.date_orders)
    for column, info in orders.items():
        if isinstance(info, dict) and info.get("by") == "language" and info.get("order") in ("dmy", "mdy"):
            pinned.setdefault(str(column), str(info["order"]))
    return SourceOptions(**{**options.__dict__, "date_orders": pinned}) if pinned != options.date_orders else options


def draw_save_as(
    dataset: Dataset,
    files: list[FileInput],
    options: SourceOptions,
    goals_text: str | None,
    settings: Settings,
) -> None:
    """One name field and one button that store the loaded upload as a new workspace, then its two links."""
    lang = current_lang()
    with st.container(key="ws_save", border=True):
        st.markdown(f"**{t('ws.save_title')}**")
        st.caption(t("ws.save_help"))
        with st.container(horizontal=True, vertical_alignment="bottom"):
            st.text_input(t("ws.name_label"), key="ws_name", max_chars=120)
            st.button(
                t("ws.save_button"),
                key="ws_save_button",
                type="primary",
                icon=":material/cloud_upload:",
                on_click=_create,
                args=(dataset, files, options, goals_text, settings),
            )
    draw_notice()
    draw_created_links(lang)


def _session_teams(source: str) -> tuple[str | None, dict[str, str]]:
    """(file name, owner → team) of the team file this session loaded on the Goals page for `source`."""
    from ui.quota_view import TEAMS_KEY  # here: ui.quota_view reads the goals, which import this module

    stored = st.session_state.get(TEAMS_KEY, {}).get(source)
    return stored if isinstance(stored, tuple) and len(stored) == 2 else (None, {})


def _create(
    dataset: Dataset, files: list[FileInput], options: SourceOptions, goals_text: str | None, settings: Settings
) -> None:
    from kpi_core.goals import GoalsError

    lang = current_lang()
    name = str(st.session_state.get("ws_name") or "")
    teams_file, teams = _session_teams(UPLOAD_SOURCE)  # a team file uploaded before saving goes with the data
    try:
        created = create_workspace(
            files,
            name,
            dataset=dataset,
            options=pinned_options(options, dataset).load_options(),
            goals_text=goals_text,
            settings=AccessSettings(settings.currency, settings.fiscal_start, settings.calendar),
            teams=teams,
            teams_file=teams_file,
        )
    except (WorkspaceError, IntakeError) as exc:
        say("error", exc.message(lang))
        return
    except GoalsError as exc:
        say("error", exc.message(lang))
        return
    st.session_state[CREATED_KEY] = {
        "id": created.id,
        "name": name.strip(),
        "editor": created.editor_key,
        "viewer": created.viewer_key,
    }
