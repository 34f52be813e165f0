"""A manager's path in a real browser: a workspace made with the command line opens from its viewer link in a fresh
browser context (its figures, no uploader, no editor), a revoked link shows only "not found", and an upload saved as
a workspace on the Data page gives a full viewer link another browser context opens (a server of its own, on a
temporary KPI_PIVOT_DATA_DIR)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from server import ROOT, AppServer, full_screenshot, launch_app, metric_value, wait_healthy, wait_idle
from test_browser import UPLOAD_INPUT

from kpi_core.workspace import WorkspaceNotFound
from tests.test_app_expected import deals_csv, expected_small, sales_expected
from ui.format import fmt_int

pytestmark = pytest.mark.e2e


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "workspaces"
    monkeypatch.setenv("KPI_PIVOT_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def workspace_server(tmp_path: Path, data_dir: Path) -> Iterator[AppServer]:
    server = launch_app(tmp_path / "streamlit.log")  # the child inherits KPI_PIVOT_DATA_DIR
    try:
        wait_healthy(server)
        yield server
    finally:
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


def fresh_page(browser: Any, locale: str = "en-US") -> tuple[Any, Any]:
    """A new browser context (a new profile: no cookies, a new Streamlit session) and its page."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale=locale)
    return context, context.new_page()


def test_a_viewer_link_from_the_command_line_opens_in_a_fresh_browser(
    workspace_server: AppServer, data_dir: Path, browser: Any, screenshots: Path
):
    created = cli("create", "sample_data/sales_deals_ja.csv", "--name", "Demo", "--data-dir", str(data_dir))
    figures = sales_expected()  # plain pandas over the same CSV
    context, page = fresh_page(browser)
    try:
        page.goto(f"{workspace_server.url}/Data{created['viewer_link'][1:]}&lang=en")
        expect(page.locator("h1").first).to_have_text("Is the data read correctly?")
        wait_idle(page)
        expect(metric_value(page, "rows_read")).to_have_text(fmt_int(figures["rows_read"]))
        expect(metric_value(page, "rows_rejected")).to_have_text(fmt_int(figures["rejected"]))
        expect(page.locator(".st-key-ws_sidebar")).to_contain_text("Workspace: Demo")
        expect(page.locator(".st-key-roles_table")).to_be_visible()  # read only
        assert page.locator(UPLOAD_INPUT).count() == 0
        assert page.locator(".st-key-roles_editor").count() == 0
        assert page.locator(".st-key-w_src").count() == 0
        full_screenshot(page, screenshots / "workspace_viewer_data_en.png")

        page.locator(".st-key-nav a[href^='Funnel?']").first.click()  # the nav link keeps ws and key
        expect(page.locator("h1").first).to_have_text("Where does the funnel leak?")
        wait_idle(page)
        assert f"ws={created['workspace']}" in page.url
        expect(metric_value(page, "won")).to_have_text(fmt_int(figures["won"]))
        full_screenshot(page, screenshots / "workspace_viewer_funnel_en.png")
    finally:
        context.close()

    cli("revoke", created["workspace"], "--links", "--admin", "--data-dir", str(data_dir))
    context, page = fresh_page(browser)
    try:
        page.goto(f"{workspace_server.url}{created['viewer_link']}&lang=en")
        expect(page.locator("h1").first).to_have_text("Not found")
        wait_idle(page)
        expect(page.locator(".st-key-ws_not_found")).to_contain_text(WorkspaceNotFound().message("en"))
        assert page.locator("[data-testid=stMetricValue]").count() == 0
        assert page.get_by_text("Demo").count() == 0
        home = page.get_by_role("link", name="Go to the app's home")
        expect(home).to_be_visible()
        full_screenshot(page, screenshots / "workspace_not_found_en.png")
        home.click()  # the app's home without the workspace: the sample again
        expect(page.locator("h1").first).to_have_text("How are we doing?")
        wait_idle(page)
        expect(page).not_to_have_url(re.compile(r"[?&](ws|key)="))
        expect(page.locator(".st-key-w_src")).to_be_visible()
    finally:
        context.close()


def test_an_upload_saved_as_a_workspace_gives_a_viewer_link_another_browser_opens(
    workspace_server: AppServer, data_dir: Path, browser: Any, screenshots: Path
):
    context, page = fresh_page(browser)
    try:
        page.goto(f"{workspace_server.url}/Data?lang=en")
        wait_idle(page)
        page.locator(UPLOAD_INPUT).set_input_files(
            files=[{"name": "west_deals.csv", "mimeType": "text/csv", "buffer": deals_csv()}]
        )
        expect(page.locator(".st-key-ws_save")).to_be_visible()
        wait_idle(page)
        page.locator(".st-key-ws_name input").fill("Team West")
        page.locator(".st-key-ws_name input").press("Enter")
        wait_idle(page)
        page.locator(".st-key-ws_save_button button").click()
        links = page.locator(".st-key-ws_links [data-testid=stCode] code")
        expect(links).to_have_count(2)
        viewer_link = links.nth(0).inner_text().strip()
        assert viewer_link.startswith(f"{workspace_server.url}/?ws=")  # a full address, ready to copy
        full_screenshot(page, screenshots / "workspace_saved_links_en.png")
    finally:
        context.close()

    context, page = fresh_page(browser, locale="ja-JP")
    try:
        page.goto(viewer_link.replace("/?", "/Funnel?", 1))
        expect(page.locator("h1").first).to_have_text("ファネルのどこで漏れているか？")
        wait_idle(page)
        expect(metric_value(page, "won")).to_have_text(fmt_int(expected_small()["won"]))
        assert page.locator(".st-key-w_src").count() == 0
    finally:
        context.close()
