"""One editor at a time (a clear error for the second, an expired lock taken over), many readers, concurrent
writers in separate processes that never corrupt a file, and a closed editor's lock given back by its own server
only (never another owner's, never one another server renewed)."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import time
from pathlib import Path

import pytest

from kpi_core.goals import template_text
from kpi_core.intake.load import FileInput
from kpi_core.workspace import WorkspaceLocked, create_workspace, open_workspace
from kpi_core.workspace import lock as lock_module

SALES = Path(__file__).resolve().parents[1] / "sample_data" / "sales_deals_ja.csv"
TEXTS = [template_text("sales", "ja"), template_text("sales", "en"), template_text("marketing", "ja")]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("locks")


@pytest.fixture(scope="module")
def keys(data_dir: Path):
    return create_workspace([FileInput(SALES.name, SALES)], "lock test", goals_text=TEXTS[0], data_dir=data_dir)


def test_the_second_editor_gets_a_clear_error(keys, data_dir: Path) -> None:
    first = open_workspace(keys.id, keys.editor_key, data_dir=data_dir, owner="browser-1")
    second = open_workspace(keys.id, keys.editor_key, data_dir=data_dir, owner="browser-2")
    lease = first.start_editing()
    try:
        with pytest.raises(WorkspaceLocked) as caught:
            second.save_goals(TEXTS[1])
        until = lease.expires.replace(microsecond=0).isoformat()
        assert (
            caught.value.message("en")
            == f"Another editor is changing this workspace until {until}: try again after that."
        )
        assert until in caught.value.message("ja") and "編集中" in caught.value.message("ja")
        with pytest.raises(WorkspaceLocked):
            second.start_editing()
        first.save_goals(TEXTS[1])  # the holder writes on (and renews)
        viewer = open_workspace(keys.id, keys.viewer_key, data_dir=data_dir)
        assert viewer.goals_text == TEXTS[1]  # readers never wait
    finally:
        first.stop_editing()
    second.save_goals(TEXTS[0])
    assert lock_module.read_lease(data_dir / keys.id) is None  # a single save does not keep the workspace


def test_an_expired_lock_is_taken_over(keys, data_dir: Path) -> None:
    first = open_workspace(keys.id, keys.editor_key, data_dir=data_dir, owner="gone-home")
    first.start_editing(seconds=1.5)
    second = open_workspace(keys.id, keys.editor_key, data_dir=data_dir, owner="next")
    with pytest.raises(WorkspaceLocked):
        second.save_goals(TEXTS[2])
    time.sleep(1.6)
    second.start_editing()
    second.save_goals(TEXTS[2])
    assert lock_module.read_lease(data_dir / keys.id).owner == "next"
    with pytest.raises(WorkspaceLocked):
        first.save_goals(TEXTS[0])  # the first editor comes back: now it is the one refused
    second.stop_editing()


def test_a_lock_left_by_a_crashed_server_expires(keys, data_dir: Path) -> None:
    ws_dir = data_dir / keys.id
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    (ws_dir / lock_module.LEASE_FILE).write_text(f'{{"owner": "dead", "expires": "{past.isoformat()}"}}')
    open_workspace(keys.id, keys.editor_key, data_dir=data_dir).save_goals(TEXTS[0])
    (ws_dir / lock_module.LEASE_FILE).write_text("{not json")  # a torn lock file protects nothing
    open_workspace(keys.id, keys.editor_key, data_dir=data_dir).save_goals(TEXTS[0])


def _write_goals(data_dir: str, ws_id: str, key: str, text: str, rounds: int, owner: str) -> None:
    workspace = open_workspace(ws_id, key, data_dir=data_dir, owner=owner)
    for _ in range(rounds):
        workspace.save_goals(text)


def _read_goals(data_dir: str, ws_id: str, key: str, rounds: int, queue) -> None:
    workspace = open_workspace(ws_id, key, data_dir=data_dir)
    seen = set()
    for _ in range(rounds):
        seen.add(workspace.goals_text)
        seen.add(workspace.name)  # workspace.json is rewritten on every save too
    queue.put(seen)


def test_two_processes_writing_goals_never_corrupt_them(keys, data_dir: Path) -> None:
    """Two app servers serving one editing session (the same owner) save at the same time; a reader reads on."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    args = (str(data_dir), keys.id, keys.editor_key)
    writers = [
        context.Process(target=_write_goals, args=(*args, TEXTS[1], 25, "session")),
        context.Process(target=_write_goals, args=(*args, TEXTS[2], 25, "session")),
    ]
    reader = context.Process(target=_read_goals, args=(str(data_dir), keys.id, keys.viewer_key, 400, queue))
    for process in [*writers, reader]:
        process.start()
    seen = queue.get(timeout=120)
    for process in [*writers, reader]:
        process.join(120)
        assert process.exitcode == 0
    assert seen <= {*TEXTS, "lock test"}  # every read saw one whole version
    final = open_workspace(keys.id, keys.viewer_key, data_dir=data_dir)
    assert final.goals_text in TEXTS[1:] and final.name == "lock test"
    leftovers = [p.name for p in (data_dir / keys.id).iterdir() if p.name.startswith(".tmp-")]
    assert leftovers == []


def test_two_processes_with_different_editors_one_is_refused(keys, data_dir: Path) -> None:
    first = open_workspace(keys.id, keys.editor_key, data_dir=data_dir, owner="server-a")
    first.start_editing()
    try:
        context = multiprocessing.get_context("spawn")
        other = context.Process(target=_write_goals, args=(str(data_dir), keys.id, keys.editor_key, TEXTS[2], 1, "b"))
        other.start()
        other.join(120)
        assert other.exitcode != 0  # WorkspaceLocked in the other process
    finally:
        first.stop_editing()


# ------------------------------------------------------------------------------------------------ giving the lock back
def _renew_elsewhere(data_dir: str, ws_id: str, key: str, owner: str) -> None:
    """Another app server process renews `owner`'s lease (the editor reconnected there behind a load balancer)."""
    open_workspace(ws_id, key, data_dir=data_dir, owner=owner).start_editing()


def test_release_gives_back_only_this_servers_lease_of_that_owner(keys, data_dir: Path) -> None:
    ws_dir = data_dir / keys.id
    first = open_workspace(keys.id, keys.editor_key, data_dir=data_dir, owner="tab-1")
    first.start_editing()
    on_file = json.loads((ws_dir / lock_module.LEASE_FILE).read_text())
    assert on_file["owner"] == "tab-1" and on_file["server"] == lock_module.SERVER_ID
    assert not lock_module.release_lease(ws_dir, "tab-2")  # another owner's: left alone
    assert not lock_module.release_lease(ws_dir, "tab-1", server="another-host:123:abcd")  # another server's
    assert lock_module.read_lease(ws_dir).owner == "tab-1"
    assert lock_module.release_lease(ws_dir, "tab-1")
    assert lock_module.read_lease(ws_dir) is None
    assert not lock_module.release_lease(ws_dir, "tab-1")  # nothing left to give back
    assert not lock_module.release_lease(data_dir / "0123456789abcdef", "tab-1")  # no such folder: nothing made
    assert not (data_dir / "0123456789abcdef").exists()


def test_a_lease_renewed_by_another_server_process_is_not_released_here(keys, data_dir: Path) -> None:
    ws_dir = data_dir / keys.id
    open_workspace(keys.id, keys.editor_key, data_dir=data_dir, owner="roaming").start_editing()
    context = multiprocessing.get_context("spawn")
    other = context.Process(target=_renew_elsewhere, args=(str(data_dir), keys.id, keys.editor_key, "roaming"))
    other.start()
    other.join(120)
    assert other.exitcode == 0
    renewed = lock_module.read_lease(ws_dir)
    assert renewed.owner == "roaming" and renewed.server not in (None, lock_module.SERVER_ID)
    assert not lock_module.release_lease(ws_dir, "roaming")  # this server's session ended; the other's goes on
    assert lock_module.read_lease(ws_dir) == renewed
    (ws_dir / lock_module.LEASE_FILE).unlink()


def test_the_sweep_gives_a_closed_editors_lock_to_the_next_editor_after_the_grace_time(keys, data_dir: Path) -> None:
    """The app's path: the editor's session leaves release_lease to run when the sweep forgets it (ui/held_data.py);
    the sweep is driven here with a fake clock and a fake list of live sessions."""
    from ui.held_data import HeldData

    grace, now, live = 5.0, [1000.0], {"session-a", "session-b"}
    held = HeldData(
        spool_dir=data_dir / "spool", is_active=live.__contains__, grace_seconds=grace, clock=lambda: now[0]
    )
    first = open_workspace(keys.id, keys.editor_key, data_dir=data_dir, owner="owner-a")
    second = open_workspace(keys.id, keys.editor_key, data_dir=data_dir, owner="owner-b")
    first.start_editing()
    held.on_session_close("session-a", f"edit-lock:{keys.id}", lambda: lock_module.release_lease(first.path, "owner-a"))

    live.discard("session-a")  # the editor's tab closed
    now[0] += grace - 1
    held.sweep()
    with pytest.raises(WorkspaceLocked):  # within the reconnect window the lock is kept for it
        second.start_editing()
    now[0] += 2
    held.sweep()
    second.start_editing()  # the next editor gets in at once, 10 minutes before the lease would have expired
    assert lock_module.read_lease(first.path).owner == "owner-b"

    # A session that is still open never loses its lock, and a closed one never takes another's.
    held.on_session_close("session-b", f"edit-lock:{keys.id}", lambda: lock_module.release_lease(first.path, "owner-b"))
    held.on_session_close("session-c", "edit-lock:x", lambda: lock_module.release_lease(first.path, "owner-a"))
    now[0] += 100 * grace
    held.sweep()
    assert lock_module.read_lease(first.path).owner == "owner-b"
    second.stop_editing()
