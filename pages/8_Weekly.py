"""Weekly meeting: "What moved since last week?": last week's export against this week's deal by deal (summary,
waterfall of the open pipeline, the deals behind each bar), ヨミ and coverage beside today's statistical forecast,
and the week's digest: the engine's (kpi_core.digest, the same as `python -m kpi_core digest`), printable on one
A4 page and downloadable as PDF. The logic is kpi_core's (changes, forecast_categories, report, digest); the
drawing is ui/weekly_view.py's."""

from __future__ import annotations

import logging

import streamlit as st

from kpi_core.changes import ChangesError
from kpi_core.pivots import PivotInputError
from ui.forecast_history_view import draw_forecast_history
from ui.format import escape_markdown
from ui.frame import page_frame
from ui.goals_state import current_goals, draw_goal_controls, goals_text
from ui.i18n import t
from ui.intake_notice import draw_intake_notices
from ui.pivots.state import DEFAULT_TARGET_MODE, pivot_page, role_key
from ui.weekly_view import (
    cached_changes,
    draw_changes,
    draw_digest,
    draw_pair_choice,
    draw_yomi,
    meeting_digest,
    pair_caption,
)

_log = logging.getLogger(__name__)

view = page_frame("weekly")
draw_intake_notices(view.dataset, "weekly")
lang = view.lang
as_of, calendar = draw_goal_controls(view)

# -------------------------------------------------------------------------- what changed since last week
st.subheader(t("weekly.changes_title"))
pair = draw_pair_choice(view)
changes = None
if pair is not None:
    st.caption(pair_caption(pair, lang))
    try:
        changes = cached_changes(pair)
    except ChangesError as exc:  # no id column, or a sheet of monthly totals: one sentence
        if exc.key == "changes.no_id":  # the engine's sentence names its command-line option: say the page's way
            sentence = t("weekly.no_id", file=escape_markdown(exc.params.get("file", "")))
        else:
            sentence = escape_markdown(exc.message(lang))
        st.info(sentence, icon=":material/info:")
    if changes is not None:
        draw_changes(changes, lang)

# -------------------------------------------------------------------------- today's report (forecast, best pivot)
report = None
goals = current_goals(view)
if view.dataset is not None:
    try:
        with st.spinner(t("pivots.computing")):
            found = pivot_page(
                str(view.dataset_key), view.dataset, goals, goals_text(view), as_of, calendar, [],
                role_key(view.filters), DEFAULT_TARGET_MODE, lang,
            )  # fmt: skip
        report = found.report
        if found.error:
            st.caption(t("weekly.report_error", message=escape_markdown(found.error)))
    except PivotInputError as exc:
        st.caption(t("weekly.report_error", message=escape_markdown(exc.message(lang))))
    except Exception:  # the forecast is a side figure here: the page stands without it
        _log.exception("report failed on the weekly page")

# -------------------------------------------------------------------------- ヨミ and coverage
st.subheader(t("weekly.yomi_title"))
if view.dataset is not None:
    draw_yomi(view, as_of, report, pair)

# -------------------------------------------------------------------------- forecast accuracy
if view.dataset is not None:
    draw_forecast_history(view, goals, as_of, calendar)

# -------------------------------------------------------------------------- the digest
st.subheader(t("weekly.digest_title"))
digest = None
if view.dataset is not None and report is not None:
    try:
        digest = meeting_digest(view, goals, as_of, calendar, report, pair, changes)
    except Exception:  # the page's other sections stand without it
        _log.exception("digest failed on the weekly page")
if digest is not None:
    draw_digest(digest, lang, as_of)
else:  # the digest is built on today's report: without it, one sentence
    st.info(t("weekly.digest.no_report"), icon=":material/info:")
