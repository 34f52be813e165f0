"""End-to-end tests in a real browser (Debian's Chromium through Playwright): the figures on screen equal the engine's
for the bundled sample, a Shift_JIS CSV and an .xlsx uploaded through the file chooser, a changed column role, both
languages, and every page opens without an exception (with a full screenshot of each in tests/e2e/screenshots/)."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from server import ROOT, full_screenshot, metric_help, metric_value, wait_idle

from kpi_core.intake.load import FileInput, LoadOptions, load_dataset
from kpi_core.intake.roles import RECORD_ROLES
from kpi_core.metrics import Filters, compute_kpis
from ui.format import fmt_int, fmt_pct, fmt_yen, fmt_yen_compact

pytestmark = pytest.mark.e2e

SAMPLE = ROOT / "sample_data" / "sales_deals_ja.csv"
UPLOAD_INPUT = ".st-key-upload_box input[type=file]"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROW_HEIGHT, HEADER_HEIGHT = 35, 36  # st.data_editor's default row height and its header (pixels)
# Each page's document title (its navigation label) and heading, written out here rather than read from ui.strings.
PAGES = {
    "ja": {
        "": ("ホーム · KPI Pivot", "今、どんな状況か？"),
        "Data": ("データ · KPI Pivot", "データは正しく読めているか？"),
        "Funnel": ("ファネル · KPI Pivot", "ファネルのどこで漏れているか？"),
        "Pipeline": ("パイプライン · KPI Pivot", "パイプラインに何があるか？"),
    },
    "en": {
        "": ("Home · KPI Pivot", "How are we doing?"),
        "Data": ("Data · KPI Pivot", "Is the data read correctly?"),
        "Funnel": ("Funnel · KPI Pivot", "Where does the funnel leak?"),
        "Pipeline": ("Pipeline · KPI Pivot", "What is in the pipeline?"),
    },
}

# A few deals with Japanese headers, as Excel saves them (Shift_JIS, CRLF). By hand: K-006 has no real creation
# date (month 13) and is rejected; of the other 6, K-001/003/005 are won (1,200,000 + 2,500,000 + 650,000 yen),
# K-002/007 lost, K-004 open.
SJIS_ROWS = [
    ("K-001", "2025/04/01", "2025/05/12", "受注", '"1,200,000"', "青木 一郎", "Web"),
    ("K-002", "2025/04/08", "2025/05/30", "失注", '"800,000"', "馬場 花子", "展示会"),
    ("K-003", "2025/05/02", "2025/06/20", "受注", '"2,500,000"', "青木 一郎", "紹介"),
    ("K-004", "2025/05/15", "", "提案", '"900,000"', "千葉 次郎", "Web"),
    ("K-005", "2025/06/01", "2025/07/04", "受注", '"650,000"', "馬場 花子", "展示会"),
    ("K-006", "2025/13/45", "2025/07/10", "受注", '"300,000"', "千葉 次郎", "Web"),
    ("K-007", "2025/06/20", "2025/07/22", "失注", '"400,000"', "青木 一郎", "紹介"),
]
SJIS_BY_HAND = {"rows_read": 7, "rows_used": 6, "rejected": 1, "won": 3, "won_revenue": 4_350_000.0}

# A workbook with a title line above the header. By hand: X1/X4/X5 won (1,000,000 + 3,000,000 + 750,000), X2 lost.
XLSX_ROWS = [
    ("X1", dt.datetime(2025, 4, 3), dt.datetime(2025, 5, 1), "Won", 1_000_000, "Aoki", "Web"),
    ("X2", dt.datetime(2025, 4, 10), dt.datetime(2025, 5, 20), "Lost", 500_000, "Baba", "Event"),
    ("X3", dt.datetime(2025, 5, 1), None, "Negotiation", 2_000_000, "Aoki", "Web"),
    ("X4", dt.datetime(2025, 5, 7), dt.datetime(2025, 6, 30), "Won", 3_000_000, "Chiba", "Partner"),
    ("X5", dt.datetime(2025, 6, 1), dt.datetime(2025, 7, 1), "Won", 750_000, "Baba", "Web"),
]
XLSX_BY_HAND = {"rows_read": 5, "rows_used": 5, "rejected": 0, "won": 3, "won_revenue": 4_750_000.0, "win_rate": 0.75}


def sjis_csv() -> bytes:
    lines = ["商談ID,作成日,完了日,フェーズ,金額,担当者,リードソース", *(",".join(row) for row in SJIS_ROWS)]
    return ("\r\n".join(lines) + "\r\n").encode("cp932")


def deals_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "商談"
    sheet.append(["商談一覧（2025年度上期）"])
    sheet.append(["Deal ID", "Created", "Closed", "Stage", "Amount", "Owner", "Channel"])
    for row in XLSX_ROWS:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def engine(name: str, data: bytes | Path, roles: dict[str, str | None] | None = None) -> dict[str, Any]:
    """The engine's rows and totals for one file, loaded the way the app loads it (no overrides unless given)."""
    dataset = load_dataset([FileInput(name, data)], LoadOptions(roles=dict(roles or {})))
    totals = compute_kpis(dataset).totals
    return {"rows_read": dataset.rows_read, "rows_used": dataset.rows_used, "rejected": dataset.rejected, **totals}


@pytest.fixture(scope="module")
def sample() -> dict[str, Any]:
    return engine(SAMPLE.name, SAMPLE)


def open_page(page: Page, path: str = "", **query: str) -> None:
    """Load a page (a new session) and wait until its first run has finished."""
    params = "&".join(f"{k}={v}" for k, v in query.items())
    page.goto(f"/{path}" + (f"?{params}" if params else ""))
    expect(page.locator("h1").first).to_be_visible()
    wait_idle(page)


def go_to(page: Page, path: str) -> None:
    """Follow a sidebar navigation link (the session, and so the uploads, are kept)."""
    page.locator(f".st-key-nav a[href^='{path}?'], .st-key-nav a[href='{path}']").first.click()
    expect(page).to_have_url(re.compile(rf"/{re.escape(path)}(\?|$)"))
    wait_idle(page)


def expect_money(page: Page, key: str, amount: float, lang: str = "ja") -> None:
    """The compact amount on screen and the exact amount in its tooltip (when the two differ)."""
    expect(metric_value(page, key)).to_have_text(fmt_yen_compact(amount, lang))
    if fmt_yen_compact(amount, lang) != fmt_yen(amount):
        assert fmt_yen(amount) in metric_help(page, key)


def expect_rows(page: Page, figures: dict[str, Any]) -> None:
    expect(metric_value(page, "rows_read")).to_have_text(fmt_int(figures["rows_read"]))
    expect(metric_value(page, "rows_used")).to_have_text(fmt_int(figures["rows_used"]))
    expect(metric_value(page, "rows_rejected")).to_have_text(fmt_int(figures["rejected"]))


def upload(page: Page, name: str, data: bytes, mime: str, source_label: str = "自分のファイル") -> None:
    """Choose a file in the Data page's file chooser; the view switches to it."""
    page.locator(UPLOAD_INPUT).set_input_files(files=[{"name": name, "mimeType": mime, "buffer": data}])
    expect(page.locator(".st-key-w_src input")).to_have_value(source_label)


def test_home_shows_the_engine_figures_of_the_sample(page: Page, sample: dict[str, Any]):
    open_page(page)
    expect(page).to_have_url(re.compile(r"[?&]lang=ja"))  # the browser's locale chose Japanese
    expect(page).to_have_title("ホーム · KPI Pivot")
    expect(metric_value(page, "won")).to_have_text(fmt_int(sample["won"]))
    expect(metric_value(page, "opportunities")).to_have_text(fmt_int(sample["opportunities"]))
    expect(metric_value(page, "win_rate")).to_have_text(fmt_pct(sample["win_rate"]))
    expect_money(page, "won_revenue", sample["won_revenue"])
    expect_money(page, "open_pipeline_value", sample["open_pipeline_value"])
    # The compact Japanese form: 億 with one decimal (the exact amount is checked through the tooltip above).
    expect(metric_value(page, "won_revenue")).to_have_text(re.compile(r"^\d+\.\d億円$"))
    expect(page.locator("[data-testid=stException]")).to_have_count(0)


def test_switching_language_changes_the_labels_not_the_figures(page: Page, sample: dict[str, Any]):
    open_page(page)
    won_label = page.locator(".st-key-kpi_won [data-testid=stMetricLabel]")
    expect(won_label).to_have_text("受注件数")
    page.locator(".st-key-w_lang button", has_text="English").click()
    expect(page.locator("h1").first).to_have_text("How are we doing?")
    expect(won_label).to_have_text("Won deals")
    expect(page).to_have_url(re.compile(r"[?&]lang=en"))
    expect(page).to_have_title("Home · KPI Pivot")
    expect(metric_value(page, "won")).to_have_text(fmt_int(sample["won"]))
    expect_money(page, "won_revenue", sample["won_revenue"], "en")
    expect(page.locator(".st-key-w_src input")).to_have_value("Sample: sales deals (CRM)")
    page.locator(".st-key-w_lang button", has_text="日本語").click()
    expect(page.locator("h1").first).to_have_text("今、どんな状況か？")
    expect(won_label).to_have_text("受注件数")
    expect(page).to_have_url(re.compile(r"[?&]lang=ja"))
    wait_idle(page)
    expect(page.locator("[data-testid=stException]")).to_have_count(0)


def test_upload_a_shift_jis_csv_through_the_file_chooser(page: Page):
    data = sjis_csv()
    expected = engine("商談一覧.csv", data)
    assert {k: expected[k] for k in SJIS_BY_HAND} == SJIS_BY_HAND  # the engine agrees with the hand count
    open_page(page, "Data")
    upload(page, "商談一覧.csv", data, "text/csv")
    expect_rows(page, expected)
    # The headline figures change before the rest of the rerun has drawn: wait for the whole page, so the download
    # button is the upload's and not the sample's still on screen.
    wait_idle(page)
    expect(page.locator(".st-key-rejects")).to_contain_text("2025/13/45")
    # The rejected row, downloaded as the user would: UTF-8 with BOM (so Excel opens it), naming the bad cell.
    with page.expect_download() as download:
        page.locator(".st-key-rejects_csv button").click()
    rejects = Path(download.value.path()).read_bytes()
    assert rejects.startswith(b"\xef\xbb\xbf")
    assert "2025/13/45" in rejects.decode("utf-8-sig") and "作成日" in rejects.decode("utf-8-sig")
    go_to(page, "Funnel")
    expect(metric_value(page, "won")).to_have_text(fmt_int(expected["won"]))
    expect(metric_value(page, "win_rate")).to_have_text(fmt_pct(expected["win_rate"]))
    expect_money(page, "won_revenue", expected["won_revenue"])
    expect(page.locator(".st-key-chart_funnel canvas, .st-key-chart_funnel svg").first).to_be_visible()
    expect(page.locator("[data-testid=stException]")).to_have_count(0)


def test_upload_an_xlsx_with_a_title_line(page: Page):
    data = deals_xlsx()
    expected = engine("deals.xlsx", data)
    assert {k: expected[k] for k in XLSX_BY_HAND} == XLSX_BY_HAND
    open_page(page, "Data", lang="en")
    upload(page, "deals.xlsx", data, XLSX_MIME, "My files")
    expect_rows(page, expected)
    expect(page.locator(".st-key-rejects")).to_have_count(0)  # nothing rejected: no rejects table
    go_to(page, "")
    expect(metric_value(page, "won")).to_have_text(fmt_int(expected["won"]))
    expect(metric_value(page, "win_rate")).to_have_text(fmt_pct(expected["win_rate"]))
    expect_money(page, "won_revenue", expected["won_revenue"], "en")
    expect(page.locator("[data-testid=stException]")).to_have_count(0)


def test_changing_the_amount_column_updates_the_figures(page: Page, sample: dict[str, Any]):
    roles = {"amount": "架電数"}
    expected = engine(SAMPLE.name, SAMPLE, roles)
    assert expected["won_revenue"] != sample["won_revenue"]
    open_page(page, "Data")
    expect_rows(page, sample)
    grid = page.locator(".st-key-roles_editor [data-testid=stDataFrameResizable]")
    choice = page.locator("#portal input[role=combobox]")
    row = RECORD_ROLES.index("amount")
    for _ in range(3):  # the grid is a canvas: measured again after the page settles, if a click landed too early
        grid.scroll_into_view_if_needed()
        wait_idle(page)
        box = grid.bounding_box()
        assert box is not None
        # Select the amount row's role cell, move to its column cell and open the dropdown editor.
        page.mouse.click(box["x"] + 20, box["y"] + HEADER_HEIGHT + ROW_HEIGHT * row + ROW_HEIGHT / 2)
        page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        try:
            choice.wait_for(timeout=5_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    choice.fill(roles["amount"])
    page.keyboard.press("Enter")
    # The amount cells that could not be read no longer reject their rows: the counts follow the engine at once.
    expect_rows(page, expected)
    expect(page.locator(".st-key-reset_options")).to_be_visible()  # the way back to what was detected
    go_to(page, "")
    expect(metric_value(page, "won")).to_have_text(fmt_int(expected["won"]))
    expect_money(page, "won_revenue", expected["won_revenue"])
    expect(page.locator("[data-testid=stException]")).to_have_count(0)


def test_choosing_a_channel_filters_the_figures_and_the_url(page: Page):
    channel = "紹介"
    dataset = load_dataset([FileInput(SAMPLE.name, SAMPLE)])
    won = compute_kpis(dataset, filters=Filters(roles={"channel": [channel]})).totals["won"]
    open_page(page)
    page.locator(".st-key-w_channel input").click()
    page.locator("[role=option]", has_text=re.compile(rf"^{channel}$")).click()
    page.keyboard.press("Escape")
    expect(metric_value(page, "won")).to_have_text(fmt_int(won))
    expect(page).to_have_url(re.compile(r"[?&]channel=%E7%B4%B9%E4%BB%8B"))


# Text inside a headline figure that does not fit its card (Streamlit cuts it with "…"): label, value or delta.
CUT_FIGURE_TEXT_JS = """() => [...document.querySelectorAll('[data-testid=stMetric]')].flatMap(card =>
  [...card.querySelectorAll('*')].filter(e => e.children.length === 0 && e.textContent.trim() &&
    [e, e.parentElement].some(box => box && box.scrollWidth > box.clientWidth + 1)).map(e => e.textContent.trim()))"""


def cut_figure_texts(page: Page) -> list[str]:
    """The headline texts cut short on screen, once every element has been drawn and the fonts have loaded."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stSkeleton]') && document.fonts.status === 'loaded'"
    )
    return page.evaluate(CUT_FIGURE_TEXT_JS)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_page_opens_without_an_exception(page: Page, sample: dict[str, Any], lang: str, screenshots: Path):
    open_page(page, lang=lang)
    links = page.locator(".st-key-nav a")
    expect(links).to_have_count(1 + len(list((ROOT / "pages").glob("*.py"))))  # home and every page file
    hrefs = [str(href).split("?")[0] for href in links.evaluate_all("els => els.map(e => e.getAttribute('href'))")]
    assert set(PAGES[lang]) <= set(hrefs)
    for index, href in enumerate(hrefs):
        if index:
            go_to(page, href)
        expect(page.locator("h1").first).to_be_visible()
        if href in PAGES[lang]:
            title, heading = PAGES[lang][href]
            expect(page).to_have_title(title)
            expect(page.locator("h1").first).to_have_text(heading)
        else:  # a page added later: only its frame is known here
            expect(page).to_have_title(re.compile(r" · KPI Pivot$"))
        expect(page.locator("[data-testid=stException]")).to_have_count(0)
        assert cut_figure_texts(page) == [], href
        if href == "Funnel":
            expect(metric_value(page, "won")).to_have_text(fmt_int(sample["won"]))
            expect(page.locator(".st-key-chart_funnel")).to_be_visible()
        if href == "Pipeline":
            expect(metric_value(page, "open")).to_have_text(fmt_int(sample["open"]))
            expect(page.locator(".st-key-chart_pipeline_stages")).to_be_visible()
        full_screenshot(page, screenshots / f"{(href or 'home').lower()}_{lang}.png")


def test_a_shared_link_reproduces_the_view_in_a_new_session(page: Page):
    """A manager opens a copied link: language, filter and as-of date come from the URL on the first load."""
    channel = "紹介"
    dataset = load_dataset([FileInput(SAMPLE.name, SAMPLE)])
    won = compute_kpis(dataset, filters=Filters(roles={"channel": [channel]})).totals["won"]
    open_page(page, "", lang="en", channel="%E7%B4%B9%E4%BB%8B")
    expect(page.locator("h1").first).to_have_text("How are we doing?")
    expect(metric_value(page, "won")).to_have_text(fmt_int(won))
    open_page(page, "Pacing", lang="en", asof="2026-10-10")
    expect(page.locator(".st-key-w_asof input")).to_have_value("2026-10-10")
    expect(page.locator("[data-testid=stException]")).to_have_count(0)
