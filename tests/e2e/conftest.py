"""Fixtures of the browser tests: the app on a free local port (one per session) and Debian's Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server import CHROMIUM, AppServer, launch_app, launch_chromium, wait_healthy

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
EXPECT_TIMEOUT_MS = 20_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


def _require_chromium() -> None:
    """Without Debian's Chromium: skip locally, fail under CI (CI=true)."""
    if CHROMIUM.is_file():
        return
    message = f"{CHROMIUM} is missing: apt-get install chromium (a downloaded browser does not work here)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """`streamlit run app.py` on a free port; always terminated at the end, also when a test fails."""
    _require_chromium()
    server = launch_app(tmp_path_factory.mktemp("streamlit") / "streamlit.log")
    try:
        wait_healthy(server)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser(app_server: AppServer) -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, app_server: AppServer) -> Iterator[Any]:
    """A fresh browser context (so a fresh Streamlit session) per test, Japanese locale, projector-like size."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="ja-JP", base_url=app_server.url)
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
