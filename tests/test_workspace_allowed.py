"""Who may open a workspace: the engine's `allowed` list (validated, normalised, kept when settings are rewritten),
`workspace create/allow --allow` on the command line, and `workspace clean`."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import time
from pathlib import Path

import pytest

from kpi_core.intake.load import FileInput
from kpi_core.workspace import (
    Settings,
    WorkspaceInvalid,
    WorkspaceReadOnly,
    create_workspace,
    is_allowed,
    open_workspace,
    parse_allowed,
    remove_stale_temp,
    set_allowed,
)
from kpi_core.workspace.allowed import MAX_ENTRIES, normalise_allowed
from kpi_core.workspace.cli import main

REPO = Path(__file__).resolve().parents[1]
SALES = REPO / "sample_data" / "sales_deals_ja.csv"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def keys(tmp_path: Path):
    return create_workspace([FileInput(SALES.name, SALES)], "営業", data_dir=tmp_path)


def test_entries_are_normalised_and_repeats_dropped() -> None:
    typed = " Ana@Example.COM \n@Example.co.jp, example.co.jp; bo@example.com\tana@example.com"
    assert parse_allowed(typed) == ("ana@example.com", "@example.co.jp", "bo@example.com")
    assert normalise_allowed(["A na@Example.com"]) == ("ana@example.com",)  # no spaces, lower case
    assert parse_allowed("") == ()


@pytest.mark.parametrize(
    "bad", ["ana@", "@", "ana@localhost", "ana@@example.com", "a@-x.com", "@ex ample", "=cmd()@x.com", "x" * 300, 7]
)
def test_an_entry_that_is_neither_an_address_nor_a_domain_is_refused_with_a_sentence(bad: object) -> None:
    with pytest.raises(WorkspaceInvalid) as caught:
        normalise_allowed([bad])
    assert caught.value.code == "bad_allowed"
    assert "ana@example.com" in caught.value.message("en")
    assert "ドメイン" in caught.value.message("ja")


def test_too_many_entries_are_refused() -> None:
    with pytest.raises(WorkspaceInvalid) as caught:
        normalise_allowed([f"p{i}@example.com" for i in range(MAX_ENTRIES + 1)])
    assert caught.value.code == "too_many_allowed"


def test_who_is_allowed() -> None:
    allowed = ("ana@example.com", "@example.co.jp")
    assert is_allowed("Ana@Example.com", allowed) and is_allowed("bo@example.co.jp", allowed)
    assert not is_allowed("eve@sub.example.co.jp", allowed) and not is_allowed("eve@evil.example", allowed)
    assert not is_allowed(None, allowed) and not is_allowed("no-at-sign", allowed)
    assert is_allowed(None, ()) and Settings(allowed=()).admits(None)


def test_the_list_is_stored_checked_and_kept_when_other_settings_are_rewritten(tmp_path: Path) -> None:
    settings = Settings(currency="JPY", allowed=("Ana@Example.com", "example.co.jp"))
    created = create_workspace([FileInput(SALES.name, SALES)], "限定", settings=settings, data_dir=tmp_path)
    editor = open_workspace(created.id, created.editor_key, data_dir=tmp_path)
    assert editor.allowed == ("ana@example.com", "@example.co.jp")
    stored = json.loads((tmp_path / created.id / "workspace.json").read_text(encoding="utf-8"))
    assert stored["settings"]["allowed"] == ["ana@example.com", "@example.co.jp"]

    editor.save_settings(Settings(currency="USD", fiscal_start=1))  # allowed None: the list stays
    assert editor.settings == Settings(currency="USD", fiscal_start=1, allowed=("ana@example.com", "@example.co.jp"))
    editor.save_settings(dataclasses.replace(editor.settings, calendar="none"))  # read, change, write: it stays
    assert editor.allowed == ("ana@example.com", "@example.co.jp")
    editor.save_settings(Settings(allowed=()))  # an explicit empty list opens it to anyone holding a link
    assert editor.allowed == ()
    assert editor.save_allowed(["BO@example.com"]) == ("bo@example.com",)
    with pytest.raises(WorkspaceInvalid):
        editor.save_settings(Settings(allowed=("not an address",)))
    assert editor.allowed == ("bo@example.com",)  # nothing written


def test_a_new_workspace_is_open_to_anyone_holding_a_link(keys, tmp_path: Path) -> None:
    workspace = open_workspace(keys.id, keys.viewer_key, data_dir=tmp_path)
    assert workspace.allowed == () and workspace.settings.allowed == ()


def test_a_viewer_cannot_change_the_list(keys, tmp_path: Path) -> None:
    with pytest.raises(WorkspaceReadOnly):
        set_allowed(keys.id, ["eve@evil.example"], keys.viewer_key, data_dir=tmp_path)
    assert open_workspace(keys.id, keys.editor_key, data_dir=tmp_path).allowed == ()


def test_a_list_edited_by_hand_stays_closed(keys, tmp_path: Path) -> None:
    path = tmp_path / keys.id / "workspace.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta["settings"]["allowed"] = ["not valid", 42]
    path.write_text(json.dumps(meta), encoding="utf-8")
    allowed = open_workspace(keys.id, keys.viewer_key, data_dir=tmp_path).allowed
    assert allowed == ("notvalid", "42")  # kept (matching nobody), never dropped into "everyone"
    assert not is_allowed("ana@example.com", allowed)


# ------------------------------------------------------------------------------------------------ command line
def test_create_and_allow_on_the_command_line(tmp_path: Path) -> None:
    status, out, err = run(
        "workspace", "create", str(SALES), "--name", "限定", "--allow", "Ana@Example.com", "--allow", "@example.co.jp",
        "--data-dir", str(tmp_path), "--json",
    )  # fmt: skip
    assert (status, err) == (0, "")
    created = json.loads(out)
    ws, editor_key = created["workspace"], created["editor_link"].rsplit("key=", 1)[1]
    viewer_key = created["viewer_link"].rsplit("key=", 1)[1]
    assert open_workspace(ws, viewer_key, data_dir=tmp_path).allowed == ("ana@example.com", "@example.co.jp")

    status, out, _ = run("workspace", "allow", ws, "--allow", "bo@example.com", "--key", editor_key,
                         "--data-dir", str(tmp_path), "--json")  # fmt: skip
    assert status == 0 and json.loads(out) == {"workspace": ws, "allowed": ["bo@example.com"]}
    status, out, _ = run("workspace", "allow", ws, "--everyone", "--admin", "--data-dir", str(tmp_path))
    assert status == 0 and "anyone holding a link" in out
    status, out, _ = run("workspace", "allow", ws, "--allow", "@example.com", "--admin", "--data-dir", str(tmp_path),
                         "--lang", "ja")  # fmt: skip
    assert status == 0 and "@example.com" in out and "サインイン" in out

    status, _, err = run("workspace", "allow", ws, "--allow", "eve@", "--admin", "--data-dir", str(tmp_path))
    assert status == 2 and err.count("\n") == 1 and "'eve@' is neither" in err
    status, _, err = run("workspace", "allow", ws, "--allow", "x@example.com", "--key", viewer_key,
                         "--data-dir", str(tmp_path))  # fmt: skip
    assert status == 1 and "viewing only" in err
    status, _, err = run("workspace", "allow", ws, "--allow", "x@example.com", "--data-dir", str(tmp_path))
    assert status == 2 and "--key" in err
    status, _, err = run("workspace", "create", str(SALES), "--name", "x", "--allow", "bad", "--data-dir",
                         str(tmp_path))  # fmt: skip
    assert status == 2 and "'@bad' is neither" not in err and "neither" in err
    assert open_workspace(ws, viewer_key, data_dir=tmp_path).allowed == ("@example.com",)


def test_clean_removes_what_a_crashed_writer_left(keys, tmp_path: Path) -> None:
    ws_dir = tmp_path / keys.id
    left = [tmp_path / ".tmp-0123456789abcdef", ws_dir / ".tmp-feedface.json", ws_dir / "snapshots" / ".tmp-beef"]
    left[0].mkdir()
    (left[0] / "access.json").write_text("{}", encoding="utf-8")
    left[1].write_text("{", encoding="utf-8")
    left[2].mkdir()
    fresh = ws_dir / ".tmp-being-written"
    fresh.write_text("x", encoding="utf-8")
    old = time.time() - 3600
    for path in left:
        os.utime(path, (old, old))

    status, out, _ = run("workspace", "clean", "--data-dir", str(tmp_path), "--json")
    assert status == 0 and json.loads(out) == {"removed": 3}
    assert not any(path.exists() for path in left)
    assert fresh.exists()  # a write in progress on a running server is left alone
    assert len(open_workspace(keys.id, keys.viewer_key, data_dir=tmp_path).snapshots()) == 1
    assert remove_stale_temp(tmp_path) == 1 and not fresh.exists()  # min_age 0: the operator's own call
    status, out, _ = run("workspace", "clean", "--data-dir", str(tmp_path), "--lang", "ja")
    assert status == 0 and "0 件" in out
