"""`workspace create | list | add | revoke` on the command line, the ja / en sentences, and no secrets in git."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kpi_core.messages import MESSAGES as ENGINE_MESSAGES
from kpi_core.workspace import open_workspace
from kpi_core.workspace.cli import main
from kpi_core.workspace.messages import MESSAGES
from tests.bilingual import english_words

REPO = Path(__file__).resolve().parents[1]
SALES = REPO / "sample_data" / "sales_deals_ja.csv"
LINK = re.compile(r"/\?ws=(?P<ws>[0-9a-f]{16})&key=(?P<key>[A-Za-z0-9_-]{43})")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def key_of(link: str) -> str:
    match = LINK.fullmatch(link)
    assert match, link
    return match["key"]


@pytest.fixture
def created(tmp_path: Path) -> dict[str, str]:
    status, out, err = run(
        "workspace", "create", str(SALES), "--name", "営業", "--goals", "template:sales_ja",
        "--map", "owner=担当者", "--fiscal-start", "1", "--data-dir", str(tmp_path), "--json",
    )  # fmt: skip
    assert (status, err) == (0, "")
    return json.loads(out)


def test_create_prints_the_id_and_two_links(created: dict[str, str], tmp_path: Path) -> None:
    assert set(created) == {"workspace", "editor_link", "viewer_link"}
    assert LINK.fullmatch(created["editor_link"])["ws"] == created["workspace"]
    assert LINK.fullmatch(created["viewer_link"])["ws"] == created["workspace"]
    editor = open_workspace(created["workspace"], key_of(created["editor_link"]), data_dir=tmp_path)
    viewer = open_workspace(created["workspace"], key_of(created["viewer_link"]), data_dir=tmp_path)
    assert (editor.role, viewer.role) == ("editor", "viewer")
    assert viewer.options.roles == {"owner": "担当者"} and viewer.settings.fiscal_start == 1
    assert "kgi" in viewer.goals_text


def test_list_add_and_revoke(created: dict[str, str], tmp_path: Path) -> None:
    ws, editor_key, viewer_key = created["workspace"], key_of(created["editor_link"]), key_of(created["viewer_link"])
    status, out, _ = run("workspace", "list", "--data-dir", str(tmp_path), "--json")
    assert status == 0
    [row] = json.loads(out)["workspaces"]
    assert (row["id"], row["name"], row["snapshots"]) == (ws, "営業", 1) and set(row) >= {"updated", "created"}

    status, out, err = run("workspace", "add", ws, str(SALES), "--key", viewer_key, "--data-dir", str(tmp_path))
    assert (status, out) == (1, "") and err.count("\n") == 1 and "Traceback" not in err  # a viewer is refused
    status, out, _ = run("workspace", "add", ws, str(SALES), "--key", editor_key, "--data-dir", str(tmp_path), "--json")
    assert status == 0 and json.loads(out)["snapshots"] == 2

    status, out, _ = run(
        "workspace", "revoke", ws, "--links", "--key", editor_key, "--data-dir", str(tmp_path), "--json"
    )
    assert status == 0
    fresh = json.loads(out)
    assert set(fresh) == {"workspace", "editor_link", "viewer_link"} and fresh["workspace"] == ws
    for old in (editor_key, viewer_key):
        status, _, err = run("workspace", "add", ws, str(SALES), "--key", old, "--data-dir", str(tmp_path))
        assert status == 1 and err == "error: Workspace not found. Check the link, or ask the person who shared it.\n"
    status, out, _ = run("--lang", "ja", "workspace", "revoke", ws, "--links", "--admin", "--data-dir", str(tmp_path))
    assert status == 0 and "古いリンク" in out and "/?ws=" in out


@pytest.mark.parametrize(
    ("argv", "status"),
    [
        (["workspace", "create", "missing.csv", "--name", "x"], 2),
        (["workspace", "create", str(SALES)], 2),  # --name is required
        (["workspace", "create", str(SALES), "--name", "x", "--map", "nonsense"], 2),
        (["workspace", "create", str(SALES), "--name", "x", "--goals", "template:nothing_ja"], 2),
        (["workspace", "create", str(SALES), "--name", "x", "--fiscal-start", "13"], 2),
        (["workspace", "revoke", "0123456789abcdef"], 2),  # --links is required
        (["workspace", "revoke", "0123456789abcdef", "--links"], 2),  # --key or --admin
        (["workspace", "revoke", "0123456789abcdef", "--links", "--admin"], 1),
        (["workspace", "revoke", "../../etc", "--links", "--admin"], 1),
        (["workspace", "add", "0123456789abcdef", str(SALES), "--key", "x" * 43], 1),
        (["workspace", "frobnicate"], 2),
    ],
)
def test_exit_status_and_one_sentence(argv: list[str], status: int, tmp_path: Path) -> None:
    for lang in ("en", "ja"):
        got, out, err = (
            run("--lang", lang, *argv, "--data-dir", str(tmp_path)) if argv[1] != "frobnicate" else run(*argv)
        )
        assert got == status, err
        assert out == "" and err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert not any(tmp_path.iterdir())  # nothing half-made


def test_create_keeps_the_team_files_mapping_not_the_file(tmp_path: Path) -> None:
    teams = tmp_path / "チーム表.csv"
    teams.write_text("担当者,チーム,メモ\n佐藤 健,東日本営業,x\n田中  優子,西日本営業,\n\n", encoding="utf-8-sig")
    data_dir = tmp_path / "ws"
    status, out, err = run(
        "workspace", "create", str(SALES), "--name", "営業", "--teams", str(teams),
        "--data-dir", str(data_dir), "--json",
    )  # fmt: skip
    assert (status, err) == (0, "")
    links = json.loads(out)
    teams.unlink()  # the workspace does not need the file again
    viewer = open_workspace(links["workspace"], key_of(links["viewer_link"]), data_dir=data_dir)
    assert viewer.teams == {"佐藤 健": "東日本営業", "田中 優子": "西日本営業"}  # by hand from the three lines
    assert viewer.teams_file == "チーム表.csv"
    assert not [p for p in data_dir.rglob("*") if p.suffix == ".csv" and "チーム" in p.name]


@pytest.mark.parametrize(
    ("content", "expected"),
    [("名前,色\n佐藤 健,赤\n", {"ja": "チーム", "en": "team"}), (None, {"ja": "見つかりません", "en": "no such file"})],
)
def test_an_unusable_or_missing_team_file_exits_2_and_creates_nothing(
    tmp_path: Path, content: str | None, expected: dict[str, str]
) -> None:
    teams = tmp_path / "missing.csv"
    if content is not None:
        teams.write_text(content, encoding="utf-8")
    data_dir = tmp_path / "ws"
    for lang in ("ja", "en"):
        status, out, err = run(
            "--lang", lang, "workspace", "create", str(SALES), "--name", "x", "--teams", str(teams),
            "--data-dir", str(data_dir),
        )  # fmt: skip
        assert (status, out) == (2, "") and err.count("\n") == 1 and "Traceback" not in err
        assert expected[lang] in err, err
    assert not data_dir.exists()


def test_text_output_in_japanese(tmp_path: Path) -> None:
    status, out, _ = run(
        "workspace", "create", str(SALES), "--name", "営業", "--data-dir", str(tmp_path), "--lang", "ja"
    )
    assert status == 0 and "作りました" in out and "閲覧用リンク：/?ws=" in out
    status, out, _ = run("workspace", "list", "--data-dir", str(tmp_path / "none"), "--lang", "ja")
    assert (status, out) == (0, "ワークスペースはまだありません。\n")


def test_another_process_opens_what_the_command_saved(tmp_path: Path) -> None:
    """The data outlives the process that wrote it (a server restart)."""
    command = [sys.executable, "-m", "kpi_core.workspace.cli", "workspace", "create", str(SALES), "--name", "再起動"]
    done = subprocess.run([*command, "--data-dir", str(tmp_path), "--json"], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    links = json.loads(done.stdout)
    workspace = open_workspace(links["workspace"], key_of(links["viewer_link"]), data_dir=tmp_path)
    assert workspace.name == "再起動" and workspace.snapshots()[0].rows == 1567
    refused = subprocess.run(
        [sys.executable, "-m", "kpi_core.workspace.cli", "workspace", "add", links["workspace"], str(SALES),
         "--key", key_of(links["viewer_link"]), "--data-dir", str(tmp_path)],
        capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr


def test_the_main_command_line_offers_workspace_once_wired() -> None:
    from kpi_core.cli import build_parser

    commands = next(a for a in build_parser()._actions if a.dest == "command").choices
    if "workspace" not in commands:
        pytest.skip("kpi_core/cli.py does not call add_workspace_commands yet")
    from kpi_core.cli import main as engine_main

    out, err = io.StringIO(), io.StringIO()
    status = engine_main(["workspace", "revoke", "0123456789abcdef", "--links", "--admin"], out=out, err=err)
    assert status == 1 and "not found" in err.getvalue()


# ------------------------------------------------------------------------------------------------ sentences
def test_sentences_are_in_both_languages_and_japanese_has_no_english() -> None:
    assert MESSAGES and all(key.startswith("workspace.") for key in MESSAGES)
    assert not set(MESSAGES) & set(ENGINE_MESSAGES) or all(ENGINE_MESSAGES[k] == MESSAGES[k] for k in MESSAGES)
    for key, entry in MESSAGES.items():
        assert set(entry) == {"ja", "en"}, key
        ja, en = entry["ja"], entry["en"]
        assert set(re.findall(r"{\w+}", ja)) == set(re.findall(r"{\w+}", en)), key
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", ja) and ja != en, key
        bare = re.sub(r"{\w+}|--[a-z-]+", " ", ja)  # placeholders and option names stay as they are
        assert english_words(bare, []) == [], (key, ja)


# ------------------------------------------------------------------------------------------------ secrets
def test_no_secrets_file_is_committed() -> None:
    tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True, cwd=REPO, check=True).stdout.split()
    assert ".streamlit/secrets.toml" not in tracked
    assert not [path for path in tracked if path.startswith("workspaces/")]
    for path in (".streamlit/secrets.toml", "workspaces/abc/access.json"):
        assert subprocess.run(["git", "check-ignore", "-q", path], cwd=REPO).returncode == 0, path
    lines = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".streamlit/secrets.toml" in lines and "/workspaces/" in lines
