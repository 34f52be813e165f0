"""The health check's ja / en sentences (keys "health.…" of the one catalogue, kpi_core/messages.py) and their
rendering: parameters are numbers and ids, formatted here by unit in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kpi_core import format as fmt
from kpi_core.messages import MESSAGES, Names

# The sentences live in the one catalogue (kpi_core/messages.py); this is the health check's part of it.
HEALTH_MESSAGES: dict[str, dict[str, str]] = {k: v for k, v in MESSAGES.items() if k.startswith("health.")}

_WORDS: dict[str, dict[str, dict[str, str]]] = {
    "review": {
        "weekly": {"ja": "毎週", "en": "weekly"},
        "monthly": {"ja": "毎月", "en": "monthly"},
        "quarterly": {"ja": "四半期ごと", "en": "quarterly"},
    },
    "per": {
        "week": {"ja": "週", "en": "week"},
        "month": {"ja": "か月", "en": "month"},
        "quarter": {"ja": "四半期", "en": "quarter"},
        "year": {"ja": "年", "en": "year"},
    },
    "class": {
        "leading": {"ja": "先行指標", "en": "leading"},
        "lagging": {"ja": "結果指標", "en": "lagging"},
        "sustainability": {"ja": "継続性指標", "en": "sustainability"},
    },
    "role": {
        "channel": {"ja": "チャネル", "en": "channel"},
        "product": {"ja": "商品", "en": "product"},
        "segment": {"ja": "セグメント", "en": "segment"},
    },
    "smart": {
        "specific": {"ja": "具体性", "en": "specific"},
        "measurable": {"ja": "測定可能性", "en": "measurable"},
        "relevant": {"ja": "KGI との関連", "en": "relevant"},
        "time_bound": {"ja": "期限と目標値", "en": "time-bound"},
        "unit": {"ja": "単位", "en": "unit"},
    },
}


def metric_label(metric: str, lang: str) -> str:
    """The catalogue's label of a metric in `lang`; a formula as written."""
    from kpi_core.metrics import load_catalog  # the catalogue loads (and checks itself) only when a label is shown

    catalog = load_catalog()
    try:
        return catalog.get(metric).label[lang]
    except KeyError:
        return metric


def format_param(value: Any, unit: str, lang: str) -> Any:
    """One parameter as shown in a sentence."""
    if value is None:
        return fmt.MISSING
    if unit in ("count", "currency", "ratio", "days"):
        return fmt.fmt_value(value, unit, lang, compact=True)
    if unit == "number":
        return fmt.fmt_number(value, lang, 2)
    if unit == "pct":
        return fmt.fmt_pct(value, lang)
    if unit == "change":
        return fmt.fmt_change(value, lang)
    if unit == "points":
        return fmt.fmt_points(value, lang)
    if unit == "corr":
        return f"{value:+.2f}"
    if unit == "percentile":
        return f"{round(value)}"
    if unit == "times":
        return f"{value:.1f}倍" if lang == "ja" else f"{value:.1f}×"
    if unit == "month":
        return fmt.fmt_month(value, lang)
    if unit == "date":
        return fmt.fmt_date(value, lang)
    if unit == "metric":
        return metric_label(str(value), lang)
    if unit.startswith("range:"):  # [low, high] in the unit after the colon: "6–24", or "24" when they are equal
        low, high = (format_param(v, unit[len("range:") :], lang) for v in value)
        return low if low == high else f"{low}〜{high}" if lang == "ja" else f"{low}–{high}"
    if unit == "basis":  # what a rep's target is (pitfall 6): their quota, an even split, the team target
        entry = MESSAGES.get(f"health.p6.basis.{value}")
        return entry[lang] if entry else str(value)
    if unit == "metrics":
        return Names([metric_label(str(v), lang) for v in value], quoted=False).render(lang)
    if unit == "ids":
        return Names([str(v) for v in value]).render(lang)
    if unit == "pairs":
        if not value:
            return fmt.MISSING
        return ("、" if lang == "ja" else ", ").join("+".join(str(i) for i in pair) for pair in value)
    if unit in _WORDS:
        words = _WORDS[unit]
        if isinstance(value, list | tuple):
            return ("、" if lang == "ja" else ", ").join(words.get(v, {}).get(lang, str(v)) for v in value)
        return words.get(value, {}).get(lang, str(value))
    return value


def render_health(key: str, lang: str, params: Mapping[str, Any], units: Mapping[str, str]) -> str:
    """The sentence for `key` in `lang`, parameters formatted by their unit (kpi_core.messages for other keys)."""
    entry = HEALTH_MESSAGES.get(key) or MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["en"]
    shown = {name: format_param(value, units.get(name, ""), lang) for name, value in params.items()}
    return text.format_map(_Missing(shown))


class _Missing(dict):
    """format_map that leaves an unknown placeholder visible instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
