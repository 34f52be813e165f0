"""Results remembered per loaded dataset, so one page (and its what-if reruns) asks DuckDB each question once.

A loaded dataset's tables never change, and a Pivots page asks the same questions many times: the latest date in
the data (once per pipeline forecast), the figures of one window of dates (for the period's position, the Goodhart
checks and the month's target), the monthly figures (for the report and for the page's lever history). The answers
are kept on the Dataset object itself, so they live and die with it; `dataclasses.replace` (as
kpi_core.backtest.snapshot_at does for a cut copy) starts with none.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from kpi_core.intake.load import Dataset
from kpi_core.metrics import Filters

T = TypeVar("T")
ATTRIBUTE = "_kpi_memo"
LIMIT = 256  # answers kept per dataset (each a few kB: small figures, never rows); the oldest go first
_LOCK = threading.Lock()


def remembered(dataset: Dataset, key: Hashable, compute: Callable[[], T], *, limit: int = LIMIT) -> T:
    """`compute()` the first time `key` is asked of `dataset`, the same object after that (callers must not
    change it). Two threads asking at once may both compute; the answer is the same."""
    store: dict[Hashable, Any] = dataset.__dict__.setdefault(ATTRIBUTE, {})
    with _LOCK:
        if key in store:
            return store[key]
    value = compute()
    with _LOCK:
        while len(store) >= limit:
            del store[next(iter(store))]
        store.setdefault(key, value)
        return store[key]


def filters_key(filters: Filters | None) -> tuple[Any, ...]:
    """Filters as a hashable key (the values of a role keep their order: the SQL does not depend on it, and a key
    that differs only by order costs one more query, never a wrong answer)."""
    if filters is None:
        return (None, None, ())
    roles = tuple(sorted((role, tuple(values)) for role, values in filters.roles.items() if values))
    return (filters.start, filters.end, roles)
