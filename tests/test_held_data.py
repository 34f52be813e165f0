"""What the server holds for its sessions: one load per content for all sessions, an overall memory budget, and
release after the sessions that used something have closed (ui/held_data.py, with a fake clock and sessions)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from ui.held_data import HeldData, ServerFull, dataset_bytes

GRACE = 150.0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def table_dataset(rows: int) -> SimpleNamespace:
    """A stand-in for a Dataset: its own in-memory DuckDB holding `rows` rows (what a real one holds)."""
    con = duckdb.connect(":memory:")
    con.execute(f"CREATE TABLE records AS SELECT range AS id, range * 2 AS amount FROM range({rows})")
    return SimpleNamespace(con=con, cursor=con.cursor)


def is_closed(dataset: SimpleNamespace) -> bool:
    try:
        dataset.con.execute("SELECT 1")
    except duckdb.Error:
        return True
    return False


@pytest.fixture
def active() -> set[str]:
    return set()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def store(tmp_path: Path, active: set[str], clock: Clock, budget: int = 1 << 40) -> HeldData:
    return HeldData(
        spool_dir=tmp_path / "spool",
        is_active=active.__contains__,
        budget=lambda: budget,
        grace_seconds=GRACE,
        clock=clock,
    )


def test_a_dataset_measures_what_duckdb_holds() -> None:
    small, large = table_dataset(1_000), table_dataset(1_000_000)
    # 1M rows of two BIGINT columns: at least 16 MB of values; 1,000 rows take one 256 KB block.
    assert dataset_bytes(large) >= 16_000_000
    assert 16_000 <= dataset_bytes(small) < dataset_bytes(large) / 10


def test_two_sessions_share_one_load(tmp_path: Path, active: set[str], clock: Clock) -> None:
    held = store(tmp_path, active, clock)
    loads = []

    def load():
        loads.append(1)
        return table_dataset(10)

    first = held.dataset("k", "s1", load, pinned=False, input_bytes=100)
    second = held.dataset("k", "s2", load, pinned=False, input_bytes=100)
    assert first is second
    assert len(loads) == 1


def test_concurrent_first_loads_of_one_file_load_it_once(tmp_path: Path, active: set[str], clock: Clock) -> None:
    held = store(tmp_path, active, clock)
    loads = []

    def slow_load():
        loads.append(1)
        time.sleep(0.2)
        return table_dataset(10)

    results = []
    threads = [
        threading.Thread(
            target=lambda s=s: results.append(held.dataset("k", s, slow_load, pinned=False, input_bytes=1))
        )
        for s in ("a", "b", "c")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loads) == 1
    assert len({id(r) for r in results}) == 1


def test_closed_sessions_release_their_data_after_the_reconnect_window(
    tmp_path: Path, active: set[str], clock: Clock
) -> None:
    held = store(tmp_path, active, clock)
    active.update({"s1", "s2"})
    upload = held.dataset("upload", "s1", lambda: table_dataset(100_000), pinned=False, input_bytes=1)
    shared = held.dataset("shared", "s1", lambda: table_dataset(10), pinned=False, input_bytes=1)
    held.dataset("shared", "s2", lambda: table_dataset(10), pinned=False, input_bytes=1)
    sample = held.dataset("sample", "s1", lambda: table_dataset(10), pinned=True, input_bytes=1)
    assert held.held_bytes() > 0

    active.discard("s1")  # s1's tab closed
    clock.now += GRACE - 1
    held.sweep()
    assert set(held.keys()) == {"upload", "shared", "sample"}  # it may still reconnect
    clock.now += 2
    held.sweep()
    assert set(held.keys()) == {"shared", "sample"}  # s2 still uses "shared"; the sample stays for the next visitor
    assert is_closed(upload) and not is_closed(shared) and not is_closed(sample)

    active.discard("s2")
    clock.now += GRACE + 1
    held.sweep()
    assert held.keys() == ["sample"]
    assert is_closed(shared)


def test_a_load_over_the_budget_first_evicts_what_no_live_session_shows(
    tmp_path: Path, active: set[str], clock: Clock
) -> None:
    one = dataset_bytes(table_dataset(200_000))
    held = store(tmp_path, active, clock, budget=int(2.5 * one))
    active.update({"s1", "s2"})
    old = held.dataset("old", "s1", lambda: table_dataset(200_000), pinned=False, input_bytes=0)
    clock.now += 1
    held.dataset("mine", "s1", lambda: table_dataset(200_000), pinned=False, input_bytes=0)  # s1 now shows "mine"
    clock.now += 1
    # s2's load needs room for one more: s1's older dataset goes, what s1 shows now stays.
    held.dataset("theirs", "s2", lambda: table_dataset(200_000), pinned=False, input_bytes=one // 3)
    assert set(held.keys()) == {"mine", "theirs"}
    assert is_closed(old)


def test_a_load_is_refused_when_live_sessions_hold_the_whole_budget(
    tmp_path: Path, active: set[str], clock: Clock
) -> None:
    one = dataset_bytes(table_dataset(200_000))
    held = store(tmp_path, active, clock, budget=int(1.5 * one))
    active.update({"s1", "s2"})
    held.dataset("mine", "s1", lambda: table_dataset(200_000), pinned=False, input_bytes=0)
    loads = []
    with pytest.raises(ServerFull) as refused:  # about one more dataset's bytes expected (3 × the input)
        held.dataset("theirs", "s2", lambda: loads.append(1), pinned=False, input_bytes=one // 3)
    assert refused.value.code == "server_full"
    assert not loads  # refused before anything was read
    assert held.keys() == ["mine"]
    # Once s1 has closed (and its window passed), the same load fits.
    active.discard("s1")
    clock.now += GRACE + 1
    held.sweep()
    held.dataset("theirs", "s2", lambda: table_dataset(10), pinned=False, input_bytes=one // 3)
    assert held.keys() == ["theirs"]


def test_uploads_are_spooled_under_their_hash_and_removed_when_no_session_holds_them(
    tmp_path: Path, active: set[str], clock: Clock
) -> None:
    import hashlib

    held = store(tmp_path, active, clock)
    data = b"id,amount\n1,100\n"
    sha, path = held.spool(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert path == tmp_path / "spool" / sha and path.read_bytes() == data  # the file name never becomes a path
    active.add("s1")
    held.lease_uploads("s1", {sha})
    clock.now += GRACE + 1
    held.sweep()
    assert path.is_file()  # s1 holds it
    active.discard("s1")
    clock.now += GRACE + 1
    held.sweep()
    assert not path.exists()


def test_a_fresh_spool_outlives_a_sweep_before_its_session_first_runs(
    tmp_path: Path, active: set[str], clock: Clock
) -> None:
    held = store(tmp_path, active, clock)
    _, path = held.spool(b"a,b\n1,2\n")
    held.sweep()
    assert path.is_file()
    clock.now += GRACE + 1
    held.sweep()
    assert not path.exists()  # nobody ever leased it


def test_a_sessions_lease_slots_are_kept_apart(tmp_path: Path, active: set[str], clock: Clock) -> None:
    """The Data page's uploads and the Weekly page's last-week export are leased in slots: leasing one page's
    files again (every run of every page does) keeps the other page's file."""
    held = store(tmp_path, active, clock)
    active.add("s1")
    this_week, _ = held.spool(b"id,stage\n1,Won\n")
    last_week, last_path = held.spool(b"id,stage\n1,Open\n")
    held.lease_uploads("s1", {last_week}, slot="weekly_previous")
    held.lease_uploads("s1", {this_week})  # a later run of another page
    clock.now += GRACE + 1
    held.sweep()
    assert last_path.is_file()
    held.lease_uploads("s1", set(), slot="weekly_previous")  # last week's file forgotten on the Weekly page
    clock.now += GRACE + 1
    held.sweep()
    assert not last_path.exists() and held.spool_path(this_week).is_file()


def test_what_a_closed_session_left_to_do_runs_once_after_the_reconnect_window(
    tmp_path: Path, active: set[str], clock: Clock
) -> None:
    held = store(tmp_path, active, clock)
    done: list[str] = []
    active.update({"editor", "other"})
    held.on_session_close("editor", "edit-lock:w1", lambda: done.append("w1"))
    held.on_session_close("editor", "edit-lock:w2", lambda: done.append("w2-old"))
    held.on_session_close("editor", "edit-lock:w2", lambda: done.append("w2"))  # the same name: replaced
    held.on_session_close("other", "edit-lock:w3", lambda: done.append("w3"))

    clock.now += 10 * GRACE
    held.sweep()
    assert done == []  # live sessions, however long they have been open

    active.discard("editor")  # its tab closed
    clock.now += GRACE - 1
    held.sweep()
    assert done == []  # it may still reconnect
    clock.now += 2
    held.sweep()
    assert sorted(done) == ["w1", "w2"]  # once; the other session's stays
    clock.now += GRACE + 1
    held.sweep()
    assert sorted(done) == ["w1", "w2"]


def test_a_cancelled_or_failing_close_action_does_not_stop_the_others(
    tmp_path: Path, active: set[str], clock: Clock
) -> None:
    held = store(tmp_path, active, clock)
    done: list[str] = []

    def broken() -> None:
        raise OSError("the data directory went away")

    held.on_session_close("s1", "a", broken)
    held.on_session_close("s1", "b", lambda: done.append("b"))
    held.on_session_close("s1", "c", lambda: done.append("c"))
    assert held.forget_on_close("s1", "c") is not None  # "Done editing": given back already
    assert held.forget_on_close("s1", "c") is None and held.forget_on_close("nobody", "a") is None
    clock.now += GRACE + 1
    held.sweep()
    assert done == ["b"]
