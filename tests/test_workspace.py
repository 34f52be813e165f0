"""Workspaces: what they hold, who may change them, snapshots, revoked links, and the same figures after a round trip
(expectations from plain pandas on the CSV)."""

from __future__ import annotations

import dataclasses
import inspect
import time
from pathlib import Path

import pandas as pd
import pytest

from kpi_core.goals import GoalsError, template_text
from kpi_core.intake.load import FileInput, LoadOptions, load_dataset
from kpi_core.metrics import compute_kpis
from kpi_core.workspace import (
    Settings,
    Workspace,
    WorkspaceInvalid,
    WorkspaceNotFound,
    WorkspaceReadOnly,
    create_workspace,
    list_workspaces,
    open_workspace,
    revoke_links,
)

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"
SALES = SAMPLES / "sales_deals_ja.csv"
GOALS = template_text("sales", "ja")


def sales_input() -> list[FileInput]:
    return [FileInput(SALES.name, SALES)]


@pytest.fixture
def workspace_keys(tmp_path: Path):
    return create_workspace(sales_input(), "営業チーム", goals_text=GOALS, data_dir=tmp_path)


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------------------------------------ what it holds
def test_a_workspace_holds_name_goals_settings_options_and_data(tmp_path: Path) -> None:
    options = LoadOptions(roles={"owner": "担当者"}, stage_map={"受注": "won"}, date_orders={"作成日": "mdy"})
    settings = Settings(currency="JPY", fiscal_start=1, calendar="weekends")
    keys = create_workspace(
        sales_input(), "  営業チーム 2025  ", goals_text=GOALS, options=options, settings=settings, data_dir=tmp_path
    )
    assert keys.editor_link == f"/?ws={keys.id}&key={keys.editor_key}"
    assert keys.viewer_link == f"/?ws={keys.id}&key={keys.viewer_key}"
    assert keys.editor_key != keys.viewer_key
    assert keys.editor_key not in repr(keys)
    workspace = open_workspace(keys.id, keys.viewer_key, data_dir=tmp_path)
    assert (workspace.role, workspace.can_edit) == ("viewer", False)
    assert workspace.name == "営業チーム 2025"
    assert workspace.goals_text == GOALS
    assert workspace.settings == dataclasses.replace(settings, allowed=())  # None: "none yet"
    stored = workspace.options
    assert (stored.roles, stored.stage_map, stored.date_orders) == (
        options.roles,
        options.stage_map,
        options.date_orders,
    )
    assert workspace.created and workspace.updated
    [snapshot] = workspace.snapshots()
    assert [(f.name, f.rows) for f in snapshot.files] == [(SALES.name, 1567)]
    inputs, _ = workspace.load_inputs()
    assert [i.name for i in inputs] == [SALES.name]  # the display name; the data is inside the workspace
    assert isinstance(inputs[0].data, Path) and inputs[0].data.is_relative_to(tmp_path)
    assert keys.editor_key not in repr(workspace) and keys.viewer_key not in repr(workspace)


def test_currency_defaults_to_the_data_and_goals_may_be_absent(tmp_path: Path) -> None:
    keys = create_workspace(sales_input(), "x", data_dir=tmp_path)
    workspace = open_workspace(keys.id, keys.editor_key, data_dir=tmp_path)
    assert workspace.goals_text is None
    assert workspace.settings == Settings(currency="JPY", fiscal_start=4, calendar="jp", allowed=())


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"name": ""}, "bad_name"),
        ({"name": "x" * 121}, "bad_name"),
        ({"name": "a\nb"}, "bad_name"),
        ({"settings": Settings(fiscal_start=13)}, "bad_fiscal_start"),
        ({"settings": Settings(calendar="mars")}, "bad_calendar"),
        ({"settings": Settings(currency="XXX")}, "bad_currency"),
        ({"files": []}, "no_files"),
    ],
)
def test_unusable_values_are_refused_and_nothing_is_written(tmp_path: Path, change: dict, code: str) -> None:
    arguments = {"files": sales_input(), "name": "営業", "data_dir": tmp_path, **change}
    with pytest.raises(WorkspaceInvalid) as caught:
        create_workspace(**arguments)
    assert caught.value.code == code
    assert caught.value.message("ja") != caught.value.message("en")
    assert list_workspaces(tmp_path) == [] and not list(tmp_path.iterdir())


def test_bad_goal_text_is_refused(tmp_path: Path, workspace_keys) -> None:
    with pytest.raises(GoalsError):
        create_workspace(sales_input(), "x", goals_text="kgi: [", data_dir=tmp_path / "other")
    workspace = open_workspace(workspace_keys.id, workspace_keys.editor_key, data_dir=tmp_path)
    with pytest.raises(GoalsError):
        workspace.save_goals("kgi: [")
    assert workspace.goals_text == GOALS


def test_editor_changes_are_kept(tmp_path: Path, workspace_keys) -> None:
    editor = open_workspace(workspace_keys.id, workspace_keys.editor_key, data_dir=tmp_path)
    before = editor.updated
    new_goals = template_text("sales", "en")
    editor.save_goals(new_goals)
    editor.save_options(LoadOptions(roles={"channel": "リードソース"}, currency="USD"))
    editor.save_settings(Settings(currency="USD", fiscal_start=10, calendar="none"))
    editor.rename("Sales team")
    reopened = open_workspace(workspace_keys.id, workspace_keys.viewer_key, data_dir=tmp_path)  # as after a restart
    assert reopened.goals_text == new_goals
    assert reopened.options.roles == {"channel": "リードソース"} and reopened.options.currency == "USD"
    assert reopened.settings == Settings(currency="USD", fiscal_start=10, calendar="none", allowed=())
    assert reopened.name == "Sales team"
    assert reopened.updated >= before
    assert [s.id for s in list_workspaces(tmp_path)] == [workspace_keys.id]


# ------------------------------------------------------------------------------------------------ viewer
READS = {
    "can_edit", "info", "name", "created", "updated", "settings", "options", "goals_text", "snapshots",
    "load_inputs", "load_dataset", "verify", "require_editor", "allowed", "goals_revised", "snapshot_forecasts",
    "teams", "teams_file",
}  # fmt: skip
WRITES = {
    "save_goals": lambda w: w.save_goals(template_text("sales", "en")),
    "save_options": lambda w: w.save_options(LoadOptions(roles={"owner": "担当者"})),
    "save_settings": lambda w: w.save_settings(Settings(fiscal_start=1)),
    "save_allowed": lambda w: w.save_allowed(["eve@evil.example"]),
    "rename": lambda w: w.rename("乗っ取り"),
    "save_teams": lambda w: w.save_teams({"佐藤 健": "乗っ取り課"}, "teams.csv"),
    "add_snapshot": lambda w: w.add_snapshot(sales_input()),
    "start_editing": lambda w: w.start_editing(),
    "stop_editing": None,  # gives up only the caller's own lease: nothing to refuse
    "revoke_links": lambda w: w.revoke_links(),
}


def test_every_public_method_is_known_as_a_read_or_a_write() -> None:
    public = {name for name, _ in inspect.getmembers(Workspace) if not name.startswith("_")}
    fields = {f.name for f in dataclasses.fields(Workspace)}
    assert public - fields == READS | set(WRITES)  # a new method must be added to one list (and tested)


@pytest.mark.parametrize("write", [name for name, call in WRITES.items() if call is not None])
def test_a_viewer_is_refused_on_every_write(tmp_path: Path, workspace_keys, write: str) -> None:
    before = tree(tmp_path)
    viewer = open_workspace(workspace_keys.id, workspace_keys.viewer_key, data_dir=tmp_path)
    with pytest.raises(WorkspaceReadOnly) as caught:
        WRITES[write](viewer)
    assert tree(tmp_path) == before  # nothing changed on disk
    assert "編集用" in caught.value.message("ja")


def test_a_viewer_key_cannot_revoke_or_be_promoted(tmp_path: Path, workspace_keys) -> None:
    with pytest.raises(WorkspaceReadOnly):
        revoke_links(workspace_keys.id, workspace_keys.viewer_key, data_dir=tmp_path)
    viewer = open_workspace(workspace_keys.id, workspace_keys.viewer_key, data_dir=tmp_path)
    viewer.role = "editor"  # a bug elsewhere that flips the role in memory still meets the key check
    with pytest.raises(WorkspaceNotFound):
        viewer.save_goals(template_text("sales", "en"))
    assert open_workspace(workspace_keys.id, workspace_keys.viewer_key, data_dir=tmp_path).goals_text == GOALS


# ------------------------------------------------------------------------------------------------ revoke
def test_revoked_links_are_not_found(tmp_path: Path, workspace_keys) -> None:
    editor = open_workspace(workspace_keys.id, workspace_keys.editor_key, data_dir=tmp_path)
    fresh = editor.revoke_links()
    for old in (workspace_keys.editor_key, workspace_keys.viewer_key):
        with pytest.raises(WorkspaceNotFound):
            open_workspace(workspace_keys.id, old, data_dir=tmp_path)
    assert not editor.verify()
    with pytest.raises(WorkspaceNotFound):  # a session opened with the old key can no longer write
        editor.save_goals(template_text("sales", "en"))
    assert open_workspace(fresh.id, fresh.editor_key, data_dir=tmp_path).role == "editor"
    assert open_workspace(fresh.id, fresh.viewer_key, data_dir=tmp_path).goals_text == GOALS
    again = revoke_links(fresh.id, admin=True, data_dir=tmp_path)
    with pytest.raises(WorkspaceNotFound):
        open_workspace(fresh.id, fresh.editor_key, data_dir=tmp_path)
    assert open_workspace(again.id, again.viewer_key, data_dir=tmp_path).role == "viewer"
    with pytest.raises(WorkspaceNotFound):
        revoke_links("0123456789abcdef", admin=True, data_dir=tmp_path)
    with pytest.raises(WorkspaceNotFound):
        revoke_links("../" + fresh.id, admin=True, data_dir=tmp_path)


# ------------------------------------------------------------------------------------------------ snapshots
def test_a_newer_export_keeps_the_older_one_as_a_snapshot(tmp_path: Path, workspace_keys) -> None:
    newer = tmp_path / "newer.csv"
    lines = SALES.read_text(encoding="utf-8-sig").splitlines()
    newer.write_text("\n".join(lines[:501]) + "\n", encoding="utf-8")  # the header and the first 500 deals
    editor = open_workspace(workspace_keys.id, workspace_keys.editor_key, data_dir=tmp_path)
    info = editor.add_snapshot([FileInput("sales_2025-06.csv", newer)])
    old, new = editor.snapshots()
    assert new.id == info.id and old.id < new.id and old.created <= new.created
    assert [f.name for f in new.files] == ["sales_2025-06.csv"] and new.rows == 500
    viewer = open_workspace(workspace_keys.id, workspace_keys.viewer_key, data_dir=tmp_path)
    newest = compute_kpis(viewer.load_dataset()).totals  # the newest is what it shows
    oldest = compute_kpis(viewer.load_dataset(old.id)).totals
    for totals, path in ((newest, newer), (oldest, SALES)):
        expected = pandas_sales_totals(path)
        assert {k: totals[k] for k in expected} == expected
    with pytest.raises(WorkspaceInvalid):
        viewer.load_inputs("20990101T000000000000Z-0000")
    with pytest.raises(WorkspaceInvalid):
        viewer.load_inputs("../../etc")
    assert list_workspaces(tmp_path)[0].snapshots == 2


# ------------------------------------------------------------------------------------------------ figures
def _yen(text: str) -> float:
    """'¥590,000', '2,850,000円', '102万円' as yen; NaN for '未定' and blanks."""
    plain = text.replace("¥", "").replace(",", "").replace("円", "")
    scale = 10_000 if plain.endswith("万") else 1
    try:
        return float(plain.removesuffix("万")) * scale
    except ValueError:
        return float("nan")


def _dates(column: pd.Series) -> pd.Series:
    """2024/04/01, 2024-06-13 11:30, 2025年9月18日 and 令和8年3月19日 (2026) as dates; NaT for anything else ('不明',
    '2025/13/01')."""
    western = column.str.replace(r"令和(\d+)年", lambda m: f"{2018 + int(m[1])}年", regex=True)
    text = western.str.replace("年", "/").str.replace("月", "/").str.replace("日", "")
    return pd.to_datetime(text, errors="coerce", format="mixed")


def pandas_sales_totals(path: Path) -> dict[str, float]:
    """records, won and won revenue of the sales sample with pandas only: a row whose created or close date cannot
    be read is left out; 受注 and 成約 are won."""
    raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    readable = _dates(raw["作成日"]).notna() & ((raw["完了日"] == "") | _dates(raw["完了日"]).notna())
    deals = raw[readable]
    won = deals[deals["フェーズ"].isin(["受注", "成約"])]
    return {"records": len(deals), "won": len(won), "won_revenue": float(won["金額"].map(_yen).sum())}


def round_trip(tmp_path: Path, inputs: list[FileInput], options: LoadOptions | None = None) -> tuple[dict, dict]:
    """(totals of the upload, totals of the workspace made from it and opened again)."""
    uploaded = compute_kpis(load_dataset(inputs, options)).totals
    keys = create_workspace(inputs, "round trip", options=options, data_dir=tmp_path)
    stored = compute_kpis(open_workspace(keys.id, keys.viewer_key, data_dir=tmp_path).load_dataset()).totals
    return uploaded, stored


def test_sales_sample_figures_survive_the_round_trip(tmp_path: Path) -> None:
    uploaded, stored = round_trip(tmp_path, sales_input())
    expected = pandas_sales_totals(SALES)
    assert {k: stored[k] for k in expected} == expected
    assert stored == uploaded


@pytest.mark.parametrize("name", ["marketing_leads_en.csv", "monthly_kpi_ja.xlsx"])
def test_other_samples_give_the_same_figures_after_the_round_trip(tmp_path: Path, name: str) -> None:
    uploaded, stored = round_trip(tmp_path, [FileInput(name, SAMPLES / name)])
    assert stored == uploaded


def test_awkward_cells_survive_the_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "awkward.csv"
    path.write_text(
        "ID,Deal name,Stage,Amount,Created,Closed,Owner\n"
        '1,"Acme, Inc. ""big"" deal",Closed Won,"¥1,200,000",2025/4/1,2025/5/10,"=HYPERLINK(""x"")"\n'
        '2,"two\nlines",Closed Lost,800000,2025/4/2,2025/5/11,佐藤\n'
        "3,,Closed Won,120万円,2025/4/3,2025/6/1,\n"
        "4,open one,Proposal,,2025/4/4,,佐藤\n",
        encoding="utf-8",
    )
    uploaded, stored = round_trip(tmp_path / "ws", [FileInput(path.name, path)])
    assert (stored["records"], stored["won"], stored["lost"], stored["won_revenue"]) == (4, 2, 1, 2_400_000.0)
    assert stored == uploaded


@pytest.mark.realdata
def test_maven_figures_survive_the_round_trip(tmp_path: Path, maven_dir: Path) -> None:
    raw = pd.read_csv(maven_dir / "sales_pipeline.csv", dtype=str, keep_default_na=False)
    won = raw[raw["deal_stage"] == "Won"]
    expected = {
        "records": len(raw),
        "won": len(won),
        "lost": int((raw["deal_stage"] == "Lost").sum()),
        "open": int((~raw["deal_stage"].isin(["Won", "Lost"])).sum()),
        "won_revenue": float(pd.to_numeric(won["close_value"]).sum()),
    }
    uploaded, stored = round_trip(tmp_path, [FileInput("sales_pipeline.csv", maven_dir / "sales_pipeline.csv")])
    assert {k: stored[k] for k in expected} == expected
    assert stored == uploaded


@pytest.mark.realdata
def test_two_linked_files_survive_the_round_trip(tmp_path: Path, olist_dir: Path) -> None:
    names = ["olist_marketing_qualified_leads_dataset.csv", "olist_closed_deals_dataset.csv"]
    uploaded, stored = round_trip(tmp_path, [FileInput(n, olist_dir / n) for n in names])
    deals = pd.read_csv(olist_dir / names[1], dtype=str)
    assert stored["won"] == deals["mql_id"].nunique()
    assert stored == uploaded


def test_a_new_key_never_starts_with_a_dash(monkeypatch) -> None:
    """`--key -x…` would be read as an option on the command line: such a key is drawn again."""
    import secrets

    from kpi_core.workspace import keys

    drawn = iter(["-" + "a" * 42, "b" * 43])
    monkeypatch.setattr(secrets, "token_urlsafe", lambda n: next(drawn))
    assert keys.new_key() == "b" * 43


def test_goals_revised_is_the_saved_goal_files_time(tmp_path: Path) -> None:
    created = create_workspace([FileInput(SALES.name, SALES)], "Revised", data_dir=tmp_path)
    editor = open_workspace(created.id, created.editor_key, data_dir=tmp_path)
    assert editor.goals_revised() is None  # no goal file yet: a template is used
    before = time.time()
    editor.save_goals(template_text("sales", "en"))
    assert before - 1 <= editor.goals_revised() <= time.time() + 1


# ------------------------------------------------------------------------------------------------ team mapping
TEAMS = {"佐藤 健": "東日本営業", "田中 優子": "西日本営業"}


def test_an_editors_team_mapping_is_kept_as_data_and_a_viewer_reads_it(tmp_path: Path, workspace_keys) -> None:
    editor = open_workspace(workspace_keys.id, workspace_keys.editor_key, data_dir=tmp_path)
    assert (editor.teams, editor.teams_file) == ({}, None)  # none until one is saved
    files_before = set(tree(tmp_path))
    stored = editor.save_teams({" 佐藤  健 ": "東日本営業", "田中 優子": " 西日本営業"}, "teams 2025.csv")
    assert stored == TEAMS  # spaces collapsed as read_teams collapses them
    # a new session, as after a restart, with the viewer key
    viewer = open_workspace(workspace_keys.id, workspace_keys.viewer_key, data_dir=tmp_path)
    assert (viewer.teams, viewer.teams_file) == (TEAMS, "teams 2025.csv")
    new_files = {Path(name).name for name in set(tree(tmp_path)) - files_before}
    assert new_files <= {".guard", "edit.lock"}  # only the write lock: the mapping lives in workspace.json
    assert (tmp_path / workspace_keys.id / "workspace.json").read_text(encoding="utf-8").count("東日本営業") == 1
    assert viewer.goals_text == GOALS  # nothing else changed
    editor.save_teams({})  # an empty mapping removes it
    assert (viewer.teams, viewer.teams_file) == ({}, None)


def test_a_new_workspace_keeps_the_team_mapping_it_was_created_with(tmp_path: Path) -> None:
    keys = create_workspace(sales_input(), "営業", teams=TEAMS, teams_file="teams.csv", data_dir=tmp_path)
    viewer = open_workspace(keys.id, keys.viewer_key, data_dir=tmp_path)
    assert (viewer.teams, viewer.teams_file) == (TEAMS, "teams.csv")


@pytest.mark.parametrize(
    "teams",
    [
        {"佐藤 健": ""},  # no team
        {"   ": "東日本営業"},  # no owner
        {"佐藤 健": "東日本\x00営業"},  # a control character
        {"佐藤 健": "x" * 201},  # too long
        {"Sato Ken": "East", "sato ken": "West"},  # one owner in two teams (owners compare as the engine does)
        {"佐藤 健": 3},  # not text
        [("佐藤 健", "東日本営業")],  # not a mapping
        {f"rep {i}": "East" for i in range(5001)},  # more rows than a team file may have
    ],
)
def test_an_unusable_team_mapping_is_refused_and_nothing_is_written(
    tmp_path: Path, workspace_keys, teams: object
) -> None:
    editor = open_workspace(workspace_keys.id, workspace_keys.editor_key, data_dir=tmp_path)
    editor.save_teams(TEAMS, "teams.csv")
    before = (tmp_path / workspace_keys.id / "workspace.json").read_bytes()
    with pytest.raises(WorkspaceInvalid) as caught:
        editor.save_teams(teams, "other.csv")  # type: ignore[arg-type]
    assert caught.value.code == "bad_teams"
    assert "200" in caught.value.message("ja") and "5000" in caught.value.message("en")
    assert (tmp_path / workspace_keys.id / "workspace.json").read_bytes() == before
    with pytest.raises(WorkspaceInvalid):
        create_workspace(sales_input(), "x", teams=teams, data_dir=tmp_path / "other")  # type: ignore[arg-type]
    assert not (tmp_path / "other").exists()
