"""KPI health: "Is our KPI management working?": the seven pitfalls of KPI management diagnosed from the goal model
and the data: the overall score on top, the fixes that can be applied with one click (and undone), then one card per
pitfall with its verdict, sentences and remedy, and its evidence chart folded in."""

from __future__ import annotations

import logging

import streamlit as st

from ui.format import escape_markdown, fmt_date, fmt_signed
from ui.frame import page_frame
from ui.goals.cache import goal_key
from ui.goals.cards import StatusFigure, draw_figures
from ui.goals.format import DELTA_COLOURS
from ui.goals_state import current_goals, draw_goal_controls, goals_revised, is_own_goals, template_name
from ui.health_view import (
    cached_health,
    draw_card,
    draw_fixes,
    last_fix,
    pitfall_rows,
    score_text,
    verdict_counts,
    verdict_text,
)
from ui.i18n import t
from ui.intake_notice import draw_intake_notices
from ui.quota_view import current_teams

_log = logging.getLogger(__name__)

view = page_frame("health")
draw_intake_notices(view.dataset, "health")
dataset, lang = view.dataset, view.lang
goals = current_goals(view)
as_of, calendar = draw_goal_controls(view)
if is_own_goals(view):
    st.caption(t("health_page.model_own", kgi=escape_markdown(goals.kgi.name)))
else:
    st.caption(t("health_page.model_template", name=t(f"goals.template.{template_name(view)}")))

gk = goal_key(view, as_of, calendar)
try:
    report = cached_health(gk, dataset, goals_revised(view), teams=current_teams(view)[1])
except Exception:  # a goal file the check cannot compute on this data: say so and where to fix it
    _log.exception("health check failed")
    st.error(t("health_page.compute_error"), icon=":material/error:")
    st.page_link("pages/4_Goals.py", label=t("nav.goals"), icon=":material/arrow_forward:")
    st.stop()

# -------------------------------------------------------------------------- the score and the verdicts' counts
counts = verdict_counts(report)
record = last_fix(view)
delta = None if record is None else report.score - record["score"]
figures = [
    StatusFigure(
        "health_score",
        t("health_page.fig.score"),
        score_text(report.score, lang),
        delta=None if delta is None else t("health_page.fig.delta", delta=fmt_signed(delta, "count", lang)),
        delta_color="normal" if delta else "off",
        arrow="auto" if delta else "off",
        help=t("health_page.fig.score_help"),
    )
]
for verdict in ("fail", "warn", "ok"):
    figures.append(
        StatusFigure(
            f"health_{verdict}",
            verdict_text(verdict, lang),
            f"{counts[verdict]}",
            delta=t("health_page.fig.of_seven"),
            delta_color=DELTA_COLOURS["no_data"],
        )
    )
draw_figures(figures, [1.3, 1, 1, 1])
st.caption(t("health_page.caption", as_of=fmt_date(as_of, lang)))

# -------------------------------------------------------------------------- the fixes, one click each
draw_fixes(view, report, goals)

# -------------------------------------------------------------------------- one card per pitfall
st.subheader(t("health_page.cards_title"))
for row in pitfall_rows(report):
    draw_card(row, goals, lang, workshop=view.workshop)
