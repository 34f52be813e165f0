"""Load benchmark: N browser sessions at once against one app server (Debian's Chromium through Playwright).

    python benchmarks/bench_load.py --sessions 20                       # every session opens Home of the sample
    python benchmarks/bench_load.py --sessions 5 --rows 1000000         # every session uploads its own CSV, then
                                                                        # opens Funnel and Pivots
    python benchmarks/bench_load.py --sessions 4 --rows 100000 --mix 2  # 2 sample sessions + 2 upload sessions
    python benchmarks/bench_load.py --sessions 5 --rows 1000000 --same-file  # one file for all: shared work

All sessions start together (one Chromium, one context each: no shared cookies or cache between them). Per page:
the time from the navigation (URL opened, or nav link clicked) to its first headline figure laid out with text,
timestamped in the page on the animation frame it appears (as in bench_browser.py); median and p95 over sessions.
Also: errors (an st.exception / stException element, or a page that never showed its figure), peak resident
memory of the server process and its children (sampled from /proc every 100 ms), the server's CPU seconds, and a
cross-session leak check: each upload session uploads a file with its own row count (rows + i) and must see exactly
that count on the Data page and its own file name (and no other session's) in the sidebar of Funnel and Pivots.
Prints a Markdown table and writes it to benchmarks/out/load_<mode>.md.

Client modes. `--client chromium` (the default, as above) drives real browsers, all on this machine: with 20
contexts on 2 cores the browsers, not the server, set the time. `--client protocol` plays each remote user's
browser at the protocol level, as a browser on its own machine would talk to the server: it fetches the page's HTML
shell (index.html and the scripts, styles and font it names; not the chunks the browser loads lazily later),
/_stcore/health (the XSRF cookie) and /_stcore/host-config, opens the websocket /_stcore/stream with the browser's
subprotocols (`streamlit`, the XSRF token), sends the first rerun BackMsg with the page name and query string as
the frontend does, and timestamps the ForwardMsg delta that carries the page's first headline figure (the st.metric
in the container keyed `kpi_<name>`, with a value) and the run's script_finished. Upload sessions ask for an upload
URL (file_urls_request), PUT the file there over HTTP (multipart, X-Xsrftoken header, as the browser's uploader
does), then send the widget-state rerun that carries the uploaded file's info; pages after the first are opened by
"clicking" the sidebar's nav link (a rerun with the link's page hash and query string). The leak check reads the
deltas each session receives: its own row count on the Data page, its own file name and no other session's.
`--browsers K` runs K of the sessions in Chromium alongside the protocol ones, so the table shows both what the
server gives and what a browser on this machine sees under that load. In protocol mode the table also splits each
page's time into the wait before the script starts (rerun sent → new_session) and the run itself (new_session →
script_finished), and the server's CPU into its event-loop thread and the rest (script threads, DuckDB):

    python benchmarks/bench_load.py --sessions 20 --client protocol
    python benchmarks/bench_load.py --sessions 20 --client protocol --browsers 2
    python benchmarks/bench_load.py --sessions 5 --rows 1000000 --client protocol
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import datetime
import gzip
import http.client
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_kpis import generate_deals_csv  # noqa: E402
from server import CHROMIUM, CHROMIUM_ARGS, IDLE_APP, launch_app, wait_healthy  # noqa: E402

TIMEOUT_MS = 600_000
# The figure each page shows first (its headline), as `.st-key-kpi_<name>`.
FIRST_FIGURE = {"home": "won", "data": "rows_read", "funnel": "won", "pivots": "kgi_forecast"}
NAV_PREFIX = {"funnel": "Funnel", "pivots": "Pivots"}
FIGURE_JS = """(name) => {
  const el = document.querySelector(`.st-key-kpi_${name} [data-testid=stMetricValue]`);
  if (!el || !el.textContent.trim() || el.getBoundingClientRect().width === 0) return false;
  return performance.timeOrigin + performance.now();
}"""
ROWS_JS = """(name) => {
  const el = document.querySelector(`.st-key-kpi_${name} [data-testid=stMetricValue]`);
  return el ? el.textContent.trim() : null;
}"""
SIDEBAR_JS = "() => (document.querySelector('[data-testid=stSidebarContent]') || {}).innerText || ''"


# ------------------------------------------------------------------------------------------------ server memory
def _tree_pids(root: int) -> list[int]:
    """`root` and its descendants (from /proc/*/stat parent ids)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (its threads included) and of its children it has reaped (Chromium's
    renderer of a closed context)."""
    with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of every CPU since boot, from /proc/stat."""
    with open("/proc/stat", encoding="utf-8") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


class RssSampler(threading.Thread):
    """Samples the resident memory of a process tree every `interval_s`; `peak` is the largest sum seen."""

    def __init__(self, pid: int, interval_s: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval_s, self.peak = pid, interval_s, 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.peak = max(self.peak, sum(_rss_bytes(p) for p in _tree_pids(self.pid)))
            self.stopped.wait(self.interval_s)


# ------------------------------------------------------------------------------------------------ one session
@dataclass
class Session:
    index: int
    csv: Path | None  # None: the sample
    rows: int | None = None
    times: dict[str, float] = field(default_factory=dict)  # page → seconds to first figure
    errors: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    client: str = "chromium"  # or "protocol"
    protocol: dict[str, dict[str, float]] = field(default_factory=dict)  # protocol mode: page → its time split


async def _first_figure(page: Any, name: str) -> float:
    """The page's epoch seconds when figure `name` is first laid out with text."""
    handle = await page.wait_for_function(FIGURE_JS, arg=name, polling="raf", timeout=TIMEOUT_MS)
    return float(await handle.json_value()) / 1000


async def _idle(page: Any) -> None:
    await page.locator(IDLE_APP).wait_for(state="attached", timeout=TIMEOUT_MS)


async def _check_errors(page: Any, session: Session, where: str) -> None:
    count = await page.locator("[data-testid=stException]").count()
    if count:
        text = await page.locator("[data-testid=stException]").first.inner_text()
        session.errors.append(f"{where}: {count} exception(s): {text[:200]!r}")


async def run_session(browser: Any, url: str, session: Session, names: dict[int, str], sample_pages: list[str]) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 900}, locale="ja-JP", base_url=url)
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    try:
        if session.csv is None:
            started = time.time()
            await page.goto("/")
            session.times["home"] = await _first_figure(page, FIRST_FIGURE["home"]) - started
            await _idle(page)
            await _check_errors(page, session, "home")
            for name in sample_pages:
                await _open_by_nav(page, session, name)
            return
        started = time.time()
        await page.goto("/Data")
        session.times["data"] = await _first_figure(page, FIRST_FIGURE["data"]) - started
        await _idle(page)
        before = await page.evaluate(ROWS_JS, "rows_read")
        async with page.expect_request_finished(lambda r: "/_stcore/upload_file" in r.url, timeout=TIMEOUT_MS):
            await page.locator(".st-key-upload_box input[type=file]").set_input_files(str(session.csv))
        uploaded = time.time()
        own = f"{session.rows:,}"
        await page.wait_for_function(
            "([name, old]) => { const el = document.querySelector(`.st-key-kpi_${name} [data-testid=stMetricValue]`);"
            " return el && el.textContent.trim() !== old && el.textContent.trim(); }",
            arg=["rows_read", before],
            polling="raf",
            timeout=TIMEOUT_MS,
        )
        session.times["upload→rows"] = time.time() - uploaded
        await _idle(page)
        shown = await page.evaluate(ROWS_JS, "rows_read")
        if shown != own:
            session.leaks.append(f"Data page shows {shown} rows, its own file has {own}")
        await _check_errors(page, session, "data")
        for name in ("funnel", "pivots"):
            await _open_by_nav(page, session, name)
            sidebar = await page.evaluate(SIDEBAR_JS)
            if names[session.index] not in sidebar:
                session.leaks.append(f"{name}: own file name not in the sidebar")
            others = [n for i, n in names.items() if n != names[session.index] and n in sidebar]
            if others:
                session.leaks.append(f"{name}: sidebar names another session's file {others}")
    except Exception as exc:  # a timeout or a lost page: counted, the other sessions go on
        session.errors.append(f"{type(exc).__name__}: {str(exc)[:300]}")
        with_shot = OUT / f"load_failure_{session.index}.png"
        with contextlib.suppress(Exception):  # best effort
            await page.screenshot(path=str(with_shot), full_page=True)
    finally:
        await context.close()


async def _open_by_nav(page: Any, session: Session, name: str) -> None:
    """Follow the sidebar link to page `name` as a user would; time to its first figure. The orders used (Data →
    Funnel → Pivots, Home → Pivots → Funnel) never leave a figure of the same key on screen from the page before."""
    started = time.time()
    await page.locator(f".st-key-nav a[href^='{NAV_PREFIX[name]}']").click()
    session.times[name] = await _first_figure(page, FIRST_FIGURE[name]) - started
    await _idle(page)
    await _check_errors(page, session, name)


# ------------------------------------------------------------------------------------------------ protocol client
ID_PREFIX = "$$ID-"  # a keyed element's or container's id: "$$ID-<hash>-<user key>"
MARKDOWN_ESCAPE = re.compile(rb"\\([!-/:-@\[-`{-~])")  # a backslash before ASCII punctuation
SHELL_REF = re.compile(r'(?:src|href)="\./(static/[^"]+)"')
EARLY_FOR_RERUN = 2  # ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
BROWSER_CONNECTIONS = 6  # HTTP/1.1 connections a browser opens to one host
HTTP_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=160, thread_name_prefix="bench-http")


def user_key(element_id: str) -> str | None:
    """The user key of a keyed element or container id ("$$ID-<hash>-kpi_won" → "kpi_won"), else None."""
    if not element_id.startswith(ID_PREFIX):
        return None
    parts = element_id[len(ID_PREFIX) :].split("-", 1)
    return parts[1] if len(parts) == 2 and parts[1] else None


def unescaped(payload: bytes) -> bytes:
    """Delta bytes with Markdown's backslash escapes and word joiners taken out, so user text (a file name) is found
    as the reader sees it: the app writes "deals\\_1.csv" into a caption, the browser shows "deals_1.csv"."""
    return MARKDOWN_ESCAPE.sub(rb"\1", payload).replace("\u2060".encode(), b"")


def shell_assets(html: str) -> list[str]:
    """The static files index.html names (entry script, module preloads, styles, preloaded font), in order."""
    return list(dict.fromkeys(SHELL_REF.findall(html)))


def multipart_body(field_name: str, file_name: str, content_type: str, data: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body holding one file, and its Content-Type header (as a browser's FormData sends)."""
    boundary = "----benchload" + os.urandom(12).hex()
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"; filename="{file_name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@dataclass
class ScriptRun:
    """One script run as the client sees it, from its new_session ForwardMsg to its script_finished."""

    started: float  # epoch seconds the new_session arrived
    page_hash: str = ""
    blocks: dict[tuple[int, ...], str] = field(default_factory=dict)  # delta path → container user key
    figures: list[tuple[str, str, float]] = field(default_factory=list)  # (kpi name, value, arrival)
    nav_links: dict[str, tuple[str, str]] = field(default_factory=dict)  # page → (script hash, query string)
    uploader_id: str | None = None
    payload: list[bytes] = field(default_factory=list)  # every delta's bytes: what a leak would show in
    exceptions: list[str] = field(default_factory=list)
    finished: float | None = None
    status: int | None = None


class ProtocolClient:
    """One remote user's browser, played over Streamlit's own protocol (HTTP + the /_stcore/stream websocket)."""

    def __init__(self, url: str, session: Session, fetch_shell: bool = True) -> None:
        self.url, self.session, self.fetch_shell = url, session, fetch_shell
        self.host = url.split("://", 1)[1]
        self.xsrf = ""
        self.query = ""
        self.page_hash = ""
        self.session_id = ""
        self.runs: list[ScriptRun] = []
        self.updated = asyncio.Event()
        self.file_urls: dict[str, Any] = {}
        self.cache: dict[str, bytes] = {}  # ForwardMsg hash → bytes, for ref_hash messages
        self.ws: Any = None
        self.reader: asyncio.Task[None] | None = None
        self.closed_reason: str | None = None
        self._conns: dict[int, http.client.HTTPConnection] = {}

    # -- HTTP (blocking calls in a thread; keep-alive connections, up to BROWSER_CONNECTIONS as a browser opens)
    def _request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None, slot: int = 0
    ) -> Any:
        for attempt in range(2):
            conn = self._conns.get(slot)
            if conn is None:
                conn = self._conns[slot] = http.client.HTTPConnection(self.host, timeout=TIMEOUT_MS / 1000)
            all_headers = {"Accept-Encoding": "gzip, deflate, br", "User-Agent": "bench_load protocol client"}
            if self.xsrf:
                all_headers["Cookie"] = f"_streamlit_xsrf={self.xsrf}"
            all_headers.update(headers or {})
            try:
                conn.request(method, path, body=body, headers=all_headers)
                response = conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn.close()
                del self._conns[slot]
                if attempt:
                    raise
                continue
            cookie = response.headers.get("Set-Cookie") or ""
            if cookie.startswith("_streamlit_xsrf=") and not self.xsrf:
                self.xsrf = cookie.split(";", 1)[0].split("=", 1)[1]
            return response.status, response.headers, data
        raise AssertionError("unreachable")

    async def http(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None, slot: int = 0
    ) -> Any:
        loop = asyncio.get_running_loop()
        status, response_headers, data = await loop.run_in_executor(
            HTTP_POOL, self._request, method, path, body, headers, slot
        )
        if status >= 400:
            raise RuntimeError(f"{method} {path}: HTTP {status} {data[:200]!r}")
        return status, response_headers, data

    # -- the websocket
    async def open(self, path: str) -> None:
        """Load the page as a browser does before its first rerun: HTML shell, health, host config, websocket."""
        from websockets.asyncio.client import connect

        if self.fetch_shell:
            _, _, html = await self.http("GET", path)
            if html[:2] == b"\x1f\x8b":
                html = gzip.decompress(html)
            assets = shell_assets(html.decode("utf-8", "replace"))

            async def fetch(slot: int) -> None:  # each connection takes every BROWSER_CONNECTIONS-th file
                for asset in assets[slot::BROWSER_CONNECTIONS]:
                    await self.http("GET", "/" + asset, slot=slot)

            await asyncio.gather(*(fetch(slot) for slot in range(BROWSER_CONNECTIONS)))
        await self.http("GET", "/_stcore/health")
        await self.http("GET", "/_stcore/host-config")
        self.ws = await connect(
            self.url.replace("http", "ws", 1) + "/_stcore/stream",
            subprotocols=["streamlit", self.xsrf or "PLACEHOLDER_AUTH_TOKEN"],  # the frontend's Sec-WebSocket-Protocol
            origin=self.url,
            additional_headers={"Cookie": f"_streamlit_xsrf={self.xsrf}"} if self.xsrf else None,
            max_size=None,
            compression=None,  # Chromium offers permessage-deflate, but Streamlit's server does not take it
            open_timeout=TIMEOUT_MS / 1000,
            ping_interval=None,
        )
        self.reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(BaseException):
                await self.reader
        for conn in self._conns.values():
            conn.close()

    async def _read(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        try:
            async for data in self.ws:
                now = time.time()
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._handle(msg, data, now)
                self.updated.set()
        except Exception as exc:  # the connection dropped: waiters see it
            self.closed_reason = f"{type(exc).__name__}: {exc}"
        else:
            self.closed_reason = "websocket closed by the server"
        self.updated.set()

    def _handle(self, msg: Any, data: bytes, now: float) -> None:
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":  # a message this client was sent before: the frontend takes it from its cache
            cached = self.cache.get(msg.ref_hash)
            if cached is None:
                self.session.errors.append(f"ref_hash {msg.ref_hash} of a message never received")
                return
            metadata = msg.metadata
            msg = type(msg)()
            msg.ParseFromString(cached)
            msg.metadata.CopyFrom(metadata)
            data, kind = cached, msg.WhichOneof("type")
        elif msg.metadata.cacheable and msg.hash:
            self.cache[msg.hash] = data
        run = self.runs[-1] if self.runs else None
        if kind == "new_session":
            if msg.new_session.initialize.session_id:
                self.session_id = msg.new_session.initialize.session_id
            self.page_hash = msg.new_session.page_script_hash or self.page_hash
            self.runs.append(ScriptRun(now, self.page_hash))
        elif kind == "navigation":
            if msg.navigation.page_script_hash:
                self.page_hash = msg.navigation.page_script_hash
                if run is not None:
                    run.page_hash = self.page_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "file_urls_response":
            self.file_urls[msg.file_urls_response.response_id] = msg.file_urls_response
        elif kind == "script_finished" and run is not None:
            run.finished, run.status = now, msg.script_finished
        elif kind == "delta" and run is not None:
            run.payload.append(data)
            path = tuple(msg.metadata.delta_path)
            delta = msg.delta
            if delta.WhichOneof("type") == "add_block":
                key = user_key(delta.add_block.id)
                if key:
                    run.blocks[path] = key
            elif delta.WhichOneof("type") == "new_element":
                element = delta.new_element
                what = element.WhichOneof("type")
                parent = run.blocks.get(path[:-1], "")
                if what == "metric" and element.metric.body.strip():
                    # `.st-key-kpi_<name> [data-testid=stMetricValue]`: the nearest container keyed kpi_<name>
                    owner = next(
                        (
                            k
                            for k in (run.blocks.get(path[:n], "") for n in range(len(path) - 1, 0, -1))
                            if k[:4] == "kpi_"
                        ),
                        None,
                    )
                    if owner:
                        run.figures.append((owner[4:], element.metric.body.strip(), now))
                elif what == "page_link" and parent == "nav":
                    link = element.page_link
                    run.nav_links[link.page] = (link.page_script_hash, link.query_string)
                elif what == "file_uploader" and parent == "upload_box":
                    run.uploader_id = element.file_uploader.id
                elif what == "exception":
                    run.exceptions.append(f"{element.exception.type}: {element.exception.message[:200]}")

    async def _until(self, check: Any, what: str) -> Any:
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while True:
            found = check()
            if found is not None:
                return found
            if self.closed_reason:
                raise RuntimeError(f"{what}: {self.closed_reason}")
            self.updated.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{what}: nothing after {TIMEOUT_MS / 1000:.0f} s")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.updated.wait(), left)

    # -- what a user does
    async def rerun(
        self, page_name: str = "", page_hash: str = "", query: str | None = None, widgets: list[Any] | None = None
    ) -> tuple[float, int]:
        """Send a rerun_script BackMsg as the frontend's sendRerunBackMsg does; (epoch sent, runs seen before)."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        back = BackMsg()
        state = back.rerun_script
        state.query_string = self.query if query is None else query
        state.page_script_hash = page_hash
        state.page_name = page_name
        state.widget_states.widgets.extend(widgets or [])
        info = state.context_info
        info.timezone, info.timezone_offset = LOCAL_TZ, LOCAL_TZ_OFFSET_MIN
        info.locale, info.is_embedded, info.color_scheme = "ja-JP", False, "light"
        info.url = f"{self.url}/{page_name}" + (f"?{state.query_string}" if state.query_string else "")
        seen = len(self.runs)
        sent = time.time()
        await self.ws.send(back.SerializeToString())
        return sent, seen

    def figure_after(self, first_run: int, name: str, unlike: str | None = None) -> tuple[str, float] | None:
        for run in self.runs[first_run:]:
            for figure, value, at in run.figures:
                if figure == name and value != unlike:
                    return value, at
        return None

    def done_after(self, first_run: int) -> ScriptRun | None:
        """The last run of an action: finished, and not cut short for a rerun the script asked for."""
        runs = self.runs[first_run:]
        if runs and runs[-1].finished is not None and runs[-1].status != EARLY_FOR_RERUN:
            return runs[-1]
        return None

    async def visit(
        self, name: str, sent: float, first_run: int, started: float, unlike: str | None = None, label: str = ""
    ) -> tuple[str, float]:
        """Wait for page `name`'s first figure (a value other than `unlike`) and the end of the action's last run;
        record the times under `label` (default: `name`), counted from `started`. Returns (figure, arrival)."""
        figure = FIRST_FIGURE[name]

        def shown_or_done() -> tuple[str, float | None] | None:
            found = self.figure_after(first_run, figure, unlike)
            return found or (("", None) if self.done_after(first_run) else None)

        value, at = await self._until(shown_or_done, name)
        runs = self.runs[first_run:]
        for run in runs:
            self.session.errors.extend(f"{label or name}: exception {e}" for e in run.exceptions)
        if at is None:
            seen = [f"{f}={v}" for run in runs for f, v, _ in run.figures]
            raise RuntimeError(f"{label or name}: the run finished without figure kpi_{figure} (seen: {seen[:8]})")
        last = await self._until(lambda: self.done_after(first_run), f"{name}: script_finished")
        runs = self.runs[first_run:]
        stats = self.session.protocol[label or name] = {}
        if sent > started:
            stats["page load before the rerun (HTML shell, health, websocket)"] = sent - started
        stats["rerun sent → script started (new_session)"] = runs[0].started - sent
        stats["script started → first figure"] = at - runs[0].started
        stats["script runs, new_session → script_finished (sum)"] = sum(
            (r.finished or r.started) - r.started for r in runs
        )
        stats["first figure"] = at - started
        stats["done (last script_finished)"] = last.finished - started
        stats["script runs"] = len(runs)
        self.session.times[label or name] = at - started
        return value, at

    async def open_by_nav(self, name: str) -> None:
        """Click the sidebar link to `name` (a rerun with the link's page hash and query string)."""
        links = self.runs[-1].nav_links if self.runs else {}
        if NAV_PREFIX[name] not in links:
            raise RuntimeError(f"no sidebar link to {NAV_PREFIX[name]} (links: {sorted(links)})")
        page_hash, query = links[NAV_PREFIX[name]]
        sent, first_run = await self.rerun(page_hash=page_hash, query=query)
        self.query = query
        await self.visit(name, sent, first_run, sent)

    async def upload(self, path: Path) -> tuple[float, list[Any]]:
        """Upload `path` into the Data page's uploader as the browser does: (epoch the PUT finished, the widget
        state the browser's next rerun carries)."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        uploader = next((r.uploader_id for r in reversed(self.runs) if r.uploader_id), None)
        if not uploader:
            raise RuntimeError("no file uploader in the upload_box container")
        request_id = f"bench-{self.session.index}-{len(self.file_urls)}"
        back = BackMsg()
        back.file_urls_request.request_id = request_id
        back.file_urls_request.file_names.append(path.name)
        back.file_urls_request.session_id = self.session_id
        await self.ws.send(back.SerializeToString())
        response = await self._until(lambda: self.file_urls.get(request_id), "file_urls_response")
        if response.error_msg:
            raise RuntimeError(f"file_urls_response: {response.error_msg}")
        urls = response.file_urls[0]
        data = path.read_bytes()
        body, content_type = multipart_body("file", path.name, "text/csv", data)
        target = urls.upload_url
        if "://" in target:
            target = "/" + target.split("://", 1)[1].split("/", 1)[1]
        await self.http("PUT", target, body, {"Content-Type": content_type, "X-Xsrftoken": self.xsrf})
        uploaded = time.time()
        state = WidgetState(id=uploader)
        info = state.file_uploader_state_value.uploaded_file_info.add()
        info.name, info.size, info.file_id = path.name, len(data), urls.file_id
        info.file_urls.CopyFrom(urls)
        return uploaded, [state]


def _local_tz() -> tuple[str, int]:
    """The machine's time zone name and its offset in minutes as JavaScript's getTimezoneOffset gives it."""
    name = os.environ.get("TZ") or ""
    with contextlib.suppress(OSError):
        link = os.readlink("/etc/localtime")
        name = name or link.split("zoneinfo/", 1)[-1]
    offset = datetime.datetime.now().astimezone().utcoffset() or datetime.timedelta(0)
    return name or "UTC", -int(offset.total_seconds() // 60)


LOCAL_TZ, LOCAL_TZ_OFFSET_MIN = _local_tz()


async def run_protocol_session(
    url: str, session: Session, names: dict[int, str], sample_pages: list[str], fetch_shell: bool
) -> None:
    """The same user journey as `run_session`, over the protocol."""
    client = ProtocolClient(url, session, fetch_shell)
    try:
        started = time.time()
        if session.csv is None:
            await client.open("/")
            sent, first_run = await client.rerun(page_name="")
            await client.visit("home", sent, first_run, started)
            for name in sample_pages:
                await client.open_by_nav(name)
            return
        await client.open("/Data")
        sent, first_run = await client.rerun(page_name="Data")
        before, _ = await client.visit("data", sent, first_run, started)
        uploaded, widgets = await client.upload(session.csv)
        sent, first_run = await client.rerun(page_hash=client.page_hash, widgets=widgets)
        shown, _ = await client.visit("data", sent, first_run, uploaded, unlike=before, label="upload→rows")
        own = f"{session.rows:,}"
        if shown != own:
            session.leaks.append(f"Data page shows {shown} rows, its own file has {own}")
        _check_names(client, session, names, "data", first_run)
        for name in ("funnel", "pivots"):
            first_run = len(client.runs)
            await client.open_by_nav(name)
            _check_names(client, session, names, name, first_run)
    except Exception as exc:  # a timeout or a lost connection: counted, the other sessions go on
        session.errors.append(f"{type(exc).__name__}: {str(exc)[:300]}")
    finally:
        await client.close()


def _check_names(client: ProtocolClient, session: Session, names: dict[int, str], where: str, first_run: int) -> None:
    """Every delta this session received for the page: its own file name must be there, no other session's."""
    received = unescaped(b"".join(b"".join(run.payload) for run in client.runs[first_run:]))
    own = names[session.index]
    if own.encode() not in received:
        session.leaks.append(f"{where}: own file name not in the page's deltas")
    others = [n for i, n in names.items() if n != own and n.encode() in received]
    if others:
        session.leaks.append(f"{where}: deltas name another session's file {others}")


def thread_cpu_seconds(pid: int) -> dict[int, float]:
    """CPU seconds of each live thread of `pid` (thread id → seconds)."""
    found = {}
    with contextlib.suppress(OSError):
        for tid in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError, IndexError):
                with open(f"/proc/{pid}/task/{tid}/stat", encoding="utf-8") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                found[int(tid)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return found


# ------------------------------------------------------------------------------------------------ the run
def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered) + 0.5) - 1))]


def browser_cpu_seconds(server_pid: int) -> float:
    """CPU seconds of this process's live descendants outside the server (Playwright's driver and Chromium)."""
    server = set(_tree_pids(server_pid))
    total = 0.0
    for pid in _tree_pids(os.getpid())[1:]:
        if pid not in server:
            with contextlib.suppress(OSError, IndexError):
                total += cpu_seconds(pid)
    return total


async def run_all(
    url: str, sessions: list[Session], sample_pages: list[str], server_pid: int, fetch_shell: bool = True
) -> tuple[float, float]:
    """(wall seconds until every session is done, the browser's CPU seconds meanwhile). Chromium is launched (when
    any session uses it) before the clock starts; every session then starts at once."""
    names = {s.index: s.csv.name for s in sessions if s.csv is not None}
    async with contextlib.AsyncExitStack() as stack:
        browser = None
        if any(s.client == "chromium" for s in sessions):
            from playwright.async_api import async_playwright

            playwright = await stack.enter_async_context(async_playwright())
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            stack.push_async_callback(browser.close)
        cpu_before = browser_cpu_seconds(server_pid)
        begin = time.perf_counter()
        await asyncio.gather(
            *(
                run_session(browser, url, s, names, sample_pages)
                if s.client == "chromium"
                else run_protocol_session(url, s, names, sample_pages, fetch_shell)
                for s in sessions
            )
        )
        return time.perf_counter() - begin, browser_cpu_seconds(server_pid) - cpu_before
    raise AssertionError("unreachable")


PAGES = ("home", "data", "upload→rows", "funnel", "pivots")
SPLIT_SKIP = {"first figure", "script runs"}


def stat_row(label: str, values: list[float], unit: str = " s") -> str:
    return (
        f"| {label} | {statistics.median(values):.2f}{unit} | {p95(values):.2f}{unit} | {max(values):.2f}{unit} "
        f"| {len(values)} |"
    )


def report_rows(sessions: list[Session]) -> list[str]:
    """The per-page rows of the table: time to first figure per client kind, then the protocol sessions' split."""
    kinds = sorted({s.client for s in sessions})
    lines = []
    for name in [p for p in PAGES if any(p in s.times for s in sessions)]:
        for kind in kinds:
            values = [s.times[name] for s in sessions if name in s.times and s.client == kind]
            if not values:
                continue
            label = (
                "end of upload → Data page shows its rows" if name == "upload→rows" else f"{name}: time to first figure"
            )
            lines.append(stat_row(label + (f" ({kind})" if len(kinds) > 1 or kind != "chromium" else ""), values))
    for name in PAGES:
        splits = [s.protocol[name] for s in sessions if name in s.protocol]
        if not splits:
            continue
        for key in dict.fromkeys(k for split in splits for k in split):
            values = [split[key] for split in splits if key in split]
            if key == "script runs":
                if max(values) > 1:
                    lines.append(stat_row(f"… {name}: script runs per action (protocol)", values, ""))
            elif key not in SPLIT_SKIP:
                lines.append(stat_row(f"… {name}: {key} (protocol)", values))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rows", type=int, default=0, help="upload sessions: CSV rows (each session rows + i)")
    parser.add_argument("--same-file", action="store_true", help="every upload session uploads the same file")
    parser.add_argument("--mix", type=int, default=None, help="with --rows: how many sessions open the sample")
    parser.add_argument("--sample-pages", default="", help="sample sessions: pages after Home (pivots,funnel)")
    parser.add_argument(
        "--client",
        choices=("chromium", "protocol"),
        default="chromium",
        help="chromium: real browsers on this machine; protocol: each user's browser played over HTTP + websocket",
    )
    parser.add_argument(
        "--browsers", type=int, default=0, help="with --client protocol: how many of the sessions run in Chromium"
    )
    parser.add_argument(
        "--no-shell", action="store_true", help="protocol: skip fetching index.html and its scripts (a warm cache)"
    )
    parser.add_argument("--label", default="", help="a name for the output file")
    args = parser.parse_args()
    browsers = args.sessions if args.client == "chromium" else min(args.browsers, args.sessions)
    if browsers and not CHROMIUM.is_file():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    OUT.mkdir(parents=True, exist_ok=True)
    sample_count = args.sessions if not args.rows else (args.mix or 0)
    sessions: list[Session] = []
    for i in range(args.sessions):
        if i < sample_count:
            sessions.append(Session(i, None))
        else:
            rows = args.rows if args.same_file else args.rows + i  # own content and row count: the leak check
            path = OUT / f"deals_{rows}.csv"
            generate_deals_csv(path, rows)
            sessions.append(Session(i, path, rows))
    # --browsers: Chromium sessions spread over the list (with --mix: over the sample and the upload sessions)
    chromium_at = {round(k * args.sessions / browsers) for k in range(browsers)} if browsers else set()
    for session in sessions:
        session.client = "chromium" if session.index in chromium_at else "protocol"
    sample_pages = [p for p in ("pivots", "funnel") if p in args.sample_pages.split(",")]
    logs = Path(tempfile.mkdtemp(prefix="bench_load_"))
    server = launch_app(logs / "app.log")
    try:
        wait_healthy(server)
        time.sleep(3)  # let the warm-up thread (imports, the default sample) finish, as a server in use has
        sampler = RssSampler(server.process.pid)
        sampler.start()
        pid = server.process.pid
        cpu_before, busy_before, threads_before = cpu_seconds(pid), machine_busy(), thread_cpu_seconds(pid)
        own_before = time.process_time()
        wall, browser_cpu = asyncio.run(run_all(server.url, sessions, sample_pages, pid, not args.no_shell))
        own_cpu = time.process_time() - own_before
        cpu, threads_after = cpu_seconds(pid) - cpu_before, thread_cpu_seconds(pid)
        loop_cpu = threads_after.get(pid, 0.0) - threads_before.get(pid, 0.0)  # the main thread runs the event loop
        busy_after = machine_busy()
        busy = (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1])
        sampler.stopped.set()
        sampler.join()
    finally:
        server.stop()
    counts = {kind: sum(s.client == kind for s in sessions) for kind in ("protocol", "chromium")}
    clients = " + ".join(f"{n} {kind}" for kind, n in counts.items() if n)
    mode = (
        f"{sample_count} sample"
        + (f" + {args.sessions - sample_count} × {args.rows:,}-row upload" if args.rows else "")
        + (", one file for all" if args.same_file else "")
        + (f"; {clients}" if counts["protocol"] else "")
        + (", no HTML shell" if args.no_shell and counts["protocol"] else "")
    )
    lines = [
        f"| {args.sessions} sessions ({mode}) | median | p95 | max | n |",
        "|---|---|---|---|---|",
        *report_rows(sessions),
    ]
    errors = [f"session {s.index} ({s.client}): {e}" for s in sessions for e in s.errors]
    leaks = [f"session {s.index} ({s.client}): {e}" for s in sessions for e in s.leaks]
    lines += [
        f"| all sessions done (wall) | {wall:.1f} s | | | |",
        f"| server peak RSS (process tree) | {sampler.peak / 1e6:,.0f} MB | | | |",
        f"| server CPU time during the run | {cpu:.1f} s | | | |",
        f"| … of which the event-loop thread (websocket, HTTP, static files) | {loop_cpu:.1f} s | | | |",
        f"| … of which script threads, DuckDB and the rest | {cpu - loop_cpu:.1f} s | | | |",
        f"| server CPU per session | {cpu / max(1, args.sessions):.2f} s | | | |",
        f"| cores the server got (its CPU ÷ wall) | {cpu / wall:.2f} | | | |",
    ]
    if counts["chromium"]:
        lines.append(f"| browser CPU time (Chromium, {counts['chromium']} sessions) | {browser_cpu:.1f} s | | | |")
    if counts["protocol"]:
        lines.append(f"| protocol clients' CPU time (this process) | {own_cpu:.1f} s | | | |")
    lines += [
        f"| (CPU available: {os.cpu_count()} cores × wall) | {(os.cpu_count() or 1) * wall:.0f} s | | | |",
        f"| machine CPU busy during the run (all processes) | {busy:.0%} | | | |",
        f"| errors (stException, timeouts) | {len(errors)} | | | |",
        f"| cross-session leaks | {len(leaks)} | | | |",
    ]
    table = "\n".join(lines)
    print(table)
    for line in errors + leaks:
        print(line)
    stem = (
        f"load_{args.sessions}_{args.rows or 'sample'}"
        + ("_same" if args.same_file else "")
        + (f"_protocol{f'_{browsers}browsers' if browsers else ''}" if args.client == "protocol" else "")
        + (f"_{args.label}" if args.label else "")
    )
    (OUT / f"{stem}.md").write_text(table + "\n" + "\n".join(errors + leaks) + "\n", encoding="utf-8")
    if errors or leaks:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
