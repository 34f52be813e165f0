"""Data: "Is the data read correctly?": upload files, check the preview, fix column roles and stages, see rejects."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from kpi_core.intake.load import Dataset
from kpi_core.intake.roles import PERIOD_ROLES, RECORD_ROLES
from kpi_core.intake.stages import CANONICAL
from ui.data import SourceOptions, Upload, cached_file_columns, cached_preview, sample_upload_key
from ui.format import COUNT_FORMAT, DATE_FORMAT, NUMBER_FORMAT, escape_markdown, fmt_cell, fmt_int
from ui.frame import (
    UPLOADS_KEY,
    View,
    lang_epoch,
    page_frame,
    set_source_options,
    source_options,
    uploads,
    use_source,
)
from ui.frames import Figure, preview_formats
from ui.i18n import role_label, stage_label, t
from ui.show import headline

EDITOR_VERSION_KEY = "data_editor_version"
UPLOADER_VERSION_KEY = "uploader_version"
HISTORY_KEY = "source_options_history"
NONE_CHOICE = "—"  # "no column" / "not mapped" in the editors (an empty cell would read as None)
PREVIEW_ROWS = 20
SHOWN_REJECTS = 1000
PLAIN_ROLES = ("id", "period", "created", "closed", "updated")  # numbers that name a record or a day: no separators


def _size_text(size: int) -> str:
    return f"{size / 1e6:,.1f} MB" if size >= 100_000 else f"{max(size / 1e3, 0.1):,.1f} KB"


def _count_column(label: str | None = None, **options: object) -> dict:
    """A sortable number column showing counts as the rest of the app does: 1,564, not 1564."""
    return st.column_config.NumberColumn(label, format=COUNT_FORMAT, **options)


def plain_columns(dataset: Dataset) -> set[str]:
    """Source columns whose numbers are ids, dates or link keys: shown with their digits as read."""
    columns = {dataset.mapping.get(role) for role in PLAIN_ROLES} | {dataset.link_key}
    return {str(c) for c in columns if c}


def preview_column_config(frame: pd.DataFrame, dataset: Dataset) -> dict[str, dict]:
    """Numbers with thousands separators and dates without 00:00:00, kept as number and date columns (sortable)."""
    config: dict[str, dict] = {}
    for column, kind in preview_formats(frame, plain_columns(dataset)).items():
        if kind == "date":
            config[column] = st.column_config.DateColumn(format=DATE_FORMAT)
        else:
            config[column] = st.column_config.NumberColumn(format=COUNT_FORMAT if kind == "count" else NUMBER_FORMAT)
    return config


def _table_height(rows: int) -> int:
    """Pixels that show every row of a short table without an inner scroll bar."""
    return 38 + 35 * min(rows, 20)


def take_uploads() -> None:
    """Uploader callback: keep the files' bytes for this session and switch the view to them."""
    files = st.session_state.get(uploader_key()) or []
    if not files:  # the user removed every file from the uploader
        forget_uploads()
        return
    st.session_state[UPLOADS_KEY] = [Upload.from_bytes(f.name, f.getvalue()) for f in files]
    set_source_options("upload", SourceOptions())
    st.session_state.pop(HISTORY_KEY, None)
    _bump_editors()
    use_source("upload")


def uploader_key() -> str:
    """The uploader's key: a new one empties the widget after the files are removed."""
    return f"upload_files_{st.session_state.get(UPLOADER_VERSION_KEY, 0)}"


def forget_uploads() -> None:
    st.session_state[UPLOADER_VERSION_KEY] = st.session_state.get(UPLOADER_VERSION_KEY, 0) + 1
    st.session_state.pop(UPLOADS_KEY, None)
    set_source_options("upload", SourceOptions())
    use_source("sales")


def _version() -> str:
    """Part of the editors' keys: new after each applied change (stale edits vanish) and each language switch
    (translated choices are drawn afresh)."""
    return f"{st.session_state.get(EDITOR_VERSION_KEY, 0)}_{lang_epoch()}"


def _bump_editors() -> None:
    st.session_state[EDITOR_VERSION_KEY] = st.session_state.get(EDITOR_VERSION_KEY, 0) + 1


def change_options(source: str, **changes: object) -> None:
    """Apply Data-page changes to the source's load options, keeping the previous ones for undo; rerun."""
    current = source_options(source)
    st.session_state.setdefault(HISTORY_KEY, {}).setdefault(source, []).append(current)
    set_source_options(source, dataclasses.replace(current, **changes))
    _bump_editors()
    st.rerun()


def undo_options(source: str) -> None:
    history = st.session_state.get(HISTORY_KEY, {}).get(source, [])
    set_source_options(source, history.pop() if history else SourceOptions())
    _bump_editors()


def reset_options(source: str) -> None:
    set_source_options(source, SourceOptions())
    st.session_state.get(HISTORY_KEY, {}).pop(source, None)
    _bump_editors()


def draw_upload(view: View) -> None:
    with st.container(key="upload_box", border=True):
        st.file_uploader(
            t("data.upload_label"),
            type=["csv", "tsv", "txt", "xlsx", "xlsm"],
            accept_multiple_files=True,
            key=uploader_key(),
            on_change=take_uploads,
            help=t("data.upload_help"),
        )
        mine = uploads()
        if mine:
            names = ", ".join(escape_markdown(u.name) for u in mine)
            st.caption(t("data.your_files", files=names, size=_size_text(sum(len(u.data) for u in mine))))
            with st.container(horizontal=True):
                if view.source != "upload":
                    st.button(t("data.use_my_files"), key="use_my_files", on_click=use_source, args=("upload",))
                st.button(t("data.forget_files"), key="forget_files", on_click=forget_uploads)


def draw_problem(view: View) -> None:
    """The one-sentence error, and what can be done about it here."""
    with st.container(key="data_error"):
        if view.source == "upload" and not uploads():
            st.info(t("error.no_upload"), icon=":material/upload_file:")
            return
        st.error(view.error or t("error.unknown"), icon=":material/error:")
        history = st.session_state.get(HISTORY_KEY, {}).get(view.source)
        with st.container(horizontal=True):
            if history:
                st.button(t("data.undo"), key="undo_options", on_click=undo_options, args=(view.source,))
            if source_options(view.source) != SourceOptions():
                st.button(t("data.reset"), key="reset_options", on_click=reset_options, args=(view.source,))
            st.button(t("next.use_sample"), key="use_sample_data", on_click=use_source, args=("sales",))
        if view.error_code == "no_link" and view.source == "upload":
            draw_link_choice(view, None)


def draw_summary(view: View, dataset: Dataset) -> None:
    shape = t(f"data.shape.{dataset.shape}")
    headline(
        [
            Figure("rows_read", t("data.rows_read"), fmt_int(dataset.rows_read, view.lang)),
            Figure("rows_used", t("data.rows_used"), fmt_int(dataset.rows_used, view.lang)),
            Figure("rows_rejected", t("data.rows_rejected"), fmt_int(dataset.rejected, view.lang)),
            Figure("shape", t("data.shape"), shape),
        ]
    )
    files = pd.DataFrame(
        {
            t("data.file"): [str(f["name"]) for f in dataset.files],
            t("data.kind"): [str(f["kind"]).upper() for f in dataset.files],
            t("data.sheet"): [str(f["sheet"] or "") for f in dataset.files],
            t("data.encoding"): [str(f["encoding"] or "") for f in dataset.files],
            t("data.rows"): [int(f["rows"]) for f in dataset.files],
        }
    )
    with st.container(key="data_files"):
        st.dataframe(files, hide_index=True, width="stretch", column_config={t("data.rows"): _count_column()})
    for note in dataset.notes:
        if note.startswith("unmapped_stages:"):
            values = ", ".join(escape_markdown(v) for v in note.split(":", 1)[1].split("|"))
            st.warning(t("data.unmapped_stages", values=values), icon=":material/warning:")
        elif note == "no_dates":
            st.info(t("data.no_dates"), icon=":material/event_busy:")
        elif note.startswith("refused_role:"):
            _, role, column = note.split(":", 2)
            st.info(
                t("data.refused_role", role=role_label(role), column=escape_markdown(column)), icon=":material/info:"
            )


def file_hashes(view: View) -> list[str]:
    if view.source == "upload":
        return [u.sha256 for u in uploads()]
    return [sample_upload_key(view.source)[0]]


def draw_sheets(view: View, dataset: Dataset) -> None:
    """A sheet choice for each workbook with more than one sheet."""
    hashes = file_hashes(view)
    for index, info in enumerate(dataset.files):
        sheets = [str(s) for s in info.get("sheets") or []]
        if len(sheets) < 2 or index >= len(hashes):
            continue
        current = str(info.get("sheet") or sheets[0])
        chosen = st.container(key=f"sheet_choice_{index}").selectbox(
            t("data.sheet_choice", file=escape_markdown(info["name"])),
            sheets,
            index=sheets.index(current) if current in sheets else 0,
            key=f"sheet_{index}_{_version()}",
        )
        if chosen != current:
            sheets_map = {**source_options(view.source).sheets, hashes[index]: chosen}
            change_options(view.source, sheets=sheets_map, roles={}, stage_map={}, stage_order=[])


def draw_roles(view: View, dataset: Dataset) -> None:
    """The detected column roles as an editable table: one row per role, a column picker in each."""
    options = source_options(view.source)
    shapes = ["auto", "records", "periods"]
    current_shape = options.shape or "auto"
    shape = st.columns([1, 2])[0].selectbox(
        t("data.shape_choice"),
        shapes,
        index=shapes.index(current_shape),
        format_func=lambda s, lang=view.lang: t(f"data.shape_option.{s}", lang),
        key=f"shape_choice_{_version()}",
    )
    if shape != current_shape:
        change_options(view.source, shape=None if shape == "auto" else shape, roles={})
    roles = RECORD_ROLES if dataset.shape == "records" else PERIOD_ROLES
    sample = cached_preview(view.dataset_key, dataset, PREVIEW_ROWS)
    plain = plain_columns(dataset)
    examples = []
    for role in roles:
        column = dataset.mapping.get(role)
        if column is not None and column in sample.columns:
            texts = [fmt_cell(v, plain=column in plain) for v in sample[column].dropna()]
            examples.append(" / ".join(list(dict.fromkeys(texts))[:3]))
        else:
            examples.append("")
    table = pd.DataFrame(
        {
            "role": [role_label(r) for r in roles],
            "column": [dataset.mapping.get(r) or NONE_CHOICE for r in roles],
            "example": examples,
        }
    )
    column_choices = [NONE_CHOICE, *dataset.columns]
    with st.container(key="roles_editor"):
        edited = st.data_editor(
            table,
            key=f"roles_editor_{_version()}",
            hide_index=True,
            width="stretch",
            height=_table_height(len(table)),
            num_rows="fixed",
            disabled=["role", "example"],
            column_config={
                "role": st.column_config.TextColumn(t("data.role")),
                "column": st.column_config.SelectboxColumn(
                    t("data.column"),
                    options=column_choices,
                    format_func=lambda c, lang=view.lang: t("data.no_column", lang) if c == NONE_CHOICE else str(c),
                    required=False,
                ),
                "example": st.column_config.TextColumn(t("data.example")),
            },
        )
    changed = {
        role: (None if new in (NONE_CHOICE, None) or pd.isna(new) else str(new))
        for role, old, new in zip(roles, table["column"], edited["column"], strict=True)
        if (old or NONE_CHOICE) != (new if isinstance(new, str) else NONE_CHOICE)
    }
    if changed:
        change_options(view.source, roles={**options.roles, **changed})


def draw_stages(view: View, dataset: Dataset) -> None:
    """Raw stage values in funnel order, each mapped to a canonical stage; order and mapping editable."""
    if dataset.shape != "records" or not dataset.stage_map:
        st.caption(t("data.no_stages"))
        return
    order = list(dataset.stage_order)
    table = pd.DataFrame(
        {
            "order": list(range(1, len(order) + 1)),
            "raw": order,
            "count": [int(dataset.stage_counts.get(v, 0)) for v in order],
            "canonical": [dataset.stage_map.get(v) or NONE_CHOICE for v in order],
        }
    )
    with st.container(key="stages_editor"):
        edited = st.data_editor(
            table,
            key=f"stages_editor_{_version()}",
            hide_index=True,
            width="stretch",
            height=_table_height(len(table)),
            num_rows="fixed",
            disabled=["raw", "count"],
            column_config={
                "order": st.column_config.NumberColumn(t("data.stage_order"), min_value=1, step=1, format="%d"),
                "raw": st.column_config.TextColumn(t("data.stage_value")),
                "count": _count_column(t("common.count")),
                "canonical": st.column_config.SelectboxColumn(
                    t("data.stage_canonical"),
                    options=[NONE_CHOICE, *CANONICAL],
                    format_func=lambda c, lang=view.lang: stage_label(None if c == NONE_CHOICE else c, lang),
                    required=False,
                ),
            },
        )
    mapping = dict(source_options(view.source).stage_map)
    for raw, old, new in zip(table["raw"], table["canonical"], edited["canonical"], strict=True):
        if new in CANONICAL and new != old:
            mapping[str(raw)] = new
    ranks = [(float(o) if pd.notna(o) else i + 1, i) for i, o in enumerate(edited["order"])]
    new_order = [order[i] for _, i in sorted(ranks)]
    if mapping != source_options(view.source).stage_map or new_order != order:
        change_options(view.source, stage_map=mapping, stage_order=new_order)


def draw_link_choice(view: View, dataset: Dataset | None) -> None:
    """For several files: the column that links them (detected, or chosen here)."""
    mine = uploads()
    if dataset is not None:
        choices = list(dataset.columns)
        current = dataset.link_key
    else:
        headers = [set(cached_file_columns(u.sha256, u.name, u.data)) for u in mine]
        choices = sorted(set.intersection(*headers)) if headers else []
        current = None
    if not choices:
        st.caption(t("data.no_link_columns"))
        return
    labels = [NONE_CHOICE, *choices]
    chosen = st.selectbox(
        t("data.link_key"),
        labels,
        index=labels.index(current) if current in labels else 0,
        format_func=lambda c, lang=view.lang: t("data.link_auto", lang) if c == NONE_CHOICE else str(c),
        key=f"link_key_{_version()}",
    )
    if chosen != (current or NONE_CHOICE) and not (chosen == NONE_CHOICE and dataset is not None):
        change_options(view.source, link_key=chosen or None)


def draw_rejects(view: View, dataset: Dataset) -> None:
    if not dataset.rejected:
        st.success(t("data.no_rejects"), icon=":material/check_circle:")
        return
    st.markdown(t("data.rejects_sentence", count=fmt_int(dataset.rejected, view.lang)))
    frame = pd.DataFrame([r.as_dict() for r in dataset.rejects], columns=["file", "row", "column", "reason"]).rename(
        columns={
            "file": t("data.file"),
            "row": t("data.row"),
            "column": t("data.column"),
            "reason": t("data.reason"),
        }
    )
    if len(frame) > SHOWN_REJECTS:
        st.caption(
            t("data.rejects_shown", shown=fmt_int(SHOWN_REJECTS, view.lang), total=fmt_int(len(frame), view.lang))
        )
    with st.container(key="rejects"):
        st.dataframe(
            frame.head(SHOWN_REJECTS),
            hide_index=True,
            width="stretch",
            height=min(400, 38 + 35 * len(frame)),
            column_config={t("data.row"): _count_column()},  # the row's line in the file (1,564), with a separator
        )
        from ui.export import csv_bytes

        st.download_button(
            t("data.rejects_download"),
            data=csv_bytes(frame),
            file_name="kpi_pivot_rejected_rows.csv",
            mime="text/csv",
            key="rejects_csv",
            on_click="ignore",
            icon=":material/download:",
        )


view = page_frame("data", require_data=False)
st.markdown(t("data.intro"))
draw_upload(view)
dataset = view.dataset
if dataset is None:
    draw_problem(view)
    st.stop()

draw_summary(view, dataset)
draw_sheets(view, dataset)
if len(dataset.files) > 1:
    draw_link_choice(view, dataset)

st.subheader(t("data.preview_title"))
with st.container(key="preview"):
    preview = cached_preview(view.dataset_key, dataset, PREVIEW_ROWS)
    st.dataframe(preview, hide_index=True, width="stretch", column_config=preview_column_config(preview, dataset))

st.subheader(t("data.roles_title"))
st.caption(t("data.roles_help"))
draw_roles(view, dataset)
if source_options(view.source) != SourceOptions():
    st.button(t("data.reset"), key="reset_options", on_click=reset_options, args=(view.source,))

st.subheader(t("data.stages_title"))
st.caption(t("data.stages_help"))
draw_stages(view, dataset)

st.subheader(t("data.rejects_title"))
draw_rejects(view, dataset)
