"""One editor at a time: a lease file (owner + expiry) taken under an OS lock that serialises writers across
processes; readers never lock (every file is replaced whole).

The lease also names the server process that last took or renewed it (`server`). An app server that sees one of
its sessions end gives up that session's lease with release_lease(), which drops it only when both the owner and
the server are its own: a lease renewed since by another server (the same editor reconnected elsewhere behind a
load balancer) or held by anyone else is left alone, and expires by itself if nobody renews it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import secrets
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kpi_core.workspace.errors import WorkspaceLocked
from kpi_core.workspace.store import atomic_write_json, read_json

LEASE_FILE = "edit.lock"
GUARD_FILE = ".guard"
DEFAULT_LEASE_SECONDS = 15 * 60  # an editor who walks away frees the workspace after this; each save renews it
# This process, as written into the leases it takes: host and pid name it for a person reading the file, the random
# part keeps a restarted process with a reused pid from counting as the old one.
SERVER_ID = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


@contextlib.contextmanager
def write_guard(ws_dir: Path) -> Iterator[None]:
    """Hold the workspace's writer lock (flock on `.guard`) for a short read-check-write section.

    flock is released by the kernel when the process dies, so a crash never leaves it held; it works across the
    processes of one machine and, on Linux, on NFS (as an fcntl lock).
    """
    fd = os.open(ws_dir / GUARD_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


@dataclass(frozen=True)
class Lease:
    """Who edits a workspace, until when (UTC), and which server process took or last renewed it (None in a
    lease written before servers were recorded)."""

    owner: str
    expires: dt.datetime
    server: str | None = None

    def live(self, now: dt.datetime) -> bool:
        return self.expires > now


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def read_lease(ws_dir: Path) -> Lease | None:
    """The lease on file, or None (none, or unreadable: a lease that cannot be read protects nothing)."""
    try:
        payload = read_json(ws_dir / LEASE_FILE)
        server = payload.get("server")
        return Lease(
            str(payload["owner"]),
            dt.datetime.fromisoformat(payload["expires"]),
            server if isinstance(server, str) else None,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def take_lease(ws_dir: Path, owner: str, seconds: float = DEFAULT_LEASE_SECONDS) -> Lease:
    """Take or renew the edit lease for `owner`; WorkspaceLocked when another owner's lease is still live.

    Call it inside write_guard(ws_dir). An expired lease is taken over.
    """
    now = utc_now()
    current = read_lease(ws_dir)
    if current is not None and current.owner != owner and current.live(now):
        raise WorkspaceLocked(until=current.expires.replace(microsecond=0).isoformat())
    lease = Lease(owner, now + dt.timedelta(seconds=seconds), SERVER_ID)
    payload = {"owner": lease.owner, "expires": lease.expires.isoformat(), "server": lease.server}
    atomic_write_json(ws_dir / LEASE_FILE, payload)
    return lease


def drop_lease(ws_dir: Path, owner: str) -> None:
    """Give up `owner`'s lease (another owner's lease is left alone). Call it inside write_guard(ws_dir)."""
    current = read_lease(ws_dir)
    if current is not None and current.owner == owner:
        (ws_dir / LEASE_FILE).unlink(missing_ok=True)


def release_lease(ws_dir: Path, owner: str, server: str = SERVER_ID) -> bool:
    """Give up `owner`'s lease when this server (`server`) took or last renewed it: for a server whose session has
    ended (its tab closed, its person signed out or left the workspace). Whether a lease was dropped.

    A lease of another owner, one renewed since by another server, and a workspace folder that is gone are all
    left alone (False); it takes the write guard itself."""
    if not ws_dir.is_dir():
        return False
    try:
        with write_guard(ws_dir):
            current = read_lease(ws_dir)
            if current is None or current.owner != owner or current.server != server:
                return False
            (ws_dir / LEASE_FILE).unlink(missing_ok=True)
            return True
    except OSError:  # the folder went away meanwhile, or cannot be written: the lease expires by itself
        return False


@contextlib.contextmanager
def editing(ws_dir: Path, owner: str, *, keep: bool, seconds: float = DEFAULT_LEASE_SECONDS) -> Iterator[None]:
    """The guarded section of one write by `owner`: the guard held, the lease taken (WorkspaceLocked when another
    editor holds it), and given up afterwards unless `keep` (an editing session that goes on)."""
    with write_guard(ws_dir):
        take_lease(ws_dir, owner, seconds)
        try:
            yield
        finally:
            if not keep:
                drop_lease(ws_dir, owner)
