"""Every page × the three samples, in Japanese at a 1280×900 window on a fixed as-of date (issue 11, "Done when"):

(a) no English word on the Japanese page outside the user's own data: the visible text of the main area and the
    sidebar, less every value read from the sample files (names, stages, columns, file names) and a short list of
    tokens Japanese business text writes in Latin letters (KPI, CSV, …), has no run of 3 or more ASCII letters;
(b) no text cut short by its box (wider than the box while the box hides the overflow or ends it with "…");
(c) Goals and Pivots fit in 3,000 px.

Fast by design: one browser context for the module, every page opened by its URL (a new session each), one wait per
page; the three checks read the same visit. A full screenshot of each page goes to tests/e2e/screenshots/quality/.
Findings on pages owned elsewhere are xfail(strict=True) with their reason below, so they flag themselves when fixed.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from server import ROOT, full_screenshot

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1280, "height": 900}
AS_OF = "2026-11-15"
PAGE_TIMEOUT_MS = 60_000
MAX_HEIGHT = {"Goals": 3_000, "Pivots": 3_000}  # pixels, at 1280 px wide (issue 11)
PAGES = ("", "Data", "Funnel", "Pipeline", "Goals", "Pacing", "Pivots", "Health")  # "" is Home
SOURCES = {"sales": "sales_deals_ja.csv", "leads": "marketing_leads_en.csv", "kpi": "monthly_kpi_ja.xlsx"}
SHOTS = Path(__file__).resolve().parent / "screenshots" / "quality"

# Words Japanese business writing keeps in Latin letters: acronyms (SMART as in SMART goals), file types, date
# patterns, currency codes, the product's name and the other language's own name on the language switch.
# fmt: off
ALLOWED = {
    "KPI", "KGI", "CSF", "KSF", "MQL", "SQL", "CSV", "TSV", "TXT", "XLSX", "XLSM", "XLS", "Excel", "ID",
    "URL", "PNG", "SVG", "HTML", "PDF", "JSON", "YAML", "YYYY", "MM", "DD", "JPY", "USD", "EUR", "GBP",
    "CNY", "KRW", "TWD", "HKD", "SGD", "AUD", "CAD", "CHF", "THB", "INR", "Pivot", "English", "FY",
    "CRM", "SaaS", "MA", "SFA", "CV", "CVR", "CPA", "ROI", "LTV", "ARR", "MRR", "AOV", "BtoB", "SMART",
}
# fmt: on
LATIN_RUN = re.compile(r"[A-Za-z]{3,}")
TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*")

# One wait per page: a first run finished (a heading drawn, the script idle, connected) and no placeholder left.
READY_JS = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  return !!app && app.dataset.testScriptState === 'notRunning' && app.dataset.testConnectionState === 'CONNECTED'
    && !!document.querySelector('[data-testid=stMain] h1, [data-testid=stException]')
    && !document.querySelector('[data-testid=stSkeleton]')
    && document.fonts.status === 'loaded';
}"""
# The visible text of the main area and the sidebar, as a reader sees it: icons drawn from a font of ligatures
# (their text is the icon's name) are left out, and a text Streamlit draws itself but this app replaces through CSS
# (its own font size 0, the words in ::before / ::after) is read from the replacement.
TEXT_JS = """() => {
  const lines = [];
  const seen = new Set();
  const pseudo = (el, which) => {
    const content = getComputedStyle(el, which).content;
    return content && content !== 'none' && content !== 'normal' ? content.replace(/^"|"$/g, '') : '';
  };
  for (const root of ['[data-testid=stMain]', '[data-testid=stSidebar]'].map(s => document.querySelector(s))) {
    if (!root) continue;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      const text = node.textContent.trim();
      if (!text || !el || el.closest('[data-testid=stIconMaterial], [data-testid=stIconEmoji], style')) continue;
      const style = getComputedStyle(el);
      if (!el.getClientRects().length || style.visibility === 'hidden' || /Material/.test(style.fontFamily)) continue;
      const shown = parseFloat(style.fontSize) === 0
        ? pseudo(el, '::before') + pseudo(el, '::after') : text;
      if (shown) lines.push(shown);
    }
    for (const input of root.querySelectorAll('input[placeholder], textarea[placeholder]')) {
      if (!input.value && input.getClientRects().length) lines.push(input.placeholder);  // shown while empty
    }
  }
  return lines.join('\\n');
}"""
HEIGHT_JS = "() => document.querySelector('[data-testid=stMainBlockContainer]').scrollHeight"
EXCEPTIONS_JS = "() => document.querySelectorAll('[data-testid=stException]').length"
# Visible text cut short: a text element (or a figure) whose content is wider than its box while the box (or its
# parent) hides the overflow or ends it with an ellipsis. Charts, grids and inputs scroll or draw their own text.
CLIPPED_JS = """() => {
  const roots = ['[data-testid=stMain]', '[data-testid=stSidebar]']
    .map(s => document.querySelector(s)).filter(Boolean);
  const hides = (box) => {
    const style = getComputedStyle(box);
    return style.overflowX === 'hidden' || style.overflowX === 'clip' || style.textOverflow === 'ellipsis';
  };
  const cut = [];
  const seen = new Set();
  const sel = 'p, span, label, button, h1, h2, h3, h4, h5, h6, [data-testid=stMetricValue]';
  for (const root of roots) {
    for (const el of root.querySelectorAll('*')) {
      const own = [...el.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
      if (!el.matches(sel) && !own) continue;  // text elements, and any box holding text itself (a select's value)
      if (el.closest('svg, canvas, textarea, [data-testid=stDataFrame], [data-testid=stTooltipContent]')) continue;
      if (/Material/.test(getComputedStyle(el).fontFamily)) continue;
      if (!el.getClientRects().length || !el.innerText || !el.innerText.trim()) continue;
      for (const box of [el, el.parentElement]) {
        if (!box) continue;
        if (box.scrollWidth > box.clientWidth + 1 && hides(box)) {
          const text = el.innerText.trim().slice(0, 80);
          if (!seen.has(text)) { seen.add(text); cut.push(text); }
          break;
        }
      }
    }
    for (const input of root.querySelectorAll('input[role=combobox]')) {  // a select box shows its choice in an input
      const shown = input.value && input.getClientRects().length;
      if (shown && input.scrollWidth > input.clientWidth + 1) cut.push(input.value);
    }
  }
  return cut;
}"""

# Findings on pages other engineers own (pages/4_Goals.py, 5_Pacing.py, home.py and their views): strict xfails,
# keyed by (check, source, page). Empty when nothing is found there.
OWNED_ELSEWHERE: dict[tuple[str, str, str], str] = {}


def _cells(path: Path) -> Iterator[str]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                yield from row
    else:
        workbook = load_workbook(path, read_only=True, data_only=True)
        for sheet in workbook.worksheets:
            yield sheet.title
            for row in sheet.iter_rows(values_only=True):
                yield from (str(v) for v in row if isinstance(v, str))


@cache
def data_words() -> frozenset[str]:
    """Every Latin-letter token in the sample files (their values, column names, sheet names) and their file names:
    the user's own words, which a Japanese page shows as they are."""
    words: set[str] = set()
    for name in SOURCES.values():
        for text in (name, *_cells(ROOT / "sample_data" / name)):
            words.update(TOKEN.findall(text))
    return frozenset(words)


def english_left(text: str) -> list[str]:
    """The runs of 3+ ASCII letters left once the data's words and the allowed tokens are taken out."""
    allowed = data_words() | ALLOWED
    found: list[str] = []
    for token in TOKEN.findall(text):
        if token in allowed or token.upper() in ALLOWED:
            continue
        letters = re.sub(r"[0-9]", " ", token)
        if LATIN_RUN.search(letters) and token not in found:
            found.append(token)
    return found


def context_lines(text: str, words: list[str]) -> list[str]:
    """The lines the words were found on (for the failure message)."""
    return [line.strip()[:120] for line in text.splitlines() if any(re.search(rf"\b{w}\b", line) for w in words)][:12]


@pytest.fixture(scope="module")
def quality_page(browser: Any, app_server: Any) -> Iterator[Any]:
    """One browser context for the module (Japanese, 1280×900); each page is opened by its URL."""
    context = browser.new_context(viewport=VIEWPORT, locale="ja-JP", base_url=app_server.url)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


VISITS: dict[tuple[str, str], dict[str, Any]] = {}


def visit(page: Any, source: str, path: str) -> dict[str, Any]:
    """Open the page once per (source, page) and read what the three checks need; keep a full screenshot."""
    key = (source, path)
    if key not in VISITS:
        page.goto(f"/{path}?src={source}&lang=ja&asof={AS_OF}")
        page.wait_for_function(READY_JS, timeout=PAGE_TIMEOUT_MS)
        VISITS[key] = {
            "exceptions": page.evaluate(EXCEPTIONS_JS),
            "text": page.evaluate(TEXT_JS),
            "clipped": page.evaluate(CLIPPED_JS),
            "height": page.evaluate(HEIGHT_JS),
        }
        full_screenshot(page, SHOTS / f"{source}_{path or 'Home'}_ja.png")
    return VISITS[key]


def cases(check: str, pages: tuple[str, ...] = PAGES) -> list[Any]:
    out = []
    for source in SOURCES:
        for path in pages:
            reason = OWNED_ELSEWHERE.get((check, source, path))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            out.append(pytest.param(source, path, marks=marks, id=f"{source}-{path or 'Home'}"))
    return out


@pytest.mark.parametrize(("source", "path"), cases("english"))
def test_no_english_word_on_the_japanese_page(quality_page: Any, source: str, path: str):
    found = visit(quality_page, source, path)
    assert found["exceptions"] == 0, "the page shows an exception"
    left = english_left(found["text"])
    assert left == [], "\n".join([f"English on the Japanese page: {left}", *context_lines(found["text"], left)])


@pytest.mark.parametrize(("source", "path"), cases("clipped"))
def test_no_text_is_cut_short(quality_page: Any, source: str, path: str):
    assert visit(quality_page, source, path)["clipped"] == []


@pytest.mark.parametrize(("source", "path"), cases("height", tuple(MAX_HEIGHT)))
def test_goals_and_pivots_fit_in_3000_px(quality_page: Any, source: str, path: str):
    height = visit(quality_page, source, path)["height"]
    print(f"{source} {path}: {height} px")
    assert height <= MAX_HEIGHT[path], height


def test_the_data_words_are_read_from_the_samples():
    """The filter above is built from the files: a stage, an owner and a column of the English sample are in it."""
    words = data_words()
    assert {"Lifecycle", "Stage", "Emily", "Carter", "Webinar", "marketing", "leads"} <= words
