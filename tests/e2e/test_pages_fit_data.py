"""Browser test: pages fit their data. On the marketing leads, the Funnel marks the running month and the maturing
periods in words and style, and the Pipeline shows lead ageing instead of thousands of "stalled deals"."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from server import metric_value, wait_idle


def open_page(page: Page, path: str, **query: str) -> None:
    page.goto(f"/{path}?" + "&".join(f"{k}={v}" for k, v in query.items()))
    expect(page.locator("h1").first).to_be_visible()
    wait_idle(page)


def test_funnel_marks_the_running_and_maturing_periods(page: Page, screenshots):
    open_page(page, "Funnel", src="leads", lang="ja")
    main = page.locator("[data-testid=stMain]")
    expect(main.get_by_text(re.compile(r"は進行中：\d+日中\d+日です。"))).to_be_visible()
    expect(main.get_by_text(re.compile(r"受注の8割は作成から\d+日以内に決まります"))).to_be_visible()
    chart = page.locator(".st-key-chart_funnel_trend")
    expect(chart).to_be_visible()
    # The legend names the dashed style, and the maturing periods are drawn with dashes (Vega draws SVG here).
    chart.scroll_into_view_if_needed()
    expect(chart.locator("svg text", has_text="成熟途中").first).to_be_attached()
    assert chart.locator("svg path[stroke-dasharray='5,4']").count() >= 2  # the legend's symbol and a line
    expect(main.get_by_text(re.compile(r"受注率＝受注 ÷（受注＋失注）"))).to_be_visible()
    page.screenshot(path=str(screenshots / "fit_funnel_leads_ja.png"), full_page=True)


def test_pipeline_on_leads_shows_lead_ageing(page: Page, screenshots):
    open_page(page, "Pipeline", src="leads", lang="en")
    main = page.locator("[data-testid=stMain]")
    expect(main.get_by_role("heading", name="Lead ageing")).to_be_visible()
    expect(page.locator(".st-key-chart_lead_aging")).to_be_visible()
    expect(metric_value(page, "open_leads")).to_have_text(re.compile(r"^\d{1,3}(,\d{3})*$"))
    expect(main.get_by_text(re.compile(r"are leads before the deal stage"))).to_be_visible()
    page.screenshot(path=str(screenshots / "fit_pipeline_leads_en.png"), full_page=True)
