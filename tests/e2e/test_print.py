"""The weekly-meeting summary of the Pivots page, downloaded as HTML in the browser and printed by Chromium to A4,
fits one page for every bundled sample in both languages (the page's hint promises it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from server import wait_idle

A4_PX = {"width": 794, "height": 1123}  # A4 at 96 dpi: the viewport for the screenshot of the printed page
# The Pivots page's tab holding the summary and its downloads (pivots.summary_title), written out here.
SUMMARY_TAB = {"ja": "週次会議用の1枚サマリー", "en": "One-page summary for the weekly meeting"}


def pdf_pages(pdf: bytes) -> int:
    """The number of pages in a PDF Chromium printed (its page objects; /Pages is the tree root, not a page)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_pdf_page_count_reads_pages_not_the_page_tree() -> None:
    assert pdf_pages(b"<< /Type /Pages /Count 2 >> << /Type /Page >> << /Type/Page >>") == 2


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("source", ["sales", "leads", "kpi"])
def test_the_meeting_summary_prints_on_one_a4_page(page: Page, source: str, lang: str, screenshots: Path):
    page.goto(f"/Pivots?lang={lang}&src={source}")
    tab = page.get_by_role("tab", name=SUMMARY_TAB[lang], exact=True)
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")
    button = page.locator(".st-key-summary_html button")
    expect(button).to_be_visible()
    wait_idle(page)
    with page.expect_download() as download:
        button.click()
    html = Path(download.value.path()).read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in html
    assert not re.findall(r"\{\w+\}", html)  # no placeholder left unfilled

    printed = page.context.new_page()
    printed.set_viewport_size(A4_PX)
    printed.set_content(html)
    printed.emulate_media(media="print")
    printed.screenshot(path=str(screenshots / f"summary_print_{source}_{lang}.png"), full_page=True)
    pdf = printed.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    assert pdf_pages(pdf) == 1, f"the {source}/{lang} summary prints on {pdf_pages(pdf)} pages"
