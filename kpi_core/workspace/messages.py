"""Workspace sentences: the "workspace." part of the one catalogue (kpi_core.messages), and a renderer."""

from __future__ import annotations

from kpi_core.messages import MESSAGES as ENGINE_MESSAGES
from kpi_core.messages import Names, Phrase

# The sentences live in the one catalogue (kpi_core/messages.py); this is the workspaces' part of it.
MESSAGES: dict[str, dict[str, str]] = {k: v for k, v in ENGINE_MESSAGES.items() if k.startswith("workspace.")}


def render(key: str, lang: str = "en", /, **params: object) -> str:
    """The sentence for `key` in `lang` (this catalogue first, then the engine's), placeholders filled."""
    entry = MESSAGES.get(key) or ENGINE_MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["en"]
    values = {name: v.render(lang) if isinstance(v, Phrase | Names) else v for name, v in params.items()}
    return text.format(**values) if values else text
