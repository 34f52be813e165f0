"""The Excel report of a view (kpi_core.report_xlsx): its sheets, numbers stored as numbers with formats, the charts
as images, ja / en headers, no formula from user text; the shared neutralising rule; the app's download."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
import streamlit
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from kpi_core.export_safety import is_formula_like, neutralise_cell
from kpi_core.goals import load_goals, template_text
from kpi_core.intake.load import FileInput, LoadOptions, load_dataset
from kpi_core.metrics import Filters
from kpi_core.report_xlsx import ChartImage, money_format, report_xlsx, sheet_title
from ui.export import chart_png, csv_bytes

ROOT = Path(__file__).resolve().parents[1]
SALES = ROOT / "sample_data" / "sales_deals_ja.csv"
AS_OF = dt.date(2026, 11, 15)
EVIL = '=HYPERLINK("http://evil.example","x")'
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def tiny_png() -> bytes:
    spec = {
        "data": {"values": [{"k": "a", "v": 1}, {"k": "b", "v": 3}]},
        "mark": "bar",
        "encoding": {"x": {"field": "k", "type": "nominal"}, "y": {"field": "v", "type": "quantitative"}},
    }
    return chart_png(spec, scale=1)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sales sample with one owner renamed to a formula, and a channel hidden behind spaces and a full-width
    sign: user text that a spreadsheet would run."""
    frame = pd.read_csv(SALES, dtype=str, keep_default_na=False)
    owner = frame["担当者"].iloc[0]
    frame.loc[frame["担当者"] == owner, "担当者"] = EVIL
    channel = frame["リードソース"].iloc[0]
    frame.loc[frame["リードソース"] == channel, "リードソース"] = "  ＝1+1"
    path = tmp_path_factory.mktemp("seeded") / "deals.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def workbooks(seeded: Path) -> dict[str, bytes]:
    dataset = load_dataset([FileInput(seeded.name, seeded)], LoadOptions())
    out = {}
    for lang in ("ja", "en"):
        goals = load_goals(template_text("sales", lang))
        out[lang] = report_xlsx(
            dataset, goals, AS_OF, lang=lang, name="-2+3 team", scope="@SUM(A1)", charts=[ChartImage("x", tiny_png())]
        )
    return out


def every_cell(book):
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield sheet, cell


def test_the_workbook_has_the_summary_each_breakdown_the_monthly_table_and_the_charts(workbooks) -> None:
    ja = load_workbook(io.BytesIO(workbooks["ja"]))
    en = load_workbook(io.BytesIO(workbooks["en"]))
    assert ja.sheetnames == ["サマリー", "担当者別", "チャネル別", "商品別", "業種・セグメント別", "取引先別",
                             "新規 - 既存別", "月別", "グラフ"]  # fmt: skip
    assert en.sheetnames == ["Summary", "By Owner", "By Channel", "By Product", "By Segment", "By Account",
                             "By Deal type", "Monthly", "Charts"]  # fmt: skip
    assert len(ja["グラフ"]._images) == 1 and len(en["Charts"]._images) == 1
    image = en["Charts"]._images[0]
    assert image._data().startswith(PNG_MAGIC)


def test_headers_are_in_the_chosen_language(workbooks) -> None:
    ja = load_workbook(io.BytesIO(workbooks["ja"]))
    en = load_workbook(io.BytesIO(workbooks["en"]))
    assert [c.value for c in ja["月別"][1]][:5] == ["期間", "開始日", "締め", "レコード数", "商談数"]
    assert [c.value for c in en["Monthly"][1]][:3] == ["Period", "Start", "Closed"]
    assert ja["担当者別"]["A1"].value == "担当者" and en["By Owner"]["A1"].value == "Owner"
    summary_ja = [c.value for _, c in every_cell(ja) if _.title == "サマリー"]
    summary_en = [c.value for _, c in every_cell(en) if _.title == "Summary"]
    assert {"着地予測", "予測の下限", "予測の上限", "目標に届く確率", "状況", "打ち手の候補（上位）"} <= set(summary_ja)
    assert {"Forecast", "Forecast low", "Forecast high", "Status", "Top pivots", "What to do next"} <= set(summary_en)


def test_numbers_are_numbers_with_number_formats(workbooks) -> None:
    book = load_workbook(io.BytesIO(workbooks["en"]))
    summary = book["Summary"]
    labels: dict = {}
    for row in summary.iter_rows(min_col=1, max_col=2):
        labels.setdefault(row[0].value, row[1])  # the KGI's block comes first (the month's repeats the labels)
    target, forecast, chance = labels["Target"], labels["Forecast"], labels["Chance of reaching the target"]
    assert target.value == 144_000_000 and target.data_type == "n" and "¥" in target.number_format
    assert "#,##0" in target.number_format
    assert isinstance(forecast.value, float) and forecast.number_format == target.number_format
    assert 0 <= chance.value <= 1 and chance.number_format == "0.0%"
    assert isinstance(labels["As of"].value, dt.datetime) and labels["As of"].value.date() == AS_OF

    monthly = book["Monthly"]
    header = [c.value for c in monthly[1]]
    revenue, win_rate = header.index("Won revenue") + 1, header.index("Win rate") + 1
    cells = [monthly.cell(row=r, column=revenue) for r in range(2, monthly.max_row + 1)]
    assert all(c.data_type == "n" for c in cells if c.value is not None)
    assert sum(c.value for c in cells if c.value is not None) == pytest.approx(357_330_000)
    assert cells[-1].number_format == money_format("JPY") == '"¥"#,##0;-"¥"#,##0'
    rates = [monthly.cell(row=r, column=win_rate) for r in range(2, monthly.max_row + 1)]
    assert {c.number_format for c in rates if c.value is not None} == {"0.0%"}
    assert monthly.cell(row=2, column=2).is_date


def test_money_formats_follow_the_currency() -> None:
    assert money_format("USD") == "$#,##0;-$#,##0"
    assert money_format("JPY").startswith('"¥"#,##0')
    assert money_format("EUR").startswith('"€"')
    assert money_format(None) == money_format("JPY")


def test_user_text_never_becomes_a_formula(workbooks) -> None:
    for lang, data in workbooks.items():
        book = load_workbook(io.BytesIO(data))
        texts = []
        for sheet, cell in every_cell(book):
            assert cell.data_type != "f", (lang, sheet.title, cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                assert not is_formula_like(cell.value), (sheet.title, cell.value)
                texts.append(cell.value)
        assert "'" + EVIL in texts  # the owner, shown as the text it is (on the owner sheet)
        assert [t for t in texts if "＝1+1" in t] and all(t.startswith("'") for t in texts if "＝1+1" in t)
        assert "'-2+3 team" in texts and "'@SUM(A1)" in texts  # the view's name and scope
        owners = [c.value for c in book.worksheets[1]["A"]]
        assert "'" + EVIL in owners
    raw = workbooks["en"]
    assert b"<f>" not in raw and b"HYPERLINK(" not in raw.replace(b"'=HYPERLINK(", b"")  # no formula element at all


@pytest.mark.parametrize(
    "text", ["=1+1", "+81 3", "-2", "@SUM(A1)", "\tx", "\rx", EVIL, "  =1+1", "\u3000+1", "＝SUM(A1)", "＋1", "－1"]
)
def test_the_shared_rule_neutralises_formula_signs_also_after_spaces_and_full_width(text: str) -> None:
    assert neutralise_cell(text) == "'" + text
    assert csv_bytes(pd.DataFrame({"x": [text]})).decode("utf-8-sig").splitlines()[1].lstrip('"').startswith("'")


@pytest.mark.parametrize("value", ["佐藤 健", "a=b", "", "A-1", 12, -3.5, None])
def test_the_shared_rule_leaves_other_values(value) -> None:
    assert neutralise_cell(value) == value


def test_sheet_titles_are_valid_and_unique() -> None:
    taken: set[str] = set()
    assert sheet_title("新規 / 既存別", taken) == "新規 - 既存別"
    assert sheet_title("a" * 40, taken) == "a" * 31
    assert sheet_title("A" * 40, taken) == "A" * 27 + " (2)"  # names differ in more than case
    assert sheet_title("[x]:*?", taken) == "-x----"


def test_filters_and_a_usd_view(tmp_path: Path) -> None:
    dataset = load_dataset([FileInput(SALES.name, SALES)], LoadOptions())
    goals = load_goals(template_text("sales", "en"))
    owner = "佐藤 健"
    data = report_xlsx(dataset, goals, AS_OF, lang="en", currency="USD", filters=Filters(roles={"owner": [owner]}))
    book = load_workbook(io.BytesIO(data))
    assert [c.value for c in book["By Owner"]["A"]][1:] == [owner]
    monthly = book["Monthly"]
    header = [c.value for c in monthly[1]]
    column = header.index("Won revenue") + 1
    assert monthly.cell(row=monthly.max_row, column=column).number_format == "$#,##0;-$#,##0"
    assert "Charts" not in book.sheetnames  # no chart given: no empty sheet


# ------------------------------------------------------------------------------------------------ the app
def test_the_sidebar_offers_the_report_on_goal_pages_and_it_opens(monkeypatch: pytest.MonkeyPatch) -> None:
    made = {}
    original = streamlit.download_button

    def keep(*args, **kwargs):
        if kwargs.get("key") == "dl_report_xlsx":
            made[len(made)] = kwargs
        return original(*args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", keep)
    at = AppTest.from_file(str(ROOT / "home.py"), default_timeout=60)
    at.query_params.update({"lang": "ja", "asof": "2026-11-15"})
    at.run()
    at.switch_page("pages/2_Funnel.py").run()
    assert not at.exception
    assert "dl_report_xlsx" not in [getattr(b, "key", None) for b in at.sidebar.get("download_button")]
    made.clear()
    at.switch_page("pages/6_Pivots.py").run()
    assert not at.exception
    buttons = [b for b in at.sidebar.get("download_button") if b.proto.label == "Excel レポート"]
    assert len(buttons) == 1 and buttons[0].proto.HasField("deferred_file_id")  # made only when clicked
    kwargs = made[len(made) - 1]
    assert kwargs["on_click"] == "ignore" and callable(kwargs["data"])
    book = load_workbook(io.BytesIO(kwargs["data"]()))  # what the click would download
    assert book.sheetnames[0] == "サマリー" and "グラフ" in book.sheetnames
    assert len(book["グラフ"]._images) >= 2
    labels = {row[0].value: row[1].value for row in book["サマリー"].iter_rows(min_col=1, max_col=2) if row[0].value}
    assert labels["基準日"].date() == AS_OF
