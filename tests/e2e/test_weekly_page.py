"""The weekly meeting page at a 1280×900 window in Japanese and English, on the sales sample compared with its
export of a week earlier: the summary counts, the waterfall drawn, the digest, nothing cut short. A full screenshot
of each language is kept in tests/e2e/screenshots/weekly_<lang>.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from server import full_screenshot, metric_value
from test_browser import open_page
from test_goal_pages_layout import VIEWPORT, measure, settle

from kpi_core.changes import compare_snapshots
from kpi_core.intake.load import FileInput, load_dataset

pytestmark = pytest.mark.e2e

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
MAX_WEEKLY_HEIGHT = 3_400  # pixels at 1280 px wide: summary, waterfall, one bar's deals, ヨミ sentence, digest
TITLE = {"ja": "先週から何が動いたか？", "en": "What moved since last week?"}
COUNT = {"ja": "{}件", "en": "{}"}
WON = {"ja": "今週の受注", "en": "Won this week"}


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
    expect(page.locator(".st-key-weekly_digest")).to_contain_text(WON[lang])
    found = measure(page)
    full_screenshot(page, screenshots / f"weekly_{lang}.png")
    print(f"weekly {lang}: {found['height']} px")
    assert found["clipped"] == []
    assert found["height"] <= MAX_WEEKLY_HEIGHT, found["height"]
