"""Explanations: a code, parameters and the English sentence of each engine finding.

People read the finding in their language through kpi_core.pivots.sentences, which renders it from the code and
parameters with the catalogue of kpi_core.messages (the Pivots page and the `pivots` command alike); `text` stays the
JSON's English field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kpi_core.format import fmt_change, fmt_value


@dataclass(frozen=True)
class Explanation:
    """One finding: its code and parameters (what kpi_core.pivots.sentences renders in ja / en) and the English `text`
    the JSON has always carried."""

    code: str
    params: dict[str, Any]
    text: str


def _lower(label: str) -> str:
    """A label inside a sentence: "Win rate" → "win rate", but "MQL → SQL" stays."""
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def format_value(value: float | None, unit: str, lang: str = "en", *, currency: str | None = None) -> str:
    """A number in the engine's sentences, in the one number style (kpi_core.format): 29.8%, ¥1.43M / 143万円, 42."""
    return fmt_value(value, unit if unit in ("ratio", "currency") else "count", lang, compact=True, currency=currency)


def format_change(change: float | None, lang: str = "en") -> str:
    """A relative change with one decimal: +19.0%, -4.5% (kpi_core.format.fmt_change)."""
    return fmt_change(change, lang)
