"""Start and stop the Streamlit app on a free local port, and the Playwright helpers the e2e tests and the browser
benchmark share (launching Debian's Chromium, waiting for a rerun to settle, reading metrics, full screenshots)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
START_TIMEOUT_S = 60.0
METRIC_VALUE = "[data-testid=stMetricValue]"
IDLE_APP = "[data-testid=stApp][data-test-script-state=notRunning][data-test-connection-state=CONNECTED]"


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class AppServer:
    """A running `streamlit run app.py` child process (in its own process group) and its base URL."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Terminate the whole process group; kill it if it does not exit within a few seconds."""
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def launch_app(
    log_path: Path, port: int | None = None, *, extra_args: Sequence[str] = (), env: Mapping[str, str] | None = None
) -> AppServer:
    """Start the app from the repository root (returns at once; see `wait_healthy`); `extra_args` are more
    `streamlit run` options, `env` more environment variables."""
    port = port or free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    argv = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        *extra_args,
    ]
    environment = {**os.environ, **(env or {})}
    with open(log_path, "wb") as log:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            argv, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    return AppServer(process, port, log_path)


def wait_healthy(server: AppServer, timeout_s: float = START_TIMEOUT_S) -> None:
    """Poll /_stcore/health until it answers "ok"; raise (with the log's tail) on timeout or an early exit."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as response:
                if response.status == 200 and response.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.1)  # a poll interval, not a wait for the app: the loop is bounded by the deadline
    raise RuntimeError(f"streamlit did not answer within {timeout_s:.0f} s:\n{server.log_tail()}")


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium (never a downloaded browser)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def wait_idle(page: Any, timeout_ms: float = 30_000) -> None:
    """Wait until the script is not running and the connection is up (after a rerun has been seen to finish)."""
    page.locator(IDLE_APP).wait_for(state="attached", timeout=timeout_ms)


def metric_value(page: Any, key: str) -> Any:
    """The locator of the big value of the headline figure `kpi_<key>`."""
    return page.locator(f".st-key-kpi_{key} {METRIC_VALUE}")


def metric_help(page: Any, key: str, timeout_ms: float = 5_000, attempts: int = 3) -> str:
    """The help tooltip of headline figure `kpi_<key>` (where the exact value is), read by hovering its icon.

    Hovered again if a rerun redrew the figure under the pointer and the tooltip closed before it could be read."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(attempts):
        wait_idle(page)
        try:
            page.locator(f".st-key-kpi_{key} [data-testid=stTooltipHoverTarget]").hover(timeout=timeout_ms)
            tooltip = page.locator("[data-testid=stTooltipContent]").last
            tooltip.wait_for(timeout=timeout_ms)
            text = tooltip.inner_text(timeout=timeout_ms)
            page.mouse.move(0, 0)  # close it, so the next hover opens a fresh one
            tooltip.wait_for(state="detached", timeout=timeout_ms)
            return text
        except PlaywrightTimeout:
            page.mouse.move(0, 0)
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def full_screenshot(page: Any, path: Path) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its main area, so the window is made as tall as
    the content for the shot (the width, and so the charts' layout, stays the same)."""
    viewport = page.viewport_size
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        height = viewport["height"]
        for _ in range(4):  # grids and charts drawn lazily can grow the page once it is tall: measure again
            wanted = max(int(page.evaluate(CONTENT_HEIGHT_JS)) + 40, viewport["height"])
            if wanted == height:
                break
            height = wanted
            page.set_viewport_size({"width": viewport["width"], "height": height})
            wait_painted(page)
        wait_idle(page)
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(viewport)


CONTENT_HEIGHT_JS = """() => Math.max(...['[data-testid=stMainBlockContainer]', '[data-testid=stSidebarContent]']
    .map(s => document.querySelector(s)).filter(Boolean)
    .map(e => e.getBoundingClientRect().top + e.scrollHeight + window.scrollY))"""
# Done when no skeleton placeholder is left and two animation frames have passed (canvas grids repaint on resize).
PAINTED_JS = """() => new Promise(done => {
    const check = () => document.querySelector('[data-testid=stSkeleton]')
        ? setTimeout(check, 50)
        : requestAnimationFrame(() => requestAnimationFrame(() => done(true)));
    check();
})"""


def wait_painted(page: Any, timeout_ms: float = 10_000) -> None:
    """Wait until Streamlit's placeholders are replaced and the browser has painted twice."""
    page.wait_for_function(PAINTED_JS, timeout=timeout_ms)
