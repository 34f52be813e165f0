"""AppTest of workspaces in the app: a `?ws=…&key=…` link opens the workspace's own data and goal file, a viewer
sees no editor and the engine refuses its writes, every bad link gets the same bare "not found" page, an upload is
saved as a workspace with two links, and an editor's changes reach a later viewer."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from streamlit.testing.v1 import AppTest
from test_app_expected import APP, TIMEOUT, deals_csv, metric_values, upload

from kpi_core.goals import load_goals, template_text
from kpi_core.intake.load import FileInput, LoadOptions
from kpi_core.workspace import (
    WorkspaceNotFound,
    WorkspaceReadOnly,
    create_workspace,
    list_workspaces,
    open_workspace,
    revoke_links,
)
from ui.workspace_access import AccessSettings, allowed_from_info, is_allowed, parse_allowed

DATA = "pages/1_Data.py"
FUNNEL = "pages/2_Funnel.py"
GOALS = "pages/4_Goals.py"
KGI_NAME = "Team West revenue plan"
NOT_FOUND = WorkspaceNotFound().message("en")


def goal_text(kgi_name: str = KGI_NAME, target: float = 9_000_000) -> str:
    model = yaml.safe_load(template_text("sales", "en"))
    model["kgi"]["name"] = kgi_name
    model["kgi"]["target"] = target
    text = yaml.safe_dump(model, allow_unicode=True, sort_keys=False)
    load_goals(text)  # a usable goal file
    return text


def expected(path: Path) -> dict[str, int]:
    """Rows, won deals and won revenue of the CSV, with plain pandas."""
    frame = pd.read_csv(path)
    won = frame[frame["Stage"] == "Won"]
    return {"rows": len(frame), "won": len(won), "won_revenue": int(won["Amount"].sum())}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "workspaces"
    monkeypatch.setenv("KPI_PIVOT_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def deals_file(tmp_path: Path) -> Path:
    path = tmp_path / "west_deals.csv"
    path.write_bytes(deals_csv())
    return path


@pytest.fixture
def workspace(data_dir: Path, deals_file: Path):
    return create_workspace([FileInput(deals_file.name, deals_file)], "Team West", goals_text=goal_text())


def open_page(page: str | None, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run()
    if page is not None:
        at.switch_page(page).run()
    return at


def main_texts(at: AppTest) -> list[tuple[str, str]]:
    """Every element the page shows (type and text), leaving out the app's own CSS block."""
    shown = []
    for element in _walk(at.main):
        value = getattr(element, "value", None)
        text = value if isinstance(value, str) else str(getattr(element, "label", ""))
        if element.type == "markdown" and text.startswith("<style>"):
            continue
        shown.append((element.type, text))
    return shown


def _walk(node):
    children = getattr(node, "children", None)
    if children:
        for child in children.values():
            yield from _walk(child)
    else:
        yield node


# ------------------------------------------------------------------------------------------------ opening a link
def test_a_viewer_link_opens_the_workspace_with_its_own_figures_and_goal_file(workspace, deals_file):
    figures = expected(deals_file)
    at = open_page(DATA, ws=workspace.id, key=workspace.viewer_key, lang="en")
    assert not at.exception
    assert metric_values(at)["Rows read"] == str(figures["rows"])
    assert "w_src" not in [s.key for s in at.sidebar.selectbox]  # the workspace is the data: no source choice
    assert any(m.value == "**Workspace: Team West**" for m in at.sidebar.markdown)
    at.switch_page(FUNNEL).run()
    assert not at.exception
    assert at.query_params["ws"] == workspace.id and at.query_params["key"] == workspace.viewer_key
    assert metric_values(at)["Won deals"] == str(figures["won"])
    won_help = next(m.proto.help for m in at.metric if m.label == "Won revenue")
    assert f"¥{figures['won_revenue']:,}" in won_help
    at.switch_page(GOALS).run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert KGI_NAME in captions  # the workspace's goal file, not the template


def test_the_link_keeps_its_language_and_the_viewer_may_switch_it(workspace):
    at = open_page(None, ws=workspace.id, key=workspace.viewer_key, lang="ja")
    assert not at.exception
    assert at.title[0].value == "今、どんな状況か？"
    at.sidebar.segmented_control(key="w_lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "How are we doing?"
    assert at.query_params["ws"] == workspace.id  # still the workspace


def test_a_viewer_sees_no_editor_and_the_engine_refuses_its_writes(workspace, data_dir):
    at = open_page(DATA, ws=workspace.id, key=workspace.viewer_key, lang="en")
    assert not at.exception
    assert list(at.data_editor) == []
    assert list(at.get("file_uploader")) == []
    assert "reset_options" not in [b.key for b in at.button]
    assert "ws_save_button" not in [b.key for b in at.button]
    assert at.dataframe  # the roles and stages are shown read only
    at.switch_page(GOALS).run()
    assert not at.exception
    assert not [b for b in at.button if str(b.key).startswith("goals_")]
    assert [i.value for i in at.info if "viewer link" in i.value]

    viewer = open_workspace(workspace.id, workspace.viewer_key)
    before = viewer.goals_text
    with pytest.raises(WorkspaceReadOnly):
        viewer.save_goals(goal_text("Changed by a viewer"))
    with pytest.raises(WorkspaceReadOnly):
        viewer.save_options(LoadOptions(roles={"owner": None}))
    with pytest.raises(WorkspaceReadOnly):
        viewer.start_editing()
    assert open_workspace(workspace.id, workspace.editor_key).goals_text == before


def test_every_bad_link_shows_the_same_not_found_page_and_nothing_else(workspace, data_dir):
    wrong_key = "A" * 43
    unknown_id = "0123456789abcdef"
    revoked = revoke_links(workspace.id, workspace.editor_key)
    assert revoked.viewer_key != workspace.viewer_key
    pages = []
    for ws_id, key in (
        (workspace.id, wrong_key),
        (unknown_id, workspace.viewer_key),
        (workspace.id, workspace.viewer_key),  # revoked above
        ("../" + workspace.id, workspace.viewer_key),
        (workspace.id, ""),
    ):
        at = open_page(None, ws=ws_id, key=key, lang="en")
        assert not at.exception
        assert [t.value for t in at.title] == ["Not found"]
        assert NOT_FOUND in [m.value for m in at.markdown]
        assert not at.sidebar.children and list(at.metric) == [] and list(at.dataframe) == []
        pages.append(main_texts(at))
    assert all(page == pages[0] for page in pages)
    assert [kind for kind, _ in pages[0]] == ["title", "markdown", "page_link"]
    assert not any("Team West" in text for _, text in pages[0])
    # The new viewer link works.
    at = open_page(None, ws=workspace.id, key=revoked.viewer_key, lang="en")
    assert [t.value for t in at.title] == ["How are we doing?"]


def test_a_workspace_for_listed_people_stays_closed_without_sign_in(data_dir, deals_file):
    created = create_workspace(
        [FileInput(deals_file.name, deals_file)],
        "Restricted",
        settings=AccessSettings(allowed=parse_allowed("ana@example.com\n@example.co.jp")),
    )
    info = open_workspace(created.id, created.editor_key).info()
    assert allowed_from_info(info) == ("ana@example.com", "@example.co.jp")
    at = open_page(None, ws=created.id, key=created.viewer_key, lang="en")
    assert not at.exception
    assert [e.value for e in at.error] == [
        "This workspace needs sign-in, which this server has not turned on: ask the operator."
    ]
    assert list(at.metric) == []
    assert is_allowed("Ana@Example.com", info_allowed := allowed_from_info(info))
    assert is_allowed("bo@example.co.jp", info_allowed)
    assert not is_allowed("eve@evil.example", info_allowed)
    assert not is_allowed("eve@sub.example.co.jp", info_allowed)


# ------------------------------------------------------------------------------------------------ saving and editing
def test_save_as_workspace_creates_one_and_shows_both_links(data_dir, deals_file):
    at = open_page(DATA, lang="en")
    upload(at, ("west_deals.csv", deals_csv(), "text/csv"))
    assert not at.exception
    at.text_input(key="ws_name").set_value("Team West").run()
    at.button(key="ws_save_button").click().run()
    assert not at.exception
    saved = list_workspaces(data_dir)
    assert [s.name for s in saved] == ["Team West"]
    links = [c.value for c in at.code]
    assert len(links) == 2 and all(link.startswith(f"/?ws={saved[0].id}&key=") for link in links)
    assert any("Append it to this app's address" in c.value for c in at.caption)  # AppTest has no address
    viewer_link = links[0]
    key = viewer_link.split("key=", 1)[1]
    assert open_workspace(saved[0].id, key).role == "viewer"
    assert open_workspace(saved[0].id, links[1].split("key=", 1)[1]).role == "editor"
    at.button(key="ws_open_here").click().run()  # this tab goes on in the workspace, as its editor
    assert not at.exception
    assert at.query_params["ws"] == saved[0].id
    assert any(m.value == "**Workspace: Team West**" for m in at.sidebar.markdown)
    assert [u.label for u in at.get("file_uploader")] == [
        "Upload a newer export (the earlier data is kept as a snapshot)"
    ]

    viewer = open_page(FUNNEL, ws=saved[0].id, key=key, lang="en")
    assert not viewer.exception
    assert metric_values(viewer)["Won deals"] == str(expected(deals_file)["won"])


def test_an_editors_goal_edit_is_saved_and_a_new_viewer_session_sees_it(workspace):
    editor = open_page(GOALS, ws=workspace.id, key=workspace.editor_key, lang="en")
    assert not editor.exception
    area = next(a for a in editor.text_area if str(a.key).startswith("goals_yaml_"))
    area.set_value(goal_text("Team West stretch plan", 12_000_000)).run()
    editor.button(key="goals_apply_yaml").click().run()
    assert not editor.exception
    assert not editor.error
    assert "Team West stretch plan" in open_workspace(workspace.id, workspace.viewer_key).goals_text

    viewer = open_page(GOALS, ws=workspace.id, key=workspace.viewer_key, lang="en")
    assert not viewer.exception
    assert "Team West stretch plan" in " ".join(c.value for c in viewer.caption)

    # A second editor (another browser session) is told who holds the workspace and sees it read only.
    second = open_page(GOALS, ws=workspace.id, key=workspace.editor_key, lang="en")
    assert not second.exception
    assert any("Another editor is changing this workspace" in i.value for i in second.info)
    assert "goals_apply_yaml" not in [b.key for b in second.button]


def test_an_editor_who_leaves_the_workspace_or_signs_out_gives_the_lock_back_at_once(
    workspace, data_dir, monkeypatch: pytest.MonkeyPatch
):
    import ui.workspace_access
    import ui.workspace_view
    from kpi_core.workspace import lock

    ws_dir = data_dir / workspace.id
    editor = open_page(DATA, ws=workspace.id, key=workspace.editor_key, lang="en")
    assert not editor.exception
    assert lock.read_lease(ws_dir) is not None
    del editor.query_params["ws"], editor.query_params["key"]  # the sidebar's "Leave the workspace"
    editor.run()
    assert not editor.exception
    assert lock.read_lease(ws_dir) is None

    monkeypatch.setattr(ui.workspace_view, "sign_in_available", lambda: True)
    monkeypatch.setattr(ui.workspace_access, "sign_in_available", lambda: True)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32}
    at.user = {"is_logged_in": True, "email": "ana@example.com"}
    at.query_params.update({"ws": workspace.id, "key": workspace.editor_key, "lang": "en"})
    at.run()
    at.switch_page(DATA).run()
    assert not at.exception
    assert lock.read_lease(ws_dir) is not None
    at.sidebar.button(key="ws_sign_out").click().run()
    assert lock.read_lease(ws_dir) is None


def test_an_editors_role_change_on_the_data_page_is_saved(workspace):
    from kpi_core.intake.roles import RECORD_ROLES

    editor = open_page(DATA, ws=workspace.id, key=workspace.editor_key, lang="en")
    assert not editor.exception
    assert "w_owner" in [m.key for m in editor.multiselect]
    key = next(e.key for e in editor.data_editor if str(e.key).startswith("roles_editor_"))
    editor.session_state[key] = {
        "edited_rows": {RECORD_ROLES.index("owner"): {"column": "—"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    editor.run()
    assert not editor.exception
    assert open_workspace(workspace.id, workspace.viewer_key).options.roles == {"owner": None}
    viewer = open_page(DATA, ws=workspace.id, key=workspace.viewer_key, lang="en")
    assert not viewer.exception
    assert "w_owner" not in [m.key for m in viewer.multiselect]


def test_an_editors_newer_export_becomes_a_snapshot(workspace, deals_file):
    editor = open_page(DATA, ws=workspace.id, key=workspace.editor_key, lang="en")
    newer = deals_csv().decode() + "D10,2025-07-01,2025-07-20,Won,400000,Aoki,Web\r\n"
    upload(editor, ("west_deals_july.csv", newer.encode(), "text/csv"))
    assert not editor.exception
    assert any("The new data is saved (10 rows)" in s.value for s in editor.success)
    assert len(open_workspace(workspace.id, workspace.viewer_key).snapshots()) == 2
    assert metric_values(editor)["Rows read"] == str(expected(deals_file)["rows"] + 1)


@pytest.mark.parametrize(
    ("user", "opens", "sentence"),
    [
        ({"is_logged_in": True, "email": "ana@example.com", "email_verified": True}, True, None),
        ({"is_logged_in": True, "email": "bo@example.co.jp"}, True, None),
        ({"is_logged_in": True, "email": "eve@evil.example"}, False, "may not open this workspace: sign in with"),
        ({"is_logged_in": True, "email": "ana@example.com", "email_verified": False}, False, "sign in first"),
        ({"is_logged_in": False}, False, "Only listed people may open this workspace: sign in first."),
    ],
)
def test_with_sign_in_only_listed_people_open_a_limited_workspace(
    data_dir, deals_file, monkeypatch: pytest.MonkeyPatch, user, opens, sentence
):
    import ui.workspace_access
    import ui.workspace_view

    # Sign-in as configured by the operator ([auth] in secrets.toml); the real st.login round trip with a provider is
    # tests/e2e/test_sign_in.py.
    monkeypatch.setattr(ui.workspace_view, "sign_in_available", lambda: True)
    monkeypatch.setattr(ui.workspace_access, "sign_in_available", lambda: True)
    created = create_workspace(
        [FileInput(deals_file.name, deals_file)],
        "Limited",
        settings=AccessSettings(allowed=parse_allowed("ana@example.com, @example.co.jp")),
    )
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32}
    at.user = user
    at.query_params.update({"ws": created.id, "key": created.viewer_key, "lang": "en"})
    at.run()
    assert not at.exception
    if opens:
        assert at.title[0].value == "How are we doing?"
        assert any(m.value == "**Workspace: Limited**" for m in at.sidebar.markdown)
        assert "ws_sign_out" in [b.key for b in at.sidebar.button]
    else:
        assert list(at.metric) == [] and not at.sidebar.children
        texts = " ".join(e.value for e in [*at.error, *at.info])
        assert sentence in texts
        assert "Limited" not in texts


# ------------------------------------------------------------------------------------------------ team mapping
SALES_SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "sales_deals_ja.csv"
AS_OF = "2026-11-16"  # the sales sample's quotas have reps in this period (as tests/test_app_quotas.py)
# Not the sample's own team file (第1営業課 / 第2営業課): these teams can only come from the workspace.
TEAM_OF = {"佐藤 健": "東チーム", "田中 優子": "東チーム", "伊藤 大輔": "東チーム",
           "鈴木 美咲": "西チーム", "高橋 翔": "西チーム", "渡辺 彩": "西チーム"}  # fmt: skip


def teams_csv() -> bytes:
    lines = ["担当者,チーム", *(f"{owner},{team}" for owner, team in TEAM_OF.items())]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def rep_table(at: AppTest) -> pd.DataFrame:
    """The Goals page's ranked-reps table (the quota view's)."""
    [table] = [df.value for df in at.dataframe if {"順位", "担当者", "チーム"} <= set(df.value.columns)]
    return table


def test_an_editors_team_file_is_kept_and_a_viewer_sees_the_teams_without_an_uploader(data_dir):
    keys = create_workspace(
        [FileInput(SALES_SAMPLE.name, SALES_SAMPLE)], "営業部", goals_text=template_text("sales", "ja")
    )
    editor = open_page(GOALS, ws=keys.id, key=keys.editor_key, lang="ja", asof=AS_OF)
    assert not editor.exception
    assert set(rep_table(editor)["チーム"]) == {""}  # a workspace without a mapping has no teams
    editor.file_uploader(key="quotas_teams_upload").set_value(("チーム表.csv", teams_csv(), "text/csv")).run()
    assert not editor.exception and not editor.error
    assert open_workspace(keys.id, keys.viewer_key).teams == TEAM_OF  # stored on the server

    viewer = open_page(GOALS, ws=keys.id, key=keys.viewer_key, lang="ja", asof=AS_OF)
    assert not viewer.exception
    table = rep_table(viewer)
    assert len(table) == len(TEAM_OF)
    assert dict(zip(table["担当者"], table["チーム"], strict=True)) == TEAM_OF
    team_lines = " ".join(m.value for m in viewer.markdown if "チーム" in m.value)
    assert "東チーム" in team_lines and "西チーム" in team_lines  # the roll-up of each team
    assert any(c.value.startswith("チームの出典: チーム表") for c in viewer.caption)  # the file's name, escaped
    assert list(viewer.get("file_uploader")) == []  # a viewer gets no team upload


def test_a_team_file_loaded_before_saving_goes_with_the_new_workspace(data_dir):
    at = open_page(DATA, lang="ja", asof=AS_OF)
    upload(at, (SALES_SAMPLE.name, SALES_SAMPLE.read_bytes(), "text/csv"))
    at.switch_page(GOALS).run()
    at.file_uploader(key="quotas_teams_upload").set_value(("チーム表.csv", teams_csv(), "text/csv")).run()
    assert not at.exception and not at.error
    at.switch_page(DATA).run()
    at.text_input(key="ws_name").set_value("営業部").run()
    at.button(key="ws_save_button").click().run()
    assert not at.exception
    [saved] = list_workspaces(data_dir)
    viewer_link = at.code[0].value  # the viewer link is shown first
    viewer = open_workspace(saved.id, viewer_link.split("key=", 1)[1])
    assert viewer.role == "viewer"
    assert (viewer.teams, viewer.teams_file) == (TEAM_OF, "チーム表.csv")
