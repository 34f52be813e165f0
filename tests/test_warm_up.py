"""The start-up warm-up: `streamlit run app.py` finds the st.App, and the warm-up fills the sample cache, survives
failures and restores the interpreter's switch interval."""

from __future__ import annotations

import ast
import asyncio
import logging
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest
from streamlit.web.server.app_discovery import discover_asgi_app

import ui.data as sources
import ui.warm_up as warm
from ui.held_data import held_data

ROOT = Path(__file__).resolve().parents[1]


def test_streamlit_run_finds_the_app_and_its_home_page() -> None:
    result = discover_asgi_app(ROOT / "app.py")
    assert result.is_asgi_app and result.app_name == "app"
    assert (ROOT / "home.py").is_file()


def test_warm_up_loads_the_default_sample_into_the_shared_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    held_data().clear()
    warm.warm_up()

    def not_again(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the sample was loaded again: the warm-up did not fill the cache")

    monkeypatch.setattr(sources, "load_dataset", not_again)
    _, dataset = sources.load_source(sources.DEFAULT_SOURCE, [], sources.SourceOptions())
    rows = pd.read_csv(sources.sample_path(sources.DEFAULT_SOURCE), dtype=str, skip_blank_lines=True)
    assert dataset.rows_read == len(rows)


def test_a_failed_warm_up_is_logged_not_raised(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(sources, "load_source", broken)
    before = sys.getswitchinterval()
    with caplog.at_level(logging.WARNING, logger=warm.__name__):
        warm.warm_up()
    assert sys.getswitchinterval() == before
    assert "warm-up failed" in caplog.text


def test_the_lifespan_starts_the_warm_up_without_waiting_for_it(monkeypatch: pytest.MonkeyPatch) -> None:
    release, started = threading.Event(), threading.Event()

    def slow_warm_up() -> None:
        started.set()
        release.wait(10)

    monkeypatch.setattr(warm, "warm_up", slow_warm_up)

    async def serve() -> None:
        async with warm.lifespan(None):
            assert not release.is_set()  # serving began while the warm-up still runs

    # In its own thread: the browser tests' Playwright keeps an event loop running in the main thread.
    server = threading.Thread(target=asyncio.run, args=(serve(),))
    server.start()
    server.join(10)
    assert not server.is_alive()
    assert started.wait(10)
    release.set()


def test_the_warm_up_imports_what_the_home_page_imports() -> None:
    tree = ast.parse((ROOT / "home.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert {m for m in imported if m.split(".")[0] in ("ui", "kpi_core")} == set(warm.HOME_PAGE_MODULES)
