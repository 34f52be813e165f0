"""Data: "Is the data read correctly?": upload files, check the preview, fix column roles and stages, see rejects."""

from __future__ import annotations

import dataclasses
import functools

import pandas as pd
import streamlit as st

from kpi_core.intake.load import Dataset
from kpi_core.intake.roles import PERIOD_ROLES, RECORD_ROLES
from kpi_core.intake.stages import CANONICAL
from ui.data import SourceOptions, Upload, cached_file_columns, cached_preview, sample_upload_key
from ui.format import (
    COUNT_FORMAT,
    CURRENCIES,
    CURRENCY_SYMBOLS,
    DATE_FORMAT,
    NUMBER_FORMAT,
    escape_markdown,
    fmt_cell,
    fmt_int,
    fmt_pct,
    normalise_currency,
)
from ui.frame import (
    UPLOADS_KEY,
    View,
    lang_epoch,
    month_name,
    page_frame,
    set_source_options,
    source_options,
    upload_lost,
    uploads,
    use_source,
)
from ui.frames import Figure, preview_formats
from ui.goals_state import CALENDARS, edited_goals_text
from ui.held_data import release_uploaded_file, uploads_over_budget
from ui.i18n import current_lang, has_text, role_label, t
from ui.intake_notice import draw_data_page_notices
from ui.show import headline
from ui.workspace_access import BadEntry, parse_allowed, sign_in_available
from ui.workspace_view import (
    WS_SOURCE,
    OpenedWorkspace,
    draw_created_links,
    draw_notice,
    draw_save_as,
    say,
    workspace_of,
)
from ui.workspace_view import add_snapshot as add_workspace_snapshot
from ui.workspace_view import current as current_workspace
from ui.workspace_view import save_options as save_workspace_options
from ui.workspace_view import save_settings as save_workspace_settings

EDITOR_VERSION_KEY = "data_editor_version"
UPLOADER_VERSION_KEY = "uploader_version"
HISTORY_KEY = "source_options_history"
UPLOAD_REFUSED_KEY = "upload_refused_full"
NONE_CHOICE = "—"  # "no column" / "not mapped" in the editors (an empty cell would read as None)
PREVIEW_ROWS = 20
SHOWN_REJECTS = 1000
PLAIN_ROLES = ("id", "period", "created", "closed", "updated")  # numbers that name a record or a day: no separators
AUTO = "auto"  # "detect" in the date-order and currency choices
DATE_ORDERS = ("dmy", "mdy")


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


def blank_text_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A blank text cell shown blank, as in the file (a grid would print "None" on a Japanese page)."""
    text = [c for c in frame.columns if pd.api.types.is_string_dtype(frame[c]) or frame[c].dtype == object]
    return frame.assign(**{c: frame[c].astype(object).where(frame[c].notna(), "") for c in text}) if text else frame


def _table_height(rows: int) -> int:
    """Pixels that show every row of a short table without an inner scroll bar."""
    return 38 + 35 * min(rows, 20)


def editable(view: View) -> bool:
    """Whether this page may change what it shows: always for samples and uploads; in a workspace only with the
    editor link while no other editor holds it (the engine refuses the rest anyway)."""
    opened = workspace_of(view)
    return opened is None or opened.editable


def take_uploads() -> None:
    """Uploader callback: keep the files' bytes for this session and switch the view to them."""
    files = st.session_state.get(uploader_key()) or []
    if not files:  # the user removed every file from the uploader
        forget_uploads()
        return
    if uploads_over_budget():  # the server already holds as many uploaded bytes as it may
        for f in files:
            release_uploaded_file(f.file_id)
        forget_uploads()
        st.session_state[UPLOAD_REFUSED_KEY] = True
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


def apply_options(source: str, options: SourceOptions) -> bool:
    """Use `options` for `source`; in a workspace they are saved to it first (False when the engine refuses: the
    workspace keeps its options and the sentence is shown above)."""
    opened = current_workspace() if source == WS_SOURCE else None
    if opened is not None:
        if not save_workspace_options(opened, options):
            return False
        say("success", t("ws.saved_options"))
    set_source_options(source, options)
    return True


def change_options(source: str, **changes: object) -> None:
    """Apply Data-page changes to the source's load options, keeping the previous ones for undo; rerun."""
    current = source_options(source)
    if apply_options(source, dataclasses.replace(current, **changes)):
        st.session_state.setdefault(HISTORY_KEY, {}).setdefault(source, []).append(current)
    _bump_editors()
    st.rerun()


def undo_options(source: str) -> None:
    history = st.session_state.get(HISTORY_KEY, {}).get(source, [])
    previous = history[-1] if history else SourceOptions()
    if apply_options(source, previous) and history:
        history.pop()
    _bump_editors()


def reset_options(source: str) -> None:
    if apply_options(source, SourceOptions()):
        st.session_state.get(HISTORY_KEY, {}).pop(source, None)
    _bump_editors()


def take_snapshot() -> None:
    """Uploader callback inside a workspace (editor): store the newer export as the workspace's data."""
    from kpi_core.intake.errors import IntakeError
    from kpi_core.intake.load import FileInput
    from kpi_core.workspace import WorkspaceError

    files = st.session_state.get(uploader_key()) or []
    opened = current_workspace()
    if not files or opened is None:
        return
    st.session_state[UPLOADER_VERSION_KEY] = st.session_state.get(UPLOADER_VERSION_KEY, 0) + 1  # empty it
    try:
        rows = add_workspace_snapshot(opened, [FileInput(f.name, f.getvalue()) for f in files])
    except (WorkspaceError, IntakeError) as exc:
        say("error", exc.message(current_lang()))
        return
    finally:
        for f in files:
            release_uploaded_file(f.file_id)
    say("success", t("ws.snapshot_added", rows=fmt_int(rows)))
    _bump_editors()


def draw_workspace_upload(view: View, opened: OpenedWorkspace) -> None:
    """Inside a workspace: an editor may upload a newer export (a new snapshot); a viewer sees no uploader."""
    if not opened.can_edit:
        return
    with st.container(key="upload_box", border=True):
        if opened.lock_message:
            st.warning(opened.lock_message, icon=":material/lock_clock:")
            return
        st.file_uploader(
            t("ws.upload_label"),
            type=["csv", "tsv", "txt", "xlsx", "xlsm"],
            accept_multiple_files=True,
            key=uploader_key(),
            on_change=take_snapshot,
            help=t("data.upload_help"),
        )


def draw_upload(view: View) -> None:
    opened = workspace_of(view)
    if opened is not None:
        draw_workspace_upload(view, opened)
        return
    with st.container(key="upload_box", border=True):
        if view.source == "upload" and upload_lost():  # the link's files are gone with the server's session
            st.warning(t("data.upload_lost"), icon=":material/cloud_off:")
        if st.session_state.pop(UPLOAD_REFUSED_KEY, False):
            st.error(t("data.upload_refused_full"), icon=":material/error:")
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
            st.caption(t("data.your_files", files=names, size=_size_text(sum(u.size for u in mine))))
            with st.container(horizontal=True):
                if view.source != "upload":
                    st.button(t("data.use_my_files"), key="use_my_files", on_click=use_source, args=("upload",))
                st.button(t("data.forget_files"), key="forget_files", on_click=forget_uploads)


def draw_problem(view: View) -> None:
    """The one-sentence error, and what can be done about it here."""
    with st.container(key="data_error"):
        if workspace_of(view) is not None:
            st.error(view.error or t("error.unknown"), icon=":material/error:")
            if editable(view) and source_options(view.source) != SourceOptions():
                with st.container(horizontal=True):
                    if st.session_state.get(HISTORY_KEY, {}).get(view.source):
                        st.button(t("data.undo"), key="undo_options", on_click=undo_options, args=(view.source,))
                    st.button(t("data.reset"), key="reset_options", on_click=reset_options, args=(view.source,))
            return
        if view.source == "upload" and not uploads():
            if view.error_code != "upload_lost":  # that one is said above the uploader
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
    skipped = len(dataset.skipped)
    headline(
        [
            Figure("rows_read", t("data.rows_read"), fmt_int(dataset.rows_read, view.lang)),
            Figure("rows_used", t("data.rows_used"), fmt_int(dataset.rows_used, view.lang)),
            Figure("rows_rejected", t("data.rows_rejected"), fmt_int(dataset.rejected, view.lang)),
            Figure("rows_skipped", t("data.rows_skipped"), fmt_int(skipped, view.lang)),
            Figure("shape", t("data.shape"), shape),
        ]
    )
    if skipped or dataset.rows_linked:
        st.caption(
            t(
                "data.rows_sum",
                used=fmt_int(dataset.rows_used),
                rejected=fmt_int(dataset.rejected),
                skipped=fmt_int(skipped),
                linked=fmt_int(dataset.rows_linked),
            )
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


def file_hashes(view: View) -> list[str]:
    if workspace_of(view) is not None:  # stored tables: one table per file, no sheets to choose
        return []
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


def _evidence(dataset: Dataset) -> dict:
    evidence = getattr(dataset, "evidence", None)
    return evidence if isinstance(evidence, dict) else {}


def role_evidence(dataset: Dataset, options: SourceOptions, role: str) -> tuple[str, str, str]:
    """(how the role's column was found, share of its values that fit, other candidate columns) as table text."""
    found = _evidence(dataset).get(role)
    found = found if isinstance(found, dict) else {}
    column = dataset.mapping.get(role)
    by = found.get("by")
    if role in options.roles and options.roles[role] == column:
        by = "user"  # chosen in the editor above, whatever the engine says
    by_text = t(f"data.found_by.{by}") if column and has_text(f"data.found_by.{by}") else ""
    fit = found.get("fit")
    fit_text = fmt_pct(fit) if column and isinstance(fit, int | float) and not isinstance(fit, bool) else ""
    others = [str(c) for c in found.get("alternatives") or [] if str(c) != column]
    return by_text, fit_text, ", ".join(others)


def draw_roles(view: View, dataset: Dataset) -> None:
    """The detected column roles as an editable table: one row per role, a column picker in each, and how each
    column was found (header, values or you), how many of its values fit, and the other candidates."""
    options = source_options(view.source)
    shapes = ["auto", "records", "periods"]
    current_shape = options.shape or "auto"
    if editable(view):
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
    found_by, fits, others = zip(*(role_evidence(dataset, options, r) for r in roles), strict=True)
    table = pd.DataFrame(
        {
            "role": [role_label(r) for r in roles],
            "column": [dataset.mapping.get(r) or NONE_CHOICE for r in roles],
            "found_by": list(found_by),
            "fit": list(fits),
            "others": list(others),
            "example": examples,
        }
    )
    column_choices = [NONE_CHOICE, *dataset.columns]
    if not editable(view):  # the same table, read only
        shown = table.assign(column=[c if c != NONE_CHOICE else t("data.no_column") for c in table["column"]])
        with st.container(key="roles_table"):
            st.dataframe(
                shown.rename(columns=_role_headers(found_by, fits, others)),
                hide_index=True,
                width="stretch",
                column_order=list(_role_headers(found_by, fits, others).values()),
            )
        draw_refused(dataset)
        return
    with st.container(key="roles_editor"):
        edited = st.data_editor(
            table,
            key=f"roles_editor_{_version()}",
            hide_index=True,
            width="stretch",
            height=_table_height(len(table)),
            num_rows="fixed",
            disabled=["role", "found_by", "fit", "others", "example"],
            column_config={
                "role": st.column_config.TextColumn(t("data.role")),
                "column": st.column_config.SelectboxColumn(
                    t("data.column"),
                    options=column_choices,
                    format_func=lambda c, lang=view.lang: t("data.no_column", lang) if c == NONE_CHOICE else str(c),
                    required=False,
                ),
                # Evidence columns, hidden while empty (an engine or a shape that gives none).
                "found_by": st.column_config.TextColumn(t("data.found_by")) if any(found_by) else None,
                "fit": st.column_config.TextColumn(t("data.fit")) if any(fits) else None,
                "others": st.column_config.TextColumn(t("data.alternatives")) if any(others) else None,
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
    draw_refused(dataset)


def _role_headers(found_by: tuple, fits: tuple, others: tuple) -> dict[str, str]:
    """The read-only roles table's headers (evidence columns only while they say something)."""
    headers = {"role": t("data.role"), "column": t("data.column")}
    if any(found_by):
        headers["found_by"] = t("data.found_by")
    if any(fits):
        headers["fit"] = t("data.fit")
    if any(others):
        headers["others"] = t("data.alternatives")
    headers["example"] = t("data.example")
    return headers


def draw_refused(dataset: Dataset) -> None:
    """Columns named like a role whose values do not fit it: not used, and why."""
    refused = _evidence(dataset).get("refused")
    if isinstance(refused, dict):  # {"items": [...]}
        refused = refused.get("items")
    lines = []
    if isinstance(refused, list):
        for item in (r for r in refused if isinstance(r, dict) and r.get("column") and r.get("role")):
            if item["role"] in dataset.mapping and dataset.mapping[item["role"]] == item["column"]:
                continue  # chosen since (by you): used after all
            column, role = escape_markdown(item["column"]), role_label(str(item["role"]))
            fit = item.get("fit")
            if isinstance(fit, int | float) and not isinstance(fit, bool):
                lines.append(t("data.refused_fit", column=column, role=role, fit=fmt_pct(fit)))
            else:
                lines.append(t("data.refused_role", column=column, role=role))
    else:  # an engine without evidence: its notes
        for note in dataset.notes:
            if note.startswith("refused_role:"):
                _, role, column = note.split(":", 2)
                lines.append(t("data.refused_role", role=role_label(role), column=escape_markdown(column)))
    if lines:
        with st.container(key="refused_columns"):
            st.info("\n".join(f"- {line}" for line in lines) if len(lines) > 1 else lines[0], icon=":material/info:")


def date_order_reason(info: dict) -> str:
    """Why a date column is read in its order: proven by N values / assumed from … / you chose it."""
    by = str(info.get("by") or "")
    if by == "proven":
        proofs = info.get("day_first") if info.get("order") == "dmy" else info.get("month_first")
        return t("data.date_reason.proven", count=fmt_int(proofs or 0))
    key = f"data.date_reason.{by}"
    return t(key) if has_text(key) else t("data.date_reason.unknown")


def draw_date_orders(view: View, dataset: Dataset) -> bool:
    """For each date column whose day/month order had to be decided: the order used, why, and a choice."""
    orders = _evidence(dataset).get("date_order")
    if not isinstance(orders, dict) or not orders:
        return False
    options = source_options(view.source)
    for index, (column, info) in enumerate(orders.items()):
        if not isinstance(info, dict) or info.get("order") not in DATE_ORDERS:
            continue
        examples = [escape_markdown(e) for e in list(info.get("examples") or [])[:3]]
        line = t(
            "data.date_order_line",
            column=escape_markdown(column),
            order=t(f"data.date_order.{info['order']}"),
            reason=date_order_reason(info),
            examples=t("data.date_order_examples", examples=", ".join(examples)) if examples else "",
        )
        chosen_now = options.date_orders.get(str(column), AUTO)
        choices = [AUTO, *DATE_ORDERS]
        if not editable(view):
            st.markdown(line)
            continue
        text, choice = st.columns([3, 1], vertical_alignment="center")
        text.markdown(line)
        chosen = choice.selectbox(
            t("data.date_order_choice", column=escape_markdown(column)),
            choices,
            index=choices.index(chosen_now) if chosen_now in choices else 0,
            format_func=lambda c, lang=view.lang: t(f"data.date_order.{c}", lang),
            key=f"date_order_{index}_{_version()}",
            label_visibility="collapsed",
        )
        if chosen != chosen_now:
            orders_now = {k: v for k, v in options.date_orders.items() if k != str(column)}
            change_options(view.source, date_orders=orders_now if chosen == AUTO else {**orders_now, column: chosen})
    return True


def has_money(dataset: Dataset) -> bool:
    return "amount" in dataset.mapping or "revenue" in dataset.mapping or "currency" in _evidence(dataset)


CELL_SIGNS = {  # how each currency is written in cells, most telling first
    "JPY": ("¥", "円", "JPY"),
    "USD": ("US$", "$", "USD", "ドル"),
    "EUR": ("€", "EUR"),
    "GBP": ("£", "GBP"),
    "CNY": ("CN¥", "元", "CNY", "RMB"),
}


def currency_sign(code: str, info: dict) -> str:
    """The sign the cells carry ("$", "円"…): from the engine's example cells when given, else the usual ones."""
    examples = [str(e) for e in info.get("examples") or []]
    found = [sign for sign in CELL_SIGNS.get(code, ()) if any(sign in e for e in examples)]
    if found:
        return found[0]
    return "¥ / 円" if code == "JPY" else CURRENCY_SYMBOLS.get(code, code).strip()  # yen: ¥1,200 and 1,200円


def currency_reason(dataset: Dataset, options: SourceOptions, code: str | None) -> str:
    info = _evidence(dataset).get("currency")
    info = info if isinstance(info, dict) else {}
    counts = info.get("counts") if isinstance(info.get("counts"), dict) else {}
    if options.currency:
        return t("data.currency_reason.user")
    if info.get("mixed") and len(counts) > 1:
        shown = ", ".join(f"{escape_markdown(c)} {fmt_int(n)}" for c, n in counts.items())
        return t("data.currency_reason.mixed", counts=shown)
    by = info.get("by")
    if by == "cells" and code:
        return t("data.currency_reason.cells", symbol=escape_markdown(currency_sign(code, info)))
    if by in ("header", "user", "column"):
        return t(f"data.currency_reason.{by}")
    return t("data.currency_reason.none")


def currency_name(code: str, lang: str | None = None) -> str:
    return t(f"currency.{code}", lang) if has_text(f"currency.{code}") else code


def draw_currency(view: View, dataset: Dataset) -> bool:
    """The currency the amounts are in, why, and a choice (nothing is converted: only how money is written)."""
    if not has_money(dataset):
        return False
    options = source_options(view.source)
    info = _evidence(dataset).get("currency")
    detected = info.get("code") if isinstance(info, dict) else None
    opened = workspace_of(view)
    stored = opened.settings.currency if opened is not None else None
    code = normalise_currency(options.currency or stored or getattr(dataset, "currency", None) or detected)
    line = t(
        "data.currency_line", currency=currency_name(code or "JPY"), reason=currency_reason(dataset, options, code)
    )
    if not editable(view):
        st.markdown(line)
        return True
    text, choice = st.columns([3, 1], vertical_alignment="center")
    text.markdown(line)
    choices = [AUTO, *CURRENCIES]
    if options.currency and options.currency not in choices:
        choices.append(options.currency)
    current = options.currency or AUTO
    chosen = choice.selectbox(
        t("data.currency_choice"),
        choices,
        index=choices.index(current),
        format_func=lambda c, lang=view.lang: (
            t("data.currency_option.auto", lang) if c == AUTO else currency_name(c, lang)
        ),
        key=f"currency_choice_{_version()}",
        help=t("data.currency_choice_help"),
        label_visibility="collapsed",
    )
    if chosen != current:
        change_options(view.source, currency=None if chosen == AUTO else chosen)
    return True


def draw_reading(view: View, dataset: Dataset) -> None:
    """Date order and currency: how values were read where the data left a choice."""
    orders = _evidence(dataset).get("date_order")
    if not (isinstance(orders, dict) and orders) and not has_money(dataset):
        return
    st.subheader(t("data.reading_title"))
    with st.container(key="reading"):
        draw_date_orders(view, dataset)
        draw_currency(view, dataset)


def stage_choice_label(stage: str, lang: str | None = None) -> str:
    """A funnel level as a choice in the stage table: "④ 商談", "失注（商談まで進んだ）", "（未対応：…）"."""
    return t("data.stage_choice.none" if stage == NONE_CHOICE else f"data.stage_choice.{stage}", lang)


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
    if not editable(view):  # the same table, read only
        shown = table.assign(canonical=[stage_choice_label(c) for c in table["canonical"]])
        headers = {
            "order": t("data.stage_order"),
            "raw": t("data.stage_value"),
            "count": t("common.count"),
            "canonical": t("data.stage_canonical"),
        }
        with st.container(key="stages_table"):
            st.dataframe(
                shown.rename(columns=headers),
                hide_index=True,
                width="stretch",
                column_config={headers["count"]: _count_column()},
            )
        return
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
                    format_func=lambda c, lang=view.lang: stage_choice_label(c, lang),
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
        headers = [set(cached_file_columns(u.sha256, u.name, u.path)) for u in mine]
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
    frame = pd.DataFrame([r.as_dict(view.lang) for r in dataset.rejects], columns=["file", "row", "column", "reason"])
    frame = frame.rename(
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
            data=functools.partial(csv_bytes, frame),  # made on click: nothing stored until then
            file_name="kpi_pivot_rejected_rows.csv",
            mime="text/csv",
            key="rejects_csv",
            on_click="ignore",
            icon=":material/download:",
        )


def draw_skipped(view: View, dataset: Dataset) -> None:
    """Blank and summary rows (合計 / Total): left out on purpose, never counted, listed like the rejects."""
    if not dataset.skipped:
        return
    st.subheader(t("data.skipped_title"))
    st.markdown(t("data.skipped_sentence", count=fmt_int(len(dataset.skipped), view.lang)))
    frame = pd.DataFrame(
        {
            t("data.file"): [str(s.file) for s in dataset.skipped],
            t("data.row"): [int(s.row) for s in dataset.skipped],
            t("data.reason"): [s.message(view.lang) for s in dataset.skipped],
        }
    )
    with st.container(key="skipped_rows"):
        st.dataframe(
            frame.head(SHOWN_REJECTS),
            hide_index=True,
            width="stretch",
            height=min(400, 38 + 35 * min(len(frame), SHOWN_REJECTS)),
            column_config={t("data.row"): _count_column()},
        )


def relation_text(relation: str, lang: str | None = None) -> str:
    key = f"data.relation.{relation}"
    return t(key, lang) if has_text(key) else str(relation)


def draw_links(view: View, dataset: Dataset) -> None:
    """How each file joined the base file: key, relation in words, matched and unmatched rows."""
    if len(dataset.files) < 2 or not dataset.links:
        return
    frame = pd.DataFrame(
        {
            t("data.file"): [str(link.file) for link in dataset.links],
            t("data.link_key_column"): [str(link.key) for link in dataset.links],
            t("data.relation"): [relation_text(link.relation, view.lang) for link in dataset.links],
            t("data.matched"): [int(link.matched) for link in dataset.links],
            t("data.unmatched"): [int(link.unmatched) for link in dataset.links],
        }
    )
    with st.container(key="links"):
        st.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            column_config={t("data.matched"): _count_column(), t("data.unmatched"): _count_column()},
        )


def draw_save_as_workspace(view: View, dataset: Dataset) -> None:
    """After an upload: save it (data, roles, stages, goals, currency, fiscal year, calendar) as a workspace."""
    from kpi_core.intake.load import FileInput
    from kpi_core.workspace import Settings

    options = source_options(view.source)
    mine = uploads()
    files = [FileInput(u.name, u.path, sheet=options.sheets.get(u.sha256)) for u in mine]
    calendar = st.session_state.get("v_cal")
    currency = options.currency or getattr(dataset, "currency", None)
    settings = Settings(
        currency=currency if currency in CURRENCIES else None,
        fiscal_start=view.fiscal_start,
        calendar=calendar if calendar in CALENDARS else "jp",
    )
    draw_save_as(dataset, files, options, edited_goals_text(view.source), settings)


def draw_workspace_settings(view: View, opened: OpenedWorkspace) -> None:
    """An editor's settings of the workspace: default fiscal-year start and calendar, and who may open it."""
    from kpi_core.workspace import Settings, WorkspaceError

    with st.expander(t("ws.settings_title")), st.container(key="ws_settings"):
        months = list(range(1, 13))
        fiscal = st.selectbox(
            t("ws.settings_fiscal"),
            months,
            index=months.index(opened.settings.fiscal_start) if opened.settings.fiscal_start in months else 3,
            format_func=lambda m, lang=view.lang: month_name(m, lang),
            key=f"ws_fiscal_{_version()}",
        )
        calendars = list(CALENDARS)
        calendar = st.selectbox(
            t("ws.settings_calendar"),
            calendars,
            index=calendars.index(opened.settings.calendar) if opened.settings.calendar in calendars else 0,
            format_func=lambda c, lang=view.lang: t(f"goals.calendar.{c}", lang),
            key=f"ws_calendar_{_version()}",
        )
        available = sign_in_available()
        allowed_text = st.text_area(
            t("ws.settings_allowed"),
            value="\n".join(opened.allowed),
            key=f"ws_allowed_{_version()}",
            disabled=not available and not opened.allowed,
            height=100,
        )
        if not available:
            st.caption(t("ws.settings_allowed_off"))
        if st.button(t("ws.settings_save"), key="ws_settings_save"):
            try:
                allowed = parse_allowed(allowed_text)
            except BadEntry as exc:
                st.error(t("ws.bad_allowed", value=escape_markdown(exc.value)), icon=":material/error:")
                return
            settings = Settings(currency=opened.settings.currency, fiscal_start=int(fiscal), calendar=str(calendar))
            try:
                save_workspace_settings(opened, settings, allowed)
            except WorkspaceError as exc:
                st.error(exc.message(view.lang), icon=":material/error:")
                return
            say("success", t("ws.settings_saved"))
            _bump_editors()
            st.rerun()


view = page_frame("data", require_data=False)
st.markdown(t("data.intro"))
opened_workspace = workspace_of(view)
draw_upload(view)
if opened_workspace is not None:
    draw_notice()
    if opened_workspace.can_edit:
        draw_created_links(view.lang, opened_workspace.id)
    if opened_workspace.editable:
        draw_workspace_settings(view, opened_workspace)
    elif not opened_workspace.can_edit:
        st.caption(t("ws.read_only_note"))
dataset = view.dataset
if dataset is None:
    draw_problem(view)
    st.stop()
if view.source == "upload" and opened_workspace is None:
    draw_save_as_workspace(view, dataset)

draw_data_page_notices(dataset)
draw_summary(view, dataset)
draw_sheets(view, dataset)
if len(dataset.files) > 1:
    if editable(view):
        draw_link_choice(view, dataset)
    draw_links(view, dataset)

st.subheader(t("data.preview_title"))
with st.container(key="preview"):
    preview = blank_text_cells(cached_preview(view.dataset_key, dataset, PREVIEW_ROWS))
    st.dataframe(preview, hide_index=True, width="stretch", column_config=preview_column_config(preview, dataset))

st.subheader(t("data.roles_title"))
st.caption(t("data.roles_help"))
draw_roles(view, dataset)
draw_reading(view, dataset)
if editable(view) and source_options(view.source) != SourceOptions():  # roles, shape, date orders, currency
    st.button(t("data.reset"), key="reset_options", on_click=reset_options, args=(view.source,))

st.subheader(t("data.stages_title"))
st.caption(t("data.stages_help"))
draw_stages(view, dataset)

st.subheader(t("data.rejects_title"))
draw_rejects(view, dataset)
draw_skipped(view, dataset)
