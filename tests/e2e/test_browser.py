"""End-to-end tests in a real browser (Debian's Chromium through Playwright): the figures on screen equal the engine's
for the bundled sample, a Shift_JIS CSV and an .xlsx uploaded through the file chooser, a changed column role, both
languages, and every page opens without an exception (with a full screenshot of each in tests/e2e/screenshots/).

Home shows the current month (the month of the as-of date, up to that date); the all-time totals are checked on the
Funnel page (and the open pipeline on the Pipeline page)."""

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
# Home's month, by hand: the data ends on 2025-07-01 (X5's close), long before today, so the as-of date is that day
# and the month is 2025-07-01 alone: X5 won (750,000) and nothing else closed, so 1 won of 1 closed.
XLSX_MONTH_BY_HAND = {"as_of": dt.date(2025, 7, 1), "won": 1, "won_revenue": 750_000.0, "win_rate": 1.0}


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


def as_of_for(last: dt.date) -> dt.date:
    """Home's as-of date (the goal pages' rule): today while the data reaches this month, else the data's last date."""
    today = dt.date.today()
    return today if (last.year, last.month) >= (today.year, today.month) else last


def year_before(day: dt.date) -> dt.date:
    """The same day a year earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def engine(
    name: str,
    data: bytes | Path,
    roles: dict[str, str | None] | None = None,
    filters: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """The engine's rows and all-time totals for one file, loaded the way the app loads it (no overrides unless
    given), with Home's windows: "month" (first day of the as-of month to the as-of date) and "last_year" (the same
    days a year earlier), each with the role filters given."""
    dataset = load_dataset([FileInput(name, data)], LoadOptions(roles=dict(roles or {})))
    roles_filter = dict(filters or {})
    totals = compute_kpis(dataset, filters=Filters(roles=roles_filter)).totals
    (last,) = dataset.cursor().execute("SELECT greatest(max(created), max(closed)) FROM records").fetchone()
    as_of = as_of_for(last.date() if isinstance(last, dt.datetime) else last)
    first = as_of.replace(day=1)

    def window(start: dt.date, end: dt.date) -> dict[str, Any]:
        return compute_kpis(dataset, filters=Filters(start=start, end=end, roles=roles_filter)).totals

    return {
        "rows_read": dataset.rows_read,
        "rows_used": dataset.rows_used,
        "rejected": dataset.rejected,
        **totals,
        "as_of": as_of,
        "month": window(first, as_of),
        "last_year": window(year_before(first), year_before(as_of)),
    }


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
    # Until that rerun ends the sample's figures can stay on screen next to the upload's (Streamlit removes stale
    # elements when a run finishes), and a locator matching two figures fails at once: wait for the run to end.
    wait_idle(page)


def expect_month(page: Page, month: dict[str, Any], lang: str = "ja") -> None:
    """Home's figures of the current month: won deals, their revenue and the win rate of the month's closed deals."""
    expect(metric_value(page, "won")).to_have_text(fmt_int(month["won"]))
    expect(metric_value(page, "win_rate")).to_have_text(fmt_pct(month["win_rate"]))
    expect_money(page, "won_revenue", month["won_revenue"], lang)


def test_home_shows_the_engine_figures_of_the_sample(page: Page, sample: dict[str, Any]):
    open_page(page)
    expect(page).to_have_url(re.compile(r"[?&]lang=ja"))  # the browser's locale chose Japanese
    expect(page).to_have_title("ホーム · KPI Pivot")
    # Home: the month of the as-of date, up to that date.
    month = sample["month"]
    assert month["won"] != sample["won"]  # a month, not all time: the check below tells the two apart
    expect_month(page, month)
    expect(metric_value(page, "opportunities")).to_have_text(fmt_int(month["opportunities"]))
    # Funnel: the all-time totals of the sample.
    go_to(page, "Funnel")
    expect(metric_value(page, "won")).to_have_text(fmt_int(sample["won"]))
    expect(metric_value(page, "opportunities")).to_have_text(fmt_int(sample["opportunities"]))
    expect(metric_value(page, "win_rate")).to_have_text(fmt_pct(sample["win_rate"]))
    expect_money(page, "won_revenue", sample["won_revenue"])
    # The compact Japanese form: 億 with three significant digits, trailing zeros dropped (kpi_core/format.py:
    # 1.36億円 / 12.5億円 / 150億円); the exact amount is checked through the tooltip above.
    expect(metric_value(page, "won_revenue")).to_have_text(re.compile(r"^(\d\.\d{1,2}|\d\d\.\d|\d{1,3})億円$"))
    expect(page.locator("[data-testid=stException]")).to_have_count(0)
    # Pipeline: what is open now.
    go_to(page, "Pipeline")
    expect_money(page, "open_pipeline_value", sample["open_pipeline_value"])
    expect(page.locator("[data-testid=stException]")).to_have_count(0)


def won_label(lang: str, last_year: int | None) -> str:
    """Home's label of the month's won deals: with last year's count of the same days when there was one."""
    name = {"ja": "受注件数", "en": "Won deals"}[lang]
    if not last_year:
        return name
    return f"{name}（前年同期 {fmt_int(last_year)}）" if lang == "ja" else f"{name} (last year {fmt_int(last_year)})"


def test_switching_language_changes_the_labels_not_the_figures(page: Page, sample: dict[str, Any]):
    open_page(page)
    won_label_on_screen = page.locator(".st-key-kpi_won [data-testid=stMetricLabel]")
    last_year = sample["last_year"]["won"]
    expect(won_label_on_screen).to_have_text(won_label("ja", last_year))
    expect_month(page, sample["month"])
    page.locator(".st-key-w_lang button", has_text="English").click()
    expect(page.locator("h1").first).to_have_text("How are we doing?")
    expect(won_label_on_screen).to_have_text(won_label("en", last_year))
    expect(page).to_have_url(re.compile(r"[?&]lang=en"))
    expect(page).to_have_title("Home · KPI Pivot")
    expect_month(page, sample["month"], "en")  # the same month's figures, written the English way
    expect(page.locator(".st-key-w_src input")).to_have_value("Sample: sales deals (CRM)")
    page.locator(".st-key-w_lang button", has_text="日本語").click()
    expect(page.locator("h1").first).to_have_text("今、どんな状況か？")
    expect(won_label_on_screen).to_have_text(won_label("ja", last_year))
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
    go_to(page, "Funnel")  # the whole file
    expect(metric_value(page, "won")).to_have_text(fmt_int(expected["won"]))
    expect(metric_value(page, "win_rate")).to_have_text(fmt_pct(expected["win_rate"]))
    expect_money(page, "won_revenue", expected["won_revenue"], "en")
    expect(page.locator("[data-testid=stException]")).to_have_count(0)
    month = {"as_of": expected["as_of"], **{k: expected["month"][k] for k in ("won", "won_revenue", "win_rate")}}
    assert month == XLSX_MONTH_BY_HAND  # the engine agrees with the hand count of the file's last month
    go_to(page, "")  # Home: the file's last month
    expect_month(page, month, "en")
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
    go_to(page, "Funnel")  # all time
    expect(metric_value(page, "won")).to_have_text(fmt_int(expected["won"]))
    expect_money(page, "won_revenue", expected["won_revenue"])
    expect(page.locator("[data-testid=stException]")).to_have_count(0)
    assert expected["month"]["won_revenue"] != sample["month"]["won_revenue"]
    go_to(page, "")  # Home: the month's revenue follows the new amount column too
    expect_money(page, "won_revenue", expected["month"]["won_revenue"])
    expect(page.locator("[data-testid=stException]")).to_have_count(0)


def expect_month_counts(page: Page, month: dict[str, Any]) -> None:
    """Home's counts of the current month: the deals created and the deals won."""
    expect(metric_value(page, "opportunities")).to_have_text(fmt_int(month["opportunities"]))
    expect(metric_value(page, "won")).to_have_text(fmt_int(month["won"]))


def test_choosing_a_channel_filters_the_figures_and_the_url(page: Page, sample: dict[str, Any]):
    channel = "紹介"
    filtered = engine(SAMPLE.name, SAMPLE, filters={"channel": [channel]})
    assert filtered["won"] != sample["won"] and filtered["month"]["opportunities"] != sample["month"]["opportunities"]
    open_page(page, "Funnel")
    page.locator(".st-key-w_channel input").click()
    page.locator("[role=option]", has_text=re.compile(rf"^{channel}$")).click()
    page.keyboard.press("Escape")
    expect(metric_value(page, "won")).to_have_text(fmt_int(filtered["won"]))  # all time, that channel only
    expect(page).to_have_url(re.compile(r"[?&]channel=%E7%B4%B9%E4%BB%8B"))
    go_to(page, "")  # Home keeps the filter: the month's figures of that channel
    expect(page).to_have_url(re.compile(r"[?&]channel=%E7%B4%B9%E4%BB%8B"))
    expect_month_counts(page, filtered["month"])


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


def test_a_shared_link_reproduces_the_view_in_a_new_session(page: Page, sample: dict[str, Any]):
    """A manager opens a copied link: language, filter and as-of date come from the URL on the first load."""
    channel = "紹介"
    filtered = engine(SAMPLE.name, SAMPLE, filters={"channel": [channel]})
    assert filtered["won"] != sample["won"] and filtered["month"]["opportunities"] != sample["month"]["opportunities"]
    open_page(page, "Funnel", lang="en", channel="%E7%B4%B9%E4%BB%8B")
    expect(page.locator("h1").first).to_have_text("Where does the funnel leak?")
    expect(metric_value(page, "won")).to_have_text(fmt_int(filtered["won"]))
    open_page(page, "", lang="en", channel="%E7%B4%B9%E4%BB%8B")
    expect(page.locator("h1").first).to_have_text("How are we doing?")
    expect_month_counts(page, filtered["month"])
    open_page(page, "Pacing", lang="en", asof="2026-10-10")
    expect(page.locator(".st-key-w_asof input")).to_have_value("2026-10-10")
    expect(page.locator("[data-testid=stException]")).to_have_count(0)
