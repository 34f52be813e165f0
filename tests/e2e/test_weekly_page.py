"""The weekly meeting page at a 1280×900 window in Japanese and English, on the sales sample compared with its
export of a week earlier: the summary counts, the waterfall drawn, the digest, nothing cut short. A full screenshot
of each language is kept in tests/e2e/screenshots/weekly_<lang>.png.

Printed by Chromium (page.pdf, A4), the page gives the digest alone on one page (weekly_print_<lang>.png shows the
page as printed), and its PDF download is one A4 page too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from server import full_screenshot, metric_value, wait_idle
from test_browser import open_page
from test_goal_pages_layout import VIEWPORT, measure, settle

from kpi_core.changes import compare_snapshots
from kpi_core.intake.load import FileInput, load_dataset
from kpi_core.messages import render

pytestmark = pytest.mark.e2e

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
# Pixels at 1280 px wide: summary, waterfall, one bar's deals, ヨミ with its lines and overdue deals (the sample has
# the columns), and the digest in two columns.
MAX_WEEKLY_HEIGHT = 4_400
TITLE = {"ja": "先週から何が動いたか？", "en": "What moved since last week?"}
COUNT = {"ja": "{}件", "en": "{}"}
SEP = {"ja": "：", "en": ": "}
# The printable width and height of an A4 sheet with the page's 12 mm margins, in CSS pixels (96 to the inch).
A4_PRINT_PX = {"width": round((210 - 24) / 25.4 * 96), "height": round((297 - 24) / 25.4 * 96)}


def engine_summary() -> dict[str, dict]:
    before, after = (
        load_dataset([FileInput(name, SAMPLE / name)]) for name in ("sales_deals_ja_prev.csv", "sales_deals_ja.csv")
    )
    return compare_snapshots(before, after).summary


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_weekly_page_shows_the_summary_and_the_waterfall(page: Page, lang: str, screenshots: Path):
    page.set_viewport_size(VIEWPORT)
    open_page(page, "Weekly", lang=lang)
    expect(page.locator("[data-testid=stException]")).to_have_count(0)
    settle(page)
    expect(page.locator("h1").first).to_have_text(TITLE[lang])
    summary = engine_summary()
    for kind in ("new", "won", "lost", "removed"):
        expect(metric_value(page, f"chg_{kind}")).to_have_text(COUNT[lang].format(summary[kind]["count"]))
    chart = page.locator(".st-key-chart_weekly_waterfall")
    expect(chart.locator("canvas, svg").first).to_be_visible()
    expect(page.locator(".st-key-table_weekly_bar_deals [data-testid=stDataFrame]")).to_be_visible()
    won = f"{render('changes.kind.won', lang)}{SEP[lang]}{COUNT[lang].format(summary['won']['count'])}"
    expect(page.locator(".st-key-weekly_digest")).to_contain_text(won)
    found = measure(page)
    full_screenshot(page, screenshots / f"weekly_{lang}.png")
    print(f"weekly {lang}: {found['height']} px")
    assert found["clipped"] == []
    assert found["height"] <= MAX_WEEKLY_HEIGHT, found["height"]


def pdf_pages(pdf: bytes) -> int:
    """The page objects of a PDF (/Pages is the tree root, not a page)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_printing_the_page_prints_the_digest_alone_on_one_a4_page(page: Page, lang: str, screenshots: Path):
    page.set_viewport_size({"width": A4_PRINT_PX["width"], "height": 900})
    open_page(page, "Weekly", lang=lang, asof="2026-11-15")
    expect(page.locator("[data-testid=stException]")).to_have_count(0)
    settle(page)
    digest = page.locator(".st-key-weekly_digest")
    kgi = render("digest.section.kgi", lang)
    expect(digest).to_contain_text(kgi)
    page.emulate_media(media="print")
    expect(digest).to_be_visible()
    for hidden in ("h1", ".st-key-chart_weekly_waterfall", ".st-key-weekly_summary", "[data-testid=stSidebar]",
                   ".st-key-weekly_digest_actions", ".st-key-goal_controls"):  # fmt: skip
        expect(page.locator(hidden).first).to_be_hidden()
    # The digest's whole height fits the sheet's printable height at the sheet's width (nothing scrolls away).
    height = digest.evaluate("e => e.scrollHeight")
    assert 200 < height <= A4_PRINT_PX["height"], height
    page.screenshot(path=str(screenshots / f"weekly_print_{lang}.png"), full_page=True)
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    (screenshots / f"weekly_print_{lang}.pdf").write_bytes(pdf)  # to look at
    assert pdf.startswith(b"%PDF-") and pdf_pages(pdf) == 1, pdf_pages(pdf)
    page.emulate_media(media="screen")
    expect(page.locator("h1").first).to_be_visible()

    # The PDF download: the engine's one A4 page (at a desktop width: a narrow window lays the sidebar over it).
    page.set_viewport_size(VIEWPORT)
    wait_idle(page)
    with page.expect_download() as download:
        page.locator(".st-key-weekly_digest_pdf button").click()
    data = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename == f"kpi_pivot_digest_20261115_{lang}.pdf"
    assert data.startswith(b"%PDF-") and pdf_pages(data) == 1
