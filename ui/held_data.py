"""What the server holds for its sessions, within one budget: uploads spooled to disk, loaded datasets in memory.

Each session leases the uploads and datasets it uses. A sweep (every few seconds, in a background thread) releases
what only closed sessions used, once Streamlit's reconnect window has passed, and drops download files that no
session references any more. A load that would take the held datasets over the budget first evicts what no live
session uses; if that is not enough it is refused with one sentence rather than taking the server's memory.

A session can also leave things to do when it is forgotten (on_session_close): the workspace it edits gives its
one-editor lock back then, so the next editor need not wait for the lock to expire.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kpi_core.intake.errors import IntakeError
from kpi_core.intake.load import Dataset
from kpi_core.sql import execute, memory_in_use

_log = logging.getLogger(__name__)

BUDGET_ENV = "KPI_PIVOT_MEMORY_BUDGET_MB"  # all loaded datasets together
SWEEP_ENV = "KPI_PIVOT_SWEEP_SECONDS"
GRACE_ENV = "KPI_PIVOT_SESSION_GRACE_SECONDS"
DEFAULT_BUDGET_MB = 3072
DEFAULT_SWEEP_SECONDS = 30.0
# Streamlit keeps a disconnected session for 2 minutes so that a reconnecting tab finds its state again: what such a
# session uses is kept a little longer than that.
DEFAULT_GRACE_SECONDS = 150.0
# Before a load its memory is not known yet: a CSV's table took about 1.5× the file's bytes in DuckDB (1M rows:
# 52 MB of CSV → 77 MB of table); the records built from it as much again.
EXPECTED_BYTES_PER_FILE_BYTE = 3
DATASETS_PER_SESSION = 3  # a session switching between sources keeps its last few loaded


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


def budget_bytes() -> int:
    return int(_env_number(BUDGET_ENV, DEFAULT_BUDGET_MB) * 1024 * 1024)


def dataset_bytes(dataset: Dataset) -> int:
    """The memory DuckDB holds for one dataset (its own in-memory database)."""
    try:
        rows = execute(dataset.cursor(), memory_in_use()).fetchall()
        return int(rows[0][0])
    except Exception:  # a closed or broken connection holds nothing we can count
        return 0


class ServerFull(IntakeError):
    """The held datasets would go over the server's memory budget."""


@dataclass
class _Entry:
    dataset: Dataset
    size: int
    pinned: bool  # a bundled sample: kept while the budget allows, whoever uses it
    last_used: float


@dataclass
class _Session:
    datasets: list[str] = field(default_factory=list)  # keys, most recent last
    spools: dict[str, set[str]] = field(default_factory=dict)  # slot → sha256 of the uploads it holds
    on_close: dict[str, Callable[[], object]] = field(default_factory=dict)  # name → what to do once it is gone
    last_active: float = 0.0


class HeldData:
    """The datasets and spooled uploads held for all sessions of this server process (one per process)."""

    def __init__(
        self,
        *,
        spool_dir: Path,
        is_active: Callable[[str], bool],
        budget: Callable[[], int] = budget_bytes,
        grace_seconds: float = DEFAULT_GRACE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._spool_dir = spool_dir
        self._is_active = is_active
        self._budget = budget
        self._grace = grace_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._load_locks: dict[str, threading.Lock] = {}
        self._entries: dict[str, _Entry] = {}
        self._sessions: dict[str, _Session] = {}
        self._spool_created: dict[str, float] = {}

    # ------------------------------------------------------------------ uploads
    def spool(self, data: bytes) -> tuple[str, Path]:
        """Write an upload's bytes to the spool once (named by their hash, never by the file name): (sha256, path)."""
        sha = hashlib.sha256(data).hexdigest()
        path = self._spool_dir / sha
        with self._lock:
            self._spool_created[sha] = self._clock()  # before the write: a sweep now keeps it
        if not path.is_file():  # written outside the lock: other sessions are not held up by a big file
            self._spool_dir.mkdir(parents=True, exist_ok=True)
            partial = self._spool_dir / f"{sha}.{secrets.token_hex(4)}.part"
            partial.write_bytes(data)
            partial.replace(path)  # a reader never sees half a file; two writers of the same bytes both succeed
        return sha, path

    def spool_path(self, sha: str) -> Path:
        return self._spool_dir / sha

    def lease_uploads(self, session_id: str, shas: set[str], *, slot: str = "uploads") -> None:
        """The uploads `session_id` holds now in `slot` (the Data page's files, the Weekly page's last-week export…):
        its earlier ones in that slot may go, its other slots stay."""
        with self._lock:
            session = self._session(session_id)
            session.spools[slot] = set(shas)

    # ------------------------------------------------------------------ when a session ends
    def on_session_close(self, session_id: str, name: str, action: Callable[[], object]) -> None:
        """Run `action` when the sweep forgets `session_id` (closed for longer than the grace time); a later call
        with the same `name` replaces it."""
        with self._lock:
            session = self._session(session_id)
            session.last_active = self._clock()
            session.on_close[name] = action

    def forget_on_close(self, session_id: str, name: str) -> Callable[[], object] | None:
        """Cancel what `session_id` left under `name` (done already); the action, or None."""
        with self._lock:
            session = self._sessions.get(session_id)
            return session.on_close.pop(name, None) if session is not None else None

    # ------------------------------------------------------------------ datasets
    def dataset(
        self, key: str, session_id: str | None, load: Callable[[], Dataset], *, pinned: bool, input_bytes: int
    ) -> Dataset:
        """The dataset under `key`, loaded once for all sessions; leased to `session_id`.

        Raises ServerFull when loading it would take the held datasets over the budget."""
        with self._lock:
            load_lock = self._load_locks.setdefault(key, threading.Lock())
        with load_lock:  # two sessions opening the same new file: the second waits and shares the first's load
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None:
                    entry.last_used = self._clock()
                    self._lease_dataset(session_id, key)
                    return entry.dataset
                self._make_room(EXPECTED_BYTES_PER_FILE_BYTE * input_bytes, keep=session_id)
            try:
                dataset = load()
            except BaseException:
                with self._lock:
                    self._load_locks.pop(key, None)  # a failed load is tried again next time, like a new one
                raise
            size = dataset_bytes(dataset)
            with self._lock:
                self._entries[key] = _Entry(dataset, size, pinned, self._clock())
                self._lease_dataset(session_id, key)
                self._load_locks.pop(key, None)
            return dataset

    def held_bytes(self) -> int:
        with self._lock:
            return sum(e.size for e in self._entries.values())

    def keys(self) -> list[str]:
        with self._lock:
            return list(self._entries)

    # ------------------------------------------------------------------ release
    def sweep(self) -> None:
        """Forget sessions closed for longer than the grace time; drop the datasets and spooled uploads that no
        remaining session uses (bundled samples stay)."""
        now = self._clock()
        closing: list[Callable[[], object]] = []
        with self._lock:
            for session_id, session in list(self._sessions.items()):
                if self._is_active(session_id):
                    session.last_active = now
                elif now - session.last_active > self._grace:
                    closing.extend(session.on_close.values())
                    del self._sessions[session_id]
            used = self._used_datasets()
            for key in [k for k, e in self._entries.items() if not e.pinned and k not in used]:
                self._drop(key)
            leased = {sha for s in self._sessions.values() for shas in s.spools.values() for sha in shas}
            for sha, created in list(self._spool_created.items()):
                if sha not in leased and now - created > self._grace:
                    del self._spool_created[sha]
                    with contextlib.suppress(OSError):
                        self.spool_path(sha).unlink()
        for action in closing:  # outside the lock: an action may wait for a file lock
            try:
                action()
            except Exception:  # one failing action must not keep the others (or the sweep) from running
                _log.exception("closing a session failed")

    def clear(self) -> None:
        """Drop everything (tests; a server shutting down)."""
        with self._lock:
            for key in list(self._entries):
                self._drop(key)
            self._sessions.clear()
            self._spool_created.clear()
        shutil.rmtree(self._spool_dir, ignore_errors=True)

    # ------------------------------------------------------------------ internals (callers hold self._lock)
    def _session(self, session_id: str) -> _Session:
        session = self._sessions.get(session_id)
        if session is None:
            session = self._sessions[session_id] = _Session(last_active=self._clock())
        return session

    def _lease_dataset(self, session_id: str | None, key: str) -> None:
        if session_id is None:  # the warm-up thread: no session holds it
            return
        session = self._session(session_id)
        session.last_active = self._clock()
        if key in session.datasets:
            session.datasets.remove(key)
        session.datasets.append(key)
        del session.datasets[:-DATASETS_PER_SESSION]

    def _used_datasets(self) -> set[str]:
        return {key for s in self._sessions.values() for key in s.datasets}

    def _make_room(self, needed: int, keep: str | None) -> None:
        """Evict until `needed` more bytes fit: first what no session uses (oldest first), then what only other,
        disconnected sessions use; raise ServerFull when live sessions hold too much."""
        budget = self._budget()
        held = sum(e.size for e in self._entries.values())
        if held + needed <= budget:
            return
        used = self._used_datasets()
        live = {
            key
            for session_id, s in self._sessions.items()
            if session_id == keep or self._is_active(session_id)
            for key in s.datasets[-1:]  # what a live session shows now; its older ones may go
        }
        by_age = sorted(self._entries.items(), key=lambda item: item[1].last_used)
        for tier in (lambda k: k not in used, lambda k: k not in live):
            for key, entry in by_age:
                if held + needed <= budget:
                    return
                if key in self._entries and tier(key):
                    held -= entry.size
                    self._drop(key)
        if held + needed > budget:
            raise ServerFull("intake.server_full", code="server_full", setting=BUDGET_ENV)

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key)
        for session in self._sessions.values():
            if key in session.datasets:
                session.datasets.remove(key)
        with contextlib.suppress(Exception):
            entry.dataset.con.close()  # frees DuckDB's memory now, not when the last reference goes


# ------------------------------------------------------------------------------------------------ the process's store
def _streamlit_session_active(session_id: str) -> bool:
    from streamlit import runtime

    if not runtime.exists():
        return True  # AppTest and scripts outside a server: nothing ends sessions, so nothing is released early
    return runtime.get_instance().is_active_session(session_id)


def _remove_orphaned_downloads() -> None:
    """Streamlit deletes a download file once no session references it, at its next two clean-ups; a clean-up runs
    after each script run. A quiet server runs none, so the sweep runs one too: files of closed sessions go."""
    from streamlit import runtime

    if runtime.exists():
        runtime.get_instance().media_file_mgr.remove_orphaned_files()


def _spool_root() -> Path:
    return Path(tempfile.gettempdir()) / f"kpi_pivot_uploads_{os.getpid()}"


def _remove_stale_spools() -> None:
    """Spool folders of server processes that have ended (a restart): nobody can use those files again."""
    for folder in Path(tempfile.gettempdir()).glob("kpi_pivot_uploads_*"):
        pid = folder.name.rsplit("_", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(folder, ignore_errors=True)


_store_lock = threading.Lock()
_store: HeldData | None = None


def held_data() -> HeldData:
    """The process's store (created on first use, with its sweep thread)."""
    global _store
    with _store_lock:
        if _store is None:
            _remove_stale_spools()
            _store = HeldData(
                spool_dir=_spool_root(),
                is_active=_streamlit_session_active,
                grace_seconds=_env_number(GRACE_ENV, DEFAULT_GRACE_SECONDS),
            )
            threading.Thread(target=_sweep_forever, args=(_store,), name="kpi-pivot-sweep", daemon=True).start()
        return _store


def _sweep_forever(store: HeldData) -> None:
    interval = _env_number(SWEEP_ENV, DEFAULT_SWEEP_SECONDS)
    while True:
        time.sleep(interval)
        try:
            store.sweep()
            _remove_orphaned_downloads()
        except Exception:  # the sweep must never die: the next one tries again
            _log.exception("sweep failed")


# ------------------------------------------------------------------------------------------------ Streamlit's copies
UPLOAD_BUDGET_ENV = "KPI_PIVOT_UPLOAD_BUDGET_MB"  # uploads Streamlit holds in memory, all sessions together
DEFAULT_UPLOAD_BUDGET_MB = 1024


def uploads_in_memory() -> int:
    """Bytes of uploaded files Streamlit holds for all sessions (each upload widget keeps its files' bytes for
    the session's life; they are freed when the session ends)."""
    from streamlit import runtime

    if not runtime.exists():
        return 0
    stats = runtime.get_instance().uploaded_file_mgr.get_stats()
    return sum(stat.byte_length for group in stats.values() for stat in group)


def uploads_over_budget() -> bool:
    return uploads_in_memory() > _env_number(UPLOAD_BUDGET_ENV, DEFAULT_UPLOAD_BUDGET_MB) * 1024 * 1024


def release_uploaded_file(file_id: str) -> None:
    """Drop Streamlit's copy of one of this session's uploaded files (a refused upload)."""
    from streamlit import runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    if runtime.exists() and ctx is not None:
        runtime.get_instance().uploaded_file_mgr.remove_file(ctx.session_id, file_id)
