"""Streamlit's own widget texts read in Japanese on a Japanese page: the uploader's button and size line and the
multiselect's "Select all" (replaced through CSS, as Streamlit has no setting for them); English pages keep them."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from test_browser import open_page

pytestmark = pytest.mark.e2e

SHOWN_JS = """(selector) => {
  const el = document.querySelector(selector);
  if (!el) return null;
  const after = getComputedStyle(el, '::after').content;
  const own = parseFloat(getComputedStyle(el).fontSize);
  return own === 0 ? JSON.parse(after) : el.textContent;  // what the reader sees
}"""
REPLACED_JS = """(selector) => {
  const el = document.querySelector(selector);
  return !!el && parseFloat(getComputedStyle(el).fontSize) === 0;
}"""
BUTTON = '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p'
LIMIT = '[data-testid="stFileUploaderDropzoneInstructions"] span'
SELECT_ALL = '[data-key="__select_all__"] > div'


def test_the_uploader_and_select_all_read_in_japanese(page: Page, screenshots: Path):
    open_page(page, "Data", lang="ja")
    expect(page.locator(BUTTON)).to_be_attached()
    page.wait_for_function(REPLACED_JS, arg=BUTTON)  # the page's style sheet has reached the uploader
    assert page.evaluate(SHOWN_JS, BUTTON) == "ファイルを選ぶ"
    assert page.evaluate(SHOWN_JS, LIMIT) == "1ファイル200MBまで・CSV, TSV, TXT, XLSX, XLSM"
    page.locator(".st-key-upload_box").screenshot(path=str(screenshots / "uploader_ja.png"))

    open_page(page, "Funnel", lang="ja")
    page.locator("[data-testid=stMultiSelect] input").first.click()
    expect(page.locator(SELECT_ALL)).to_be_visible()
    assert page.evaluate(SHOWN_JS, SELECT_ALL) == "すべて選択"


def test_english_pages_keep_streamlits_own_words(page: Page):
    open_page(page, "Data", lang="en")
    expect(page.locator(BUTTON)).to_be_attached()
    assert page.evaluate(SHOWN_JS, BUTTON) == "Upload"
    assert page.evaluate(SHOWN_JS, LIMIT).startswith("200MB per file")
