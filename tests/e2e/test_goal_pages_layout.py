"""The Goals and Pacing pages at a 1280×900 window, in Japanese and English: the Goals page fits in 3,000 px (details
behind tabs and expanders), no text on either page is cut short (labels, buttons, captions, figures), and the KPI
tree's text is drawn at 11 px or more. A full screenshot of each is kept in tests/e2e/screenshots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from server import full_screenshot, wait_idle, wait_painted
from test_browser import open_page

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1280, "height": 900}
MAX_GOALS_HEIGHT = 3_000  # pixels, at 1280 px wide (issue 11)
MIN_TREE_TEXT_PX = 11.0
AS_OF = "2026-11-15"  # a day inside the sales sample, so every section has data

# The height of the page's content: the main block's own scroll height (Streamlit scrolls inside its main area).
PAGE_HEIGHT_JS = """() => {
  const main = document.querySelector('[data-testid=stMainBlockContainer]');
  return main.scrollHeight;
}"""

# Visible text cut short by its box: an element (or its parent) holding text directly whose content is wider than
# its box while the box hides what overflows (overflow other than visible, or an ellipsis).
CLIPPED_TEXT_JS = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  const seen = new Set();
  const cut = [];
  const hides = (box) => {
    const style = getComputedStyle(box);
    return style.overflowX !== 'visible' || style.textOverflow === 'ellipsis';
  };
  for (const el of main.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    if (!own || el.closest('svg, canvas, textarea, [data-testid=stDataFrame], [data-testid=stTooltipContent]')) {
      continue;  // drawn text (charts, grids) and scrolling inputs are not boxes of text
    }
    if (!el.getClientRects().length) continue;  // not shown (a closed expander, another tab)
    for (const box of [el, el.parentElement]) {
      if (!box) continue;
      if (box.scrollWidth > box.clientWidth + 1 && hides(box)) {
        const text = el.textContent.trim();
        if (!seen.has(text)) { seen.add(text); cut.push(text); }
        break;
      }
    }
  }
  return cut;
}"""

# The smallest font size of the KPI tree's text as drawn on screen (the SVG's own size × its scale on the page).
TREE_TEXT_JS = """() => {
  const texts = [...document.querySelectorAll('.st-key-goals_tree svg text')];
  if (!texts.length) return null;
  return Math.min(...texts.map(t => {
    const size = parseFloat(t.getAttribute('font-size') || getComputedStyle(t).fontSize);
    const m = t.getScreenCTM();
    return size * Math.hypot(m.a, m.b);
  }));
}"""


def settle(page: Page) -> None:
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stSkeleton]') && document.fonts.status === 'loaded'"
    )
    wait_idle(page)
    wait_painted(page)


def open_at_1280(page: Page, path: str, lang: str) -> None:
    page.set_viewport_size(VIEWPORT)
    open_page(page, path, lang=lang, asof=AS_OF)
    expect(page.locator("[data-testid=stException]")).to_have_count(0)
    settle(page)


def measure(page: Page) -> dict[str, Any]:
    return {"height": page.evaluate(PAGE_HEIGHT_JS), "clipped": page.evaluate(CLIPPED_TEXT_JS)}


def show_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    settle(page)


GOAL_TABS = {"ja": ("推移", "KPIツリー", "部門・担当別", "計画の整合性・逆算"), "en": ("Trends", "KPI tree",
             "By department and owner", "Plan check and backward plan")}  # fmt: skip


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_goals_page_fits_and_nothing_is_cut(page: Page, lang: str, screenshots: Path):
    open_at_1280(page, "Goals", lang)
    found = measure(page)
    full_screenshot(page, screenshots / f"goals_1280_{lang}.png")
    print(f"goals {lang}: {found['height']} px")  # the figure the report quotes (pytest -s)
    assert found["height"] <= MAX_GOALS_HEIGHT, found["height"]
    assert found["clipped"] == []
    # Every tab: nothing cut there either, and the page stays within the height with any tab open.
    for name in GOAL_TABS[lang]:
        show_tab(page, name)
        found = measure(page)
        full_screenshot(page, screenshots / f"goals_1280_tab{GOAL_TABS[lang].index(name)}_{lang}.png")
        assert found["clipped"] == [], name
        assert found["height"] <= MAX_GOALS_HEIGHT, (name, found["height"])
        if name in ("KPIツリー", "KPI tree"):
            expect(page.locator(".st-key-goals_tree svg text").first).to_be_visible()
            smallest = page.evaluate(TREE_TEXT_JS)
            assert smallest is not None and smallest >= MIN_TREE_TEXT_PX, smallest
            full_screenshot(page, screenshots / f"goals_1280_tree_{lang}.png")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_pacing_page_says_its_period_and_has_nothing_cut(page: Page, lang: str, screenshots: Path):
    open_at_1280(page, "Pacing", lang)
    found = measure(page)
    full_screenshot(page, screenshots / f"pacing_1280_{lang}.png")
    print(f"pacing {lang}: {found['height']} px")
    assert found["clipped"] == []
    # The top cards are the KGI's fiscal year: the heading above them says so.
    expect(page.locator("h3").first).to_contain_text("FY2026")
    # The method every forecast shares is said once (in its expander), not under each KPI.
    expect(page.locator("[data-testid=stExpander]")).to_have_count(3)  # the method, the table, the reps' table
