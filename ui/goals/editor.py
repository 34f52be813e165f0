"""The goal model editor: templates, import, YAML and a KPI target table; every change is checked before it
replaces the workspace's goal model."""

from __future__ import annotations

import functools
import hashlib

import pandas as pd
import streamlit as st

from kpi_core.goals import Goals
from ui.format import escape_markdown
from ui.frame import View
from ui.goals_state import goals_text
from ui.i18n import current_lang, metric_label, t

MESSAGE_KEY = "goals_editor_message"  # session: (kind, text, problems) shown once under the editor

TEMPLATES = ("sales", "marketing")

TABLE_COLUMNS = ("id", "name", "metric", "target", "per", "owner", "department")


def _say(kind: str, text: str, problems: list[str] | None = None) -> None:
    st.session_state[MESSAGE_KEY] = (kind, text, problems or [])


def _store(view: View, text: str, done: str) -> None:
    from kpi_core.goals import GoalsError
    from kpi_core.workspace import WorkspaceError
    from ui.goals_state import store_goals

    try:
        store_goals(view, text)
    except GoalsError as exc:
        _say("error", t("goals.editor.errors"), exc.lines(current_lang()))
        return
    except WorkspaceError as exc:  # a viewer key, another editor, a revoked link: the engine's one sentence
        _say("error", exc.message(current_lang()))
        return
    _say("success", done)


def _apply_template(view: View) -> None:
    from kpi_core.goals import template_text

    name = st.session_state.get("goals_template", TEMPLATES[0])
    lang = st.session_state.get("goals_template_lang", view.lang)
    _store(view, template_text(name, lang), t("goals.editor.applied"))


def _reset(view: View) -> None:
    from kpi_core.workspace import WorkspaceError
    from ui.goals_state import reset_goals

    try:
        reset_goals(view)
    except WorkspaceError as exc:
        _say("error", exc.message(current_lang()))
        return
    _say("success", t("goals.editor.applied"))


def _import(view: View) -> None:
    upload = st.session_state.get("goals_upload")
    if upload is None:
        return
    try:
        text = upload.getvalue().decode("utf-8-sig")
    except UnicodeDecodeError:
        _say("error", t("goals.editor.not_utf8", name=escape_user(upload.name)))
        return
    _store(view, text, t("goals.editor.imported", name=escape_user(upload.name)))


def _apply_yaml(view: View, key: str) -> None:
    _store(view, str(st.session_state.get(key, "")), t("goals.editor.applied"))


def _apply_table(view: View, key: str, goals: Goals) -> None:
    """Write the edited KPI rows (and KGI target) back through dump_goals, checked like any goal file."""
    import copy

    from kpi_core.goals import dump_goals

    edited = copy.deepcopy(goals)
    state = st.session_state.get(key) or {}
    for index, changes in (state.get("edited_rows") or {}).items():
        kpi = edited.kpis[int(index)]
        for column, value in changes.items():
            if column == "target" and value is not None:
                kpi.target = float(value)
            elif column in ("name", "owner", "department", "per") and value is not None:
                setattr(kpi, column, str(value))
    kgi_target = st.session_state.get(f"{key}_kgi")
    if kgi_target is not None:
        edited.kgi.target = float(kgi_target)
    _store(view, dump_goals(edited), t("goals.editor.applied"))


def escape_user(text: object) -> str:
    return escape_markdown(text)


def draw_goal_editor(view: View, goals: Goals) -> None:
    """Templates, import, YAML editing and a KPI target table; every change is checked (GoalsError lists the
    line and field of each problem) before it replaces the workspace's goal model."""
    text = goals_text(view)
    version = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    message = st.session_state.pop(MESSAGE_KEY, None)
    if message:
        kind, sentence, problems = message
        body = sentence + ("\n\n" + "\n".join(f"- {escape_user(p)}" for p in problems) if problems else "")
        (st.error if kind == "error" else st.success)(body, icon=":material/error:" if kind == "error" else None)
    st.download_button(
        t("goals.editor.export"),
        data=functools.partial(str.encode, text, "utf-8"),  # made on click: nothing stored until then
        file_name="goals.yaml",
        mime="application/x-yaml",
        key="goals_export",
        icon=":material/download:",
        on_click="ignore",
    )
    from ui.workspace_view import workspace_of

    opened = workspace_of(view)
    if opened is not None and not opened.editable:  # a viewer link, or another editor holds the workspace
        with st.container(key="goals_read_only"):
            st.info(opened.lock_message or t("ws.read_only_note"), icon=":material/visibility:")
        return
    tab_template, tab_import, tab_yaml, tab_table = st.tabs(
        [
            t("goals.editor.tab_template"),
            t("goals.editor.tab_import"),
            t("goals.editor.tab_yaml"),
            t("goals.editor.tab_table"),
        ]
    )
    with tab_template:
        from ui.goals_state import is_own_goals, template_name

        left, right = st.columns(2)
        if st.session_state.get("goals_template") not in TEMPLATES:
            st.session_state["goals_template"] = template_name(view)
        if st.session_state.get("goals_template_lang") not in ("ja", "en"):
            st.session_state["goals_template_lang"] = view.lang
        left.selectbox(
            t("goals.editor.template"),
            TEMPLATES,
            key="goals_template",
            format_func=lambda name, lang=view.lang: t(f"goals.template.{name}", lang),
        )
        right.selectbox(
            t("goals.editor.template_lang"),
            ("ja", "en"),
            key="goals_template_lang",
            format_func=lambda code, lang=view.lang: t(f"goals.lang.{code}", lang),
        )
        with st.container(horizontal=True):
            st.button(t("goals.editor.use_template"), key="goals_use_template", on_click=_apply_template, args=(view,))
            st.button(
                t("goals.editor.reset"),
                key="goals_reset",
                on_click=_reset,
                args=(view,),
                disabled=not is_own_goals(view),
            )
    with tab_import:
        st.file_uploader(
            t("goals.editor.upload"),
            type=["yaml", "yml"],
            key="goals_upload",
            help=t("goals.editor.upload_help"),
            on_change=_import,
            args=(view,),
        )
    with tab_yaml:
        key = f"goals_yaml_{version}"
        st.text_area(t("goals.editor.yaml"), value=text, key=key, height=360)
        st.button(
            t("goals.editor.apply"), key="goals_apply_yaml", on_click=_apply_yaml, args=(view, key), type="primary"
        )
    with tab_table:
        table_key = f"goals_table_{version}"
        st.caption(t("goals.editor.table_help"))
        st.number_input(
            t("goals.editor.kgi_target"), value=float(goals.kgi.target), key=f"{table_key}_kgi", step=1_000_000.0
        )
        frame = pd.DataFrame(
            [{c: getattr(k, c) for c in TABLE_COLUMNS} for k in goals.kpis], columns=list(TABLE_COLUMNS)
        )
        frame["metric"] = [metric_label(m, view.lang) for m in frame["metric"]]
        from kpi_core.goals import KPI_PERS

        st.data_editor(
            frame,
            key=table_key,
            hide_index=True,
            width="stretch",
            num_rows="fixed",
            disabled=["id", "metric"],
            column_config={
                "id": st.column_config.TextColumn(t("goals.editor.col.id")),
                "name": st.column_config.TextColumn(t("goals.editor.col.name")),
                "metric": st.column_config.TextColumn(t("goals.editor.col.metric")),
                "target": st.column_config.NumberColumn(t("goals.editor.col.target"), format="%.6g"),
                "per": st.column_config.SelectboxColumn(t("goals.editor.col.per"), options=list(KPI_PERS)),
                "owner": st.column_config.TextColumn(t("goals.editor.col.owner")),
                "department": st.column_config.TextColumn(t("goals.editor.col.department")),
            },
        )
        st.button(
            t("goals.editor.apply_table"),
            key="goals_apply_table",
            on_click=_apply_table,
            args=(view, table_key, goals),
            type="primary",
        )
