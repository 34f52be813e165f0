"""Workspaces live in the data directory, not in a server's memory: a workspace made with the command line shows the
same figures after its app server restarts, and two app servers on one KPI_PIVOT_DATA_DIR (as behind a load
balancer) serve the same workspace, an editor's save on one visible on the other (servers of their own, each
reached by a fresh browser context)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from server import ROOT, AppServer, launch_app, metric_value, wait_healthy, wait_idle
from test_browser import UPLOAD_INPUT

from tests.test_app_expected import DEALS, HEADER, deals_csv, expected_small
from ui.format import fmt_int

pytestmark = pytest.mark.e2e


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "shared-workspaces"
    monkeypatch.setenv("KPI_PIVOT_DATA_DIR", str(folder))  # every server below inherits it
    return folder


def start(tmp_path: Path, name: str) -> AppServer:
    server = launch_app(tmp_path / f"{name}.log")
    try:
        wait_healthy(server)
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture
def servers(tmp_path: Path, data_dir: Path) -> Iterator[list[AppServer]]:
    """Started by the test (start()), always stopped at the end."""
    running: list[AppServer] = []
    try:
        yield running
    finally:
        for server in running:
            server.stop()


def cli(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "kpi_core", "workspace", *args, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


def figures(browser: Any, server: AppServer, link: str) -> dict[str, str]:
    """Rows read (Data page) and won deals (Funnel page) that a fresh browser sees through `link`."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    page = context.new_page()
    try:
        page.goto(f"{server.url}/Data{link[1:]}&lang=en")
        expect(page.locator("h1").first).to_have_text("Is the data read correctly?")
        wait_idle(page)
        expect(page.locator(".st-key-ws_sidebar")).to_contain_text("Workspace:")
        rows = metric_value(page, "rows_read")
        expect(rows).to_be_visible()
        shown = {"rows_read": rows.inner_text().strip()}
        page.goto(f"{server.url}/Funnel{link[1:]}&lang=en")
        expect(page.locator("h1").first).to_have_text("Where does the funnel leak?")
        wait_idle(page)
        won = metric_value(page, "won")
        expect(won).to_be_visible()
        shown["won"] = won.inner_text().strip()
        return shown
    finally:
        context.close()


def test_a_workspace_shows_the_same_figures_after_the_server_restarts(
    tmp_path: Path, data_dir: Path, servers: list[AppServer], browser: Any
):
    deals = tmp_path / "west_deals.csv"
    deals.write_bytes(deals_csv())
    created = cli("create", str(deals), "--name", "Team West", "--data-dir", str(data_dir))
    small = expected_small()
    wanted = {"rows_read": fmt_int(len(DEALS)), "won": fmt_int(small["won"])}

    servers.append(start(tmp_path, "first"))
    before = figures(browser, servers[0], created["viewer_link"])
    assert before == wanted
    servers[0].stop()

    servers.append(start(tmp_path, "restarted"))  # a new process: nothing of the first one's memory
    after = figures(browser, servers[1], created["viewer_link"])
    assert after == before


def test_two_servers_on_one_data_directory_serve_the_same_workspace(
    tmp_path: Path, data_dir: Path, servers: list[AppServer], browser: Any
):
    deals = tmp_path / "west_deals.csv"
    deals.write_bytes(deals_csv())
    created = cli("create", str(deals), "--name", "Team West", "--data-dir", str(data_dir))
    servers.append(start(tmp_path, "a"))
    servers.append(start(tmp_path, "b"))
    a, b = servers
    assert a.port != b.port

    on_a, on_b = figures(browser, a, created["viewer_link"]), figures(browser, b, created["viewer_link"])
    assert on_a == on_b == {"rows_read": fmt_int(len(DEALS)), "won": fmt_int(expected_small()["won"])}

    # The editor saves a newer export through server A ...
    newer = deals_csv().decode() + "D10,2025-07-01,2025-07-20,Won,400000,Aoki,Web\r\n"
    assert newer.splitlines()[0] == ",".join(HEADER)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    page = context.new_page()
    try:
        page.goto(f"{a.url}/Data{created['editor_link'][1:]}&lang=en")
        expect(page.locator("h1").first).to_have_text("Is the data read correctly?")
        wait_idle(page)
        page.locator(UPLOAD_INPUT).set_input_files(
            files=[{"name": "west_deals_july.csv", "mimeType": "text/csv", "buffer": newer.encode()}]
        )
        expect(page.get_by_text("The new data is saved (10 rows)")).to_be_visible()
        wait_idle(page)
    finally:
        context.close()

    # ... and a viewer on server B sees it (nothing cached in one server's memory decides what B shows).
    on_b = figures(browser, b, created["viewer_link"])
    assert on_b == {"rows_read": fmt_int(len(DEALS) + 1), "won": fmt_int(expected_small()["won"] + 1)}
    assert figures(browser, a, created["viewer_link"]) == on_b
