"""Who may open a workspace: optional sign-in (Streamlit's st.login, OpenID Connect) and a list of e-mail addresses
or domains kept with the workspace.

Sign-in is on only when the operator configures ``[auth]`` in ``.streamlit/secrets.toml`` (see
``.streamlit/secrets.toml.example``); without it the app runs open as before, and a workspace whose list is not
empty cannot be opened at all (closed rather than open when the check cannot be made).

Where the list lives: kpi_core.workspace has no field for it, so it is a documented extra field of the workspace's
settings JSON (``workspace.json`` → ``"settings": {"currency": …, "fiscal_start": …, "calendar": …,
"allowed": ["ana@example.com", "@example.co.jp"]}``). It is written through the engine's own ``save_settings`` /
``create_workspace`` with ``AccessSettings``, a Settings with one more field (``dataclasses.asdict`` keeps it); the
engine's ``Settings.from_json`` ignores it, so engine code that rewrites settings with a plain ``Settings`` drops
it. Every settings write of the app goes through ``save_settings`` below, which keeps the list.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from typing import Any

import streamlit as st

from kpi_core.workspace import Settings, Workspace

ALLOWED_FIELD = "allowed"  # the extra field in the workspace's settings JSON
MAX_ENTRIES = 200
_EMAIL = re.compile(
    r"[^@\s,;]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
_DOMAIN = re.compile(r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")


@dataclass(frozen=True)
class AccessSettings(Settings):
    """The workspace's Settings plus who may open it (empty: anyone holding a link)."""

    allowed: tuple[str, ...] = ()


class BadEntry(ValueError):
    """An entry of the list that is neither an e-mail address nor an @domain."""

    def __init__(self, value: str) -> None:
        super().__init__(value)
        self.value = value


def parse_allowed(text: str) -> tuple[str, ...]:
    """The list as typed (one per line, or separated by commas / spaces) → lower-case entries, without repeats.

    "ana@example.com" allows one address, "@example.com" (or "example.com") every address of that domain; anything
    else raises BadEntry naming it."""
    entries: list[str] = []
    for raw in re.split(r"[\s,;]+", text or ""):
        entry = raw.strip().lower()
        if not entry:
            continue
        if "@" not in entry:
            entry = "@" + entry
        if not (_EMAIL.fullmatch(entry) or _DOMAIN.fullmatch(entry)) or len(entry) > 254:
            raise BadEntry(raw[:80])
        if entry not in entries:
            entries.append(entry)
    if len(entries) > MAX_ENTRIES:
        raise BadEntry(entries[MAX_ENTRIES])
    return tuple(entries)


def allowed_from_info(info: dict[str, Any]) -> tuple[str, ...]:
    """The list stored in a workspace's info() (its settings JSON); entries that do not parse are dropped."""
    settings = info.get("settings")
    raw = settings.get(ALLOWED_FIELD) if isinstance(settings, dict) else None
    if not isinstance(raw, list):
        return ()
    kept = []
    for item in raw:
        try:
            kept += list(parse_allowed(str(item)))
        except BadEntry:
            continue
    return tuple(dict.fromkeys(kept))


def is_allowed(email: str | None, allowed: tuple[str, ...]) -> bool:
    """Whether `email` may open a workspace with this list (an empty list: everyone)."""
    if not allowed:
        return True
    if not email or "@" not in email:
        return False
    address = email.strip().lower()
    domain = "@" + address.rsplit("@", 1)[1]
    return address in allowed or domain in allowed


def with_allowed(settings: Settings, allowed: tuple[str, ...]) -> AccessSettings:
    """`settings` as AccessSettings holding `allowed`."""
    base = {name: getattr(settings, name) for name in ("currency", "fiscal_start", "calendar")}
    return AccessSettings(**base, allowed=tuple(allowed))


def save_settings(workspace: Workspace, settings: Settings, allowed: tuple[str, ...]) -> None:
    """Save currency, fiscal-year start and calendar with the list (the engine refuses a viewer: WorkspaceReadOnly)."""
    workspace.save_settings(with_allowed(settings, allowed))


def keep_allowed(workspace: Workspace, settings: Settings) -> None:
    """Save new settings and keep the workspace's list as it is."""
    save_settings(workspace, settings, allowed_from_info(workspace.info()))


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
