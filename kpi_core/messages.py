"""The ja / en catalogue of the engine's sentences (intake warnings, skipped rows…): code + parameters → text.

The CLI renders it with `--lang`; the UI merges it into its own table, so one sentence is written once.
"""

from __future__ import annotations

LANGS: tuple[str, ...] = ("ja", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # Rows skipped before any figure: never an error, always counted and listed.
    "skip.blank_row": {"ja": "空の行", "en": "blank row"},
    "skip.summary_row": {"ja": "集計行（{text}）", "en": "summary row ({text})"},
    # Warnings: a figure may be less complete or rests on an assumption the user can override.
    "warn.amount_unreadable": {
        "ja": "{file}: 「{column}」の{count}件の金額が読めません（例: {examples}）。"
        "件数には数え、金額は不明として扱います。",
        "en": "{file}: {count} amounts in '{column}' could not be read (e.g. {examples}); those records still count, "
        "with the amount unknown.",
    },
}


def render(key: str, lang: str = "en", /, **params: object) -> str:
    """The sentence for `key` in `lang`, with {placeholders} filled from `params` (the key itself when unknown)."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["en"]
    return text.format(**params) if params else text
