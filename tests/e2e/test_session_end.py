"""When a session ends, what it held goes: a download's address stops answering, and the server's sweep frees the
session's data (a server of its own, with a 1 s sweep and a 2 s reconnect window instead of 30 s and 150 s)."""

from __future__ import annotations

import hashlib
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from server import AppServer, launch_app, wait_healthy, wait_idle
from test_browser import UPLOAD_INPUT

pytestmark = pytest.mark.e2e


@pytest.fixture
def quick_sweep_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppServer]:
    monkeypatch.setenv("KPI_PIVOT_SWEEP_SECONDS", "1")
    monkeypatch.setenv("KPI_PIVOT_SESSION_GRACE_SECONDS", "2")
    server = launch_app(tmp_path / "streamlit.log")  # the child inherits the environment above
    try:
        wait_healthy(server)
        yield server
    finally:
        server.stop()


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_download_address_stops_answering_once_its_session_has_closed(quick_sweep_server: AppServer, browser: Any):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    page = context.new_page()
    page.goto(f"{quick_sweep_server.url}/Funnel?lang=en&asof=2026-11-15")
    wait_idle(page)
    page.get_by_text("Figures by period").click()  # the expander with the table and its CSV download
    button = page.locator(".st-key-dl_funnel_periods_table_csv button")
    expect(button).to_be_visible()
    wait_idle(page)  # the expander's rerun has finished: the button's file is registered
    with page.expect_download(timeout=60_000) as download:
        button.click()
    url = download.value.url
    assert "/media/" in url
    assert Path(download.value.path()).read_bytes().startswith(b"\xef\xbb\xbf")  # the file itself was served
    context.close()

    deadline = time.monotonic() + 30
    while status_of(url) == 200 and time.monotonic() < deadline:
        time.sleep(0.5)  # polling the server's state, bounded by the deadline
    assert status_of(url) == 404


def test_an_upload_is_held_on_disk_while_its_session_lives_and_removed_after(
    quick_sweep_server: AppServer, browser: Any
):
    data = b"id,stage,amount,created\n1,Won,100,2024-01-05\n2,Open,200,2024-01-09\n"
    spooled = Path(tempfile.gettempdir()) / f"kpi_pivot_uploads_{quick_sweep_server.process.pid}" / sha256(data)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    page = context.new_page()
    page.goto(f"{quick_sweep_server.url}/Data?lang=en")
    wait_idle(page)
    page.locator(UPLOAD_INPUT).set_input_files(files=[{"name": "deals.csv", "mimeType": "text/csv", "buffer": data}])
    expect(page.locator(".st-key-w_src input")).to_have_value("My files")
    assert spooled.read_bytes() == data  # the bytes live on disk under their hash, not in the session
    time.sleep(4)  # longer than the sweep and the reconnect window: the live session keeps its file
    assert spooled.is_file()
    context.close()

    deadline = time.monotonic() + 30
    while spooled.exists() and time.monotonic() < deadline:
        time.sleep(0.5)  # polling the server's state, bounded by the deadline
    assert not spooled.exists()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
