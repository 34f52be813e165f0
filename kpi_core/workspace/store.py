"""Where workspaces live on disk, and writes that never leave a half-written file (temp file, fsync, os.replace)."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

DATA_DIR_ENV = "KPI_PIVOT_DATA_DIR"
DEFAULT_DATA_DIR = "workspaces"  # relative to the working directory of the app server or command

# One folder per workspace, named by its id (kpi_core.workspace.keys checks the id before any path is built):
#   <data dir>/<id>/workspace.json   name, times, settings, load options, team mapping {owner: team} (JSON)
#                   access.json      salt and hashes of the editor and viewer keys (never a key)
#                   goals.yaml       the goal file as the editor saved it
#                   edit.lock        the editor holding the workspace, and until when (kpi_core.workspace.lock)
#                   .guard           an empty file whose OS lock serialises writers across processes
#                   snapshots/<snapshot id>/manifest.json, N.parquet (the data), N.csv (a cache made from N.parquet)
WORKSPACE_FILE = "workspace.json"
ACCESS_FILE = "access.json"
GOALS_FILE = "goals.yaml"
SNAPSHOT_DIR = "snapshots"
TEMP_PREFIX = ".tmp-"  # files and folders being written; never read, removed by the writer on failure


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The data directory: `data_dir` when given, else $KPI_PIVOT_DATA_DIR, else ./workspaces."""
    chosen = data_dir if data_dir is not None else os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR
    return Path(chosen)


def temp_path(directory: Path, suffix: str = "") -> Path:
    """A fresh name in `directory` for something being written (same file system, so os.replace is atomic)."""
    return directory / f"{TEMP_PREFIX}{secrets.token_hex(8)}{suffix}"


def fsync_dir(directory: Path) -> None:
    """Make a rename or a new file in `directory` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace `path` with `data` all at once: readers see the old file or the new one, never a part.

    The bytes go to a temporary file in the same directory, are flushed to disk, and only then replace the file;
    a crash before the replace leaves the old file as it was.
    """
    write_then_replace(path, lambda handle: handle.write(data))


def write_then_replace(path: Path, write: Callable[[Any], object]) -> None:
    """Call `write(handle)` on a temporary file beside `path`, fsync it, then os.replace it onto `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_path(path.parent, path.suffix)
    try:
        with open(temp, "xb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def replace(source: Path, target: Path) -> None:
    """os.replace, kept as one name so a test can stand for a crash just before it."""
    os.replace(source, target)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path, payload: object) -> None:
    atomic_write_text(path, json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def read_json(path: Path) -> Any:
    """The JSON in `path`; FileNotFoundError when it is not there, ValueError when it is not JSON."""
    return json.loads(path.read_text(encoding="utf-8"))
