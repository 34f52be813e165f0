"""Create, open, change, list and revoke workspaces: a name, settings, load options, a goal file and dated data
snapshots under one data directory, opened with an editor or a viewer key."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import os
import secrets
import shutil
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from kpi_core.business_days import CALENDARS, DEFAULT_CALENDAR
from kpi_core.forecast_history import ForecastSet, make_forecasts, product_as_of
from kpi_core.goals import load_goals, owner_key
from kpi_core.intake.inference import CURRENCIES
from kpi_core.intake.load import Dataset, FileInput, LoadOptions, load_dataset
from kpi_core.quotas import MAX_TEAM_ROWS
from kpi_core.workspace import lock, snapshots
from kpi_core.workspace.allowed import is_allowed, normalise_allowed, stored_allowed
from kpi_core.workspace.errors import (
    WorkspaceInvalid,
    WorkspaceNotFound,
    WorkspaceReadOnly,
    WorkspaceStorageError,
)
from kpi_core.workspace.keys import AccessRecord, Role, is_valid_id, new_access, new_workspace_id, role_of
from kpi_core.workspace.snapshots import SnapshotInfo
from kpi_core.workspace.store import (
    ACCESS_FILE,
    GOALS_FILE,
    SNAPSHOT_DIR,
    TEMP_PREFIX,
    WORKSPACE_FILE,
    atomic_write_json,
    atomic_write_text,
    fsync_dir,
    read_json,
    replace,
    resolve_data_dir,
    temp_path,
)

_log = logging.getLogger(__name__)

FORMAT = 1
MAX_NAME_CHARS = 120
MAX_TEAM_NAME_CHARS = 200  # an owner's or a team's name in a stored team mapping
STORED_MAX_BYTES = 64 * 1024**3  # stored tables passed the upload limit once; their CSV form may be larger
_NOT_STORED = ("max_bytes",)  # LoadOptions fields that are a server limit, not the user's choice


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def share_link(ws_id: str, key: str) -> str:
    """The path that opens a workspace with `key`, to append to the app's base URL: "/?ws=…&key=…"."""
    return "/?" + urlencode({"ws": ws_id, "key": key})


@dataclass(frozen=True)
class Settings:
    """How a workspace's figures are read and shown, and who may open it: currency (None: as detected),
    fiscal-year start, calendar, and `allowed`, the e-mail addresses and @domains that may open it when sign-in is
    on (an empty tuple: anyone holding a link; None: keep the list the workspace has, () for a new one)."""

    currency: str | None = None
    fiscal_start: int = 4
    calendar: str = DEFAULT_CALENDAR
    allowed: tuple[str, ...] | None = None

    def checked(self) -> Settings:
        """These settings with `allowed` normalised (lower case, no spaces, no repeats), or WorkspaceInvalid naming
        the first value that cannot be used."""
        if isinstance(self.fiscal_start, bool) or not isinstance(self.fiscal_start, int):
            raise WorkspaceInvalid("workspace.bad_fiscal_start", value=str(self.fiscal_start)[:20])
        if not 1 <= self.fiscal_start <= 12:
            raise WorkspaceInvalid("workspace.bad_fiscal_start", value=str(self.fiscal_start)[:20])
        if self.calendar not in CALENDARS:
            allowed = ", ".join(CALENDARS)
            raise WorkspaceInvalid("workspace.bad_calendar", value=str(self.calendar)[:40], allowed=allowed)
        if self.currency is not None and self.currency not in CURRENCIES:
            allowed = ", ".join(CURRENCIES)
            raise WorkspaceInvalid("workspace.bad_currency", value=str(self.currency)[:20], allowed=allowed)
        if self.allowed is None:
            return self
        return dataclasses.replace(self, allowed=normalise_allowed(self.allowed))

    def as_json(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "allowed": list(self.allowed or ())}

    @classmethod
    def from_json(cls, payload: object) -> Settings:
        """Settings as stored; unknown fields are ignored, `allowed` is always a tuple (see stored_allowed)."""
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in payload.items() if k in known} if isinstance(payload, dict) else {}
        values["allowed"] = stored_allowed(values.get("allowed"))
        return cls(**values)

    def admits(self, email: str | None) -> bool:
        """Whether a signed-in person with this verified e-mail may open the workspace (see is_allowed)."""
        return is_allowed(email, self.allowed or ())


def options_as_json(options: LoadOptions) -> dict[str, Any]:
    """The user's load choices (roles, stage mapping and order, link key, shape, date orders, currency, language)."""
    return {k: v for k, v in dataclasses.asdict(options).items() if k not in _NOT_STORED}


def options_from_json(payload: object) -> LoadOptions:
    """LoadOptions from stored JSON; fields the engine no longer has are ignored, new ones keep their defaults."""
    known = {f.name for f in dataclasses.fields(LoadOptions)} - set(_NOT_STORED)
    values = {k: v for k, v in payload.items() if k in known} if isinstance(payload, dict) else {}
    return dataclasses.replace(LoadOptions(**values), max_bytes=STORED_MAX_BYTES)


def _checked_name(name: object) -> str:
    text = name.strip() if isinstance(name, str) else ""
    if not text or len(text) > MAX_NAME_CHARS or any(unicodedata.category(c).startswith("C") for c in text):
        raise WorkspaceInvalid("workspace.bad_name", max=MAX_NAME_CHARS)
    return text


def _checked_goals(text: str | None) -> str | None:
    """The goal text when it is a usable goal file (GoalsError, one sentence with the line, when not)."""
    if text is not None:
        load_goals(text)
    return text


def _checked_teams(teams: object, file_name: object = None) -> tuple[dict[str, str], str | None]:
    """({owner: team}, the team file's name for display) as stored: names with their spaces collapsed, each
    non-empty, at most MAX_TEAM_NAME_CHARS characters and without control characters, one team per owner (compared
    as kpi_core.goals.owner_key compares owners), at most MAX_TEAM_ROWS of them; WorkspaceInvalid otherwise. The
    names are data (shown, matched against the data's owners), never part of a path; the file's name is shortened
    to MAX_NAME_CHARS and dropped when it is not plain text."""
    invalid = WorkspaceInvalid("workspace.bad_teams", max=MAX_TEAM_NAME_CHARS, rows=MAX_TEAM_ROWS)
    if not isinstance(teams, Mapping) or len(teams) > MAX_TEAM_ROWS:
        raise invalid
    clean: dict[str, str] = {}
    seen: dict[str, str] = {}
    for owner, team in teams.items():
        names = [" ".join(v.split()) if isinstance(v, str) else "" for v in (owner, team)]
        if any(not n or len(n) > MAX_TEAM_NAME_CHARS or _has_control(n) for n in names):
            raise invalid
        key = owner_key(names[0])
        if seen.setdefault(key, names[1]) != names[1]:
            raise invalid
        clean[names[0]] = names[1]
    shown = " ".join(file_name.split())[:MAX_NAME_CHARS] if isinstance(file_name, str) else ""
    return clean, (shown if clean and shown and not _has_control(shown) else None)


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c).startswith("C") for c in text)


def _teams_meta(teams: dict[str, str], file_name: str | None) -> dict[str, Any]:
    """The workspace.json fields of a team mapping (none: both empty)."""
    return {"teams": teams, "teams_file": file_name}


def _store_forecasts(folder: Path, dataset: Dataset, goals_and_calendar: Callable[[], tuple[str | None, str]]) -> None:
    """Keep beside a prepared snapshot's manifest the forecasts the pages show for its data today, with the goal
    file and calendar `goals_and_calendar()` gives (nothing without a goal file). Best effort: a goal file that does
    not fit the data, an unreadable setting or a failed write is logged and leaves the snapshot as it is (its
    forecasts can be remade from its data later, see Workspace.snapshot_forecasts)."""
    try:
        goals_text, calendar = goals_and_calendar()
        if goals_text is None:
            return
        goals = load_goals(goals_text)
        made = make_forecasts(goals, dataset, product_as_of(dataset, dt.date.today()), calendar=calendar)
        snapshots.write_forecasts(folder, made.as_json())
    except Exception:  # the data is what the user asked to store: never lose it over its forecasts
        _log.warning("the forecasts of a new snapshot were not stored", exc_info=True)


@dataclass(frozen=True)
class CreatedWorkspace:
    """A new workspace (or new keys): the keys are shown once here and stored only as hashes."""

    id: str
    editor_key: str = field(repr=False)
    viewer_key: str = field(repr=False)

    @property
    def editor_link(self) -> str:
        return share_link(self.id, self.editor_key)

    @property
    def viewer_link(self) -> str:
        return share_link(self.id, self.viewer_key)

    def as_json(self) -> dict[str, str]:
        return {"workspace": self.id, "editor_link": self.editor_link, "viewer_link": self.viewer_link}


@dataclass(frozen=True)
class WorkspaceSummary:
    """One line of list_workspaces."""

    id: str
    name: str
    created: str
    updated: str
    snapshots: int

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _read_access(ws_dir: Path) -> AccessRecord | None:
    try:
        return AccessRecord.from_json(read_json(ws_dir / ACCESS_FILE))
    except (OSError, ValueError):
        return None


def _workspace_dir(root: Path, ws_id: object) -> Path | None:
    """The folder of `ws_id`, only for an id of the exact shape (checked before the path is built)."""
    return root / ws_id if is_valid_id(ws_id) and isinstance(ws_id, str) else None


def _role(root: Path, ws_id: object, key: object) -> tuple[Path | None, Role | None]:
    """(folder, role) for an id and a key; the same work whatever is wrong (see keys.role_of)."""
    ws_dir = _workspace_dir(root, ws_id)
    record = _read_access(ws_dir) if ws_dir is not None else None
    return ws_dir, role_of(record, key)


def create_workspace(
    files: Sequence[FileInput],
    name: str,
    *,
    goals_text: str | None = None,
    options: LoadOptions | None = None,
    settings: Settings | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    dataset: Dataset | None = None,
    teams: Mapping[str, str] | None = None,
    teams_file: str | None = None,
) -> CreatedWorkspace:
    """Store uploaded files as a new workspace and return its id with an editor and a viewer key (shown once).

    `dataset` is the result of load_dataset(files, options) when the caller has it already (the app does);
    otherwise the files are loaded here (IntakeError for unusable input). The files' tables are stored as Parquet
    under the data directory; the file names are kept for display only. The workspace appears all at once: it is
    written in a temporary folder that is renamed into place.

    `teams` ({owner: team}, read from a team file named `teams_file`: that name is kept for display only) is
    stored as data, never as the file.

    Raises WorkspaceInvalid (name, settings, teams), GoalsError (goal text), IntakeError (files),
    WorkspaceStorageError (the data directory cannot be written).
    """
    if not files:
        raise WorkspaceInvalid("workspace.no_files")
    clean_name = _checked_name(name)
    options = options or LoadOptions()
    _checked_goals(goals_text)
    team_map, teams_file = _checked_teams(teams or {}, teams_file)
    settings = (settings or Settings()).checked()
    if settings.allowed is None:
        settings = dataclasses.replace(settings, allowed=())
    if dataset is None:
        dataset = load_dataset(list(files), options)
    if settings.currency is None and (options.currency or dataset.currency) in CURRENCIES:
        settings = dataclasses.replace(settings, currency=options.currency or dataset.currency)
    root = resolve_data_dir(data_dir)
    try:
        root.mkdir(parents=True, exist_ok=True)
        folder = temp_path(root)
        folder.mkdir(mode=0o700)
    except OSError as exc:
        raise WorkspaceStorageError("workspace.storage") from exc
    try:
        record, keys = new_access()
        ws_id = new_workspace_id()
        now = _now()
        meta = {
            "format": FORMAT,
            "id": ws_id,
            "name": clean_name,
            "created": now,
            "updated": now,
            "settings": settings.as_json(),
            "options": options_as_json(options),
            **_teams_meta(team_map, teams_file),
        }
        atomic_write_json(folder / ACCESS_FILE, record.as_json())
        atomic_write_json(folder / WORKSPACE_FILE, meta)
        if goals_text is not None:
            atomic_write_text(folder / GOALS_FILE, goals_text)
        prepared = snapshots.prepare_snapshot(folder, dataset, [f.name for f in files], [f.sheet for f in files])
        _store_forecasts(prepared, dataset, lambda: (goals_text, settings.calendar))
        snapshots.commit_snapshot(folder, prepared)
        fsync_dir(folder)
        replace(folder, root / ws_id)
        fsync_dir(root)
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise WorkspaceStorageError("workspace.storage") from exc
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return CreatedWorkspace(ws_id, keys["editor"], keys["viewer"])


def open_workspace(
    ws_id: str, key: str, *, data_dir: str | os.PathLike[str] | None = None, owner: str | None = None
) -> Workspace:
    """The workspace `ws_id` as `key` opens it (role "editor" or "viewer"), else WorkspaceNotFound.

    An id of the wrong shape, an unknown id, a wrong key and a revoked key all take the same path and time and give
    the same WorkspaceNotFound. `owner` names the editing session for the one-editor lock (the app passes one token
    per browser session; default a new token per opened object).
    """
    root = resolve_data_dir(data_dir)
    ws_dir, role = _role(root, ws_id, key)
    if ws_dir is None or role is None:
        raise WorkspaceNotFound()
    return Workspace(ws_id, role, ws_dir, key, owner or secrets.token_hex(8))


def _admin_dir(root: Path, ws_id: object) -> Path:
    ws_dir = _workspace_dir(root, ws_id)
    if ws_dir is None or _read_access(ws_dir) is None:
        raise WorkspaceNotFound()
    return ws_dir


def revoke_links(
    ws_id: str, key: str | None = None, *, admin: bool = False, data_dir: str | os.PathLike[str] | None = None
) -> CreatedWorkspace:
    """New editor and viewer keys for `ws_id`; the old links stop working at once (they then get "not found").

    Needs the editor key (a viewer key: WorkspaceReadOnly), or `admin=True` for the operator who holds the data
    directory (the command line's --admin). Any edit lock is dropped: its session held an old key.
    """
    root = resolve_data_dir(data_dir)
    if admin:
        ws_dir = _admin_dir(root, ws_id)
    else:
        workspace = open_workspace(ws_id, key or "", data_dir=root)
        workspace.require_editor()
        ws_dir = workspace.path
    record, keys = new_access()
    with lock.write_guard(ws_dir):
        atomic_write_json(ws_dir / ACCESS_FILE, record.as_json())
        (ws_dir / lock.LEASE_FILE).unlink(missing_ok=True)
        _touch(ws_dir)
    return CreatedWorkspace(ws_id, keys["editor"], keys["viewer"])


def _set_allowed(ws_dir: Path, allowed: tuple[str, ...]) -> None:
    """Rewrite the list in workspace.json, keeping the other settings (inside the write guard)."""
    stored = Settings.from_json(_read_meta(ws_dir).get("settings"))
    _touch(ws_dir, settings=dataclasses.replace(stored, allowed=allowed).as_json())


def set_allowed(
    ws_id: str,
    entries: Sequence[str],
    key: str | None = None,
    *,
    admin: bool = False,
    data_dir: str | os.PathLike[str] | None = None,
) -> tuple[str, ...]:
    """Replace the list of who may open `ws_id` (e-mail addresses and @domains; empty: anyone holding a link) and
    return it normalised. Needs the editor key (a viewer key: WorkspaceReadOnly; another editor holding the
    workspace: WorkspaceLocked), or `admin=True` for the operator who holds the data directory."""
    allowed = normalise_allowed(entries)
    if not admin:
        return open_workspace(ws_id, key or "", data_dir=data_dir).save_allowed(allowed)
    ws_dir = _admin_dir(resolve_data_dir(data_dir), ws_id)
    with lock.write_guard(ws_dir):
        _set_allowed(ws_dir, allowed)
    return allowed


def list_workspaces(data_dir: str | os.PathLike[str] | None = None) -> list[WorkspaceSummary]:
    """Every workspace under the data directory, most recently updated first.

    For the operator (command line, admin page): it names workspaces without keys, so never show it to visitors.
    """
    root = resolve_data_dir(data_dir)
    try:
        entries = [entry for entry in root.iterdir() if is_valid_id(entry.name) and entry.is_dir()]
    except FileNotFoundError:
        return []
    found = []
    for entry in entries:
        try:
            meta = read_json(entry / WORKSPACE_FILE)
        except (OSError, ValueError):
            continue
        if not isinstance(meta, dict):
            continue
        count = len(snapshots.list_snapshots(entry))
        name, created, updated = (str(meta.get(k, "")) for k in ("name", "created", "updated"))
        found.append(WorkspaceSummary(entry.name, name, created, updated, count))
    return sorted(found, key=lambda s: (s.updated, s.id), reverse=True)


def _touch(ws_dir: Path, **changes: Any) -> dict[str, Any]:
    """Rewrite workspace.json with `changes` and a new `updated` time (inside the write guard)."""
    meta = _read_meta(ws_dir)
    meta.update(changes, updated=_now())
    atomic_write_json(ws_dir / WORKSPACE_FILE, meta)
    return meta


def _read_meta(ws_dir: Path) -> dict[str, Any]:
    try:
        meta = read_json(ws_dir / WORKSPACE_FILE)
    except (OSError, ValueError) as exc:
        raise WorkspaceStorageError("workspace.damaged", id=ws_dir.name) from exc
    if not isinstance(meta, dict):
        raise WorkspaceStorageError("workspace.damaged", id=ws_dir.name)
    return meta


@dataclass
class Workspace:
    """An opened workspace. Reads always come from disk (another server may have written since); every write
    checks the key again, refuses a viewer (WorkspaceReadOnly) and takes the one-editor lock (WorkspaceLocked)."""

    id: str
    role: Role
    path: Path = field(repr=False)
    _key: str = field(repr=False)
    owner: str = field(repr=False)
    _editing: bool = field(default=False, repr=False)

    # --- reading -----------------------------------------------------------------------------------------------
    @property
    def can_edit(self) -> bool:
        return self.role == "editor"

    def info(self) -> dict[str, Any]:
        """name, created, updated, settings and options as stored."""
        return _read_meta(self.path)

    @property
    def name(self) -> str:
        return str(self.info().get("name", ""))

    @property
    def created(self) -> str:
        return str(self.info().get("created", ""))

    @property
    def updated(self) -> str:
        return str(self.info().get("updated", ""))

    @property
    def settings(self) -> Settings:
        return Settings.from_json(self.info().get("settings"))

    @property
    def allowed(self) -> tuple[str, ...]:
        """Who may open the workspace when sign-in is on (empty: anyone holding a link)."""
        return self.settings.allowed or ()

    @property
    def options(self) -> LoadOptions:
        return options_from_json(self.info().get("options"))

    @property
    def goals_text(self) -> str | None:
        """The goal file as last saved, or None when the workspace has none (use a template then)."""
        try:
            return (self.path / GOALS_FILE).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    @property
    def teams(self) -> dict[str, str]:
        """The team mapping {owner: team} as last saved (empty when the workspace has none)."""
        stored = self.info().get("teams")
        if not isinstance(stored, dict):
            return {}
        return {str(k): str(v) for k, v in stored.items() if isinstance(k, str) and isinstance(v, str)}

    @property
    def teams_file(self) -> str | None:
        """The name of the team file the mapping was read from, for display (None: none, or not known)."""
        name = self.info().get("teams_file")
        return name if isinstance(name, str) and name and self.teams else None

    def goals_revised(self) -> float | None:
        """When the goal file was last saved (a POSIX time), or None when the workspace has none."""
        try:
            return (self.path / GOALS_FILE).stat().st_mtime
        except FileNotFoundError:
            return None

    def snapshots(self) -> list[SnapshotInfo]:
        """The data snapshots, oldest first; the last one is what the workspace shows."""
        return snapshots.list_snapshots(self.path)

    def load_inputs(self, snapshot: str | None = None) -> tuple[list[FileInput], LoadOptions]:
        """What to pass to load_dataset for the newest snapshot (or `snapshot`, an id from snapshots()).

        The inputs are files inside the workspace (stable paths, so a cache can hash them); their names are the
        uploaded files' names, for display.
        """
        info = snapshots.find_snapshot(self.path, snapshot)
        return snapshots.snapshot_inputs(self.path, info), self.options

    def load_dataset(self, snapshot: str | None = None) -> Dataset:
        inputs, options = self.load_inputs(snapshot)
        return load_dataset(inputs, options)

    def snapshot_forecasts(
        self,
        snapshot: str | None = None,
        *,
        remake: bool = True,
        goals_text: str | None = None,
        calendar: str | None = None,
    ) -> ForecastSet | None:
        """The forecasts the product made on the day of the newest snapshot (or `snapshot`): the stored ones
        (source "stored"), else, with `remake`, made again from the snapshot's own data at the as-of date the pages
        would have used that day (source "reconstructed"; slow: the data is loaded) with `goals_text` and `calendar`
        (default the workspace's goal file and calendar). None when none is stored and there is nothing to remake
        them with (no goal file) or `remake` is False. Nothing is written: a viewer may ask too."""
        info = snapshots.find_snapshot(self.path, snapshot)
        payload = snapshots.read_forecasts(self.path, info)
        if payload is not None:
            try:
                return ForecastSet.from_json(payload, source="stored", snapshot=info.id)
            except ValueError:
                _log.warning("unreadable forecasts in snapshot %s: remade from its data", info.id)
        text, day = goals_text if goals_text is not None else self.goals_text, snapshots.snapshot_date(info)
        if not remake or text is None or day is None:
            return None
        dataset = self.load_dataset(info.id)
        return make_forecasts(
            load_goals(text), dataset, product_as_of(dataset, day), calendar=calendar or self.settings.calendar,
            source="reconstructed", snapshot=info.id,
        )  # fmt: skip

    def verify(self) -> bool:
        """Whether the key this workspace was opened with still opens it in the same role (False once revoked)."""
        return _role(self.path.parent, self.id, self._key)[1] == self.role

    # --- writing -----------------------------------------------------------------------------------------------
    def require_editor(self) -> None:
        """WorkspaceReadOnly for a viewer; WorkspaceNotFound when the key was revoked since it was opened."""
        if self.role != "editor":
            raise WorkspaceReadOnly()
        if not self.verify():
            raise WorkspaceNotFound()

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        self.require_editor()
        with lock.editing(self.path, self.owner, keep=self._editing):
            yield

    def start_editing(self, seconds: float = lock.DEFAULT_LEASE_SECONDS) -> lock.Lease:
        """Hold the workspace for this editor (`owner`) for `seconds`, renewed by every save; a second editor gets
        WorkspaceLocked until stop_editing() or the time runs out."""
        self.require_editor()
        with lock.write_guard(self.path):
            lease = lock.take_lease(self.path, self.owner, seconds)
        self._editing = True
        return lease

    def stop_editing(self) -> None:
        self._editing = False
        with lock.write_guard(self.path):
            lock.drop_lease(self.path, self.owner)

    def save_goals(self, text: str) -> None:
        """Replace the goal file (GoalsError when it cannot be used; nothing is written then)."""
        with self._write():
            _checked_goals(text)
            atomic_write_text(self.path / GOALS_FILE, text)
            _touch(self.path)

    def save_teams(self, teams: Mapping[str, str], file_name: str | None = None) -> dict[str, str]:
        """Replace the team mapping {owner: team} (an empty one removes it); `file_name` names the team file it
        was read from, for display. The mapping as stored (WorkspaceInvalid when it cannot be used; nothing is
        written then)."""
        with self._write():
            clean, shown = _checked_teams(teams, file_name)
            _touch(self.path, **_teams_meta(clean, shown))
        return clean

    def save_options(self, options: LoadOptions) -> None:
        """Replace the column roles, stage mapping and other load options."""
        with self._write():
            _touch(self.path, options=options_as_json(options))

    def save_settings(self, settings: Settings) -> None:
        """Replace currency, fiscal-year start, calendar and, unless `settings.allowed` is None, the list of who
        may open it (None keeps the workspace's list as it is)."""
        checked = settings.checked()
        with self._write():
            if checked.allowed is None:
                stored = Settings.from_json(_read_meta(self.path).get("settings"))
                checked = dataclasses.replace(checked, allowed=stored.allowed)
            _touch(self.path, settings=checked.as_json())

    def save_allowed(self, entries: Sequence[str]) -> tuple[str, ...]:
        """Replace only the list of e-mail addresses and @domains that may open the workspace (empty: anyone
        holding a link); the normalised list (WorkspaceInvalid for an entry that is neither)."""
        allowed = normalise_allowed(entries)
        with self._write():
            _set_allowed(self.path, allowed)
        return allowed

    def rename(self, name: str) -> None:
        with self._write():
            _touch(self.path, name=_checked_name(name))

    def add_snapshot(
        self,
        files: Sequence[FileInput],
        *,
        options: LoadOptions | None = None,
        dataset: Dataset | None = None,
    ) -> SnapshotInfo:
        """Store a newer export as the workspace's data; the older data stays as a dated snapshot.

        The files are loaded with `options` (default the workspace's; IntakeError when unusable) unless `dataset`
        (their load_dataset result) is given; given `options` replace the workspace's.
        """
        with self._write():  # refuse a viewer or a locked workspace before the slow part
            if not files:
                raise WorkspaceInvalid("workspace.no_files")
        chosen = options or self.options
        if dataset is None:
            dataset = load_dataset(list(files), chosen)
        prepared = snapshots.prepare_snapshot(self.path, dataset, [f.name for f in files], [f.sheet for f in files])
        try:
            # Outside the lock (the slow part): the forecasts appear with the snapshot when it is renamed into place.
            _store_forecasts(prepared, dataset, lambda: (self.goals_text, self.settings.calendar))
            with self._write():
                info = snapshots.commit_snapshot(self.path, prepared)
                _touch(self.path, **({"options": options_as_json(options)} if options is not None else {}))
        except BaseException:
            snapshots.discard(prepared)
            raise
        return info

    def revoke_links(self) -> CreatedWorkspace:
        """New keys; the old links (this object's too) stop working."""
        return revoke_links(self.id, self._key, data_dir=self.path.parent)


def remove_stale_temp(data_dir: str | os.PathLike[str] | None = None, *, min_age: float = 0.0) -> int:
    """Remove what a crashed writer left: temporary files and folders (named .tmp-…) at the top of the data
    directory, in each workspace folder, its snapshots folder and each snapshot; the count removed.

    Only entries untouched for `min_age` seconds go (the command line's default leaves a write in progress on a
    running server alone); with 0, run it when no server is writing."""
    root = resolve_data_dir(data_dir)
    deadline = dt.datetime.now().timestamp() - max(0.0, float(min_age))
    removed = 0
    for folder in _temp_homes(root):
        try:
            entries = [entry for entry in folder.iterdir() if entry.name.startswith(TEMP_PREFIX)]
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.lstat().st_mtime > deadline:
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
            except OSError:
                continue
            removed += 1
    return removed


def _temp_homes(root: Path) -> Iterator[Path]:
    """The folders a writer puts temporary files in: the data directory, each workspace, its snapshots."""
    yield root
    try:
        workspaces = [entry for entry in root.iterdir() if is_valid_id(entry.name) and entry.is_dir()]
    except OSError:
        return
    for ws_dir in workspaces:
        yield ws_dir
        shots = ws_dir / SNAPSHOT_DIR
        yield shots
        with contextlib.suppress(OSError):
            yield from (entry for entry in shots.iterdir() if entry.is_dir() and not entry.name.startswith(TEMP_PREFIX))
