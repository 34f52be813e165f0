"""Workspace storage and keys: atomic writes, ids checked before any path, keys only as hashes, one "not found"."""

from __future__ import annotations

import base64
import multiprocessing
import time
from pathlib import Path

import pytest

from kpi_core.goals import template_text
from kpi_core.intake.load import FileInput
from kpi_core.workspace import (
    WorkspaceNotFound,
    create_workspace,
    open_workspace,
    revoke_links,
    store,
)
from kpi_core.workspace import keys as keys_module
from kpi_core.workspace import workspaces as workspaces_module

SALES = Path(__file__).resolve().parents[1] / "sample_data" / "sales_deals_ja.csv"
GOALS_A = template_text("sales", "ja")
GOALS_B = template_text("marketing", "en")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("workspaces")


@pytest.fixture(scope="module")
def created(data_dir: Path):
    return create_workspace([FileInput(SALES.name, SALES)], "営業チーム", data_dir=data_dir)


@pytest.fixture(scope="module")
def rotated(created, data_dir: Path):
    """New keys for `created`: its first keys are revoked from here on."""
    return revoke_links(created.id, admin=True, data_dir=data_dir)


def all_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


# ------------------------------------------------------------------------------------------------ atomic writes
def test_atomic_write_replaces_the_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "goals.yaml"
    store.atomic_write_text(target, "old\n")
    store.atomic_write_text(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["goals.yaml"]  # no temporary file left


def test_a_failure_before_the_replace_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "workspace.json"
    store.atomic_write_json(target, {"name": "before"})

    def crash(source: Path, destination: Path) -> None:
        assert source.read_bytes()  # the new bytes were written in full, beside the file
        raise OSError("disk gone")

    monkeypatch.setattr(store, "replace", crash)
    with pytest.raises(OSError):
        store.atomic_write_json(target, {"name": "after"})
    assert store.read_json(target) == {"name": "before"}
    assert [p.name for p in tmp_path.iterdir()] == ["workspace.json"]


def _write_and_die(target: str) -> None:
    """Child process: write the new file, then die (os._exit, no cleanup) just before the rename."""
    import os

    from kpi_core.workspace import store as child_store

    def die(source: Path, destination: Path) -> None:
        os._exit(3)

    child_store.replace = die
    child_store.atomic_write_text(Path(target), "half of a new goal file")


def test_a_process_killed_between_write_and_rename_loses_nothing(tmp_path: Path) -> None:
    target = tmp_path / "goals.yaml"
    store.atomic_write_text(target, GOALS_A)
    child = multiprocessing.get_context("spawn").Process(target=_write_and_die, args=(str(target),))
    child.start()
    child.join(60)
    assert child.exitcode == 3
    assert target.read_text(encoding="utf-8") == GOALS_A
    leftovers = [p for p in tmp_path.iterdir() if p.name != "goals.yaml"]
    assert all(p.name.startswith(store.TEMP_PREFIX) for p in leftovers)  # never read: not a workspace file


def test_a_crash_mid_save_keeps_the_saved_goals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    created = create_workspace([FileInput(SALES.name, SALES)], "営業チーム", data_dir=tmp_path)
    workspace = open_workspace(created.id, created.editor_key, data_dir=tmp_path)
    workspace.save_goals(GOALS_A)

    def crash(source: Path, destination: Path) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(store, "replace", crash)
    with pytest.raises(OSError):
        workspace.save_goals(GOALS_B)
    monkeypatch.undo()
    again = open_workspace(created.id, created.viewer_key, data_dir=tmp_path)
    assert again.goals_text == GOALS_A
    assert again.name == "営業チーム"


def test_data_dir_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(store.DATA_DIR_ENV, raising=False)
    assert store.resolve_data_dir() == Path("workspaces")
    monkeypatch.setenv(store.DATA_DIR_ENV, str(tmp_path))
    assert store.resolve_data_dir() == tmp_path
    assert store.resolve_data_dir(tmp_path / "x") == tmp_path / "x"


# ------------------------------------------------------------------------------------------------ ids
@pytest.mark.parametrize(
    "bad",
    [
        "../x",
        "a/b",
        "..",
        "",
        "0123456789abcdef/../..",
        "0123456789abcdef0",  # one too long
        "0123456789abcde",  # one too short
        "0" * 300,
        "0123456789ABCDEF",  # upper case is not how ids are written
        "０１２３４５６７８９ａｂｃｄｅｆ",  # full-width
        "٠١٢٣٤٥٦٧٨٩abcdef",  # Arabic-Indic digits
        "0123456789abcdé",
        "0123456789abcde\n",
        "0123456789abcdef\n",
        "/etc/passwd",
        None,
        1234567890123456,
    ],
)
def test_ids_of_any_other_shape_are_refused_before_a_path_is_built(
    bad: object, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not keys_module.is_valid_id(bad)
    reads: list[Path] = []
    monkeypatch.setattr(workspaces_module, "_read_access", lambda path: reads.append(path))
    with pytest.raises(WorkspaceNotFound):
        open_workspace(bad, "k" * 43, data_dir=data_dir)  # type: ignore[arg-type]
    assert reads == []  # no file was looked for


def test_new_ids_and_keys_have_their_shapes() -> None:
    ids = {keys_module.new_workspace_id() for _ in range(50)}
    assert len(ids) == 50 and all(keys_module.is_valid_id(i) for i in ids)
    key = keys_module.new_key()
    assert keys_module.KEY_PATTERN.fullmatch(key)
    assert len(base64.urlsafe_b64decode(key + "=")) == keys_module.KEY_BYTES


# ------------------------------------------------------------------------------------------------ keys
def test_keys_are_never_stored(created, rotated, data_dir: Path) -> None:
    secrets_ = [created.editor_key, created.viewer_key, rotated.editor_key, rotated.viewer_key]
    files = all_files(data_dir)
    assert len(files) >= 5
    for path in files:
        content = path.read_bytes()
        for key in secrets_:
            assert key.encode() not in content, path
            assert base64.urlsafe_b64decode(key + "=") not in content, path


def test_compare_digest_decides_every_key(rotated, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = rotated
    real = keys_module.hmac.compare_digest
    calls: list[tuple[bytes, bytes]] = []

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(keys_module.hmac, "compare_digest", spy)
    assert open_workspace(keys.id, keys.editor_key, data_dir=data_dir).role == "editor"
    assert open_workspace(keys.id, keys.viewer_key, data_dir=data_dir).role == "viewer"
    assert len(calls) == 4  # both hashes compared for each key, whichever matches


def _attempts(keys, data_dir: Path) -> dict[str, tuple[str, str]]:
    wrong = keys_module.new_key()
    return {
        "wrong key": (keys.id, wrong),
        "unknown id": (keys_module.new_workspace_id(), keys.editor_key),
        "unknown id and key": (keys_module.new_workspace_id(), wrong),
        "path traversal": ("../" + keys.id, keys.editor_key),
        "malformed key": (keys.id, keys.editor_key + "x"),
        "empty key": (keys.id, ""),
    }


def test_unknown_wrong_malformed_and_revoked_give_the_same_not_found(
    created, rotated, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = rotated
    hashed: list[bytes] = []
    real_hash = keys_module.hash_key
    monkeypatch.setattr(keys_module, "hash_key", lambda key, salt: hashed.append(salt) or real_hash(key, salt))
    compared: list[int] = []
    real_compare = keys_module.hmac.compare_digest
    monkeypatch.setattr(keys_module.hmac, "compare_digest", lambda a, b: compared.append(1) or real_compare(a, b))
    attempts = _attempts(keys, data_dir)
    attempts["old editor key"] = (keys.id, created.editor_key)  # revoked by `rotated`
    attempts["old viewer key"] = (keys.id, created.viewer_key)
    messages = set()
    for label, (ws_id, key) in attempts.items():
        hashed.clear()
        compared.clear()
        with pytest.raises(WorkspaceNotFound) as caught:
            open_workspace(ws_id, key, data_dir=data_dir)
        assert len(hashed) == 1 and len(compared) == 2, label  # one path: one hash, two comparisons
        messages.add((caught.value.message("en"), caught.value.message("ja")))
    assert len(messages) == 1
    en, ja = messages.pop()
    assert keys.id not in en and keys.id not in ja  # nothing revealed


def test_not_found_takes_the_time_of_a_wrong_key(rotated, data_dir: Path) -> None:
    keys = rotated

    def once(ws_id: str, key: str) -> float:
        start = time.perf_counter()
        with pytest.raises(WorkspaceNotFound):
            open_workspace(ws_id, key, data_dir=data_dir)
        return time.perf_counter() - start

    # The three kinds measured in turn, round after round, and each one's fastest kept: a busy moment on a shared
    # host then slows all three alike instead of one of them.
    cases = {
        "wrong_key": (keys.id, keys_module.new_key()),
        "unknown_id": (keys_module.new_workspace_id(), keys_module.new_key()),
        "traversal": ("../../etc", keys_module.new_key()),
    }
    best = dict.fromkeys(cases, float("inf"))
    for _ in range(25):
        for name, (ws_id, key) in cases.items():
            best[name] = min(best[name], once(ws_id, key))
    wrong_key, unknown_id, traversal = best["wrong_key"], best["unknown_id"], best["traversal"]
    for other in (unknown_id, traversal):
        assert 0.5 < other / wrong_key < 2.0, (wrong_key, unknown_id, traversal)
