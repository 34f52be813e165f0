"""What intake had to assume or could not read, told where it matters: at the top of each page whose figures it
affects (a compact warning and a link to the Data page), and in full at the top of the Data page.

Every sentence comes from the one catalogue (the engine's "warn.<code>" texts merged into ui/strings.py). User
text in it (file and column names, example cells) is escaped for Markdown before it is filled in; the words for the
engine's codes (date order, why, role) are filled in here in the session language.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from typing import Any

import streamlit as st

from kpi_core.intake.findings import IntakeWarning
from kpi_core.intake.load import Dataset
from ui.format import escape_markdown, fmt_int, fmt_number, fmt_pct
from ui.i18n import current_lang, has_text, role_label, t

DATA_PAGE = "pages/1_Data.py"
MAX_SENTENCES = 3  # at the top of a page; the rest are counted and listed on the Data page
MAX_EXAMPLES = 3

# Which warnings change the figures of which page. A certainty (a date order the values prove) and a note about
# how a file was split are for the Data page only.
MONEY = frozenset({"amount_unreadable", "missing_amount", "currency_mixed", "decimal_comma"})
DATES = frozenset({"date_order_assumed", "date_order_mixed", "month_precision", "missing_created", "missing_closed"})
EVERY_PAGE = frozenset({"missing_outcome", "role_uncertain"})
FLAGS = frozenset({"flag_conflict"})
PAGE_CODES: dict[str, frozenset[str]] = {
    "home": MONEY | DATES | EVERY_PAGE | FLAGS,
    "funnel": DATES | EVERY_PAGE | FLAGS,
    "pipeline": MONEY | DATES | EVERY_PAGE | FLAGS,
    "goals": MONEY | DATES | EVERY_PAGE,
    "pacing": MONEY | DATES | EVERY_PAGE,
    "pivots": MONEY | DATES | EVERY_PAGE,
}
# The order sentences are shown in: what makes a figure wrong or missing first, assumptions after.
SEVERITY: tuple[str, ...] = (
    "currency_mixed",
    "missing_outcome",
    "missing_amount",
    "missing_created",
    "missing_closed",
    "amount_unreadable",
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
MISSING_ROLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("missing_outcome", ("stage", "won_flag", "closed")),  # any one of them tells won (or lost) deals
    ("missing_amount", ("amount",)),
    ("missing_created", ("created",)),
    ("missing_closed", ("closed",)),
)


def _rank(warning: IntakeWarning) -> int:
    return SEVERITY.index(warning.code) if warning.code in SEVERITY else len(SEVERITY)


def _list_text(values: Iterable[object]) -> str:
    return ", ".join(escape_markdown(v) for v in values)


def _param_text(name: str, value: object, lang: str) -> str:
    """One engine parameter as the reader sees it (numbers with separators, shares as %, user text escaped)."""
    if name == "fit" and isinstance(value, int | float) and not isinstance(value, bool):
        return fmt_pct(value, lang) if value <= 1 else f"{fmt_number(value)}%"
    if name == "currencies" and isinstance(value, Mapping):
        return ", ".join(f"{escape_markdown(code)} {fmt_int(n)}" for code, n in value.items())
    if isinstance(value, bool) or value is None:
        return escape_markdown("" if value is None else value)
    if isinstance(value, int):
        return fmt_int(value)
    if isinstance(value, float):
        return fmt_number(value)
    if isinstance(value, list | tuple | set | frozenset):
        return _list_text(value)
    return escape_markdown(value)


def _word(prefix: str, code: object, lang: str) -> str | None:
    key = f"{prefix}.{code}"
    return t(key, lang) if has_text(key) else None


class _Params(dict):
    """Sentence parameters; a placeholder the engine added that is not filled here reads as its parameter
    ("{foo_text}" ← params["foo"]) or as nothing, never as a KeyError in front of the user."""

    def __missing__(self, key: str) -> str:
        base = key.removesuffix("_text")
        return self[base] if base != key and base in self else ""


def sentence_params(warning: IntakeWarning, lang: str) -> dict[str, str]:
    """The placeholders of a warning's sentence, every user text escaped for Markdown."""
    raw = {str(k): v for k, v in (warning.params or {}).items()}
    values = {name: _param_text(name, value, lang) for name, value in raw.items()}
    values.update(
        file=escape_markdown(warning.file or ""),
        column=escape_markdown(warning.column or ""),
        count=fmt_int(warning.count or 0),
        examples=_list_text(str(e) for e in list(warning.examples or [])[:MAX_EXAMPLES]),
    )
    if "order" in raw:
        values["order_text"] = _word("word.order", raw["order"], lang) or values["order"]
    reason = raw.get("reason", raw.get("by"))
    if reason is not None:
        values["reason_text"] = _word("word.order_reason", reason, lang) or _param_text("reason", reason, lang)
    if "role" in raw:
        values["role_text"] = role_label(str(raw["role"]), lang)
    return values


def _generic_text(warning: IntakeWarning, params: dict[str, str], lang: str) -> str:
    """A sentence for a warning code this version of the app has no text for."""
    if warning.column:
        where = t("intake.where_column", lang, file=params["file"], column=params["column"])
    else:
        where = params["file"] or t("intake.the_data", lang)
    if warning.count:
        return t("intake.generic_count", lang, where=where, count=params["count"])
    return t("intake.generic", lang, where=where)


def warning_text(warning: IntakeWarning, lang: str | None = None) -> str:
    """The warning's sentence in `lang` (the session's by default), safe for st.markdown / st.warning."""
    lang = lang or current_lang()
    values = sentence_params(warning, lang)
    key = f"warn.{warning.code}"
    if not has_text(key):
        return _generic_text(warning, values, lang)
    template = t(key, lang)
    try:
        return string.Formatter().vformat(template, (), _Params(values))
    except (IndexError, ValueError, AttributeError):  # a malformed placeholder: say it without the details
        return _generic_text(warning, values, lang)


def missing_role_warnings(dataset: Dataset) -> list[IntakeWarning]:
    """The headline roles the data lacks, as warnings, when the engine has not listed them itself."""
    if dataset.shape != "records" or any(w.code.startswith("missing_") for w in _warnings(dataset)):
        return []
    mapping = dataset.mapping or {}
    return [IntakeWarning("", None, code) for code, roles in MISSING_ROLES if not any(r in mapping for r in roles)]


def _warnings(dataset: Any) -> list[IntakeWarning]:
    return list(getattr(dataset, "warnings", None) or [])


def page_warnings(dataset: Dataset, page: str) -> list[IntakeWarning]:
    """The warnings that affect `page`'s figures, the most serious first ("data": every warning, and the missing
    headline roles)."""
    found = _warnings(dataset)
    if page == "data":
        chosen = found + missing_role_warnings(dataset)
    else:
        codes = PAGE_CODES.get(page, MONEY | DATES | EVERY_PAGE | FLAGS)
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
    if dataset is None:
        return
    lang = current_lang()
    sentences = [warning_text(w, lang) for w in page_warnings(dataset, page)]
    rows = rows_line(dataset, lang)
    if not sentences and not rows:
        return
    from ui.frame import current_params

    with st.container(key="intake_notice"):
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
    """At the top of the Data page: every warning of the data and the headline roles it lacks, in one box."""
    sentences = [warning_text(w) for w in page_warnings(dataset, "data")]
    if sentences:
        with st.container(key="intake_notice"):
            st.warning(_bullets(sentences), icon=":material/warning:")
