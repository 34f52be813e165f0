"""Who may open a workspace: optional sign-in (Streamlit's st.login, OpenID Connect) and a list of e-mail addresses
or domains kept with the workspace.

Sign-in is on only when the operator configures ``[auth]`` in ``.streamlit/secrets.toml`` (see
``.streamlit/secrets.toml.example``); without it the app runs open as before, and a workspace whose list is not
empty cannot be opened at all (closed rather than open when the check cannot be made).

The list is the engine's own: ``kpi_core.workspace.Settings.allowed`` (validated and normalised there, kept when
the other settings are rewritten, set from the command line with ``workspace create/allow --allow``). This module
only turns the typed text into it and checks the signed-in person against it.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from typing import Any

import streamlit as st

from kpi_core.workspace import Settings, Workspace, WorkspaceInvalid
from kpi_core.workspace import is_allowed as _engine_is_allowed
from kpi_core.workspace import parse_allowed as _engine_parse_allowed
from kpi_core.workspace.allowed import MAX_ENTRIES

__all__ = ["MAX_ENTRIES", "AccessSettings", "BadEntry", "allowed_from_info", "is_allowed", "parse_allowed"]

AccessSettings = Settings  # the old name of the engine's Settings (it has the `allowed` field itself now)


class BadEntry(ValueError):
    """An entry of the list that is neither an e-mail address nor an @domain (`value`), or too many entries."""

    def __init__(self, value: str) -> None:
        super().__init__(value)
        self.value = value


def parse_allowed(text: str) -> tuple[str, ...]:
    """The list as typed (one per line, or separated by commas / spaces) → lower-case entries, without repeats.

    "ana@example.com" allows one address, "@example.com" (or "example.com") every address of that domain; anything
    else raises BadEntry naming it."""
    try:
        return _engine_parse_allowed(text)
    except WorkspaceInvalid as exc:
        raise BadEntry(str(exc.params.get("value", exc.params.get("max", "")))) from exc


def allowed_from_info(info: dict[str, Any]) -> tuple[str, ...]:
    """The list stored in a workspace's info() (its settings JSON)."""
    return Settings.from_json(info.get("settings")).allowed or ()


def is_allowed(email: str | None, allowed: tuple[str, ...]) -> bool:
    """Whether `email` may open a workspace with this list (an empty list: everyone)."""
    return _engine_is_allowed(email, allowed)


def save_settings(workspace: Workspace, settings: Settings, allowed: tuple[str, ...]) -> None:
    """Save currency, fiscal-year start and calendar with the list (the engine refuses a viewer: WorkspaceReadOnly)."""
    workspace.save_settings(dataclasses.replace(settings, allowed=tuple(allowed)))


def keep_allowed(workspace: Workspace, settings: Settings) -> None:
    """Save new settings and keep the workspace's list as it is."""
    workspace.save_settings(dataclasses.replace(settings, allowed=None))


# ------------------------------------------------------------------------------------------------ sign-in
def auth_configured() -> bool:
    """Whether the operator configured sign-in ([auth] in secrets.toml): Streamlit then adds is_logged_in."""
    try:
        return "is_logged_in" in st.user.to_dict()
    except Exception:  # outside a run, or a runtime without st.user
        return False


def sign_in_available() -> bool:
    """Sign-in configured and usable (st.login needs the Authlib package)."""
    return auth_configured() and importlib.util.find_spec("authlib") is not None


def signed_in_email() -> str | None:
    """The signed-in user's e-mail address (None when nobody is signed in, or the provider says it is unverified)."""
    if not auth_configured():
        return None
    user = st.user.to_dict()
    if not user.get("is_logged_in"):
        return None
    email = user.get("email")
    if not isinstance(email, str) or "@" not in email or user.get("email_verified") is False:
        return None
    return email.strip().lower()


def _provider() -> str | None:
    """The provider to pass to st.login: None for a single [auth] provider, else the first [auth.<name>]."""
    try:
        section = st.secrets.get("auth", {})
    except Exception:
        return None
    if "client_id" in section:
        return None
    names = [name for name, value in section.items() if hasattr(value, "keys")]
    return names[0] if names else None


def _login() -> None:
    provider = _provider()
    st.login(provider) if provider else st.login()


def draw_sign_in(label: str, sign_out_label: str, signed_in_text: str | None) -> None:
    """The sign-in button, or who is signed in and a sign-out button (nothing when sign-in is not configured)."""
    if not sign_in_available():
        return
    if signed_in_text is not None:
        st.caption(signed_in_text)
        st.button(sign_out_label, key="ws_sign_out", on_click=st.logout, icon=":material/logout:")
    else:
        st.button(label, key="ws_sign_in", on_click=_login, icon=":material/login:")
