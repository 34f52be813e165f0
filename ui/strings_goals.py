"""Texts of the goals and pacing pages, in Japanese and English (merged into ui/strings.py's one table)."""

from __future__ import annotations

GOAL_PAGE_STRINGS: dict[str, dict[str, str]] = {}
