"""The workspace's goal model (KGI → KPI → CSF), as-of date and calendar, shared by the goal, pacing and pivot pages.

Without a saved workspace, each data source keeps its own goal YAML in the session (never in a module global); until
the user imports or edits one, the built-in template that fits the data is used, in the current language. A saved
workspace (opened from a `?ws=…&key=…` link) has its own goal file, read from it on every run and saved to it by
an editor (kpi_core.workspace refuses a viewer); its calendar is the default of the calendar choice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time

import streamlit as st

from kpi_core.asof import AsOfError, check_as_of
from kpi_core.goals import Goals, load_goals, template_text
from ui.frame import View
from ui.i18n import t
from ui.state import store_value, url_choice, url_value
from ui.workspace_view import save_goals as save_workspace_goals
from ui.workspace_view import workspace_of

GOALS_KEY = "goals_yaml"  # session: {source: YAML text the user imported or edited}
GOALS_REVISED_KEY = "goals_revised"  # session: {source: POSIX time of that edit}
CALENDARS = ("jp", "weekends", "none")
MARKETING_LEVELS = {"lead", "mql", "sql"}


def template_name(view: View) -> str:
    """ "sales" or "marketing": the built-in template that fits the data (a lead funnel is marketing's)."""
    if view.source in ("leads", "kpi"):
        return "marketing"
    if view.dataset is not None and MARKETING_LEVELS & set(view.dataset.present_levels):
        return "marketing"
    return "sales"


def goals_text(view: View) -> str:
    """The YAML of the workspace's goal model: the user's own, else the fitting template."""
    opened = workspace_of(view)
    own = opened.goals_text if opened is not None else st.session_state.get(GOALS_KEY, {}).get(view.source)
    return own if own is not None else template_text(template_name(view), view.lang)


def is_own_goals(view: View) -> bool:
    """Whether the user imported or edited the goal model (else it is a template)."""
    opened = workspace_of(view)
    if opened is not None:
        return opened.goals_text is not None
    return view.source in st.session_state.get(GOALS_KEY, {})


def edited_goals_text(source: str) -> str | None:
    """The goal YAML the user imported or edited for `source` in this session (None: the template is used)."""
    return st.session_state.get(GOALS_KEY, {}).get(source)


@st.cache_data(max_entries=32, show_spinner=False)
def _parse(text_hash: str, text: str) -> Goals:
    return load_goals(text)


def current_goals(view: View) -> Goals:
    """The workspace's goal model, parsed (a stored text is always valid: it was checked when stored)."""
    text = goals_text(view)
    return _parse(hashlib.sha256(text.encode("utf-8")).hexdigest(), text)


def store_goals(view: View, text: str) -> Goals:
    """Check and keep the user's goal YAML for this source; raises GoalsError (line and field) when it is wrong.

    In a workspace the file is saved to it: WorkspaceReadOnly for a viewer key, WorkspaceLocked while another
    editor holds it (nothing is kept then)."""
    goals = load_goals(text)
    opened = workspace_of(view)
    if opened is not None:
        save_workspace_goals(opened, text)
        return goals
    st.session_state.setdefault(GOALS_KEY, {})[view.source] = text
    st.session_state.setdefault(GOALS_REVISED_KEY, {})[view.source] = time.time()
    return goals


def goals_revised(view: View) -> float | None:
    """When the goal file in use was last revised (POSIX time): the workspace's saved file, or this session's edit;
    None for a built-in template (the health check then says the revision date is unknown)."""
    opened = workspace_of(view)
    if opened is not None:
        return opened.workspace.goals_revised()
    return st.session_state.get(GOALS_REVISED_KEY, {}).get(view.source)


def reset_goals(view: View) -> None:
    """Go back to the built-in template for this source (in a workspace: save the fitting template as its goal
    file, since a workspace's goal file is replaced, never removed)."""
    opened = workspace_of(view)
    if opened is not None:
        save_workspace_goals(opened, template_text(template_name(view), view.lang))
        return
    st.session_state.get(GOALS_KEY, {}).pop(view.source, None)


def default_as_of(view: View) -> dt.date:
    """Today while the data reaches the current month; else the data's last date (a past export stays usable)."""
    today = dt.date.today()
    last = view.bounds[1]
    if last is None or (last.year, last.month) >= (today.year, today.month):
        return today
    return last


def draw_as_of(view: View) -> dt.date:
    """The as-of date input (URL `asof`), default today; settable for demos and for looking back."""
    default = default_as_of(view)
    value = url_value("asof", default, _date_parser)
    chosen = st.date_input(t("goals.as_of"), value=value, key="w_asof", help=t("goals.as_of_help"), format="YYYY-MM-DD")
    chosen = chosen if isinstance(chosen, dt.date) else default
    store_value("asof", chosen, default, dump=lambda d: [d.isoformat()])
    return chosen


def draw_calendar(view: View) -> str:
    """The business-day calendar (URL `cal`): Japanese holidays and weekends, weekends only, or every day; the
    default is the workspace's calendar when one is open."""
    opened = workspace_of(view)
    default = opened.settings.calendar if opened is not None and opened.settings.calendar in CALENDARS else "jp"
    return url_choice(
        "cal",
        CALENDARS,
        default,
        st.selectbox,
        label=t("goals.calendar"),
        # Bound to the view's language: options can be re-formatted outside the session (AppTest, a switch).
        format_func=lambda c, lang=view.lang: t(f"goals.calendar.{c}", lang),
    )


def draw_goal_controls(view: View) -> tuple[dt.date, str]:
    """The as-of date and calendar side by side, as every goal page (goals, pacing, pivots) starts. An as-of date
    the data cannot be measured at (`?asof=9999-12-31`) is said in one sentence and the page stops there."""
    with st.container(horizontal=True, key="goal_controls"):
        as_of, calendar = draw_as_of(view), draw_calendar(view)
    try:
        check_as_of(as_of, bounds=view.bounds)
    except AsOfError as exc:
        st.error(exc.message(view.lang), icon=":material/event_busy:")
        st.stop()
    return as_of, calendar


def _date_parser(raw: list[str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw[-1])
    except (ValueError, IndexError):
        return None
