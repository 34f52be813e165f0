"""The data of a workspace: one folder per upload (a dated snapshot) holding each source table as Parquet; a newer
upload adds a folder and keeps the older ones."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from kpi_core.intake.load import Dataset, FileInput
from kpi_core.sql import copy_parquet_to_csv, copy_to_parquet, execute, row_count, setting
from kpi_core.workspace.errors import WorkspaceInvalid, WorkspaceStorageError
from kpi_core.workspace.store import (
    SNAPSHOT_DIR,
    TEMP_PREFIX,
    atomic_write_json,
    fsync_dir,
    read_json,
    replace,
    temp_path,
)

MANIFEST = "manifest.json"
# The forecasts the product made on the snapshot's day (kpi_core.forecast_history.ForecastSet), beside the manifest;
# only in a workspace with a goal file, and never needed for the snapshot to be read.
FORECASTS = "forecasts.json"
# UTC time to the microsecond, then a random tail: names sort in the order the snapshots were made.
SNAPSHOT_ID = re.compile(r"[0-9]{8}T[0-9]{12}Z-[0-9a-f]{4}")


@dataclass(frozen=True)
class StoredFile:
    """One uploaded file as stored: its display name (never a path), the sheet it came from, its rows."""

    name: str
    table: str  # "0.parquet", "1.parquet", … in the order of the upload
    sheet: str | None
    rows: int
    sha256: str  # of the Parquet file: a content key for caches

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "table": self.table, "sheet": self.sheet, "rows": self.rows, "sha256": self.sha256}


@dataclass(frozen=True)
class SnapshotInfo:
    """A dated snapshot: its id, when it was made, its files."""

    id: str
    created: str  # ISO time, UTC
    files: tuple[StoredFile, ...]

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "created": self.created, "rows": self.rows, "files": [f.as_json() for f in self.files]}


def is_snapshot_id(value: object) -> bool:
    return isinstance(value, str) and len(value) == 27 and SNAPSHOT_ID.fullmatch(value) is not None


def _new_snapshot_id(now: dt.datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(2)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def prepare_snapshot(ws_dir: Path, dataset: Dataset, names: Sequence[str], sheets: Sequence[str | None]) -> Path:
    """Write the dataset's source tables (src0, src1, … as read from the files, before any mapping) as Parquet,
    plus a manifest, into a temporary folder under the workspace's snapshots; return the folder.

    Nothing is visible until commit_snapshot renames the folder into place.
    """
    parent = ws_dir / SNAPSHOT_DIR
    parent.mkdir(parents=True, exist_ok=True)
    folder = temp_path(parent)
    folder.mkdir()
    try:
        now = dt.datetime.now(dt.UTC)
        cursor = dataset.cursor()
        files = []
        for index, name in enumerate(names):
            table = f"{index}.parquet"
            target = folder / table
            execute(cursor, copy_to_parquet(f"src{index}", str(target)))
            _fsync_file(target)
            rows = int(execute(cursor, row_count(f"src{index}")).fetchall()[0][0])
            files.append(StoredFile(str(name), table, sheets[index], rows, _sha256(target)))
            csv_cache(folder, table)
        snapshot_id = _new_snapshot_id(now)
        manifest = {"id": snapshot_id, "created": now.isoformat(), "files": [f.as_json() for f in files]}
        atomic_write_json(folder / MANIFEST, manifest)
        fsync_dir(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def commit_snapshot(ws_dir: Path, folder: Path) -> SnapshotInfo:
    """Rename a prepared folder to its snapshot id: from then on it is the newest snapshot (one atomic step)."""
    info = _read_manifest(folder)
    if info is None:
        raise WorkspaceStorageError("workspace.damaged", id=ws_dir.name)
    target = ws_dir / SNAPSHOT_DIR / info.id
    replace(folder, target)
    fsync_dir(target.parent)
    return info


def write_forecasts(folder: Path, payload: object) -> None:
    """Store a snapshot's forecasts (JSON) in its folder, all at once (a temporary file renamed into place)."""
    atomic_write_json(folder / FORECASTS, payload)


def read_forecasts(ws_dir: Path, info: SnapshotInfo) -> object | None:
    """The stored forecasts of a snapshot as JSON, or None when it has none or they cannot be read (an older
    snapshot, a workspace without a goal file then, a damaged file): the caller may remake them from the data."""
    try:
        return read_json(ws_dir / SNAPSHOT_DIR / info.id / FORECASTS)
    except (OSError, ValueError):
        return None


def snapshot_date(info: SnapshotInfo) -> dt.date | None:
    """The day (this server's local time, as the pages' "today") the snapshot was made; None when unknown."""
    try:
        return dt.datetime.fromisoformat(info.created.replace("Z", "+00:00")).astimezone().date()
    except ValueError:
        return None


def discard(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def _read_manifest(folder: Path) -> SnapshotInfo | None:
    try:
        payload = read_json(folder / MANIFEST)
        files = tuple(
            StoredFile(str(f["name"]), str(f["table"]), f.get("sheet"), int(f["rows"]), str(f["sha256"]))
            for f in payload["files"]
        )
        snapshot_id = str(payload["id"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not is_snapshot_id(snapshot_id) or any(not re.fullmatch(r"[0-9]{1,4}\.parquet", f.table) for f in files):
        return None
    return SnapshotInfo(snapshot_id, str(payload.get("created", "")), files)


def list_snapshots(ws_dir: Path) -> list[SnapshotInfo]:
    """The workspace's snapshots, oldest first (the last one is the current data); folders being written and
    anything that is not a snapshot are left out."""
    parent = ws_dir / SNAPSHOT_DIR
    try:
        names = sorted(entry.name for entry in parent.iterdir() if not entry.name.startswith(TEMP_PREFIX))
    except FileNotFoundError:
        return []
    found = []
    for name in names:
        if is_snapshot_id(name):
            info = _read_manifest(parent / name)
            if info is not None and info.id == name:
                found.append(info)
    return found


def find_snapshot(ws_dir: Path, snapshot_id: str | None) -> SnapshotInfo:
    """The snapshot `snapshot_id` (None: the newest); WorkspaceInvalid when there is no such snapshot."""
    snapshots = list_snapshots(ws_dir)
    if snapshot_id is None:
        if not snapshots:
            raise WorkspaceStorageError("workspace.damaged", id=ws_dir.name)
        return snapshots[-1]
    if not is_snapshot_id(snapshot_id):
        raise WorkspaceInvalid("workspace.bad_snapshot", value=str(snapshot_id)[:40])
    for info in snapshots:
        if info.id == snapshot_id:
            return info
    raise WorkspaceInvalid("workspace.bad_snapshot", value=snapshot_id)


def csv_cache(folder: Path, table: str) -> Path:
    """`N.csv` beside `N.parquet`: the same rows as a UTF-8 CSV the intake reads (made once, atomically).

    The workspace loads through the same intake as an upload, so roles, stages and rejects are decided the same way.
    """
    csv = folder / table.replace(".parquet", ".csv")
    if csv.is_file():
        return csv
    temp = temp_path(folder, ".csv")
    con = duckdb.connect(":memory:")
    try:
        execute(con, setting("enable_progress_bar", "false"))
        execute(con, copy_parquet_to_csv(str(folder / table), str(temp)))
        _fsync_file(temp)
        replace(temp, csv)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    fsync_dir(folder)
    return csv


def snapshot_inputs(ws_dir: Path, info: SnapshotInfo) -> list[FileInput]:
    """The snapshot's files as intake inputs: display names as uploaded, data from the stored tables."""
    folder = ws_dir / SNAPSHOT_DIR / info.id
    return [FileInput(name=f.name, data=csv_cache(folder, f.table)) for f in info.files]
