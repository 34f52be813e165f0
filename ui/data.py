"""Data sources and cached calls into kpi_core: keyed by content hashes and options, never by file names alone."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from kpi_core.asof import data_bounds
from kpi_core.intake.errors import IntakeError
from kpi_core.intake.load import Dataset, FileInput, LoadOptions, load_dataset
from kpi_core.metrics import Filters, KpiResult, compute_kpis, filter_values
from ui.format import CURRENCY_STATE_KEY, normalise_currency
from ui.held_data import held_data
from ui.i18n import DEFAULT_LANG, current_lang

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "sample_data"
SAMPLES: dict[str, str] = {
    "sales": "sales_deals_ja.csv",
    "leads": "marketing_leads_en.csv",
    "kpi": "monthly_kpi_ja.xlsx",
}
SOURCES: tuple[str, ...] = (*SAMPLES, "upload")
DEFAULT_SOURCE = "sales"  # what the app shows before anyone chooses
FILTER_ROLES: tuple[str, ...] = ("channel", "owner", "product", "segment")
MAX_FILTER_VALUES = 300
CACHE_TTL = 3600


@dataclass(frozen=True)
class Upload:
    """One uploaded file of the session: its display name, content hash and size. The bytes are spooled to a
    temporary file named by the hash (ui/held_data.py), not held in the session's memory."""

    name: str
    sha256: str
    size: int

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> Upload:
        sha, _ = held_data().spool(data)
        return cls(name=name, sha256=sha, size=len(data))

    @property
    def path(self) -> Path:
        return held_data().spool_path(self.sha256)

    def is_held(self) -> bool:
        """Whether the spooled bytes are still there (gone after a server restart)."""
        return self.path.is_file()


@dataclass
class SourceOptions:
    """What the user changed on the Data page for one source (all JSON-serialisable)."""

    roles: dict[str, str | None] = field(default_factory=dict)
    stage_map: dict[str, str] = field(default_factory=dict)
    stage_order: list[str] = field(default_factory=list)
    link_key: str | None = None
    shape: str | None = None
    sheets: dict[str, str] = field(default_factory=dict)  # file sha256 → sheet name
    date_orders: dict[str, str] = field(default_factory=dict)  # date column → "dmy" / "mdy"
    currency: str | None = None  # "JPY", "USD"…; None = detect

    def load_options(self, lang: str | None = None) -> LoadOptions:
        """The engine's options; `lang` (the UI language, for date columns whose order the values leave open) is
        passed when the engine takes it."""
        options = LoadOptions(
            roles=dict(self.roles),
            stage_map=dict(self.stage_map),
            stage_order=list(self.stage_order) or None,
            link_key=self.link_key,
            shape=self.shape,
        )
        extra = {"date_orders": dict(self.date_orders), "currency": self.currency, "lang": lang}
        known = {f.name for f in dataclasses.fields(LoadOptions)}
        given = {name: value for name, value in extra.items() if name in known and value is not None}
        return dataclasses.replace(options, **given) if given else options

    def key(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_load_options(cls, options: LoadOptions) -> SourceOptions:
        """The Data-page form of stored engine options (a workspace's); the reader's language is not kept: each
        reader's own applies, as for an upload."""
        return cls(
            roles=dict(options.roles or {}),
            stage_map=dict(options.stage_map or {}),
            stage_order=list(options.stage_order or []),
            link_key=options.link_key,
            shape=options.shape,
            date_orders=dict(getattr(options, "date_orders", None) or {}),
            currency=getattr(options, "currency", None),
        )


def engine_takes_lang() -> bool:
    """Whether LoadOptions has a `lang` field (an ambiguous date column then follows the UI language)."""
    return "lang" in {f.name for f in dataclasses.fields(LoadOptions)}


def sample_path(source: str) -> Path:
    """The bundled file of a sample source."""
    return SAMPLE_DIR / SAMPLES[source]


@st.cache_data(ttl=CACHE_TTL, max_entries=16, show_spinner=False)
def _file_sha256(path: str, mtime_ns: int, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sample_upload_key(source: str) -> tuple[str, str]:
    """(content hash, display name) of a sample file; raises IntakeError when it is missing."""
    path = sample_path(source)
    if not path.is_file():
        raise IntakeError(
            "intake.no_sample", code="no_sample", file=path.name, command="python sample_data/generate.py"
        )
    stat = path.stat()
    return _file_sha256(str(path), stat.st_mtime_ns, stat.st_size), path.name


def dataset_key(
    files: list[tuple[str, str, str | None]],
    options: SourceOptions,
    lang: str | None = None,
    workspace: str | None = None,
) -> str:
    """A stable key from (content hash, display name, sheet) per file, the options, the language the data was
    read in (when the engine takes one) and the workspace the files belong to (two workspaces holding the same
    bytes never share a dataset, so never each other's file names)."""
    content: dict[str, object] = {"files": files, "options": options.key()}
    if lang is not None:
        content["lang"] = lang
    if workspace is not None:
        content["workspace"] = workspace
    payload = json.dumps(content, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _load_cached(key: str, inputs: tuple[FileInput, ...], options: LoadOptions, *, pinned: bool) -> Dataset:
    """The dataset under `key`, loaded once for all sessions and released when no session uses it any more.
    The display name is part of `key` too: two people with the same bytes never see each other's file names."""
    ctx = get_script_run_ctx(suppress_warning=True)
    size = sum(f.data.stat().st_size if isinstance(f.data, Path) else len(f.data) for f in inputs)
    return held_data().dataset(
        key,
        ctx.session_id if ctx is not None else None,
        lambda: load_dataset(list(inputs), options),
        pinned=pinned,
        input_bytes=size,
    )


def load_source(source: str, uploads: list[Upload], options: SourceOptions) -> tuple[str, Dataset]:
    """(dataset key, Dataset) for a sample or the session's uploads. Raises IntakeError for unusable input.

    Also remembers the currency of the figures for this session (the user's choice, else the data's), which the
    money formatters of ui/format.py read."""
    remember_currency(None)
    if source == "upload":
        if not uploads:
            raise IntakeError("intake.no_upload", code="no_file")
        files = [(u.sha256, u.name, options.sheets.get(u.sha256)) for u in uploads]
        inputs = tuple(FileInput(u.name, u.path, sheet=options.sheets.get(u.sha256)) for u in uploads)
    else:
        sha, name = sample_upload_key(source)
        files = [(sha, name, options.sheets.get(sha))]
        inputs = (FileInput(name, sample_path(source), sheet=options.sheets.get(sha)),)
    pinned = source != "upload"  # a bundled sample stays loaded for the next visitor
    key, dataset = _load_keyed(files, inputs, options, pinned=pinned)
    remember_currency(options.currency or getattr(dataset, "currency", None))
    return key, dataset


def _load_keyed(
    files: list[tuple[str, str, str | None]],
    inputs: tuple[FileInput, ...],
    options: SourceOptions,
    *,
    pinned: bool,
    workspace: str | None = None,
) -> tuple[str, Dataset]:
    key = dataset_key(files, options, workspace=workspace)
    dataset = _load_cached(key, inputs, options.load_options(), pinned=pinned)
    if engine_takes_lang() and follows_language(dataset):
        # Only a date column whose day/month order nothing in the data decides depends on the reader's language:
        # such data is read again in it (and cached per language); any other file loads once for both languages.
        lang = _session_lang()
        key = dataset_key(files, options, lang, workspace=workspace)
        dataset = _load_cached(key, inputs, options.load_options(lang), pinned=pinned)
    return key, dataset


def load_workspace(
    workspace_id: str,
    stored: list[tuple[str, str]],
    inputs: list[FileInput],
    options: SourceOptions,
    currency: str | None = None,
) -> tuple[str, Dataset]:
    """(dataset key, Dataset) of a workspace's snapshot: the same cached path as an upload, keyed by the stored
    tables' content hashes (`stored`: (sha256, display name) per file) and the workspace id.

    `currency` is the workspace's (its settings); the Data page's choice, kept in `options`, comes first."""
    remember_currency(None)
    files = [(sha, name, None) for sha, name in stored]
    key, dataset = _load_keyed(files, tuple(inputs), options, pinned=False, workspace=workspace_id)
    remember_currency(options.currency or currency or getattr(dataset, "currency", None))
    return key, dataset


def follows_language(dataset: Dataset) -> bool:
    """Whether some date column of `dataset` was read in the order of the reader's language (nothing else told)."""
    orders = (getattr(dataset, "evidence", None) or {}).get("date_order")
    return isinstance(orders, dict) and any(isinstance(o, dict) and o.get("by") == "language" for o in orders.values())


def _session_lang() -> str:
    """The session's language; the default one outside a Streamlit run (the warm-up thread)."""
    return current_lang() if get_script_run_ctx(suppress_warning=True) is not None else DEFAULT_LANG


def remember_currency(code: str | None) -> None:
    """Keep the currency of the loaded figures for this session (None: unknown, shown as yen)."""
    if get_script_run_ctx(suppress_warning=True) is not None:  # not outside a Streamlit run
        st.session_state[CURRENCY_STATE_KEY] = normalise_currency(code)


# ------------------------------------------------------------------------------------------------ filters
def filters_key(filters: Filters) -> tuple[Any, ...]:
    """A hashable, order-independent form of Filters (for cache keys)."""
    roles = tuple(sorted((role, tuple(sorted(values))) for role, values in filters.roles.items() if values))
    return (
        filters.start.isoformat() if filters.start else None,
        filters.end.isoformat() if filters.end else None,
        roles,
    )


def filters_from_key(key: tuple[Any, ...]) -> Filters:
    start, end, roles = key
    return Filters(
        start=dt.date.fromisoformat(start) if start else None,
        end=dt.date.fromisoformat(end) if end else None,
        roles={role: list(values) for role, values in roles},
    )


# ------------------------------------------------------------------------------------------------ cached results
@st.cache_data(ttl=CACHE_TTL, max_entries=256, show_spinner=False)
def cached_kpis(
    key: str,
    _dataset: Dataset,
    fkey: tuple[Any, ...],
    period: str = "month",
    by: tuple[str, ...] = (),
    by_period_and: tuple[str, ...] = (),
    cohort: bool = False,
    fiscal_start: int = 4,
) -> KpiResult:
    """compute_kpis, cached by (dataset key, filters, period, breakdowns, cohort, fiscal start)."""
    return compute_kpis(
        _dataset,
        period=period,
        by=list(by),
        by_period_and=list(by_period_and),
        cohort=cohort,
        filters=filters_from_key(fkey),
        fiscal_start=fiscal_start,
    )


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def cached_filter_values(key: str, _dataset: Dataset, role: str) -> list[str]:
    """The values of a role, most frequent first (the options of a filter)."""
    return filter_values(_dataset, role, MAX_FILTER_VALUES)


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def cached_date_bounds(key: str, _dataset: Dataset) -> tuple[dt.date | None, dt.date | None]:
    """The first and last date in the data (created / closed, or the months of a monthly sheet)."""
    return data_bounds(_dataset)


@st.cache_data(ttl=CACHE_TTL, max_entries=32, show_spinner=False)
def cached_preview(key: str, _dataset: Dataset, rows: int = 20) -> pd.DataFrame:
    """The first rows of the source as read."""
    return _dataset.sample(rows)


def _pipeline_module() -> Any:
    import kpi_core.pipeline as pipeline  # imported late: an optional engine module

    return pipeline


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def cached_open_pipeline(key: str, _dataset: Dataset, fkey: tuple[Any, ...]) -> pd.DataFrame:
    """Open deals by stage with learned win probability and expected value."""
    return _pipeline_module().open_pipeline_by_stage(_dataset, filters=filters_from_key(fkey))


@st.cache_data(ttl=CACHE_TTL, max_entries=8, show_spinner=False)  # one row per open record: can be large
def cached_deal_aging(key: str, _dataset: Dataset, fkey: tuple[Any, ...], stalled_days: int) -> pd.DataFrame:
    """One row per open deal with its age, idle days and whether it is stalled."""
    return _pipeline_module().open_deal_aging(_dataset, stalled_days=stalled_days, filters=filters_from_key(fkey))


@st.cache_data(ttl=CACHE_TTL, max_entries=32, show_spinner=False)
def cached_file_columns(sha256: str, name: str, _data: bytes | Path, sheet: str | None = None) -> list[str]:
    """The header of one file (to offer link columns when several files cannot be linked on their own)."""
    import tempfile

    from kpi_core.intake.files import open_source

    with tempfile.TemporaryDirectory(prefix="kpi_pivot_cols_") as workdir:
        try:
            return list(open_source(name, _data, workdir=Path(workdir), sheet=sheet).columns)
        except IntakeError:
            return []
