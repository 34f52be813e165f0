"""Checks that an engine error says the same thing in Japanese and English (kpi_core.messages)."""

from __future__ import annotations

import re
from typing import Any

from kpi_core.messages import Names, Phrase

# Names that stay as they are in Japanese text: file formats, encodings, products and the app's own terms.
ALLOWED_TOKENS = frozenset(
    {"CSV", "csv", "Excel", "UTF", "Shift", "JIS", "ID", "URL", "KPI", "KGI", "CSF", "MQL", "SQL", "xlsx", "xls",
     "xlsb", "ods", "ZIP", "Zip", "RAR", "PNG", "PDF", "JPEG", "GIF", "gzip", "Word", "PowerPoint", "YAML"}
)  # fmt: skip
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def user_values(error: Any) -> list[str]:
    """The user's values in an error's sentence (file, sheet, column names…): text params, also inside Phrases."""
    found: list[str] = [error.file] if getattr(error, "file", None) else []
    pending = list(error.params.values())
    while pending:
        value = pending.pop()
        if isinstance(value, Phrase):
            pending += list(value.params.values())
        elif isinstance(value, Names):
            found += [name for name in value if name]
        elif isinstance(value, str) and value:
            found.append(value)
    return found


def english_words(text: str, values: list[str]) -> list[str]:
    """Runs of 3+ ASCII letters in `text` once the user's `values` are taken out, other than ALLOWED_TOKENS."""
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value, " ")
    return [word for word in re.findall(r"[A-Za-z]{3,}", text) if word not in ALLOWED_TOKENS]


def assert_bilingual(error: Any) -> None:
    """The error renders in both languages: English as str(), Japanese with no English left but the user's values."""
    en, ja = error.message("en"), error.message("ja")
    assert en == str(error) == error.message == error.message(), en
    assert ja != en and _JAPANESE.search(ja), ja
    assert "\n" not in ja and "\n" not in en
    values = user_values(error)
    if getattr(error, "file", None):
        assert error.file in ja and error.file in en
    assert english_words(ja, values) == [], ja
    bare = ja
    for value in values:
        bare = bare.replace(value, "")
    assert "{" not in bare and "}" not in bare, ja  # every placeholder filled
