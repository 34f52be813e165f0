"""User text is plain text in a real browser: a CSV whose owner / channel / product / segment / stage values and a goal
file whose KGI / KPI / CSF names, definitions and actions are Markdown images, links, HTML, math, colour directives,
icons, bold and bare addresses are shown on every page as typed, and nothing of them is drawn, linked or fetched (a
full screenshot of the Goals page goes to tests/e2e/screenshots/user_text_goals.png)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from server import full_screenshot, wait_idle, wait_painted
from test_browser import go_to, open_page, upload
from test_plain_text import HOSTILE, HOSTILE_FILE, hostile_csv, hostile_goals

from ui.format import WORD_JOINER

pytestmark = pytest.mark.e2e

NAV = ("", "Data", "Funnel", "Pipeline", "Goals", "Pacing", "Pivots")
# What Markdown would have made of the hostile strings: counted in the page's DOM, each must be 0.
DRAWN_JS = """() => {
  const md = '[data-testid=stMarkdownContainer], [data-testid=stCaptionContainer]';
  const count = s => document.querySelectorAll(s).length;
  const inMarkdown = s => [...document.querySelectorAll(md)].reduce((n, e) => n + e.querySelectorAll(s).length, 0);
  return {
    'img from evil.example': count('img[src*="evil.example"]'),
    'link to evil.example': count('a[href*="evil.example"]'),
    'javascript: link': count('a[href^="javascript"]'),
    'math (.katex)': count('.katex'),
    'colour directive': [...document.querySelectorAll('.stMarkdownColoredText, .stMarkdownColoredBackground')]
      .filter(e => /alert|bg|\\bf\\b/.test(e.textContent)).length,
    'icon in Markdown': inMarkdown('span[role=img]'),
    'image in Markdown': inMarkdown('img'),
    'bold user text': [...document.querySelectorAll(md)].reduce((n, e) =>
      n + [...e.querySelectorAll('strong, b')].filter(s => s.textContent === 'bold').length, 0),
  };
}"""
MAIN_TEXT_JS = "() => document.querySelector('[data-testid=stMain]').innerText"


def drawn(page: Page) -> dict[str, int]:
    return {name: n for name, n in page.evaluate(DRAWN_JS).items() if n}


def shown_text(page: Page) -> str:
    """The main area's text as the reader sees it (the word joiners the escaping adds show as nothing)."""
    return page.evaluate(MAIN_TEXT_JS).replace(WORD_JOINER, "")


def test_hostile_user_text_is_shown_as_typed_on_every_page(page: Page, screenshots: Path):
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url) if "evil.example" in request.url else None)
    open_page(page, "Data", lang="en")
    upload(page, HOSTILE_FILE, hostile_csv(), "text/csv", "My files")
    wait_idle(page)
    expect(page.locator(".st-key-upload_box")).to_contain_text("**deals**")  # the file name as typed

    # The goal file, imported as a user does: the editor's "Import" tab on the Goals page.
    go_to(page, "Goals")
    page.locator("[data-testid=stExpander] summary").last.click()
    page.get_by_role("tab", name="Import YAML").click()
    page.locator(".st-key-goals_upload input[type=file]").set_input_files(
        files=[{"name": "goals.yaml", "mimeType": "application/x-yaml", "buffer": hostile_goals()}]
    )
    expect(page.locator("[data-testid=stAlertContentSuccess]")).to_contain_text("goals.yaml was imported")
    wait_idle(page)

    seen: dict[str, Any] = {}
    for href in NAV:
        go_to(page, href)
        wait_painted(page)
        expect(page.locator("[data-testid=stException]")).to_have_count(0)
        seen[href or "home"] = drawn(page)
        if href == "Goals":
            text = shown_text(page)
            assert f"KGI {HOSTILE[0]} {HOSTILE[7]}" in text  # the KGI's name, as typed, in the caption
            assert f"KPI0 {HOSTILE[0]} {HOSTILE[4]}" in text  # a KPI's name above its trend
            full_screenshot(page, screenshots / "user_text_goals.png")
        if href == "Data":
            assert HOSTILE[3] in shown_text(page)  # a stage value nobody maps, listed as typed
        if href == "Pacing":
            assert f"KPI1 {HOSTILE[1]} {HOSTILE[5]}" in shown_text(page)
    assert all(not found for found in seen.values()), seen
    assert fetched == []  # no beacon was even requested
