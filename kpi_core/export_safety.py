"""Text a spreadsheet must never run: the one rule every export (CSV, Excel) applies to user text.

A cell whose text starts with =, +, -, @, a tab or a carriage return, also after leading spaces, and the full-width
＝ ＋ － ＠ (Excel reads them as the ASCII signs), is run as a formula by Excel / LibreOffice / Sheets ("CSV / formula
injection": `=HYPERLINK("http://evil.example","x")` in an owner's name). Such text gets a leading apostrophe: it
shows as text, and no spreadsheet reads it as a formula.
"""

from __future__ import annotations

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
LEADING_SPACES = " \u3000\u00a0"  # spaces a spreadsheet skips before it looks for a formula sign
NEUTRALISER = "'"


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could read `text` as a formula (see the module's rule)."""
    return text.startswith(FORMULA_PREFIXES) or text.lstrip(LEADING_SPACES).startswith(FORMULA_PREFIXES)


def neutralise_cell(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe; other values pass unchanged."""
    if isinstance(value, str) and is_formula_like(value):
        return NEUTRALISER + value
    return value
