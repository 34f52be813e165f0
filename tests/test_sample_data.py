"""The committed sample data is what generate.py writes, has the documented shape, and its KPI sheet adds up."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
DEALS, LEADS, KPI = "sales_deals_ja.csv", "marketing_leads_en.csv", "monthly_kpi_ja.xlsx"
DEAL_HEADER = (
    "商談ID,商談名,取引先名,業種,担当者,リードソース,商品,新規/既存,フェーズ,金額,作成日,完了日,架電数,訪問数,提案数,"
    "確度,受注予定日"
)
TEAMS = "sales_teams_ja.csv"
REPS = {"佐藤 健", "鈴木 美咲", "高橋 翔", "田中 優子", "伊藤 大輔", "渡辺 彩"}
LEAD_HEADER = "Lead ID,Create Date,Lead Source,Campaign,Company,Industry,Lead Owner,Lifecycle Stage,Close Date,Amount"
MONTHS = pd.period_range("2024-04", "2026-11", freq="M")
OPEN_PHASES = {"初回訪問", "ヒアリング", "提案", "見積提出", "交渉"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Run the generator's command line into a fresh folder; return the folder and what it printed."""
    out = tmp_path_factory.mktemp("sample_data")
    run = subprocess.run(
        [sys.executable, str(SAMPLE / "generate.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return out, run.stdout


def _deals() -> pd.DataFrame:
    """The committed deal file as text cells."""
    return pd.read_csv(SAMPLE / DEALS, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _leads() -> pd.DataFrame:
    """The committed lead file as text cells."""
    return pd.read_csv(SAMPLE / LEADS, dtype=str, keep_default_na=False, encoding="utf-8")


def _amount(text: str) -> int | None:
    """A tolerant reading of a money cell ("¥1,200,000", "120万円", full-width digits); None if unreadable."""
    t = unicodedata.normalize("NFKC", text).strip().replace(",", "").removeprefix("¥").removesuffix("円")
    if m := re.fullmatch(r"(\d+)万", t):
        return int(m[1]) * 10_000
    return int(t) if t.isdigit() else None


def _date(text: str) -> dt.date | None:
    """A tolerant reading of a date cell (2025/04/01, 2025-04-01 10:30, 2025年4月1日, 令和7年4月1日)."""
    t = unicodedata.normalize("NFKC", text).strip()
    if m := re.fullmatch(r"令和(\d+)年(\d+)月(\d+)日", t):
        parts = (int(m[1]) + 2018, int(m[2]), int(m[3]))
    elif m := re.fullmatch(r"(\d{4})[/\-年](\d{1,2})[/\-月](\d{1,2})日?(?: \d{1,2}:\d{2}(?::\d{2})?)?", t):
        parts = (int(m[1]), int(m[2]), int(m[3]))
    else:
        return None
    try:
        return dt.date(*parts)
    except ValueError:
        return None


def _readme_bad_rows() -> list[tuple[str, int, str, str]]:
    """(商談ID, row, column, cell) of the unreadable rows listed in README.md."""
    text = (SAMPLE / "README.md").read_text(encoding="utf-8")
    return [
        (m[1], int(m[2]), m[3], m[4])
        for m in re.finditer(r"^\| (OPP-\d{5}) \| (\d+) \| (\S+) \| `([^`]+)` \|", text, flags=re.M)
    ]


# ---------------------------------------------------------------- (a) reproducible
@pytest.mark.parametrize("name", [DEALS, LEADS, TEAMS])
def test_csv_is_byte_identical_to_committed(generated: tuple[Path, str], name: str) -> None:
    out, _ = generated
    assert (out / name).read_bytes() == (SAMPLE / name).read_bytes()


def test_xlsx_cells_equal_committed(generated: tuple[Path, str]) -> None:
    out, _ = generated
    fresh, committed = openpyxl.load_workbook(out / KPI), openpyxl.load_workbook(SAMPLE / KPI)
    assert fresh.sheetnames == committed.sheetnames == ["月次KPI", "メモ"]
    for name in fresh.sheetnames:
        new_cells = [[(c.value, c.number_format) for c in row] for row in fresh[name].iter_rows()]
        old_cells = [[(c.value, c.number_format) for c in row] for row in committed[name].iter_rows()]
        assert new_cells == old_cells, name


def test_readme_shows_the_printed_summary(generated: tuple[Path, str]) -> None:
    _, printed = generated
    summary = printed[printed.index("| 年度 |") :].strip()
    readme = (SAMPLE / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("<!-- summary:start -->") : readme.index("<!-- summary:end -->")]
    assert block.removeprefix("<!-- summary:start -->").strip() == summary


# ---------------------------------------------------------------- (b) shape of the deal file
def test_deal_file_encoding_and_header() -> None:
    raw = (SAMPLE / DEALS).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\n") == raw.count(b"\r\n") > 1_000
    assert raw[3:].decode("utf-8").split("\r\n", 1)[0] == DEAL_HEADER


def test_deals_cover_32_months_at_the_stated_volume() -> None:
    created = _deals()["作成日"].map(_date).dropna()
    months = pd.Series(pd.PeriodIndex([pd.Period(d, "M") for d in created])).value_counts()
    assert sorted(months.index) == list(MONTHS)
    assert 1_500 <= len(_deals()) <= 1_700
    assert 45 <= months.mean() <= 55
    assert months.min() >= 25  # August dips, no month is empty
    assert months[pd.Period("2025-03", "M")] > months[pd.Period("2025-08", "M")]


def test_deal_rates_and_amounts_are_in_range() -> None:
    deals = _deals()
    won = deals["フェーズ"].isin(["受注", "成約"])
    lost = deals["フェーズ"].isin(["失注", "Closed Lost"])
    assert 0.20 <= won.sum() / (won.sum() + lost.sum()) <= 0.27
    won_amounts = deals.loc[won, "金額"].map(_amount).dropna()
    assert 1_050_000 <= won_amounts.mean() <= 1_300_000
    assert set(deals["新規/既存"]) == {"新規", "既存(アップセル)", "既存(クロスセル)"}
    assert set(deals["リードソース"]) == {"展示会", "セミナー", "紹介", "テレアポ", "Web問い合わせ", "既存顧客"}
    by_source = won.groupby(deals["リードソース"]).sum() / (won | lost).groupby(deals["リードソース"]).sum()
    assert by_source.idxmax() == "紹介" and by_source.idxmin() == "テレアポ"


def test_reps_and_the_late_joiner() -> None:
    deals = _deals()
    reps = deals["担当者"].map(lambda s: " ".join(unicodedata.normalize("NFKC", s).split()))
    assert set(reps) == {"佐藤 健", "鈴木 美咲", "高橋 翔", "田中 優子", "伊藤 大輔", "渡辺 彩"}
    joined = deals.loc[reps == "渡辺 彩", "作成日"].map(_date).dropna()
    assert len(joined) > 20 and min(joined) >= dt.date(2025, 10, 1)
    assert (deals["担当者"] != reps).sum() == 4  # the stray-space cells


def test_open_deals_have_a_phase_and_forecast_but_no_close_date() -> None:
    deals = _deals()
    open_deals = deals[deals["フェーズ"].isin(OPEN_PHASES)]
    assert len(open_deals) >= 50
    assert (open_deals["完了日"] == "").all()
    assert open_deals["金額"].map(_amount).notna().all()
    closed = deals[~deals["フェーズ"].isin(OPEN_PHASES)]
    assert (closed["完了日"] != "").all()
    assert set(closed["フェーズ"]) == {"受注", "失注", "成約", "Closed Lost"}


def test_open_deals_have_a_rank_and_an_expected_close_date_closed_ones_neither() -> None:
    deals = _deals()
    is_open = deals["フェーズ"].isin(OPEN_PHASES)
    assert set(deals.loc[is_open, "確度"]) == {"A", "B", "C"}
    assert (deals.loc[~is_open, "確度"] == "").all() and (deals.loc[~is_open, "受注予定日"] == "").all()
    expected = deals.loc[is_open, "受注予定日"].map(_date)
    assert expected.notna().all()
    export = dt.date(2026, 11, 24)
    overdue = (expected < export).sum()
    assert 5 <= overdue <= 0.3 * is_open.sum()  # some expected dates have passed (flagged), most lie ahead
    # The further the phase, the likelier an A: 交渉 / 見積提出 have a larger share of A than 初回訪問 / ヒアリング.
    late = deals.loc[is_open & deals["フェーズ"].isin(["交渉", "見積提出"]), "確度"]
    early = deals.loc[is_open & deals["フェーズ"].isin(["初回訪問", "ヒアリング"]), "確度"]
    assert (late == "A").mean() > (early == "A").mean()


def test_team_file_puts_every_rep_in_one_team() -> None:
    raw = (SAMPLE / TEAMS).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\n") == raw.count(b"\r\n")
    teams = pd.read_csv(SAMPLE / TEAMS, dtype=str, encoding="utf-8-sig")
    assert list(teams.columns) == ["担当者", "チーム"]
    assert set(teams["担当者"]) == REPS and teams["担当者"].is_unique
    assert teams.groupby("チーム").size().to_dict() == {"第1営業課": 3, "第2営業課": 3}


def test_closed_deals_close_20_to_150_days_after_creation() -> None:
    deals = _deals()
    created, closed = deals["作成日"].map(_date), deals["完了日"].map(_date)
    cycle = pd.Series([(b - a).days for a, b in zip(created, closed, strict=True) if a and b])
    assert len(cycle) > 1_300 and cycle.between(20, 150).all()


def test_messy_cells_are_present() -> None:
    deals = _deals()
    assert (deals["フェーズ"] == "成約").sum() == 10
    assert (deals["フェーズ"] == "Closed Lost").sum() == 3
    amounts = deals["金額"]
    assert amounts.str.startswith("¥").sum() == 3
    assert amounts.str.fullmatch(r"[\d,]+円").sum() == 3
    assert amounts.str.endswith("万円").sum() == 3
    assert amounts.str.fullmatch(r"[０-９]+").sum() == 2
    assert deals["作成日"].str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d").sum() == 2
    assert deals["作成日"].str.fullmatch(r"\d{4}年\d+月\d+日").sum() == 2
    assert deals["完了日"].str.startswith("令和").sum() == 2


def test_exactly_the_three_listed_rows_are_unreadable() -> None:
    deals = _deals()
    listed = _readme_bad_rows()
    assert [(column, cell) for _, _, column, cell in listed] == [
        ("金額", "未定"),
        ("作成日", "2025/13/01"),
        ("完了日", "不明"),
    ]
    for deal_id, row, column, cell in listed:
        assert deals.at[row - 2, "商談ID"] == deal_id  # header is row 1
        assert deals.at[row - 2, column] == cell
    unreadable = set()
    for _, r in deals.iterrows():
        if r["金額"] and _amount(r["金額"]) is None:
            unreadable.add((r["商談ID"], "金額"))
        for column in ("作成日", "完了日"):
            if r[column] and _date(r[column]) is None:
                unreadable.add((r["商談ID"], column))
    assert unreadable == {(deal_id, column) for deal_id, _, column, _ in listed}
    won_ids = set(deals.loc[deals["フェーズ"] == "受注", "商談ID"])
    assert {listed[0][0], listed[2][0]} <= won_ids


# ---------------------------------------------------------------- (b) shape of the lead file
def test_lead_file_encoding_and_header() -> None:
    raw = (SAMPLE / LEADS).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
    assert raw.decode("utf-8").split("\n", 1)[0] == LEAD_HEADER


def test_leads_cover_32_months_at_the_stated_volume() -> None:
    leads = _leads()
    per_month = pd.to_datetime(leads["Create Date"].str[:10]).dt.to_period("M").value_counts()
    assert sorted(per_month.index) == list(MONTHS)
    assert 380 <= per_month.mean() <= 420
    assert 0.25 <= (leads["Create Date"].str.len() > 10).mean() <= 0.35
    assert (leads["Lead Source"] == "").sum() == 15
    assert set(leads["Lead Source"]) - {""} == {
        "Organic Search", "Paid Search", "Paid Social", "Webinar", "Trade Show", "Email", "Referral",
    }  # fmt: skip


def test_lead_funnel_rates_and_outcomes() -> None:
    leads = _leads()
    stage = leads["Lifecycle Stage"]
    assert set(stage) == {"Lead", "MQL", "SQL", "Opportunity", "Closed Won", "Closed Lost", "Disqualified"}
    mature = pd.to_datetime(leads["Create Date"].str[:10]) < "2026-06-01"  # old enough to have progressed
    reached_mql = stage.isin(["MQL", "SQL", "Opportunity", "Closed Won", "Closed Lost"])
    reached_sql = stage.isin(["SQL", "Opportunity", "Closed Won", "Closed Lost"])
    assert 0.35 <= reached_mql[mature].mean() <= 0.45
    assert 0.17 <= reached_sql[mature].mean() <= 0.23
    assert 0.20 <= (stage[mature] == "Closed Won").sum() / reached_sql[mature].sum() <= 0.30
    closed = stage.isin(["Closed Won", "Closed Lost"])
    assert (leads.loc[closed, "Close Date"] != "").all() and (leads.loc[~closed, "Close Date"] == "").all()
    assert (leads.loc[stage != "Closed Won", "Amount"] == "").all()
    amounts = leads.loc[stage == "Closed Won", "Amount"].map(_amount)
    assert amounts.between(300_000, 500_000).all() and 350_000 <= amounts.mean() <= 400_000
    days = (
        pd.to_datetime(leads.loc[closed, "Close Date"]) - pd.to_datetime(leads.loc[closed, "Create Date"].str[:10])
    ).dt.days
    assert days.between(15, 120).all()
    assert leads["Amount"].str.startswith("¥").sum() == 4 and leads["Amount"].str.fullmatch(r"\d{3},\d{3}").sum() == 4
    recent = pd.to_datetime(leads["Create Date"].str[:10]) >= "2026-10-01"
    assert (
        stage[recent].isin(["Lead", "MQL", "SQL", "Opportunity"]).mean()
        > stage[mature].isin(["Lead", "MQL", "SQL", "Opportunity"]).mean()
    )


def test_csv_quoting_round_trips() -> None:
    rows = list(csv.reader(io.StringIO((SAMPLE / LEADS).read_text(encoding="utf-8"))))
    assert {len(r) for r in rows} == {10}
    assert any("," in r[4] for r in rows[1:])  # "Fuji Foods Co., Ltd." style names are quoted


# ---------------------------------------------------------------- (c) the KPI sheet adds up
def test_kpi_sheet_layout() -> None:
    ws = openpyxl.load_workbook(SAMPLE / KPI).worksheets[0]
    assert ws.title == "月次KPI"
    assert ws["A1"].value == "マーケティングKPI 月次実績（2024年4月〜2026年11月）"
    assert ws["A2"].value == "単位: 件 / 円"
    assert all(c.value is None for c in ws[3])
    assert [c.value for c in ws[4]] == [
        "月",
        "リード数",
        "MQL数",
        "SQL数",
        "商談数",
        "受注件数",
        "失注件数",
        "受注金額",
    ]
    assert ws.max_row == 4 + 32
    assert ws["A5"].value == dt.datetime(2024, 4, 1) and ws["A5"].number_format == 'yyyy"年"m"月"'
    assert ws["H20"].number_format == "#,##0"


def test_kpi_sheet_equals_an_aggregation_of_the_lead_file() -> None:
    leads = _leads()
    rank = leads["Lifecycle Stage"].map(
        {"Lead": 1, "Disqualified": 1, "MQL": 2, "SQL": 3, "Opportunity": 4, "Closed Won": 4, "Closed Lost": 4}
    )
    created = pd.to_datetime(leads["Create Date"].str[:10]).dt.to_period("M")
    expected = pd.DataFrame(index=MONTHS)
    for column, level in (("リード数", 1), ("MQL数", 2), ("SQL数", 3), ("商談数", 4)):
        expected[column] = (rank >= level).groupby(created).sum()
    closed = leads[leads["Close Date"] != ""]
    closed_month = pd.to_datetime(closed["Close Date"]).dt.to_period("M")
    expected["受注件数"] = (closed["Lifecycle Stage"] == "Closed Won").groupby(closed_month).sum()
    expected["失注件数"] = (closed["Lifecycle Stage"] == "Closed Lost").groupby(closed_month).sum()
    expected["受注金額"] = closed["Amount"].map(lambda a: _amount(a) or 0).groupby(closed_month).sum()
    expected = expected.fillna(0).astype("int64")

    ws = openpyxl.load_workbook(SAMPLE / KPI).worksheets[0]
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    assert [pd.Period(r[0], "M") for r in rows] == list(MONTHS)
    sheet = pd.DataFrame([r[1:] for r in rows], index=MONTHS, columns=list(expected.columns)).astype("int64")
    pd.testing.assert_frame_equal(sheet, expected)
    assert sheet["受注金額"].sum() > 200_000_000  # guards against an all-zero sheet
