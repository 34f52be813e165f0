"""Warm-up at server start: import what the first page needs and load the default sample, in a background thread.

Without it the first visitor after a start waits about a second for pandas, Altair and DuckDB to import and for the
sample to load. The browser spends that second loading Streamlit's own scripts, so doing the work meanwhile shortens
the first page (measured in benchmarks/bench_browser.py). Only the bundled sample is loaded: nothing user-specific.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

LOG = logging.getLogger(__name__)
# While the warm-up thread imports, it holds the GIL for long stretches; a short switch interval lets the server's
# event loop answer the browser's script requests in between (with the default 5 ms the page loaded slower).
WARM_UP_SWITCH_INTERVAL_S = 0.0005
# What home.py imports: pandas, Altair and the chart theme, DuckDB, the engine, the translation table.
HOME_PAGE_MODULES = (
    "kpi_core.business_days",
    "kpi_core.maturity",
    "ui.charts",
    "ui.comparison_view",
    "ui.format",
    "ui.frame",
    "ui.frames",
    "ui.goals_state",
    "ui.goals.cache",
    "ui.goals.cards",
    "ui.goals.format",
    "ui.goals.gaps",
    "ui.i18n",
    "ui.intake_notice",
    "ui.period_view",
    "ui.show",
)


def warm_up() -> None:
    """Import the page modules and load the default sample through the same cached calls the pages use."""
    started = time.perf_counter()
    default_interval = sys.getswitchinterval()
    sys.setswitchinterval(WARM_UP_SWITCH_INTERVAL_S)
    try:
        for module in HOME_PAGE_MODULES:
            importlib.import_module(module)
        from ui.data import DEFAULT_SOURCE, SourceOptions, load_source

        load_source(DEFAULT_SOURCE, [], SourceOptions())
    except Exception:  # a failed warm-up only costs speed: the first page then does the work itself
        LOG.warning("warm-up failed; the first page will load without it", exc_info=True)
    finally:
        sys.setswitchinterval(default_interval)
    LOG.info("warm-up done in %.2f s", time.perf_counter() - started)


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    """st.App lifespan: start the warm-up and serve at once (the thread is a daemon: it never delays a stop)."""
    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
    yield
