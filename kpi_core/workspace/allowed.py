"""Who may open a workspace when sign-in is on: a list of e-mail addresses and @domains kept in its settings.

An entry is an address ("ana@example.com") or a whole domain ("@example.co.jp"; "example.co.jp" is read as the
domain). Entries are stored normalised: lower case, no spaces, no repeats. An empty list lets anyone holding a link
in; the app checks the signed-in person's verified e-mail against a non-empty list (ui/workspace_access.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kpi_core.workspace.errors import WorkspaceInvalid

MAX_ENTRIES = 200
MAX_ENTRY_CHARS = 254  # the longest e-mail address there can be
EXAMPLES = "ana@example.com, @example.co.jp"
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_DOMAIN = rf"{_LABEL}(?:\.{_LABEL})+"
_EMAIL_RE = re.compile(rf"[a-z0-9_][a-z0-9._%+'-]*@{_DOMAIN}")
_DOMAIN_RE = re.compile(rf"@{_DOMAIN}")
_SEPARATORS = re.compile(r"[\s,;]+")


def normalise_entry(raw: object) -> str:
    """One entry as stored ("Ana@Example.com " → "ana@example.com", "example.com" → "@example.com"); raises
    WorkspaceInvalid ("workspace.bad_allowed", naming it) for anything that is neither an address nor a domain."""
    text = raw if isinstance(raw, str) else ""
    entry = "".join(text.split()).lower()
    if entry and "@" not in entry:
        entry = "@" + entry
    if not entry or len(entry) > MAX_ENTRY_CHARS or not (_EMAIL_RE.fullmatch(entry) or _DOMAIN_RE.fullmatch(entry)):
        shown = "".join(c for c in str(raw) if c.isprintable())[:80]
        raise WorkspaceInvalid("workspace.bad_allowed", value=shown, examples=EXAMPLES)
    return entry


def normalise_allowed(entries: Iterable[object]) -> tuple[str, ...]:
    """Every entry normalised, repeats dropped, order kept; WorkspaceInvalid for the first unusable entry or for
    more than MAX_ENTRIES entries."""
    if isinstance(entries, str):
        entries = [entries]
    found: list[str] = []
    for raw in entries:
        entry = normalise_entry(raw)
        if entry not in found:
            found.append(entry)
    if len(found) > MAX_ENTRIES:
        raise WorkspaceInvalid("workspace.too_many_allowed", max=MAX_ENTRIES)
    return tuple(found)


def parse_allowed(text: str) -> tuple[str, ...]:
    """The list as a person types it (one per line, or separated by commas, semicolons or spaces), normalised."""
    return normalise_allowed(part for part in _SEPARATORS.split(text or "") if part)


def stored_allowed(raw: object) -> tuple[str, ...]:
    """The list as read back from a workspace's settings JSON. Never raises: an entry that does not parse (a file
    edited by hand) is kept as lower-case text, which matches nobody, so the workspace stays closed, not open."""
    if not isinstance(raw, list | tuple):
        return ()
    kept: list[str] = []
    for item in raw:
        try:
            entry = normalise_entry(item)
        except WorkspaceInvalid:
            entry = "".join(str(item).split()).lower()
        if entry and entry not in kept:
            kept.append(entry)
    return tuple(kept)


def is_allowed(email: str | None, allowed: Iterable[str]) -> bool:
    """Whether `email` may open a workspace with this list (an empty list: everyone holding a link)."""
    entries = tuple(allowed)
    if not entries:
        return True
    if not email or "@" not in email:
        return False
    address = "".join(email.split()).lower()
    domain = "@" + address.rsplit("@", 1)[1]
    return address in entries or domain in entries
