"""Translation: `t(key, **fmt)` over the one table in ui/strings.py (the app's texts and the engine's sentences of
kpi_core/messages.py, merged there), plus metric, role and stage labels."""

from __future__ import annotations

import logging

import streamlit as st

from kpi_core.metrics import load_catalog
from ui.strings import STRINGS

LANGS: tuple[str, ...] = ("ja", "en")
DEFAULT_LANG = "ja"
LANG_STATE_KEY = "v_lang"
_log = logging.getLogger(__name__)


def lang_from_locale(locale: str | None) -> str:
    """The app language for a browser locale such as "ja-JP" or "en-US" (Japanese by default)."""
    if not locale:
        return DEFAULT_LANG
    return "ja" if locale.lower().startswith("ja") else "en"


def current_lang() -> str:
    """The language of this session (set by the page frame)."""
    try:
        lang = st.session_state.get(LANG_STATE_KEY, DEFAULT_LANG)
    except Exception:  # outside a Streamlit run (unit tests, scripts)
        return DEFAULT_LANG
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, /, lang: str | None = None, **fmt: object) -> str:
    """The text for `key` in the session language (or `lang`), with {placeholders} filled from `fmt`."""
    entry = STRINGS.get(key)
    if entry is None:
        _log.warning("missing translation key %r", key)
        return key
    text = entry[lang or current_lang()]
    return text.format(**fmt) if fmt else text


def has_text(key: str) -> bool:
    """Whether the table has `key`."""
    return key in STRINGS


def metric_label(name: str, lang: str | None = None) -> str:
    """A metric's label from metrics.yaml (measures, ratios, conversions)."""
    try:
        return load_catalog().get(name).label[lang or current_lang()]
    except KeyError:
        return name


def role_label(role: str, lang: str | None = None) -> str:
    """A column role's name: 担当者 / Owner."""
    key = f"role.{role}"
    return t(key, lang) if has_text(key) else role


def stage_label(stage: str | None, lang: str | None = None) -> str:
    """A canonical funnel stage's name: 商談 / Opportunity; None → unmapped."""
    key = f"stage.{stage or 'unmapped'}"
    return t(key, lang) if has_text(key) else str(stage)
