"""Texts of the pivots page, in Japanese and English (merged into ui/strings.py's one table)."""

from __future__ import annotations

PIVOT_PAGE_STRINGS: dict[str, dict[str, str]] = {}
