"""What intake had to assume or could not read, told where it matters: at the top of each page whose figures it
affects (a compact warning and a link to the Data page), and in full at the top of the Data page.

Every sentence is rendered by the engine from the one catalogue (kpi_core/messages.py) in the session language;
user text in it (file and column names, example cells) is escaped for Markdown before it is filled in.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from kpi_core.intake.findings import IntakeWarning
from kpi_core.intake.load import Dataset
from ui.format import escape_markdown, fmt_int
from ui.i18n import current_lang, t

DATA_PAGE = "pages/1_Data.py"
MAX_SENTENCES = 3  # at the top of a page; the rest are counted and listed on the Data page
MAX_EXAMPLES = 3

# Which warnings change the figures of which page. A certainty (a date order the values prove) and a note about
# how a file was split are for the Data page only.
MONEY = frozenset({"amount_unreadable", "missing_amount", "currency_mixed", "decimal_comma"})
DATES = frozenset({"date_order_assumed", "date_order_mixed", "month_precision", "missing_created", "missing_closed"})
EVERY_PAGE = frozenset({"missing_outcome", "role_uncertain"})
FLAGS = frozenset({"flag_conflict"})
ACTIVITY = frozenset({"count_unreadable"})  # calls, visits, proposals (goals and pivots use them as levers)
PAGE_CODES: dict[str, frozenset[str]] = {
    "home": MONEY | DATES | EVERY_PAGE | FLAGS | ACTIVITY,
    "funnel": DATES | EVERY_PAGE | FLAGS,
    "pipeline": MONEY | DATES | EVERY_PAGE | FLAGS,
    "goals": MONEY | DATES | EVERY_PAGE | ACTIVITY,
    "pacing": MONEY | DATES | EVERY_PAGE | ACTIVITY,
    "pivots": MONEY | DATES | EVERY_PAGE | ACTIVITY,
}
# The order sentences are shown in: what makes a figure wrong or missing first, assumptions after.
SEVERITY: tuple[str, ...] = (
    "currency_mixed",
    "missing_outcome",
    "missing_amount",
    "missing_created",
    "missing_closed",
    "amount_unreadable",
    "count_unreadable",
    "date_order_mixed",
    "role_uncertain",
    "flag_conflict",
    "date_order_assumed",
    "month_precision",
    "decimal_comma",
    "ragged_lines",
    "unwrapped",
    "date_order_proven",
)


def _rank(warning: IntakeWarning) -> int:
    return SEVERITY.index(warning.code) if warning.code in SEVERITY else len(SEVERITY)


def warning_text(warning: IntakeWarning, lang: str | None = None) -> str:
    """The warning's sentence in `lang` (the session's by default), from the engine's one renderer, with user text
    escaped so it is safe for st.markdown / st.warning."""
    return warning.message(lang or current_lang(), escape=escape_markdown)


def _warnings(dataset: Any) -> list[IntakeWarning]:
    return list(getattr(dataset, "warnings", None) or [])


def page_warnings(dataset: Dataset, page: str) -> list[IntakeWarning]:
    """The warnings that affect `page`'s figures, the most serious first ("data": every warning)."""
    found = _warnings(dataset)
    if page == "data":
        chosen = found
    else:
        codes = PAGE_CODES.get(page, MONEY | DATES | EVERY_PAGE | FLAGS | ACTIVITY)
        chosen = [w for w in found if w.code in codes]
    return sorted(chosen, key=_rank)


def rows_line(dataset: Dataset, lang: str) -> str | None:
    """ "3 rows could not be read / 2 summary or blank rows skipped: see the Data page." (None: every row used)."""
    parts = []
    if dataset.rejected:
        parts.append(t("intake.rows_rejected", lang, count=fmt_int(dataset.rejected)))
    skipped = len(getattr(dataset, "skipped", None) or [])
    if skipped:
        parts.append(t("intake.rows_skipped", lang, count=fmt_int(skipped)))
    if not parts:
        return None
    return t("intake.rows_line", lang, parts=t("intake.rows_separator", lang).join(parts))


def _bullets(sentences: list[str]) -> str:
    return sentences[0] if len(sentences) == 1 else "\n".join(f"- {s}" for s in sentences)


def draw_intake_notices(dataset: Dataset | None, page: str) -> None:
    """At the top of a page: the sentences of the warnings that affect its figures (at most three, the rest
    counted), and the rows that could not be read or were skipped, with a link to the Data page. Nothing when
    there is nothing to say."""
    notice = st.container(key="intake_notice")  # always there: the page below keeps its place (see the Data page)
    if dataset is None:
        return
    lang = current_lang()
    sentences = [warning_text(w, lang) for w in page_warnings(dataset, page)]
    rows = rows_line(dataset, lang)
    if not sentences and not rows:
        return
    from ui.frame import current_params

    with notice:
        if sentences or dataset.rejected:
            body = [_bullets(sentences[:MAX_SENTENCES])] if sentences else []
            if len(sentences) > MAX_SENTENCES:
                body.append(t("intake.more", lang, count=fmt_int(len(sentences) - MAX_SENTENCES)))
            if rows:
                body.append(rows)
            st.warning("\n\n".join(body), icon=":material/warning:")
            label = t("intake.open_data", lang)
        else:  # only blank or summary rows left out: nothing is wrong, a quiet link is enough
            label = rows or t("intake.open_data", lang)
        st.page_link(DATA_PAGE, label=label, icon=":material/arrow_forward:", query_params=current_params())


def draw_data_page_notices(dataset: Dataset) -> None:
    """At the top of the Data page: every warning of the data (the headline roles it lacks among them), in one box."""
    sentences = [warning_text(w) for w in page_warnings(dataset, "data")]
    # Always one container, empty or not: the elements below keep their place when an upload adds warnings, so
    # the previous run's cards are replaced in place rather than shown twice while the page reruns.
    with st.container(key="intake_notice"):
        if sentences:
            st.warning(_bullets(sentences), icon=":material/warning:")
