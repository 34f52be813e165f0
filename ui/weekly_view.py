"""Weekly meeting page: which two snapshots to compare (a workspace's, last week's sample export, or last week's
upload), the cached comparison (kpi_core.changes) and ヨミ (kpi_core.forecast_categories), their frames, the
waterfall chart, and the engine's digest (kpi_core.digest) with its PDF, HTML and Markdown downloads and a print
style sheet that prints it alone on one A4 page.

Cached calls are keyed by the datasets' keys (as ui/goals/cache.py's), never by file names alone."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from kpi_core.changes import WATERFALL_BARS, Changes, DealChange, DealState, compare_snapshots
from kpi_core.digest import Digest, build_digest
from kpi_core.digest_pdf import digest_pdf
from kpi_core.forecast_categories import ForecastCategories, ForecastError, forecast_categories, latest_date
from kpi_core.goals import Goals
from kpi_core.intake.errors import IntakeError
from kpi_core.intake.load import Dataset, FileInput
from kpi_core.report import Report
from kpi_core.workspace import SnapshotInfo
from ui import data as sources
from ui.data import CACHE_TTL, SAMPLE_DIR, Upload
from ui.export import csv_bytes
from ui.format import (
    COUNT_FORMAT,
    MISSING,
    currency_symbol,
    escape_markdown,
    fmt_date,
    fmt_int,
    fmt_month,
    fmt_number,
    fmt_signed,
    fmt_yen,
    fmt_yen_compact,
    money_axis_expr,
)
from ui.frame import View, source_options
from ui.goals.cards import StatusFigure, draw_figures
from ui.held_data import ServerFull, held_data, uploads_over_budget
from ui.i18n import role_label, t
from ui.quota_view import current_teams
from ui.show import show_chart
from ui.theme import NEUTRAL, STATUS_COLOURS

# Last week's export of a bundled sample (sample_data/generate.py writes it next to the sample).
PREVIOUS_SAMPLES: dict[str, str] = {"sales": "sales_deals_ja_prev.csv"}
PREVIOUS_KEY = "weekly_previous"  # session: {source: Upload} last week's file uploaded on this page
UPLOADER_KEY = "weekly_uploader"
REFUSED_KEY = "weekly_upload_refused"
MODES = ("sample", "upload")
SUMMARY_KINDS: tuple[str, ...] = (
    "new", "won", "lost", "forward", "back", "amount_up", "amount_down", "slipped", "pulled_in", "removed",
)  # fmt: skip
YOMI_ROLES: tuple[str, ...] = ("probability", "forecast_category", "expected_close")
SHOWN_LINES: tuple[str, ...] = ("closed", "commit", "best_case", "pipeline")
UP, DOWN, TOTAL = STATUS_COLOURS["on_track"], STATUS_COLOURS["off_track"], NEUTRAL
HISTORY_SNAPSHOTS = 12  # at most this many earlier workspace snapshots are read for the coverage history
md = escape_markdown


# ------------------------------------------------------------------------------------------------ snapshots
@dataclass(frozen=True)
class Snapshot:
    """One export of the deals: its dataset key (the cache key), the dataset, its display name (user text) and the
    data's last day (the day the export shows)."""

    key: str
    dataset: Dataset
    name: str
    last_day: dt.date | None


@dataclass(frozen=True)
class Pair:
    before: Snapshot
    after: Snapshot


def _names(dataset: Dataset) -> str:
    return ", ".join(str(f["name"]) for f in dataset.files)


def snapshot(key: str, dataset: Dataset, name: str | None = None) -> Snapshot:
    return Snapshot(key, dataset, name or _names(dataset), cached_last_day(key, dataset))


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def cached_last_day(key: str, _dataset: Dataset) -> dt.date | None:
    """The data's last day (kpi_core.forecast_categories.latest_date), cached by the dataset key."""
    if _dataset.shape != "records":
        return None
    return latest_date(_dataset)


def current_snapshot(view: View) -> Snapshot:
    assert view.dataset is not None and view.dataset_key is not None
    return snapshot(view.dataset_key, view.dataset)


def previous_sample(source: str) -> FileInput | None:
    """Last week's export of a bundled sample (None for a source without one, or when the file is missing)."""
    name = PREVIOUS_SAMPLES.get(source)
    if name is None or not (SAMPLE_DIR / name).is_file():
        return None
    return FileInput(name, SAMPLE_DIR / name)


def _load(files: list[tuple[str, str, str | None]], inputs: tuple[FileInput, ...], view: View, **how: Any) -> Snapshot:
    """A snapshot loaded like the view's data (the same options, the shared cache) without changing the session's
    remembered currency (the current data's)."""
    key, dataset = sources._load_keyed(files, inputs, source_options(view.source), **how)
    return snapshot(key, dataset)


def load_previous_sample(view: View) -> Snapshot | None:
    found = previous_sample(view.source)
    if found is None:
        return None
    path = SAMPLE_DIR / found.name
    stat = path.stat()
    sha = sources._file_sha256(str(path), stat.st_mtime_ns, stat.st_size)
    return _load([(sha, found.name, None)], (found,), view, pinned=True)


def load_previous_upload(view: View, upload: Upload) -> Snapshot:
    inputs = (FileInput(upload.name, upload.path),)
    return _load([(upload.sha256, upload.name, None)], inputs, view, pinned=False)


def load_workspace_snapshot(view: View, info: SnapshotInfo) -> Snapshot:
    """One dated snapshot of the open workspace (the newest is the view's own data)."""
    opened = view.workspace
    assert opened is not None
    if info.id == opened.snapshot.id and view.dataset is not None:
        return current_snapshot(view)
    inputs, _ = opened.workspace.load_inputs(info.id)
    files = [(f.sha256, f.name, None) for f in info.files]
    return _load(files, tuple(inputs), view, pinned=False, workspace=opened.id)


def snapshot_day(info: SnapshotInfo) -> dt.date:
    return dt.datetime.fromisoformat(info.created.replace("Z", "+00:00")).date()


# ------------------------------------------------------------------------------------------------ last week's upload
def previous_upload(source: str) -> Upload | None:
    return st.session_state.get(PREVIOUS_KEY, {}).get(source)


def lease_previous() -> None:
    """Keep this session's last-week files (one per source) beside its own uploads, in a slot of the lease of their
    own: the frame's lease of the Data page's files on every run leaves them alone."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is not None:
        shas = {u.sha256 for u in st.session_state.get(PREVIOUS_KEY, {}).values()}
        held_data().lease_uploads(ctx.session_id, shas, slot="weekly_previous")


def take_previous(source: str) -> None:
    """Uploader callback: spool last week's file for this session (refused when the server holds too much)."""
    file = st.session_state.get(UPLOADER_KEY)
    store = st.session_state.setdefault(PREVIOUS_KEY, {})
    if file is None:
        store.pop(source, None)
        return
    if uploads_over_budget():
        st.session_state[REFUSED_KEY] = True
        return
    store[source] = Upload.from_bytes(file.name, file.getvalue())


def forget_previous(source: str) -> None:
    st.session_state.setdefault(PREVIOUS_KEY, {}).pop(source, None)


def draw_uploader(view: View) -> Snapshot | None:
    """Last week's export uploaded on this page, loaded with the current data's options (None until there is one,
    or when it cannot be read: one sentence says why)."""
    with st.container(key="weekly_upload", border=True):
        if st.session_state.pop(REFUSED_KEY, False):
            st.error(t("data.upload_refused_full"), icon=":material/error:")
        st.file_uploader(
            t("weekly.upload_label"),
            type=["csv", "tsv", "txt", "xlsx", "xlsm"],
            key=UPLOADER_KEY,
            on_change=take_previous,
            args=(view.source,),
            help=t("weekly.upload_help"),
        )
        lease_previous()  # also after a file was forgotten: its lease goes
        upload = previous_upload(view.source)
        if upload is None:
            st.caption(t("weekly.upload_prompt"))
            return None
        if not upload.is_held():
            st.warning(t("weekly.upload_lost", file=md(upload.name)), icon=":material/cloud_off:")
            return None
        with st.container(horizontal=True, vertical_alignment="center"):
            st.caption(t("weekly.your_file", file=md(upload.name)))
            st.button(t("weekly.forget_file"), key="weekly_forget", on_click=forget_previous, args=(view.source,))
    try:
        return load_previous_upload(view, upload)
    except (ServerFull, IntakeError) as exc:
        st.error(t("weekly.load_error", message=md(exc.message(view.lang))), icon=":material/error:")
        return None


def _snapshot_label(info: SnapshotInfo, lang: str) -> str:
    return t("weekly.ws.snapshot", lang, date=fmt_date(snapshot_day(info), lang), rows=fmt_int(info.rows, lang))


def draw_workspace_choice(view: View) -> Pair | None:
    """In a workspace: this week's snapshot (the newest) and last week's (the one before), both selectable."""
    opened = view.workspace
    assert opened is not None
    infos = opened.workspace.snapshots()
    if len(infos) < 2:
        st.info(t("weekly.ws.one_snapshot"), icon=":material/history:")
        before = draw_uploader(view)
        return None if before is None else Pair(before, current_snapshot(view))
    ids = [info.id for info in reversed(infos)]  # newest first
    by_id = {info.id: info for info in infos}
    label = functools.partial(lambda i, lang: _snapshot_label(by_id[i], lang), lang=view.lang)
    with st.container(horizontal=True, key="weekly_snapshots"):
        after_id = st.selectbox(t("weekly.ws.after"), ids, index=0, format_func=label, key="w_weekly_after")
        before_id = st.selectbox(t("weekly.ws.before"), ids, index=1, format_func=label, key="w_weekly_before")
    if ids.index(before_id) <= ids.index(after_id):
        st.warning(t("weekly.ws.same"), icon=":material/warning:")
        return None
    try:
        return Pair(load_workspace_snapshot(view, by_id[before_id]), load_workspace_snapshot(view, by_id[after_id]))
    except (ServerFull, IntakeError) as exc:
        st.error(t("weekly.load_error", message=md(exc.message(view.lang))), icon=":material/error:")
        return None


def draw_pair_choice(view: View) -> Pair | None:
    """The two snapshots to compare: a workspace's, else this week's data and last week's sample export or upload."""
    assert view.dataset is not None
    if view.dataset.shape != "records":  # a sheet of monthly totals has no deals to compare: say so, ask for nothing
        st.info(md(t("changes.not_records", file=_names(view.dataset))), icon=":material/info:")
        return None
    if view.workspace is not None:
        return draw_workspace_choice(view)
    after = current_snapshot(view)
    modes = MODES if previous_sample(view.source) is not None else ("upload",)
    mode = "upload"
    if len(modes) > 1:
        mode = (
            st.segmented_control(
                t("weekly.mode"),
                modes,
                default="sample",
                format_func=lambda m, lang=view.lang: t(f"weekly.mode.{m}", lang),
                key="w_weekly_mode",
            )
            or "sample"
        )
    before = load_previous_sample(view) if mode == "sample" else draw_uploader(view)
    return None if before is None else Pair(before, after)


def pair_caption(pair: Pair, lang: str) -> str:
    return t(
        "weekly.pair_caption",
        lang,
        before=md(pair.before.name),
        before_date=fmt_date(pair.before.last_day, lang) if pair.before.last_day else MISSING,
        after=md(pair.after.name),
        after_date=fmt_date(pair.after.last_day, lang) if pair.after.last_day else MISSING,
    )


# ------------------------------------------------------------------------------------------------ the comparison
@st.cache_data(ttl=CACHE_TTL, max_entries=16, show_spinner=False)
def _changes(before_key: str, after_key: str, _before: Dataset, _after: Dataset) -> Changes:
    return compare_snapshots(_before, _after)


def cached_changes(pair: Pair) -> Changes:
    """compare_snapshots of the pair, cached by both dataset keys; ChangesError (not cached) when they cannot be
    compared deal by deal."""
    return _changes(pair.before.key, pair.after.key, pair.before.dataset, pair.after.dataset)


def count_text(count: int, lang: str) -> str:
    return t("weekly.count", lang, count=fmt_int(count, lang))


def kind_label(kind: str, lang: str) -> str:
    return t(f"changes.kind.{kind}", lang)


def summary_figures(changes: Changes, lang: str) -> list[StatusFigure]:
    """One figure per kind of change: the count, and its amount beneath (reopened only when a deal reopened)."""
    kinds = [*SUMMARY_KINDS, *(["reopened"] if changes.summary["reopened"]["count"] else [])]
    figures = []
    for kind in kinds:
        entry = changes.summary[kind]
        amount = entry.get("amount")
        signed = kind in ("amount_up", "amount_down")
        amount_text = None
        if kind in ("slipped", "pulled_in") and "no_expected_close" in changes.notes:
            figures.append(StatusFigure(f"chg_{kind}", kind_label(kind, lang), MISSING))
            continue
        if amount is not None and entry["count"]:
            amount_text = fmt_signed(amount, "currency", lang) if signed else fmt_yen_compact(amount, lang)
        figures.append(
            StatusFigure(
                f"chg_{kind}",
                kind_label(kind, lang),
                count_text(entry["count"], lang),
                delta=amount_text,
                delta_color="gray",
            )
        )
    return figures


def draw_summary(changes: Changes, lang: str) -> None:
    figures = summary_figures(changes, lang)
    with st.container(key="weekly_summary"):
        for start in range(0, len(figures), 5):
            _draw_row(figures[start : start + 5])
        st.caption(t("weekly.fig_caption", lang))


def _draw_row(figures: list[StatusFigure]) -> None:
    """Up to five figures in five equal columns (a short last row keeps the same widths)."""
    columns = st.columns(5)
    for column, figure in zip(columns, figures, strict=False):
        with column:
            draw_figures([figure])


def waterfall_frame(changes: Changes, lang: str) -> pd.DataFrame:
    """Last week's open pipeline, one step per bar with deals (in the engine's order), this week's pipeline: each
    step with its amount, where its bar starts and ends, and its texts. start + Σ steps = end."""
    wf = changes.waterfall
    rows: list[dict[str, Any]] = []
    total = float(wf.start)
    rows.append(_step(0, "start", t("weekly.waterfall.start", lang), 0.0, total, total, 0, lang))
    for order, bar in enumerate(wf.bars, start=1):
        if not bar.deals:
            continue
        amount = float(bar.amount)
        label = t("weekly.waterfall.step", lang, kind=kind_label(bar.change, lang), count=fmt_int(len(bar.deals)))
        rows.append(_step(order, bar.change, label, total, total + amount, amount, len(bar.deals), lang))
        total += amount
    end = float(wf.end)
    rows.append(_step(len(WATERFALL_BARS) + 1, "end", t("weekly.waterfall.end", lang), 0.0, end, end, 0, lang))
    return pd.DataFrame(rows)


def _step(order: int, kind: str, label: str, low: float, high: float, amount: float, count: int, lang: str) -> dict:
    is_total = kind in ("start", "end")
    return {
        "order": order,
        "kind": kind,
        "step": label,
        "base": low,
        "top": high,
        "amount": amount,
        "count": count,
        "direction": "total" if is_total else ("up" if amount >= 0 else "down"),
        "amount_text": fmt_yen_compact(amount, lang) if is_total else fmt_signed(amount, "currency", lang),
        "total_text": fmt_yen(high, lang),
    }


def waterfall_domain(frame: pd.DataFrame) -> tuple[float, float]:
    """The amount axis: from a little below the lowest point any bar reaches to a little above the highest (the
    totals are far larger than a week's moves; from zero the moves would be slivers), never below zero."""
    points = pd.concat([frame["top"], frame.loc[frame["direction"] != "total", "base"]])
    low, high = float(points.min()), float(points.max())
    pad = max((high - low) * 0.25, abs(high) * 0.02, 1.0)
    return max(0.0, low - pad), high + pad * 0.6


def axis_from_zero(frame: pd.DataFrame) -> bool:
    return waterfall_domain(frame)[0] == 0.0


def waterfall_chart(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    """The waterfall: totals in the neutral colour, what added in green, what took away in red; each bar labelled
    with its amount (the colour is never the only cue: a sign leads every change)."""
    sort = alt.EncodingSortField(field="order", op="min")
    low, high = waterfall_domain(frame)
    frame = frame.assign(base=frame["base"].where(frame["direction"] != "total", low))
    base = alt.Chart(frame).encode(
        x=alt.X("step:N", sort=sort, title=None, axis=alt.Axis(labelAngle=0, labelLimit=140, labelPadding=6)),
    )
    bars = base.mark_bar(size=46, clip=True).encode(
        y=alt.Y(
            "base:Q",
            title=t("weekly.waterfall.axis", lang),
            axis=alt.Axis(labelExpr=money_axis_expr(lang)),
            scale=alt.Scale(domain=[low, high], zero=False, nice=False),
        ),
        y2="top:Q",
        color=alt.Color(
            "direction:N",
            scale=alt.Scale(domain=["total", "up", "down"], range=[TOTAL, UP, DOWN]),
            legend=None,
        ),
        tooltip=[
            alt.Tooltip("step:N", title=t("weekly.waterfall.tip.step", lang)),
            alt.Tooltip("amount_text:N", title=t("weekly.waterfall.tip.amount", lang)),
            alt.Tooltip("total_text:N", title=t("weekly.waterfall.tip.total", lang)),
        ],
    )
    frame_top = frame.assign(label_at=frame[["base", "top"]].max(axis=1))
    labels = (
        alt.Chart(frame_top)
        .mark_text(dy=-8, fontSize=12)
        .encode(x=alt.X("step:N", sort=sort), y="label_at:Q", text="amount_text:N")
    )
    return alt.layer(bars, labels).properties(height=280)


def draw_waterfall(changes: Changes, lang: str) -> pd.DataFrame | None:
    frame = waterfall_frame(changes, lang)
    if not frame["top"].abs().sum():
        st.info(t("weekly.waterfall.empty"), icon=":material/info:")
        return None
    caption = t("weekly.waterfall.caption")
    if not axis_from_zero(frame):
        caption += t("weekly.waterfall.axis_note")
    show_chart(
        waterfall_chart(frame, lang),
        key="weekly_waterfall",
        caption=caption,
        data=frame[["step", "amount", "base", "top", "count"]],
    )
    return frame


def _stage(state: DealState | None, lang: str) -> str:
    if state is None:
        return MISSING
    if state.outcome == "won":
        return state.stage or t("weekly.state.won", lang)
    if state.is_lost:
        return state.stage or t("weekly.state.lost", lang)
    return state.stage or MISSING


def _of(change: DealChange, name: str) -> Any:
    state = change.after or change.before
    return getattr(state, name) if state is not None else None


def deal_frame(deals: Sequence[DealChange], lang: str, *, dates: bool) -> pd.DataFrame:
    """Deal by deal, before → after (ids, accounts, owners and stages are the data's own values)."""
    symbol = currency_symbol()
    rows = []
    for change in deals:
        before, after = change.before, change.after
        row: dict[str, Any] = {
            t("weekly.col.id", lang): change.id,
            t("weekly.col.change", lang): kind_label(change.change, lang),
            role_label("account", lang): _of(change, "account"),
            role_label("owner", lang): _of(change, "owner"),
            t("weekly.col.stage_before", lang): _stage(before, lang),
            t("weekly.col.stage_after", lang): _stage(after, lang),
            t("weekly.col.amount_before", lang, symbol=symbol): None if before is None else before.amount,
            t("weekly.col.amount_after", lang, symbol=symbol): None if after is None else after.amount,
        }
        if dates:
            row[t("weekly.col.close_before", lang)] = None if before is None else before.expected_close
            row[t("weekly.col.close_after", lang)] = None if after is None else after.expected_close
            row[t("weekly.col.days", lang)] = change.days
        rows.append(row)
    frame = pd.DataFrame(rows)
    return frame.dropna(axis=1, how="all") if len(frame) else frame


def bar_deal_frame(changes: Changes, kind: str, lang: str) -> pd.DataFrame:
    """The deals behind one waterfall bar, with how much each moved the pipeline, biggest first."""
    bar = next(b for b in changes.waterfall.bars if b.change == kind)
    moves = {deal_id: float(amount) for deal_id, amount in bar.deals}
    by_id: dict[str, DealChange] = {}
    for change in changes.deals:
        if change.id in moves:
            by_id.setdefault(change.id, change)
    ordered = sorted(moves, key=lambda i: (-abs(moves[i]), i))
    frame = deal_frame([by_id[i] for i in ordered if i in by_id], lang, dates=_has_dates(changes))
    frame = frame.drop(columns=[t("weekly.col.change", lang)], errors="ignore")
    frame.insert(1, t("weekly.col.move", lang, symbol=currency_symbol()), [moves[i] for i in ordered if i in by_id])
    return frame


def _has_dates(changes: Changes) -> bool:
    return "no_expected_close" not in changes.notes and any(
        (c.before and c.before.expected_close) or (c.after and c.after.expected_close) for c in changes.deals
    )


def _money_config(frame: pd.DataFrame) -> dict[str, Any]:
    symbol = currency_symbol()
    return {
        name: st.column_config.NumberColumn(name, format=COUNT_FORMAT)
        for name in frame.columns
        if f"（{symbol}）" in str(name) or f"({symbol})" in str(name)
    }


def draw_deal_table(frame: pd.DataFrame, key: str) -> None:
    """A deal table (money columns as sortable numbers with thousands separators) and its CSV."""
    with st.container(key=f"table_{key}"):
        st.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            height=min(38 + 35 * len(frame), 248),  # six rows in view: the meeting page stays short; scroll for more
            column_config=_money_config(frame),
        )
        st.download_button(
            t("table.csv"),
            data=functools.partial(csv_bytes, frame),
            file_name=f"kpi_pivot_{key}_{dt.date.today():%Y%m%d}.csv",
            mime="text/csv",
            key=f"dl_{key}_table_csv",
            on_click="ignore",
            icon=":material/download:",
        )


def draw_bar_deals(changes: Changes, lang: str) -> None:
    kinds = [bar.change for bar in changes.waterfall.bars if bar.deals]
    if not kinds:
        return
    counts = {bar.change: len(bar.deals) for bar in changes.waterfall.bars}
    chosen = st.segmented_control(
        t("weekly.bar_pick"),
        kinds,
        default=kinds[0],
        format_func=lambda k, lang=lang: t(
            "weekly.waterfall.step", lang, kind=kind_label(k, lang), count=fmt_int(counts[k])
        ),
        key="w_weekly_bar",
    )
    draw_deal_table(bar_deal_frame(changes, chosen or kinds[0], lang), "weekly_bar_deals")


def note_sentences(changes: Changes, lang: str) -> list[str]:
    return [t(f"changes.note.{code}", lang) for code in changes.notes]


def draw_changes(changes: Changes, lang: str) -> None:
    """The summary grid, the waterfall, the deals behind a bar, every deal's change, the notes."""
    for sentence in note_sentences(changes, lang):
        st.caption(sentence)
    draw_summary(changes, lang)
    if not changes.deals:
        st.info(t("weekly.no_changes"), icon=":material/info:")
        return
    wf = changes.waterfall
    start, end = fmt_yen_compact(float(wf.start), lang), fmt_yen_compact(float(wf.end), lang)
    st.markdown(f"**{t('changes.pipeline', start=start, end=end)}**")
    draw_waterfall(changes, lang)
    draw_bar_deals(changes, lang)
    with st.expander(t("weekly.deals_expander", count=fmt_int(len(changes.deals)))):
        draw_deal_table(deal_frame(changes.deals, lang, dates=_has_dates(changes)), "weekly_deals")


# ------------------------------------------------------------------------------------------------ ヨミ
def yomi_roles(dataset: Dataset) -> list[str]:
    """The ヨミ roles the data maps (probability, forecast category, expected close date)."""
    return [role for role in YOMI_ROLES if role in dataset.mapping]


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


@st.cache_data(ttl=CACHE_TTL, max_entries=32, show_spinner=False)
def _yomi(
    key: str,
    start: str,
    end: str,
    as_of: str,
    target: float | None,
    history: tuple[tuple[str, str], ...],
    _dataset: Dataset,
    _snapshots: tuple[tuple[dt.date, Dataset], ...],
) -> ForecastCategories:
    return forecast_categories(
        _dataset,
        dt.date.fromisoformat(start),
        dt.date.fromisoformat(end),
        as_of=dt.date.fromisoformat(as_of),
        target=target,
        snapshots=list(_snapshots),
    )


def cached_yomi(
    current: Snapshot, as_of: dt.date, target: float | None, snapshots: Sequence[tuple[dt.date, Snapshot]]
) -> ForecastCategories:
    """forecast_categories for the as-of month, cached by the dataset key, the period, as-of, target and the keys
    of the earlier snapshots (the coverage history)."""
    start, end = month_bounds(as_of)
    history = tuple((day.isoformat(), snap.key) for day, snap in snapshots)
    datasets = tuple((day, snap.dataset) for day, snap in snapshots)
    return _yomi(
        current.key, start.isoformat(), end.isoformat(), as_of.isoformat(), target, history, current.dataset, datasets
    )


def history_snapshots(view: View, pair: Pair | None) -> list[tuple[dt.date, Snapshot]]:
    """Earlier snapshots for the coverage history: in a workspace, those taken near a month's start (the newest
    few); else last week's export, dated by its last day."""
    opened = view.workspace
    found: list[tuple[dt.date, Snapshot]] = []
    if opened is not None:
        infos = [i for i in opened.workspace.snapshots() if i.id != opened.snapshot.id]
        near = [i for i in infos if snapshot_day(i).day <= 7 or (snapshot_day(i) + dt.timedelta(days=7)).day <= 7]
        for info in near[-HISTORY_SNAPSHOTS:]:
            try:
                found.append((snapshot_day(info), load_workspace_snapshot(view, info)))
            except (ServerFull, IntakeError):
                continue
    elif pair is not None and pair.before.last_day is not None:
        found.append((pair.before.last_day, pair.before))
    return found


def missing_sentence(view: View) -> str:
    """Which columns would give the ヨミ (and that the samples have none of them, on a sample)."""
    sep = "、" if view.lang == "ja" else ", "
    columns = sep.join(role_label(role, view.lang) for role in YOMI_ROLES)
    key = "weekly.yomi.missing_sample" if view.source in sources.SAMPLES else "weekly.yomi.missing"
    return t(key, view.lang, columns=columns)


def times_text(value: float, lang: str) -> str:
    return t("weekly.times", lang, value=fmt_number(value, lang, 1))


def lines_frame(result: ForecastCategories, lang: str) -> pd.DataFrame:
    symbol = currency_symbol()
    return pd.DataFrame(
        [
            {
                t("weekly.yomi.col.line", lang): t(f"forecast.line.{line}", lang),
                t("weekly.yomi.col.count", lang): result.lines[line]["count"],
                t("weekly.yomi.col.amount", lang, symbol=symbol): result.lines[line]["amount"],
            }
            for line in LINES_ORDER
            if line in result.lines and (line in SHOWN_LINES or result.lines[line]["count"])
        ]
    )


LINES_ORDER: tuple[str, ...] = ("closed", "commit", "best_case", "pipeline", "omitted", "uncategorised")


def overdue_frame(result: ForecastCategories, lang: str) -> pd.DataFrame:
    symbol = currency_symbol()
    rows = [
        {
            t("weekly.col.id", lang): deal.id,
            t("weekly.yomi.col.amount", lang, symbol=symbol): deal.amount,
            t("weekly.yomi.col.expected", lang): deal.expected_close,
            t("weekly.yomi.col.overdue", lang): deal.overdue_days,
            t("weekly.yomi.col.category", lang): t(f"forecast.line.{deal.category}", lang) if deal.category else None,
            t("weekly.yomi.col.probability", lang): None if deal.probability is None else round(deal.probability * 100),
        }
        for deal in sorted(result.deals, key=lambda d: -(d.overdue_days or 0))
        if deal.overdue_days is not None
    ]
    return pd.DataFrame(rows).dropna(axis=1, how="all") if rows else pd.DataFrame()


def draw_yomi(view: View, as_of: dt.date, report: Report | None, pair: Pair | None) -> ForecastCategories | None:
    """The lines (closed, commit, best case, pipeline) beside today's statistical forecast, the coverage with its
    history sentence, the overdue deals; one sentence when the data has no ヨミ columns. Returns what it drew (None
    when nothing)."""
    lang = view.lang
    if view.dataset is None or view.dataset.shape != "records" or not yomi_roles(view.dataset):
        st.info(missing_sentence(view), icon=":material/info:")
        return None
    target_figure = report.figures.get("month.target") if report is not None else None
    target = target_figure.value if target_figure is not None else None
    try:
        result = cached_yomi(current_snapshot(view), as_of, target, history_snapshots(view, pair))
    except ForecastError as exc:
        st.error(t("weekly.yomi.error", message=md(exc.message(lang))), icon=":material/error:")
        return None
    start, _ = result.period
    st.caption(t("weekly.yomi.period", period=fmt_month(start, lang), as_of=fmt_date(as_of, lang)))
    figures = []
    for name in ("commit", "best_case", "weighted"):
        value = result.forecast.get(name)
        if value is not None:
            figures.append(
                StatusFigure(f"yomi_{name}", t(f"forecast.total.{name}", lang), fmt_yen_compact(value, lang))
            )
    stat = report.figures.get("month.forecast") if report is not None else None
    if stat is not None and stat.value is not None:
        delta = t("weekly.yomi.target", lang, target=fmt_yen_compact(target, lang)) if target is not None else None
        figures.append(
            StatusFigure(
                "yomi_stat",
                t("weekly.yomi.stat", lang),
                fmt_yen_compact(stat.value, lang),
                delta=delta,
                delta_color="gray",
                help=t("weekly.yomi.stat_help", lang),
            )
        )
    if result.coverage is not None:
        coverage = times_text(result.coverage, lang)
        figures.append(StatusFigure("yomi_coverage", t("weekly.yomi.coverage", lang), coverage))
    if figures:
        draw_figures(figures)
    if result.coverage is not None and result.gap is not None:
        sentence = t(
            "forecast.coverage",
            lang,
            coverage=fmt_number(result.coverage, lang, 1),
            pipeline=fmt_yen_compact(result.pipeline, lang),
            gap=fmt_yen_compact(result.gap, lang),
        )
        st.markdown(sentence)
    elif target is None:
        st.caption(t("weekly.yomi.no_coverage"))
    history = result.history.as_dict(lang)["message"]
    st.caption(history)
    left, right = st.columns([2, 3])
    with left:
        frame = lines_frame(result, lang)
        st.dataframe(frame, hide_index=True, width="stretch", column_config=_money_config(frame))
    with right:
        if result.overdue["count"]:
            overdue = t("forecast.overdue", lang, count=fmt_int(result.overdue["count"], lang))
            st.markdown(f"**{t('weekly.yomi.overdue_title')}**")
            st.caption(overdue)
            draw_deal_table(overdue_frame(result, lang), "weekly_overdue")
    for note in result.notes:
        st.caption(t(f"forecast.note.{note}", lang))
    return result


# ------------------------------------------------------------------------------------------------ the digest
def meeting_digest(
    view: View,
    goals: Goals,
    as_of: dt.date,
    calendar: str,
    report: Report,
    pair: Pair | None,
    changes: Changes | None,
) -> Digest:
    """The engine's digest of the view's data (kpi_core.digest.build_digest: what `python -m kpi_core digest`
    prints for the same files, goals and day), reusing the page's report and comparison. What changed is in it
    when the comparison's later snapshot is the view's own data (else the digest says nothing was compared). The
    reps' teams are the Goals page's: the team file uploaded there for this source, else the sample's own."""
    assert view.dataset is not None
    _, teams = current_teams(view)
    compared = pair is not None and changes is not None and pair.after.key == view.dataset_key
    return build_digest(
        goals,
        view.dataset,
        as_of,
        calendar=calendar,
        since=pair.before.dataset if compared and pair is not None else None,
        changes=changes if compared else None,
        lang=view.lang,
        report=report,
        since_hint=False,  # the command's --since is not the page's way to give last week's data
        teams=teams,
    )


def digest_markdown(digest: Digest, lang: str) -> bytes:
    return digest.to_markdown(lang).encode("utf-8")


def digest_html(digest: Digest, lang: str) -> bytes:
    return digest.to_html(lang).encode("utf-8")


def digest_pdf_bytes(digest: Digest, lang: str) -> bytes:
    return digest_pdf(digest, lang)


# Printing the page prints the digest alone, on one A4 sheet: everything beside it (the frame, the sidebar, the
# page's other sections and the digest's buttons) is hidden, and Streamlit's scrolling main area is let out to its
# full height so nothing is cut. Static CSS: no user text goes through st.html.
PRINT_CSS = """<style>
@media print {
  @page { size: A4; margin: 12mm; }
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stBottom"], .st-key-weekly_digest_actions, .st-key-weekly_digest_hint { display: none !important; }
  [data-testid="stVerticalBlock"]:has(.st-key-weekly_digest)
    > :not(.st-key-weekly_digest):not(:has(.st-key-weekly_digest)) { display: none !important; }
  html, body, #root, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"],
  [data-testid="stMainBlockContainer"] { height: auto !important; min-height: 0 !important;
    overflow: visible !important; position: static !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: none !important; }
  .st-key-weekly_digest { border: none !important; padding: 0 !important; }
  .st-key-weekly_digest > [data-testid="stElementContainer"]:first-child p { font-size: 1.5rem; }
  body { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
</style>"""


def draw_digest(digest: Digest, lang: str, as_of: dt.date) -> None:
    """The digest as the command writes it (its sentences, each escaped whole), in two columns: the KGI, off-track
    KPIs and next move; then what changed and the deals to look at. Downloads as PDF, HTML and Markdown; printing
    the page prints the digest alone (PRINT_CSS)."""
    st.html(PRINT_CSS)
    sections = digest.sections(lang)
    with st.container(key="weekly_digest", border=True):
        st.markdown(f"**{md(digest.title(lang))}**")
        columns = st.columns(2, gap="large")
        for index, (heading, facts) in enumerate(sections):
            with columns[0 if index < 3 else 1]:
                st.markdown(f"**{md(heading)}**\n\n" + "\n".join(f"- {md(fact)}" for fact in facts))
        stem = f"kpi_pivot_digest_{as_of:%Y%m%d}_{lang}"
        with st.container(horizontal=True, key="weekly_digest_actions"):
            for kind, render, mime, icon in (
                ("pdf", digest_pdf_bytes, "application/pdf", ":material/picture_as_pdf:"),
                ("html", digest_html, "text/html", ":material/print:"),
                ("md", digest_markdown, "text/markdown", ":material/description:"),
            ):
                st.download_button(
                    t(f"weekly.digest.download_{kind}", lang),
                    data=functools.partial(render, digest, lang),
                    file_name=f"{stem}.{kind}",
                    mime=mime,
                    key=f"weekly_digest_{kind}",
                    on_click="ignore",
                    icon=icon,
                )
        with st.container(key="weekly_digest_hint"):
            st.caption(t("weekly.digest.print_hint", lang))
