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


# st.login needs both (Streamlit's "auth" extra): Authlib for the OpenID Connect flow, httpx for its calls to the
# provider. Without httpx the button works and the provider's answer fails at /oauth2callback, so both are checked.
AUTH_PACKAGES = ("authlib", "httpx")


def sign_in_available() -> bool:
    """Sign-in configured and usable (the packages st.login needs are installed)."""
    return auth_configured() and all(importlib.util.find_spec(name) is not None for name in AUTH_PACKAGES)


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


def _logout() -> None:
    """Sign out: first give up the workspace this session edits (the next editor need not wait), then st.logout."""
    from ui.workspace_view import stop_editing_for_sign_out  # imported here: workspace_view imports this module

    stop_editing_for_sign_out()
    st.logout()


# After sign-in the provider sends the browser to /oauth2callback, and Streamlit then always opens the app's home:
# the address the person was on (a workspace link, the page, its filters) would be lost. So a click on "Sign in"
# notes the address in the tab's sessionStorage (this origin and this tab only; it holds nothing the address bar did
# not), and the first page of the next page load in that tab goes back to it, once. The address is read from the
# browser itself: no value from Python or the user is written into the script.
RETURN_STORAGE_KEY = "kpi_pivot_after_sign_in"
RETURN_MAX_AGE_MS = 10 * 60 * 1000  # a sign-in left half-way and finished much later goes to the home page
RETURN_SCRIPT = """<script>
(() => {
  const KEY = "@KEY@", MAX_AGE = @MAX_AGE@;
  const here = () => location.pathname + location.search + location.hash;
  const sameOrigin = (p) => {  // a path of this app only, never another site
    try { return typeof p === "string" && p.startsWith("/") && new URL(p, location.href).origin === location.origin; }
    catch (e) { return false; }
  };
  if (!window.__kpiPivotSignIn) {  // once per page load: the tab came back from the provider, or opened afresh
    window.__kpiPivotSignIn = true;
    let noted = null;
    try { noted = JSON.parse(sessionStorage.getItem(KEY) || "null"); sessionStorage.removeItem(KEY); } catch (e) {}
    if (noted && sameOrigin(noted.path) && Date.now() - noted.at < MAX_AGE && noted.path !== here()) {
      location.replace(noted.path);
      return;
    }
    document.addEventListener("click", (event) => {
      if (event.target instanceof Element && event.target.closest(".st-key-ws_sign_in")) {
        try { sessionStorage.setItem(KEY, JSON.stringify({path: here(), at: Date.now()})); } catch (e) {}
      }
    }, true);
  }
})();
</script>""".replace("@KEY@", RETURN_STORAGE_KEY).replace("@MAX_AGE@", str(RETURN_MAX_AGE_MS))


_HIDE_RETURN = (
    ".st-key-ws_sign_in_return, [data-testid=stLayoutWrapper]:has(> .st-key-ws_sign_in_return) {display: none}"
)


def draw_sign_in(label: str, sign_out_label: str, signed_in_text: str | None) -> None:
    """The sign-in button, or who is signed in and a sign-out button (nothing when sign-in is not configured)."""
    if not sign_in_available():
        return
    with st.container(key="ws_sign_in_return"):  # it only runs the script: hidden, with its wrapper (no gap)
        st.html(f"<style>{_HIDE_RETURN}</style>{RETURN_SCRIPT}", unsafe_allow_javascript=True)
    if signed_in_text is not None:
        st.caption(signed_in_text)
        st.button(sign_out_label, key="ws_sign_out", on_click=_logout, icon=":material/logout:")
    else:
        st.button(label, key="ws_sign_in", on_click=_login, icon=":material/login:")
