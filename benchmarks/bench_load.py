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
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
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


async def run_all(url: str, sessions: list[Session], sample_pages: list[str], server_pid: int) -> tuple[float, float]:
    """(wall seconds until every session is done, the browser's CPU seconds meanwhile)."""
    from playwright.async_api import async_playwright

    names = {s.index: s.csv.name for s in sessions if s.csv is not None}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            cpu_before = browser_cpu_seconds(server_pid)
            begin = time.perf_counter()
            await asyncio.gather(*(run_session(browser, url, s, names, sample_pages) for s in sessions))
            return time.perf_counter() - begin, browser_cpu_seconds(server_pid) - cpu_before
        finally:
            await browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rows", type=int, default=0, help="upload sessions: CSV rows (each session rows + i)")
    parser.add_argument("--same-file", action="store_true", help="every upload session uploads the same file")
    parser.add_argument("--mix", type=int, default=None, help="with --rows: how many sessions open the sample")
    parser.add_argument("--sample-pages", default="", help="sample sessions: pages after Home (pivots,funnel)")
    parser.add_argument("--label", default="", help="a name for the output file")
    args = parser.parse_args()
    if not CHROMIUM.is_file():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    OUT.mkdir(parents=True, exist_ok=True)
    sample_count = args.sessions if not args.rows else (args.mix or 0)
    sessions: list[Session] = []
    for i in range(args.sessions):
        if i < sample_count:
            sessions.append(Session(i, None))
            continue
        rows = args.rows if args.same_file else args.rows + i  # own content and row count: the leak check
        path = OUT / f"deals_{rows}.csv"
        generate_deals_csv(path, rows)
        sessions.append(Session(i, path, rows))
    sample_pages = [p for p in ("pivots", "funnel") if p in args.sample_pages.split(",")]
    logs = Path(tempfile.mkdtemp(prefix="bench_load_"))
    server = launch_app(logs / "app.log")
    try:
        wait_healthy(server)
        time.sleep(3)  # let the warm-up thread (imports, the default sample) finish, as a server in use has
        sampler = RssSampler(server.process.pid)
        sampler.start()
        cpu_before, busy_before = cpu_seconds(server.process.pid), machine_busy()
        wall, browser_cpu = asyncio.run(run_all(server.url, sessions, sample_pages, server.process.pid))
        cpu = cpu_seconds(server.process.pid) - cpu_before
        busy_after = machine_busy()
        busy = (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1])
        sampler.stopped.set()
        sampler.join()
    finally:
        server.stop()
    pages = [p for p in ("home", "data", "upload→rows", "funnel", "pivots") if any(p in s.times for s in sessions)]
    mode = (
        f"{sample_count} sample"
        + (f" + {args.sessions - sample_count} × {args.rows:,}-row upload" if args.rows else "")
        + (", one file for all" if args.same_file else "")
    )
    lines = [
        f"| {args.sessions} sessions ({mode}) | median | p95 | max | n |",
        "|---|---|---|---|---|",
    ]
    for name in pages:
        values = [s.times[name] for s in sessions if name in s.times]
        label = "end of upload → Data page shows its rows" if name == "upload→rows" else f"{name}: time to first figure"
        lines.append(
            f"| {label} | {statistics.median(values):.2f} s | {p95(values):.2f} s | {max(values):.2f} s "
            f"| {len(values)} |"
        )
    errors = [f"session {s.index}: {e}" for s in sessions for e in s.errors]
    leaks = [f"session {s.index}: {e}" for s in sessions for e in s.leaks]
    lines += [
        f"| all sessions done (wall) | {wall:.1f} s | | | |",
        f"| server peak RSS (process tree) | {sampler.peak / 1e6:,.0f} MB | | | |",
        f"| server CPU time during the run | {cpu:.1f} s | | | |",
        f"| browser CPU time (Chromium, all sessions) | {browser_cpu:.1f} s | | | |",
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
        + (f"_{args.label}" if args.label else "")
    )
    (OUT / f"{stem}.md").write_text(table + "\n" + "\n".join(errors + leaks) + "\n", encoding="utf-8")
    if errors or leaks:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
