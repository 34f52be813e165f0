"""Sign-in end to end: Streamlit's st.login against a real (tiny, local) OpenID Connect provider.

The app server gets a secrets file of its own ([auth] with the provider's discovery URL, written in a temporary
folder and passed with --secrets.files: the repository's .streamlit/ is never touched); the provider
(tests/e2e/oidc_provider.py) runs on 127.0.0.1 in this process and signs its id_tokens with a test RSA key. Shown:
a workspace limited to one address opens for that address after sign-in (on the page its link named), another
address gets the refusal and no data, sign-out works, and a server without [auth] runs open as before.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from oidc_provider import CLIENT_ID, CLIENT_SECRET, RunningProvider
from playwright.sync_api import expect
from server import AppServer, free_port, full_screenshot, launch_app, metric_value, wait_healthy, wait_idle

from kpi_core.intake.load import FileInput
from kpi_core.workspace import CreatedWorkspace, Settings, create_workspace
from tests.test_app_expected import DEALS, deals_csv
from ui.format import fmt_int

pytestmark = pytest.mark.e2e

LISTED = "ana@example.com"
UNLISTED = "eve@elsewhere.example"
NAME = "Team West"
NEEDS_SIGN_IN = "Only listed people may open this workspace: sign in first."
NO_SIGN_IN_HERE = "This workspace needs sign-in, which this server has not turned on: ask the operator."


def launch(log_path: Path, secrets_file: Path, data_dir: Path, port: int) -> AppServer:
    """`streamlit run app.py` as tests/e2e/server.py starts it, with its own secrets file and data directory."""
    server = launch_app(
        log_path, port, extra_args=("--secrets.files", str(secrets_file)), env={"KPI_PIVOT_DATA_DIR": str(data_dir)}
    )
    try:
        wait_healthy(server)
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sign-in") / "workspaces"


@pytest.fixture(scope="module")
def workspaces(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, CreatedWorkspace]:
    """One workspace limited to LISTED, one open to anyone holding its link (the same small export)."""
    deals = tmp_path_factory.mktemp("export") / "west_deals.csv"
    deals.write_bytes(deals_csv())
    files = [FileInput(deals.name, deals)]
    return {
        "limited": create_workspace(files, NAME, settings=Settings(allowed=(LISTED,)), data_dir=data_dir),
        "open": create_workspace(files, "Team East", data_dir=data_dir),
    }


@pytest.fixture(scope="module")
def provider() -> Iterator[RunningProvider]:
    running = RunningProvider()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def signed_server(
    tmp_path_factory: pytest.TempPathFactory, provider: RunningProvider, data_dir: Path
) -> Iterator[AppServer]:
    """The app with [auth] pointing at the local provider; always stopped at the end."""
    folder = tmp_path_factory.mktemp("auth-secrets")
    port = free_port()
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{provider.state.metadata_url}"\n',
        encoding="utf-8",
    )
    secrets_file.chmod(0o600)
    server = launch(folder / "streamlit.log", secrets_file, data_dir, port)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser profile (no sign-in cookie), English."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    try:
        yield ctx
    finally:
        ctx.close()


def data_link(server: AppServer, created: CreatedWorkspace, lang: str = "en") -> str:
    """The viewer link, opened on the Data page (the page must survive the trip to the provider)."""
    return f"{server.url}/Data{created.viewer_link[1:]}&lang={lang}"


def shown(page: Any) -> str:
    """The page's text as read (escape_markdown puts a word joiner after an address's @, against auto-links)."""
    return page.locator("body").inner_text().replace("\u2060", "")


def expect_shown(page: Any, text: str) -> None:
    expect(page.locator("body")).to_contain_text(text.replace("@", "@\u2060"))


def sign_in_as(page: Any, provider: RunningProvider, email: str) -> None:
    """Click "Sign in": the browser goes to the provider, which sends it straight back as `email`."""
    provider.state.next_email = email
    page.locator(".st-key-ws_sign_in button").click()


def test_a_listed_address_signs_in_and_opens_its_workspace_on_the_linked_page(
    signed_server: AppServer,
    provider: RunningProvider,
    workspaces: dict[str, CreatedWorkspace],
    context: Any,
    screenshots: Path,
):
    issued = len(provider.state.tokens_issued)
    page = context.new_page()
    page.goto(data_link(signed_server, workspaces["limited"]))
    wait_idle(page)
    expect(page.get_by_text(NEEDS_SIGN_IN)).to_be_visible()
    expect(page.locator("[data-testid=stMetricValue]")).to_have_count(0)
    assert NAME not in shown(page)
    full_screenshot(page, screenshots / "sign_in_needed_en.png")

    sign_in_as(page, provider, LISTED)
    # Back from the provider, on the Data page of the workspace the link named (not the app's home).
    expect_shown(page, f"Signed in as {LISTED}")
    expect(page.locator(".st-key-ws_sidebar")).to_contain_text(f"Workspace: {NAME}")
    expect(page.locator("h1").first).to_have_text("Is the data read correctly?")
    expect(metric_value(page, "rows_read")).to_have_text(fmt_int(len(DEALS)))
    assert f"ws={workspaces['limited'].id}" in page.url and "/Data" in page.url
    assert provider.state.tokens_issued[issued:] == [LISTED] and provider.state.refused == []
    wait_idle(page)
    full_screenshot(page, screenshots / "sign_in_opened_en.png")

    # The sign-in cookie is the browser's: a second tab of the same profile opens the workspace at once, in Japanese.
    second = context.new_page()
    second.goto(data_link(signed_server, workspaces["limited"], lang="ja"))
    expect_shown(second, f"{LISTED} でサインイン中")
    expect(metric_value(second, "rows_read")).to_have_text(fmt_int(len(DEALS)))
    wait_idle(second)
    full_screenshot(second, screenshots / "sign_in_opened_ja.png")
    second.close()

    # Sign out: the next visit asks again.
    page.locator(".st-key-ws_sign_out button").click()
    expect(page.locator(".st-key-ws_sign_in button")).to_be_visible()  # the home page's sidebar, signed out
    page.goto(data_link(signed_server, workspaces["limited"]))
    expect(page.get_by_text(NEEDS_SIGN_IN)).to_be_visible()
    expect(page.locator("[data-testid=stMetricValue]")).to_have_count(0)


def test_an_unlisted_address_is_refused_and_sees_no_data(
    signed_server: AppServer,
    provider: RunningProvider,
    workspaces: dict[str, CreatedWorkspace],
    context: Any,
    screenshots: Path,
):
    issued = len(provider.state.tokens_issued)
    page = context.new_page()
    page.goto(data_link(signed_server, workspaces["limited"]))
    expect(page.get_by_text(NEEDS_SIGN_IN)).to_be_visible()
    sign_in_as(page, provider, UNLISTED)
    expect_shown(page, f"{UNLISTED} may not open this workspace")
    wait_idle(page)
    assert provider.state.tokens_issued[issued:] == [UNLISTED]  # signed in for real, then refused by the app
    text = shown(page)
    assert NAME not in text and "west_deals" not in text  # neither its name nor its file
    expect(page.locator("[data-testid=stMetricValue]")).to_have_count(0)
    expect(page.locator(".st-key-ws_sidebar")).to_have_count(0)
    expect(page.locator("[data-testid=stDataFrame]")).to_have_count(0)
    full_screenshot(page, screenshots / "sign_in_refused_en.png")
    # The workspace open to anyone still opens for this person.
    page.goto(data_link(signed_server, workspaces["open"]))
    expect(metric_value(page, "rows_read")).to_have_text(fmt_int(len(DEALS)))


def test_without_auth_in_the_secrets_the_app_runs_open_as_before(
    tmp_path: Path, data_dir: Path, workspaces: dict[str, CreatedWorkspace], context: Any
):
    server = launch(tmp_path / "streamlit.log", tmp_path / "no-secrets.toml", data_dir, free_port())  # no such file
    try:
        page = context.new_page()
        page.goto(data_link(server, workspaces["open"]))
        expect(metric_value(page, "rows_read")).to_have_text(fmt_int(len(DEALS)))
        expect(page.locator(".st-key-ws_sidebar")).to_contain_text("Workspace: Team East")
        wait_idle(page)
        expect(page.locator(".st-key-ws_sign_in")).to_have_count(0)  # no sign-in button anywhere
        page.goto(data_link(server, workspaces["limited"]))
        expect(page.get_by_text(NO_SIGN_IN_HERE)).to_be_visible()  # closed rather than open
        expect(page.locator("[data-testid=stMetricValue]")).to_have_count(0)
        assert NAME not in shown(page)
    finally:
        server.stop()
