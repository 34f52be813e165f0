"""One editor at a time, in the browser: a second editor is told the workspace is being edited; the first editor's
lock outlives the sweep while its tab is open, and is given back once the tab has been closed for the reconnect
grace time (a server of its own with a 1 s sweep and a 2 s grace instead of 30 s and 150 s), and at once when an
editor leaves the workspace. The lock's file is read from the data directory, independently of the app."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from server import AppServer, launch_app, wait_healthy, wait_idle

from kpi_core.intake.load import FileInput
from kpi_core.workspace import CreatedWorkspace, create_workspace
from kpi_core.workspace import lock as lock_module
from tests.test_app_expected import deals_csv

pytestmark = pytest.mark.e2e

SWEEP_S, GRACE_S = 1, 2
LOCKED = "Another editor is changing this workspace until"
HOLDS_LOCK = ".st-key-ws_stop_editing"  # the "Done editing" button: shown to the session holding the lock


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "workspaces"
    monkeypatch.setenv("KPI_PIVOT_DATA_DIR", str(folder))  # the server below inherits these
    monkeypatch.setenv("KPI_PIVOT_SWEEP_SECONDS", str(SWEEP_S))
    monkeypatch.setenv("KPI_PIVOT_SESSION_GRACE_SECONDS", str(GRACE_S))
    return folder


@pytest.fixture
def created(tmp_path: Path, data_dir: Path) -> CreatedWorkspace:
    deals = tmp_path / "west_deals.csv"
    deals.write_bytes(deals_csv())
    return create_workspace([FileInput(deals.name, deals)], "Team West", data_dir=data_dir)


@pytest.fixture
def quick_sweep_server(tmp_path: Path, data_dir: Path) -> Iterator[AppServer]:
    server = launch_app(tmp_path / "streamlit.log")
    try:
        wait_healthy(server)
        yield server
    finally:
        server.stop()


def open_editor(browser: Any, server: AppServer, created: CreatedWorkspace) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.goto(f"{server.url}/Data{created.editor_link[1:]}&lang=en")
    expect(page.locator(".st-key-ws_sidebar")).to_contain_text("Workspace: Team West")
    wait_idle(page)
    return context, page


def wait_for(condition: Any, seconds: float) -> bool:
    """Poll `condition` until it holds or `seconds` pass (the sweep runs every second)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return bool(condition())


def test_a_closed_editors_lock_goes_to_the_next_editor_after_the_grace_time(
    quick_sweep_server: AppServer, created: CreatedWorkspace, data_dir: Path, browser: Any
):
    ws_dir = data_dir / created.id
    first_context, first = open_editor(browser, quick_sweep_server, created)
    second_context, second = open_editor(browser, quick_sweep_server, created)
    try:
        expect(first.locator(HOLDS_LOCK)).to_be_visible()
        holder = lock_module.read_lease(ws_dir)
        assert holder is not None
        expect(second.locator(".st-key-ws_sidebar")).to_contain_text(LOCKED)
        expect(second.locator(HOLDS_LOCK)).to_have_count(0)

        # While the first tab is open its lock outlives several sweeps and the grace time.
        time.sleep(SWEEP_S + GRACE_S + 2)
        assert lock_module.read_lease(ws_dir) == holder
        second.reload()
        expect(second.locator(".st-key-ws_sidebar")).to_contain_text(LOCKED)

        # The first tab closes: after the grace time its server gives the lock back (not after the lease's 10 min).
        first_context.close()
        assert wait_for(lambda: lock_module.read_lease(ws_dir) is None, 30)
        second.reload()
        expect(second.locator(HOLDS_LOCK)).to_be_visible()
        expect(second.locator(".st-key-ws_sidebar")).not_to_contain_text(LOCKED)
        assert lock_module.read_lease(ws_dir).owner != holder.owner

        # Leaving the workspace gives it back at once.
        second.locator(".st-key-ws_sidebar").get_by_text("Leave the workspace").click()
        expect(second.locator(".st-key-ws_sidebar")).to_have_count(0)
        assert wait_for(lambda: lock_module.read_lease(ws_dir) is None, 5)
    finally:
        second_context.close()
        if first_context.pages:
            first_context.close()
