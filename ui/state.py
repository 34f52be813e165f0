"""View state kept in the session and mirrored in the URL query string, so a copied link reproduces the view.

Each value has a canonical session key `v_<name>` (survives page switches) and, when a widget edits it, a widget
key `w_<name>` seeded from the canonical value before the widget is drawn. The URL parameter is `<name>`; a value
equal to its default is left out of the URL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import streamlit as st

T = TypeVar("T")


def canonical_key(name: str) -> str:
    return f"v_{name}"


def widget_key(name: str) -> str:
    return f"w_{name}"


def url_value(name: str, default: T, parse: Callable[[list[str]], T | None]) -> T:
    """The value of `name`: this session's, else the URL's (first time only), else `default`."""
    key = canonical_key(name)
    if key not in st.session_state:
        raw = st.query_params.get_all(name)
        parsed = parse(raw) if raw else None
        st.session_state[key] = default if parsed is None else parsed
    return st.session_state[key]


def store_value(name: str, value: Any, default: Any, dump: Callable[[Any], list[str]] | None = None) -> None:
    """Remember `value` for the session and write it to the URL (removed when it equals the default)."""
    st.session_state[canonical_key(name)] = value
    wanted = None if value == default else (dump(value) if dump else [str(value)])
    current = st.query_params.get_all(name)
    if not wanted:
        if current:
            del st.query_params[name]
    elif current != wanted:
        st.query_params[name] = wanted if len(wanted) > 1 else wanted[0]


def set_value(name: str, value: Any) -> None:
    """Change a value from a callback (before the widgets are drawn): both the session and the widget copy."""
    st.session_state[canonical_key(name)] = value
    st.session_state[widget_key(name)] = value


def seed_widget(name: str, value: Any) -> str:
    """Put `value` in the widget's session slot unless the widget already holds one; return the widget key."""
    key = widget_key(name)
    if key not in st.session_state:
        st.session_state[key] = value
    return key


def choice_parser(options: Sequence[str]) -> Callable[[list[str]], str | None]:
    """A URL parser accepting only one of `options`."""
    return lambda raw: raw[-1] if raw and raw[-1] in options else None


def int_parser(low: int, high: int) -> Callable[[list[str]], int | None]:
    """A URL parser accepting an integer in [low, high]."""

    def parse(raw: list[str]) -> int | None:
        try:
            value = int(raw[-1])
        except (ValueError, IndexError):
            return None
        return value if low <= value <= high else None

    return parse


def bool_parser(raw: list[str]) -> bool | None:
    """A URL parser for 1/0 flags."""
    return {"1": True, "0": False, "true": True, "false": False}.get(raw[-1].lower()) if raw else None


def url_choice(
    name: str,
    options: Sequence[str],
    default: str,
    draw: Callable[..., Any],
    **widget_args: Any,
) -> str:
    """A single-choice widget (selectbox, radio, segmented control) bound to the URL parameter `name`."""
    value = url_value(name, default, choice_parser(options))
    if value not in options:
        value = default if default in options else options[0]
        st.session_state[canonical_key(name)] = value
    key = widget_key(name)
    if st.session_state.get(key) not in options:
        st.session_state[key] = value
    chosen = draw(options=list(options), key=key, **widget_args)
    if chosen is None:  # a segmented control can be clicked off: keep the last choice
        chosen = value
    store_value(name, chosen, default)
    return chosen


def url_int(name: str, default: int, low: int, high: int, draw: Callable[..., Any], **widget_args: Any) -> int:
    """A number input or slider bound to the URL parameter `name`."""
    value = url_value(name, default, int_parser(low, high))
    key = seed_widget(name, value)
    chosen = int(draw(key=key, min_value=low, max_value=high, **widget_args))
    store_value(name, chosen, default)
    return chosen


def url_flag(name: str, draw: Callable[..., Any], **widget_args: Any) -> bool:
    """A toggle or checkbox bound to the URL parameter `name` (off by default)."""
    value = url_value(name, False, bool_parser)
    key = seed_widget(name, value)
    chosen = bool(draw(key=key, **widget_args))
    store_value(name, chosen, False, dump=lambda v: ["1"] if v else [])
    return chosen


def url_multi(name: str, options: Sequence[str], draw: Callable[..., Any], **widget_args: Any) -> list[str]:
    """A multiselect bound to the repeated URL parameter `name`; values not among `options` are dropped."""
    value = url_value(name, [], lambda raw: list(dict.fromkeys(raw)))
    allowed = set(options)
    value = [v for v in value if v in allowed]
    key = widget_key(name)
    held = st.session_state.get(key)
    if held is None or any(v not in allowed for v in held):
        st.session_state[key] = value
    chosen = list(draw(options=list(options), key=key, **widget_args))
    store_value(name, chosen, [], dump=list)
    return chosen
