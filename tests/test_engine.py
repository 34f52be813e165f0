"""Intake + KPI engine on small hand-made files, every expectation worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from kpi_core.intake.errors import IntakeError
from kpi_core.intake.load import Dataset, FileInput, LoadOptions, load_dataset
from kpi_core.metrics import Filters, KpiResult, compute_kpis

EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's 1900 date system, as Excel defines it


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(tmp_path: Path, name: str, sheets: dict[str, list[list[Any]]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def load(*paths: Path, **options: Any) -> Dataset:
    return load_dataset([FileInput(p.name, p) for p in paths], LoadOptions(**options))


def periods(result: KpiResult) -> dict[str, dict[str, Any]]:
    return {row["period"]: row for row in result.by_period}


def keyed(result: KpiResult, role: str) -> dict[Any, dict[str, Any]]:
    return {row["key"]: row for row in result.by[role]}


def pick(figures: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: figures[name] for name in names}


def serial(day: dt.date) -> int:
    return (day - EXCEL_EPOCH).days


def assert_rows_add_up(dataset: Dataset) -> None:
    assert dataset.rows_read == dataset.rows_used + dataset.rejected + len(dataset.skipped)


# ----------------------------------------------------------------------------- Japanese headers, messy values

JAPANESE_DEALS = (
    "商談ID,作成日,完了予定日,フェーズ,金額,担当者,流入経路,商品\n"
    'D1,2025/4/1,2025/4/20,受注,"¥1,200,000",佐藤,展示会,A\n'
    "D2,令和7年4月3日,2025年5月10日,受注,１２０万円,鈴木,Web,B\n"
    "D3,2025-04-05,2025/5/15,失注,0,佐藤,Web,A\n"
    'D4,2025/4/10,2025/6/30,提案,"1,500,000円",鈴木,展示会,B\n'
    "D5,2025/5/1,2025/7/31,商談,1.2億,佐藤,Web,A\n"
)


def check_japanese_deals(dataset: Dataset) -> None:
    assert dataset.mapping == {
        "id": "商談ID",
        "created": "作成日",
        "closed": "完了予定日",
        "stage": "フェーズ",
        "amount": "金額",
        "owner": "担当者",
        "channel": "流入経路",
        "product": "商品",
    }
    assert (dataset.rows_read, dataset.rows_used, dataset.rejected) == (5, 5, 0)
    result = compute_kpis(dataset, by=["owner", "channel"])
    totals = result.totals
    # Won D1 (1.2M, 19 days) and D2 (1.2M, 4/3 → 5/10 = 37 days); lost D3; open D4 (1.5M) and D5 (120M).
    assert pick(totals, "records", "opportunities", "won", "lost", "open") == {
        "records": 5,
        "opportunities": 5,
        "won": 2,
        "lost": 1,
        "open": 2,
    }
    assert totals["win_rate"] == pytest.approx(2 / 3)
    assert totals["won_revenue"] == pytest.approx(2_400_000)
    assert totals["avg_unit_price"] == pytest.approx(1_200_000)
    assert totals["median_cycle_days"] == pytest.approx(28.0)
    assert totals["open_pipeline_value"] == pytest.approx(121_500_000)
    assert totals["leads"] is None and totals["mql"] is None and totals["sql"] is None
    assert totals["conversion"]["first_to_won"] == pytest.approx(2 / 5)
    by_month = periods(result)
    # The expected close date of the open deals (June, July) places nothing: only outcomes count by close date.
    assert set(by_month) == {"2025-04", "2025-05"}
    assert pick(by_month["2025-04"], "records", "won", "lost", "open", "won_revenue") == {
        "records": 4,
        "won": 1,
        "lost": 0,
        "open": 1,
        "won_revenue": 1_200_000,
    }
    assert pick(by_month["2025-05"], "records", "won", "lost", "open", "won_revenue", "median_cycle_days") == {
        "records": 1,
        "won": 1,
        "lost": 1,
        "open": 1,
        "won_revenue": 1_200_000,
        "median_cycle_days": 37,
    }
    assert by_month["2025-05"]["win_rate"] == pytest.approx(0.5)
    owners = keyed(result, "owner")
    assert pick(owners["佐藤"], "records", "won", "lost", "open", "won_revenue") == {
        "records": 3,
        "won": 1,
        "lost": 1,
        "open": 1,
        "won_revenue": 1_200_000,
    }
    assert pick(owners["鈴木"], "records", "won", "lost", "open", "won_revenue", "win_rate") == {
        "records": 2,
        "won": 1,
        "lost": 0,
        "open": 1,
        "won_revenue": 1_200_000,
        "win_rate": 1.0,
    }
    channels = keyed(result, "channel")
    assert pick(channels["展示会"], "records", "won", "lost") == {"records": 2, "won": 1, "lost": 0}
    assert pick(channels["Web"], "records", "won", "lost") == {"records": 3, "won": 1, "lost": 1}


def test_japanese_headers_stages_and_messy_values(tmp_path: Path) -> None:
    check_japanese_deals(load(write(tmp_path, "商談.csv", JAPANESE_DEALS)))


def test_shift_jis_csv_as_japanese_excel_writes_it(tmp_path: Path) -> None:
    # cp932 has no U+00A5: Japanese Excel writes the full-width yen sign (or 0x5C, see the test below).
    text = JAPANESE_DEALS.replace("¥", "￥")
    dataset = load(write(tmp_path, "商談_sjis.csv", text, encoding="cp932"))
    assert dataset.files[0]["encoding"] == "cp932"
    check_japanese_deals(dataset)


def test_semicolon_and_tab_delimited(tmp_path: Path) -> None:
    semicolon = JAPANESE_DEALS.replace(",", ";").replace('"¥1;200;000"', "¥1200000").replace('"1;500;000円"', "150万円")
    check_japanese_deals(load(write(tmp_path, "semi.csv", semicolon)))


def test_shift_jis_backslash_yen(tmp_path: Path) -> None:
    text = "商談ID,作成日,受注日,フェーズ,金額\n" + 'D1,2025/4/1,2025/4/20,受注,"\\1,200,000"\n'
    dataset = load(write(tmp_path, "yen.csv", text, encoding="cp932"))
    assert dataset.rejects == []
    assert compute_kpis(dataset).totals["won_revenue"] == pytest.approx(1_200_000)


def test_open_deals_with_blank_close_date_and_amount_are_kept(tmp_path: Path) -> None:
    text = (
        "商談ID,作成日,受注日,フェーズ,金額\n"
        'D1,令和7年4月1日,令和7年4月20日,受注,"¥1,200,000"\n'
        "D2,令和7年4月2日,,提案,\n"  # open: no close date, no amount yet
        'D3,令和7年4月3日,,商談,"¥500,000"\n'
    )
    dataset = load(write(tmp_path, "open.csv", text))
    assert (dataset.rows_read, dataset.rows_used, dataset.rejected) == (3, 3, 0)
    totals = compute_kpis(dataset).totals
    assert pick(totals, "records", "won", "open") == {"records": 3, "won": 1, "open": 2}
    assert totals["open_pipeline_value"] == pytest.approx(500_000)


def test_mixed_date_formats_in_one_column(tmp_path: Path) -> None:
    text = (
        "id,created,closed,stage\n1,2025-03-10,2025-04-05,Won\n2,2025/3/20,2025/4/6,Won\n3,2025-03-21,2025/4/7,Lost\n"
    )
    dataset = load(write(tmp_path, "mixed.csv", text))
    result = compute_kpis(dataset)
    assert pick(result.totals, "records", "won", "lost") == {"records": 3, "won": 2, "lost": 1}
    assert periods(result)["2025-04"]["won"] == 2


def test_timestamps_with_zone_keep_the_written_date(tmp_path: Path) -> None:
    text = "id,created,closed,stage\n1,2025-03-31T08:00:00+09:00,2025-04-01T08:00:00+09:00,Won\n"
    result = compute_kpis(load(write(tmp_path, "tz.csv", text)))
    assert set(periods(result)) == {"2025-03", "2025-04"}
    assert periods(result)["2025-04"]["won"] == 1
    assert result.totals["median_cycle_days"] == 1


def test_us_dates_with_small_days_are_month_first(tmp_path: Path) -> None:
    text = "Created Date,Close Date,Stage\n04/01/2025,04/05/2025,Closed Won\n04/02/2025,05/02/2025,Closed Won\n"
    result = compute_kpis(load(write(tmp_path, "report.csv", text)))
    assert {p: (r["records"], r["won"]) for p, r in periods(result).items()} == {"2025-04": (2, 1), "2025-05": (0, 1)}
    assert result.totals["median_cycle_days"] == pytest.approx(17.0)  # 4 and 30 days


# ------------------------------------------------------------------------------------------------------ xlsx


def test_xlsx_serials_dates_title_rows_and_sheet_choice(tmp_path: Path) -> None:
    deals = [
        ["商談一覧（2025年度）"],
        ["出力日: 2025/7/1"],
        [],
        ["商談ID", "作成日", "受注日", "フェーズ", "金額", "担当者"],
        ["D1", serial(dt.date(2025, 4, 1)), serial(dt.date(2025, 4, 20)), "受注", 1_200_000, "佐藤"],
        ["D2", dt.datetime(2025, 4, 3), dt.datetime(2025, 5, 10), "受注", "120万円", "鈴木"],
        ["D3", "令和7年4月5日", "2025/5/15", "失注", 0, "佐藤"],
        ["D4", "2025/4/10", "2025/6/30", "提案", "abc", "鈴木"],  # sheet row 8: not an amount
    ]
    path = write_xlsx(tmp_path, "deals.xlsx", {"メモ": [["このブックは営業会議用です"]], "商談": deals})
    dataset = load(path)
    assert dataset.files[0]["sheets"] == ["メモ", "商談"]
    assert dataset.files[0]["sheet"] == "商談"
    assert dataset.mapping["created"] == "作成日" and dataset.mapping["closed"] == "受注日"
    # D4's amount "abc" cannot be read: the open deal still counts, its amount is unknown and a warning says so.
    assert (dataset.rows_read, dataset.rows_used, dataset.rejected) == (4, 4, 0)
    [warning] = [w.as_dict() for w in dataset.warnings]
    assert pick(warning, "file", "column", "code", "count", "examples") == {
        "file": "deals.xlsx",
        "column": "金額",
        "code": "amount_unreadable",
        "count": 1,
        "examples": ["abc"],
    }
    result = compute_kpis(dataset)
    totals = result.totals
    assert pick(totals, "records", "won", "lost", "open") == {"records": 4, "won": 2, "lost": 1, "open": 1}
    assert totals["open_pipeline_value"] is None  # the one open deal's amount is unknown: no made-up 0
    assert totals["won_revenue"] == pytest.approx(2_400_000)
    assert totals["median_cycle_days"] == pytest.approx(28.0)  # 19 and 37 days
    assert periods(result)["2025-04"]["records"] == 4
    assert periods(result)["2025-04"]["won"] == 1


def test_xlsx_named_sheet(tmp_path: Path) -> None:
    rows = [["id", "created", "closed", "stage"], ["1", dt.datetime(2025, 4, 1), dt.datetime(2025, 4, 2), "Won"]]
    bigger = rows + [[str(i), dt.datetime(2025, 5, 1), None, "Open"] for i in range(2, 6)]
    path = write_xlsx(tmp_path, "two.xlsx", {"small": rows, "big": bigger})
    assert load(path).rows_read == 5
    dataset = load_dataset([FileInput("two.xlsx", path, sheet="small")])
    assert dataset.files[0]["sheet"] == "small"
    assert compute_kpis(dataset).totals["won"] == 1
    with pytest.raises(IntakeError) as error:
        load_dataset([FileInput("two.xlsx", path, sheet="nope")])
    assert error.value.code == "sheet_missing"


def test_xlsx_blank_row_inside_table_adds_up(tmp_path: Path) -> None:
    rows = [
        ["id", "created", "closed", "stage"],
        ["1", dt.datetime(2025, 4, 1), dt.datetime(2025, 4, 2), "Won"],
        [None, None, None, None],
        ["2", dt.datetime(2025, 4, 3), dt.datetime(2025, 4, 9), "Won"],
    ]
    assert_rows_add_up(load(write_xlsx(tmp_path, "gap.xlsx", {"data": rows})))


def test_reject_row_number_after_blank_line(tmp_path: Path) -> None:
    text = "id,created,closed,stage,amount\n1,2025-03-10,2025-04-05,Won,100\n\n2,abc,2025-04-06,Won,100\n"
    dataset = load(write(tmp_path, "gap.csv", text))
    assert [(r.row, r.column) for r in dataset.rejects] == [(4, "created")]  # line 4 in the file / in Excel


# ------------------------------------------------------------------------------------------ period basis


BASIS = "id,created,closed,stage,amount\nB1,2025-03-20,2025-04-03,Won,500\nB2,2025-03-25,2025-04-10,Lost,0\n"


def test_period_basis_created_for_records_closed_for_outcomes(tmp_path: Path) -> None:
    result = compute_kpis(load(write(tmp_path, "basis.csv", BASIS)))
    by_month = periods(result)
    assert set(by_month) == {"2025-03", "2025-04"}
    assert pick(by_month["2025-03"], "records", "won", "lost", "won_revenue") == {
        "records": 2,
        "won": 0,
        "lost": 0,
        "won_revenue": 0,
    }
    assert by_month["2025-03"]["win_rate"] is None  # nothing closed in March: no rate, not 0 %
    assert by_month["2025-03"]["avg_unit_price"] is None
    assert by_month["2025-03"]["median_cycle_days"] is None
    assert pick(by_month["2025-04"], "records", "won", "lost", "won_revenue", "median_cycle_days") == {
        "records": 0,
        "won": 1,
        "lost": 1,
        "won_revenue": 500,
        "median_cycle_days": 14,
    }
    assert by_month["2025-04"]["win_rate"] == pytest.approx(0.5)


def test_cohort_puts_everything_in_the_created_period(tmp_path: Path) -> None:
    result = compute_kpis(load(write(tmp_path, "basis.csv", BASIS)), cohort=True)
    by_month = periods(result)
    assert set(by_month) == {"2025-03"}
    assert pick(by_month["2025-03"], "records", "won", "lost", "won_revenue", "median_cycle_days") == {
        "records": 2,
        "won": 1,
        "lost": 1,
        "won_revenue": 500,
        "median_cycle_days": 14,
    }


QUARTER_DATES = (dt.date(2025, 3, 31), dt.date(2025, 4, 1), dt.date(2025, 12, 31), dt.date(2026, 1, 1))


def quarter_file(tmp_path: Path) -> Path:
    lines = ["id,created,closed,stage"] + [f"Q{i},{d},{d},Won" for i, d in enumerate(QUARTER_DATES)]
    return write(tmp_path, "quarters.csv", "\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("fiscal_start", "period", "expected"),
    [
        # FY from April: Mar 2025 is FY2024 Q4; Apr 2025 starts FY2025; Jan 2026 is FY2025 Q4.
        (4, "quarter", {"2024-Q4": "2025-01-01", "2025-Q1": "2025-04-01", "2025-Q3": "2025-10-01",
                        "2025-Q4": "2026-01-01"}),
        (1, "quarter", {"2025-Q1": "2025-01-01", "2025-Q2": "2025-04-01", "2025-Q4": "2025-10-01",
                        "2026-Q1": "2026-01-01"}),
        # FY from October: Oct 2024 - Sep 2025 is FY2024.
        (10, "quarter", {"2024-Q2": "2025-01-01", "2024-Q3": "2025-04-01", "2025-Q1": "2025-10-01",
                         "2025-Q2": "2026-01-01"}),
        (4, "year", {"2024": "2024-04-01", "2025": "2025-04-01"}),
        (1, "year", {"2025": "2025-01-01", "2026": "2026-01-01"}),
    ],
)  # fmt: skip
def test_fiscal_periods(tmp_path: Path, fiscal_start: int, period: str, expected: dict[str, str]) -> None:
    result = compute_kpis(load(quarter_file(tmp_path)), period=period, fiscal_start=fiscal_start)
    assert {row["period"]: row["start"] for row in result.by_period} == expected
    assert [row["period"] for row in result.by_period] == list(expected)  # in time order
    assert sum(row["records"] for row in result.by_period) == 4
    assert sum(row["won"] for row in result.by_period) == 4


def test_fiscal_year_counts(tmp_path: Path) -> None:
    by_year = periods(compute_kpis(load(quarter_file(tmp_path)), period="year"))
    assert (by_year["2024"]["records"], by_year["2025"]["records"]) == (1, 3)
    assert (by_year["2024"]["won"], by_year["2025"]["won"]) == (1, 3)


def test_iso_weeks(tmp_path: Path) -> None:
    days = [dt.date(2021, 1, 3), dt.date(2024, 12, 30), dt.date(2025, 1, 5), dt.date(2025, 12, 29)]
    lines = ["id,created,closed,stage"] + [f"W{i},{d},{d},Won" for i, d in enumerate(days)]
    result = compute_kpis(load(write(tmp_path, "weeks.csv", "\n".join(lines) + "\n")), period="week")
    weeks = {row["period"]: (row["start"], row["records"], row["won"]) for row in result.by_period}
    assert weeks == {
        "2020-W53": ("2020-12-28", 1, 1),  # Sunday 3 Jan 2021 belongs to ISO year 2020
        "2025-W01": ("2024-12-30", 2, 2),  # Monday 30 Dec 2024 starts ISO week 2025-W01
        "2026-W01": ("2025-12-29", 1, 1),
    }


# --------------------------------------------------------------------------------------------------- filters

FILTER_DEALS = (
    "id,created,closed,stage,amount,owner,channel\n"
    "F1,2025-03-10,2025-04-05,Won,100,佐藤,Web\n"
    "F2,2025-04-02,2025-05-01,Lost,0,鈴木,展示会\n"
    "F3,2025-04-15,2025-06-30,Proposal,50,佐藤,Web\n"
    "F4,2025-04-20,2025-04-25,Won,200,鈴木,\n"
)


@pytest.fixture
def filter_dataset(tmp_path: Path) -> Dataset:
    return load(write(tmp_path, "filters.csv", FILTER_DEALS))


def test_date_filter_applies_to_each_figures_own_basis(filter_dataset: Dataset) -> None:
    april = Filters(start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 30))
    totals = compute_kpis(filter_dataset, filters=april).totals
    # Created in April: F2, F3, F4. Closed in April: F1 (won, created in March) and F4 (won).
    assert pick(totals, "records", "open", "won", "lost", "won_revenue") == {
        "records": 3,
        "open": 1,
        "won": 2,
        "lost": 0,
        "won_revenue": 300,
    }
    assert totals["win_rate"] == pytest.approx(1.0)
    assert set(periods(compute_kpis(filter_dataset, filters=april))) == {"2025-04"}


def test_date_filter_in_cohort_mode_uses_created(filter_dataset: Dataset) -> None:
    april = Filters(start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 30))
    totals = compute_kpis(filter_dataset, filters=april, cohort=True).totals
    assert pick(totals, "records", "won", "lost", "won_revenue") == {
        "records": 3,
        "won": 1,
        "lost": 1,
        "won_revenue": 200,
    }
    assert totals["win_rate"] == pytest.approx(0.5)


def test_date_filter_bounds_are_inclusive(filter_dataset: Dataset) -> None:
    totals = compute_kpis(filter_dataset, filters=Filters(end=dt.date(2025, 4, 5))).totals
    assert pick(totals, "records", "won") == {"records": 2, "won": 1}  # F1 created 3/10, F2 created 4/2; F1 won 4/5
    totals = compute_kpis(filter_dataset, filters=Filters(start=dt.date(2025, 5, 1))).totals
    assert pick(totals, "records", "won", "lost") == {"records": 0, "won": 0, "lost": 1}
    assert totals["win_rate"] == 0.0


def test_role_filters(filter_dataset: Dataset) -> None:
    totals = compute_kpis(filter_dataset, filters=Filters(roles={"owner": ["佐藤"]})).totals
    assert pick(totals, "records", "won", "lost", "open", "won_revenue") == {
        "records": 2,
        "won": 1,
        "lost": 0,
        "open": 1,
        "won_revenue": 100,
    }
    both = Filters(start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 30), roles={"owner": ["鈴木"]})
    totals = compute_kpis(filter_dataset, filters=both).totals
    assert pick(totals, "records", "won", "lost", "won_revenue") == {
        "records": 2,
        "won": 1,
        "lost": 0,
        "won_revenue": 200,
    }


def test_filter_leaving_no_closed_deal_gives_zero_not_null(filter_dataset: Dataset) -> None:
    both = Filters(
        start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 30), roles={"owner": ["鈴木"], "channel": ["展示会"]}
    )
    totals = compute_kpis(filter_dataset, filters=both).totals
    assert pick(totals, "records", "won", "lost") == {"records": 1, "won": 0, "lost": 0}  # F2 only, lost in May
    assert totals["win_rate"] is None


def test_breakdown_keeps_a_null_key(filter_dataset: Dataset) -> None:
    channels = keyed(compute_kpis(filter_dataset, by=["channel"]), "channel")
    assert set(channels) == {"Web", "展示会", None}
    assert pick(channels[None], "records", "won", "won_revenue") == {"records": 1, "won": 1, "won_revenue": 200}
    assert pick(channels["Web"], "records", "won", "open") == {"records": 2, "won": 1, "open": 1}


def test_filter_to_the_null_key(filter_dataset: Dataset) -> None:
    totals = compute_kpis(filter_dataset, filters=Filters(roles={"channel": [None]})).totals
    assert pick(totals, "records", "won") == {"records": 1, "won": 1}


def test_unknown_breakdown_role_is_an_error(filter_dataset: Dataset) -> None:
    with pytest.raises(ValueError):
        compute_kpis(filter_dataset, by=["colour"])


# --------------------------------------------------------------------------------------------------- rejects

REPORT = (
    "商談レポート\n"
    "期間: 2025/4/1〜2025/6/30\n"
    "\n"
    "id,作成日,受注日,フェーズ,金額,担当者\n"  # line 4
    'A1,2025/4/1,2025/4/10,受注,"¥100,000",佐藤\n'  # line 5
    "A2,2025/4/2,2025/4/11,受注,見積中,佐藤\n"  # line 6: not an amount
    'A3,2025/4/3,2025/4/12,受注,"¥300,000",鈴木\n'
    'A4,2025/4/4,2025/13/45,受注,"¥400,000",鈴木\n'  # line 8: not a date
    "A5,2025/4/5,2025/4/20,失注,0,鈴木\n"
    'A6,2025/4/6,2025/5/1,受注,"¥600,000",佐藤\n'
    "A7,2025/4/7,2025/5/2,失注,0,佐藤\n"
    'A8,2025/4/8,2025/5/3,提案,"¥800,000",鈴木\n'
)


def test_rejected_rows_are_listed_and_out_of_every_figure(tmp_path: Path) -> None:
    dataset = load(write(tmp_path, "report.csv", REPORT))
    assert dataset.mapping["closed"] == "受注日"
    # A4's close date cannot be read: rejected. A2's amount "見積中" cannot be read: A2 still counts as won, with
    # its amount unknown (a warning, not a reject).
    assert (dataset.rows_read, dataset.rows_used, dataset.rejected) == (8, 7, 1)
    [reject] = [r.as_dict() for r in dataset.rejects]
    assert pick(reject, "file", "row", "column") == {"file": "report.csv", "row": 8, "column": "受注日"}
    assert "2025/13/45" in reject["reason"]
    [warning] = dataset.warnings
    assert (warning.file, warning.column, warning.code, warning.count, warning.examples) == (
        "report.csv",
        "金額",
        "amount_unreadable",
        1,
        ["見積中"],
    )
    result = compute_kpis(dataset, by=["owner"])
    # Kept: won A1 100k (9 d), A2 amount unknown (9 d), A3 300k (9 d), A6 600k (25 d); lost A5, A7; open A8.
    assert pick(result.totals, "records", "won", "lost", "open", "won_revenue", "median_cycle_days") == {
        "records": 7,
        "won": 4,
        "lost": 2,
        "open": 1,
        "won_revenue": 1_000_000,
        "median_cycle_days": 9,
    }
    assert result.totals["win_rate"] == pytest.approx(4 / 6)
    assert result.totals["avg_unit_price"] == pytest.approx(1_000_000 / 3)  # over the 3 won deals with an amount
    by_month = periods(result)
    assert pick(by_month["2025-04"], "records", "won", "lost", "won_revenue") == {
        "records": 7,
        "won": 3,
        "lost": 1,
        "won_revenue": 400_000,
    }
    assert pick(by_month["2025-05"], "records", "won", "lost", "won_revenue") == {
        "records": 0,
        "won": 1,
        "lost": 1,
        "won_revenue": 600_000,
    }
    owners = keyed(result, "owner")
    assert pick(owners["佐藤"], "records", "won", "lost", "won_revenue") == {
        "records": 4,
        "won": 3,
        "lost": 1,
        "won_revenue": 700_000,
    }
    assert pick(owners["鈴木"], "records", "won", "lost", "open") == {"records": 3, "won": 1, "lost": 1, "open": 1}


def test_reject_rows_plain_csv_header_is_row_one(tmp_path: Path) -> None:
    text = "id,created,closed,stage,amount\n1,2025-04-01,2025-04-02,Won,100\n2,2025-04-01,2025/13/45,Won,100\n"
    dataset = load(write(tmp_path, "plain.csv", text))
    assert [(r.file, r.row, r.column) for r in dataset.rejects] == [("plain.csv", 3, "closed")]
    assert_rows_add_up(dataset)


def test_one_bad_close_date_in_a_small_file_is_a_reject_not_a_lost_column(tmp_path: Path) -> None:
    text = (
        "id,作成日,受注日,フェーズ,金額\n"
        "A1,2025/4/1,2025/4/10,受注,100\n"
        "A2,2025/4/2,2025/13/45,受注,200\n"
        "A3,2025/4/3,2025/4/12,受注,300\n"
        "A4,2025/4/4,2025/4/20,失注,0\n"
    )
    dataset = load(write(tmp_path, "small.csv", text))
    assert dataset.mapping.get("closed") == "受注日"
    assert [(r.row, r.column) for r in dataset.rejects] == [(3, "受注日")]


# ------------------------------------------------------------------------------------------- monthly sheet

MONTHS = [
    ["2025年4月", 400, 160, 80, 50, 12, "¥14,400,000"],
    [dt.datetime(2025, 5, 1), 380, 150, 70, 48, 10, "1,200万円"],
    ["2025/06", 420, 170, 85, 52, 15, 18_000_000],
    ["2025年7月", 390, 155, 78, 47, 11, 13_200_000],
    ["2025-08", 350, 140, 70, 45, 9, "1,080万円"],
    ["2025年9月", 410, 165, 82, 51, 14, "¥16,800,000"],
]


@pytest.fixture
def monthly_sheet(tmp_path: Path) -> Path:
    rows = [
        ["2025年度 営業・マーケティングKPI（月次）"],
        ["単位: 件 / 円"],
        [],
        ["月", "リード数", "MQL数", "SQL数", "商談数", "受注件数", "受注金額"],  # sheet row 4
        *MONTHS,
        ["合計", 2350, 940, 465, 293, 71, 85_200_000],  # a total row must not be added again
    ]
    return write_xlsx(tmp_path, "月次KPI.xlsx", {"月次": rows})


def test_monthly_sheet_sums_and_rates(monthly_sheet: Path) -> None:
    dataset = load(monthly_sheet)
    assert dataset.shape == "periods"
    assert dataset.mapping == {
        "period": "月",
        "leads": "リード数",
        "mql": "MQL数",
        "sql": "SQL数",
        "opportunities": "商談数",
        "won": "受注件数",
        "revenue": "受注金額",
    }
    assert dataset.rows_used == 6
    assert_rows_add_up(dataset)
    result = compute_kpis(dataset, period="quarter")
    totals = result.totals
    assert pick(totals, "leads", "mql", "sql", "opportunities", "won", "won_revenue") == {
        "leads": 2350,
        "mql": 940,
        "sql": 465,
        "opportunities": 293,
        "won": 71,
        "won_revenue": 85_200_000,
    }
    assert totals["avg_unit_price"] == pytest.approx(85_200_000 / 71)
    assert totals["conversion"] == pytest.approx(
        {
            "lead_to_mql": 940 / 2350,
            "mql_to_sql": 465 / 940,
            "sql_to_opportunity": 293 / 465,
            "opportunity_to_won": 71 / 293,
            "first_to_won": 71 / 2350,
        }
    )
    # A monthly sheet cannot give records, open deals, lost deals or a sales cycle.
    assert [totals[k] for k in ("records", "open", "lost", "median_cycle_days")] == [None] * 4
    quarters = periods(result)
    assert set(quarters) == {"2025-Q1", "2025-Q2"}
    assert pick(quarters["2025-Q1"], "leads", "won", "won_revenue") == {
        "leads": 1200,
        "won": 37,
        "won_revenue": 44_400_000,
    }
    assert pick(quarters["2025-Q2"], "leads", "won", "won_revenue") == {
        "leads": 1150,
        "won": 34,
        "won_revenue": 40_800_000,
    }
    months = periods(compute_kpis(dataset, period="month"))
    assert list(months) == ["2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09"]
    assert pick(months["2025-05"], "leads", "won", "won_revenue") == {
        "leads": 380,
        "won": 10,
        "won_revenue": 12_000_000,
    }
    assert months["2025-08"]["won_revenue"] == pytest.approx(10_800_000)
    assert months["2025-04"]["conversion"]["lead_to_mql"] == pytest.approx(0.4)
    with pytest.raises(ValueError):
        compute_kpis(dataset, by=["owner"])


def test_monthly_sheet_without_lost_uses_won_per_deal_as_win_rate(monthly_sheet: Path) -> None:
    # Decided: a manager's sheet without a lost column states its deal win rate as won / deals (the seed's 25 %).
    totals = compute_kpis(load(monthly_sheet)).totals
    assert totals["win_rate"] == pytest.approx(totals["won"] / totals["opportunities"])


def test_months_without_a_year_are_not_reported_as_a_missing_column(tmp_path: Path) -> None:
    text = "2025年度 月次実績\n月,リード数,商談数,受注件数\n4月,100,20,5\n5月,80,10,3\n"
    try:
        dataset = load(write(tmp_path, "月次.csv", text))
    except IntakeError as error:
        assert "no period column" not in str(error)
    else:
        assert compute_kpis(dataset).totals["leads"] == 180


def test_monthly_sheet_cannot_be_shown_by_week(monthly_sheet: Path) -> None:
    with pytest.raises(ValueError):
        compute_kpis(load(monthly_sheet), period="week")


def test_monthly_sheet_with_lost_column(tmp_path: Path) -> None:
    text = "月,商談数,受注件数,失注件数,受注金額\n2025年4月,50,12,20,1200万円\n2025年5月,40,8,12,800万円\n"
    totals = compute_kpis(load(write(tmp_path, "monthly.csv", text))).totals
    assert pick(totals, "opportunities", "won", "lost", "won_revenue") == {
        "opportunities": 90,
        "won": 20,
        "lost": 32,
        "won_revenue": 20_000_000,
    }
    assert totals["win_rate"] == pytest.approx(20 / 52)


# ------------------------------------------------------------------------------------------- linked files

LEADS = (
    "リードID,問合せ日,流入経路\n"
    "L1,2025-04-01,Web\nL2,2025-04-02,展示会\nL3,2025-04-03,Web\n"
    "L4,2025-05-01,\nL5,2025-05-02,Web\nL6,2025-05-03,展示会\n"
)
WON = (
    "リードID,受注日,受注金額\n"
    "L1,2025-04-20,1000000\n"
    "L2,2025-05-10,2000000\n"
    "L2,2025-05-11,9999999\n"  # row 4: duplicate id
    "X9,2025-05-12,5000000\n"  # row 5: not in the lead file
    "L5,2025-06-01,3000000\n"
)


def test_two_linked_files_with_duplicate_and_orphan(tmp_path: Path) -> None:
    # The smaller file is given first: the leads (no outcome column, the larger) must still be the base; won.csv is
    # a bookings file (ids and a won date, no stage): an id it holds is won, its repeated rows add up.
    dataset = load(write(tmp_path, "won.csv", WON), write(tmp_path, "leads.csv", LEADS))
    assert dataset.link_key == "リードID"
    assert dataset.mapping["created"] == "問合せ日" and dataset.mapping["closed"] == "受注日"
    assert [r.as_dict() for r in dataset.links] == [
        {"file": "won.csv", "key": "リードID", "relation": "bookings", "matched": 4, "unmatched": 1}
    ]
    rejects = [r.as_dict() for r in dataset.rejects]
    assert [pick(r, "file", "row", "column") for r in rejects] == [{"file": "won.csv", "row": 5, "column": "リードID"}]
    assert "leads.csv" in rejects[0]["reason"]
    # read counts both files (6 + 5); 4 booking rows were attached to a lead: read = used + rejected + linked.
    assert (dataset.rows_read, dataset.rows_used, dataset.rejected, dataset.rows_linked) == (11, 6, 1, 4)
    result = compute_kpis(dataset, by=["channel"])
    assert pick(result.totals, "records", "leads", "won", "open", "won_revenue") == {
        "records": 6,
        "leads": 6,
        "won": 3,
        "open": 3,
        "won_revenue": 1_000_000 + 2_000_000 + 9_999_999 + 3_000_000,  # L2's two bookings add up
    }
    assert result.totals["lost"] is None and result.totals["win_rate"] is None
    channels = keyed(result, "channel")
    assert {k: (v["records"], v["won"]) for k, v in channels.items()} == {"Web": (3, 2), "展示会": (2, 1), None: (1, 0)}
    by_month = periods(result)
    assert {p: (r["records"], r["won"]) for p, r in by_month.items()} == {
        "2025-04": (3, 1),
        "2025-05": (3, 1),  # L2 won on its first booking, 2025-05-10
        "2025-06": (0, 1),
    }


def test_link_key_is_the_id_not_a_shared_owner_column(tmp_path: Path) -> None:
    leads = "リードID,問合せ日,担当者\n" + "".join(f"L{i},2025-04-{i + 1:02d},rep{i % 2}\n" for i in range(10))
    deals = "リードID,受注日,担当者,金額\nL1,2025-05-01,rep1,100\nL2,2025-05-02,rep0,200\nL3,2025-05-03,rep1,300\n"
    deals += "X9,2025-05-04,rep0,400\n"
    dataset = load(write(tmp_path, "leads.csv", leads), write(tmp_path, "deals.csv", deals))
    assert dataset.link_key == "リードID"
    assert compute_kpis(dataset).totals["won"] == 3


def test_duplicate_id_in_the_base_file(tmp_path: Path) -> None:
    base = "id,created\nA,2025-04-01\nA,2025-04-02\nB,2025-04-03\nC,2025-04-04\n"
    won = "id,closed\nA,2025-05-01\n"
    dataset = load(write(tmp_path, "base.csv", base), write(tmp_path, "won.csv", won))
    assert [(r.file, r.row) for r in dataset.rejects] == [("base.csv", 3)]
    assert compute_kpis(dataset).totals["won"] == 1


def test_duplicate_orphan_counted_once(tmp_path: Path) -> None:
    base = "id,created\nA,2025-04-01\nB,2025-04-02\nC,2025-04-03\nD,2025-04-04\n"
    won = "id,closed\nA,2025-05-01\nZ,2025-05-02\nZ,2025-05-03\nB,2025-05-04\n"
    dataset = load(write(tmp_path, "base.csv", base), write(tmp_path, "won.csv", won))
    assert {(r.file, r.row) for r in dataset.rejects} == {("won.csv", 3), ("won.csv", 4)}
    assert dataset.rejected == 2


def test_explicit_link_key(tmp_path: Path) -> None:
    leads = "lead_no,created\n1,2025-04-01\n2,2025-04-02\n3,2025-04-03\n"
    won = "lead_no,closed\n2,2025-04-20\n"
    dataset = load(write(tmp_path, "a.csv", leads), write(tmp_path, "b.csv", won), link_key="lead_no")
    assert dataset.link_key == "lead_no"
    assert compute_kpis(dataset).totals["won"] == 1
    with pytest.raises(IntakeError):
        load(write(tmp_path, "a.csv", leads), write(tmp_path, "b.csv", won), link_key="nope")


# ------------------------------------------------------------------------------------------------ overrides

TWO_DATES = (
    "商談ID,問合せ日,商談開始日,受注日,フェーズ,担当者,流入経路\n"
    "O1,2025-03-25,2025-04-02,2025-04-20,受注,佐藤,Web\n"
    "O2,2025-03-28,2025-04-05,2025-05-01,失注,鈴木,展示会\n"
    "O3,2025-04-03,2025-04-10,2025-05-20,提案,佐藤,Web\n"
)


def test_role_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, "two_dates.csv", TWO_DATES)
    default = load(path)
    assert default.mapping["created"] == "問合せ日"  # the first matching header wins
    result = compute_kpis(default)
    assert {p: r["records"] for p, r in periods(result).items() if r["records"]} == {"2025-03": 2, "2025-04": 1}
    assert result.totals["median_cycle_days"] == 26  # 3/25 → 4/20

    overridden = load(path, roles={"created": "商談開始日", "channel": None})
    assert overridden.mapping["created"] == "商談開始日"
    assert "channel" not in overridden.mapping
    result = compute_kpis(overridden, by=["channel"])
    assert {p: r["records"] for p, r in periods(result).items() if r["records"]} == {"2025-04": 3}
    assert result.totals["median_cycle_days"] == 18  # 4/2 → 4/20
    assert "channel" not in result.by

    with pytest.raises(IntakeError) as error:
        load(path, roles={"owner": "営業マン"})
    assert error.value.code == "bad_column" and "営業マン" in str(error.value)
    with pytest.raises(IntakeError) as error:
        load(path, roles={"colour": "担当者"})
    assert error.value.code == "bad_role"


STAGES = (
    "id,作成日,受注日,フェーズ\n"
    "S1,2025-04-01,2025-04-10,受注\n"
    "S2,2025-04-02,2025-04-11,失注\n"
    "S3,2025-04-03,2025-04-12,社内確認\n"
    "S4,2025-04-04,2025-04-13,Aヨミ\n"
    "S5,2025-04-05,2025-04-14,受注\n"
)


def test_unknown_stage_values_are_noted_and_counted_open(tmp_path: Path) -> None:
    dataset = load(write(tmp_path, "stages.csv", STAGES))
    assert dataset.stage_map["社内確認"] is None and dataset.stage_map["Aヨミ"] is None
    [note] = [n for n in dataset.notes if "社内確認" in n]
    assert "Aヨミ" in note
    totals = compute_kpis(dataset).totals
    assert pick(totals, "records", "opportunities", "won", "lost", "open") == {
        "records": 5,
        "opportunities": 5,
        "won": 2,
        "lost": 1,
        "open": 2,
    }


def test_stage_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, "stages.csv", STAGES)
    dataset = load(path, stage_map={"社内確認": "lost", "Aヨミ": "opportunity"}, stage_order=["Aヨミ", "社内確認"])
    assert not [n for n in dataset.notes if "社内確認" in n or "Aヨミ" in n]
    assert dataset.stage_order[:2] == ["Aヨミ", "社内確認"]
    assert sorted(dataset.stage_order) == sorted(["受注", "失注", "社内確認", "Aヨミ"])
    totals = compute_kpis(dataset).totals
    assert pick(totals, "won", "lost", "open") == {"won": 2, "lost": 2, "open": 1}
    assert totals["win_rate"] == pytest.approx(0.5)
    # Marking a value as an MQL makes the MQL level exist: S4 is an MQL, the deals reached it too.
    dataset = load(path, stage_map={"Aヨミ": "mql", "社内確認": "opportunity"})
    totals = compute_kpis(dataset).totals
    assert pick(totals, "mql", "opportunities", "won") == {"mql": 5, "opportunities": 4, "won": 2}


# ------------------------------------------------------------------------------------- nulls, never made up


def test_no_amount_gives_null_money(tmp_path: Path) -> None:
    totals = compute_kpis(load(write(tmp_path, "stages.csv", STAGES))).totals
    assert totals["won"] == 2
    assert totals["won_revenue"] is None
    assert totals["avg_unit_price"] is None
    assert totals["open_pipeline_value"] is None


def test_no_stage_column_close_date_means_won(tmp_path: Path) -> None:
    text = "id,created,closed\n1,2025-04-01,2025-04-11\n2,2025-04-02,\n3,2025-04-03,2025-05-03\n"
    totals = compute_kpis(load(write(tmp_path, "nostage.csv", text))).totals
    assert pick(totals, "records", "leads", "won", "open", "median_cycle_days") == {
        "records": 3,
        "leads": 3,
        "won": 2,
        "open": 1,
        "median_cycle_days": 20,  # 10 and 30 days
    }
    assert totals["lost"] is None and totals["win_rate"] is None
    assert totals["opportunities"] is None and totals["mql"] is None
    assert totals["conversion"]["first_to_won"] == pytest.approx(2 / 3)


def test_no_created_date_gives_no_cycle_and_undated_records(tmp_path: Path) -> None:
    text = "id,受注日,フェーズ,金額\n1,2025-04-10,受注,100\n2,2025-04-20,失注,0\n"
    result = compute_kpis(load(write(tmp_path, "closed_only.csv", text)))
    assert result.totals["median_cycle_days"] is None
    assert result.undated == 2
    assert periods(result)["2025-04"]["won"] == 1
    assert periods(result)["2025-04"]["records"] == 0


def test_nothing_usable_is_one_sentence(tmp_path: Path) -> None:
    text = "id,created,closed,stage,amount\n1,x,2025-04-02,Won,1\n2,y,2025-04-02,Won,2\n"
    with pytest.raises(IntakeError) as error:
        load(write(tmp_path, "bad.csv", text), roles={"created": "created"})
    assert error.value.code == "no_usable_rows"
    assert "\n" not in str(error.value) and "bad.csv" in str(error.value)


def test_excel_cells_get_one_type_per_column() -> None:
    """Whole numbers → BIGINT (an id never reads "12.0"), fractions → DOUBLE, blanks and whitespace-only text → NULL,
    dates → DATE, anything mixed with text → VARCHAR."""
    import duckdb
    import pandas as pd

    from kpi_core.intake.tables import _create_from_cells

    frame = pd.DataFrame(
        {
            "id": [12.0, 13.0, None, 2.0**53],
            "amount": [1.5, None, 3.0, -2.25],
            "count": [1.0, "  ", 3.0, None],
            "day": [dt.date(2025, 4, 1), None, dt.date(2025, 4, 3), dt.date(2025, 4, 4)],
            "code": [1.0, "A-2", None, 4.0],
        },
        dtype=object,
    )
    con = duckdb.connect()
    _create_from_cells(con, "cells", frame)
    types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns").fetchall())
    assert types == {"id": "BIGINT", "amount": "DOUBLE", "count": "BIGINT", "day": "DATE", "code": "VARCHAR"}
    rows = con.execute("SELECT id, amount, count, day, code FROM cells").fetchall()
    assert rows == [
        (12, 1.5, 1, dt.date(2025, 4, 1), "1"),
        (13, None, None, None, "A-2"),
        (None, 3.0, 3, dt.date(2025, 4, 3), None),
        (2**53, -2.25, None, dt.date(2025, 4, 4), "4"),
    ]


# ------------------------------------------------------------------- multi-line quoted cells: reject row numbers
# A rejected CSV row is reported at the line where its record starts, as a text editor numbers lines: title lines,
# blank lines and every extra line of a multi-line quoted cell count. The line numbers below are counted by hand.

JA_MULTILINE_ROWS = [
    ["商談一覧（2025年度）"],  # line 1: title
    [],  # line 2: blank
    ["商談ID", "作成日", "受注日", "フェーズ", "金額", "担当者", "メモ"],  # line 3: header
    ["D1", "2025/4/1", "2025/4/20", "受注", '"￥1,200,000"', "佐藤", '"初回訪問\n決裁者と面談"'],  # lines 4-5
    ["D2", "不明", "2025/4/25", "受注", "100000", "鈴木", "単行メモ"],  # line 6: not a date
    ["D3", "2025/4/3", "", "提案", "500000", "佐藤", '"課題:\n・予算\n\n・時期"'],  # lines 7-10 (9 is inside)
    [],  # line 11: blank
    ["D4", "2025/4/5", "2025/5/1", "失注", "0", "鈴木", '"""至急""と言われた\n再提案"'],  # lines 12-13
    ["D5", "2025年13月40日", "", "提案", "300000", "佐藤", "メモ"],  # line 14: not a date
    ["D6", "abc", "", "提案", "200000", "佐藤", '"最後の\n行"'],  # lines 15-16: not a date
]
JA_MULTILINE_REJECTS = [(6, "作成日"), (14, "作成日"), (15, "作成日")]

EN_MULTILINE_ROWS = [
    ["Deals export (CRM)"],  # line 1: title
    ["id", "created", "closed", "stage", "amount", "description"],  # line 2: header
    ["A1", "2025-04-01", "2025-04-20", "Closed Won", "1000", '"Met the buyer.\nNext: demo"'],  # lines 3-4
    ["A2", "TBD", "", "Prospecting", "100", "one line"],  # line 5: not a date
    [],  # line 6: blank
    ["A3", "2025-04-03", "", "Qualification", "2000", '"Line one\n""quoted"" line two\nline three"'],  # 7-9
    ["A4", "not-a-date", "", "Prospecting", "3000", "plain"],  # line 10: not a date
    ["A5", "2025-04-06", "2025-05-01", "Closed Lost", "0", '"\n"'],  # lines 11-12
    ["A6", "abc", "", "Prospecting", "200", '"x"'],  # line 13: not a date
]
EN_MULTILINE_REJECTS = [(5, "created"), (10, "created"), (13, "created")]


def csv_text(rows: list[list[str]], delimiter: str = ",", newline: str = "\n") -> str:
    """The rows joined as written above (quoted fields already quoted); line breaks inside cells become ``newline``."""
    return "".join(delimiter.join(field.replace("\n", newline) for field in row) + newline for row in rows)


def reject_lines(dataset: Dataset) -> list[tuple[int, str]]:
    return sorted((r.row, r.column) for r in dataset.rejects)


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932", "utf-16"])
def test_multiline_cells_japanese_reject_lines(tmp_path: Path, encoding: str, newline: str) -> None:
    dataset = load(write(tmp_path, "商談.csv", csv_text(JA_MULTILINE_ROWS, newline=newline), encoding))
    assert dataset.files[0]["encoding"] == encoding
    assert reject_lines(dataset) == JA_MULTILINE_REJECTS
    assert (dataset.rows_read, dataset.rows_used, dataset.rejected) == (6, 3, 3)
    assert_rows_add_up(dataset)
    totals = compute_kpis(dataset).totals
    assert pick(totals, "won", "lost", "open") == {"won": 1, "lost": 1, "open": 1}  # D1, D4, D3


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_multiline_cells_english_reject_lines(tmp_path: Path, delimiter: str, newline: str) -> None:
    dataset = load(write(tmp_path, "deals.csv", csv_text(EN_MULTILINE_ROWS, delimiter, newline)))
    assert reject_lines(dataset) == EN_MULTILINE_REJECTS
    assert (dataset.rows_read, dataset.rows_used, dataset.rejected) == (6, 3, 3)
    assert_rows_add_up(dataset)
    descriptions = dataset.cursor().execute("SELECT description FROM source ORDER BY id").fetchall()
    assert descriptions[2][0] == f'Line one{newline}"quoted" line two{newline}line three'


@pytest.mark.parametrize("encoding", ["utf-8", "cp932", "utf-16"])
def test_multiline_cells_from_uploaded_bytes(encoding: str) -> None:
    data = csv_text(JA_MULTILINE_ROWS, "\t", "\r\n").encode(encoding)
    dataset = load_dataset([FileInput("upload.csv", data)])
    assert reject_lines(dataset) == JA_MULTILINE_REJECTS
    assert_rows_add_up(dataset)


def test_without_multiline_cells_rows_are_numbered_as_before(tmp_path: Path) -> None:
    # The same English file with one-line cells (some quoted, as Salesforce quotes every field): one line per
    # record, so the old rule holds: header line 2 + 1 + row id, plus 1 for the blank line above.
    rows = [[field.replace("\n", " ") for field in row] for row in EN_MULTILINE_ROWS]
    dataset = load(write(tmp_path, "flat.csv", csv_text(rows)))
    # line 3 A1, 4 A2 (reject), 5 blank, 6 A3, 7 A4 (reject), 8 A5, 9 A6 (reject)
    assert reject_lines(dataset) == [(4, "created"), (7, "created"), (9, "created")]
    assert_rows_add_up(dataset)
    quoted = "\n".join(",".join(f'"{v}"' for v in line.split(",")) for line in BASIS.splitlines()) + "\n"
    quoted += '"B3","abc","2025-04-11","Won","500"\n'  # line 4: not a date
    dataset = load(write(tmp_path, "quoted.csv", quoted))
    assert reject_lines(dataset) == [(4, "created")]
    assert_rows_add_up(dataset)


def test_quoted_line_break_next_to_stray_quotes(tmp_path: Path) -> None:
    # 5" and 7" are stray quotes in unquoted cells (DuckDB keeps them as text). Counting quotes, line 2 ends after
    # an even number, so the cheap check sees no open quoted cell; DuckDB's parallel reader then meets the quoted
    # line break, says so, and the file is read again serially and numbered as a multi-line file.
    text = (
        "id,created,stage,amount,size,note,size2\n"  # line 1
        '1,2025-04-01,Won,100,5" tv,"a\nb",7" tv\n'  # lines 2-3
        '2,x,Won,200,5" tv,c,7" tv\n'  # line 4: not a date
        "3,2025-04-03,Won,300,,d,\n"  # line 5
        "4,y,Won,400,,e,\n"  # line 6: not a date
        "5,2025-04-05,Won,500,,f,\n"  # line 7
    )
    dataset = load(write(tmp_path, "stray.csv", text))
    assert reject_lines(dataset) == [(4, "created"), (6, "created")]
    assert (dataset.rows_read, dataset.rows_used) == (5, 3)
    assert_rows_add_up(dataset)


def test_multiline_cells_in_linked_files_are_numbered_by_line(tmp_path: Path) -> None:
    leads_text = 'lead_id,created,note\nL1,2025-04-01,"a\nb"\nL2,2025-04-02,c\nL3,2025-04-03,d\nL4,2025-04-04,e\n'
    leads = write(tmp_path, "leads.csv", leads_text)  # the larger file: the base the other is linked to
    won = "lead_id,closed,amount,note\n" + 'L1,2025-05-01,100,"x\n\ny"\n' + "L1,2025-05-02,200,second\n"
    won += '"X9",2025-05-03,300,"orphan\nrow"\n'  # lines 6-7: not in leads.csv
    dataset = load(leads, write(tmp_path, "won.csv", won))
    assert sorted((r.file, r.row) for r in dataset.rejects) == [("won.csv", 6)]
    assert compute_kpis(dataset).totals["won_revenue"] == 300  # L1's two bookings add up
    assert dataset.rows_read == dataset.rows_used + dataset.rejected + dataset.rows_linked


def test_xlsx_rows_are_numbered_as_excel_shows_them(tmp_path: Path) -> None:
    # A cell with line breaks stays on one sheet row: Excel's row number, title and blank rows included.
    rows = [
        ["商談一覧"],  # row 1
        [],  # row 2
        ["商談ID", "作成日", "フェーズ", "金額", "メモ"],  # row 3
        ["D1", dt.datetime(2025, 4, 1), "受注", 100, "一行目\n二行目\n三行目"],  # row 4
        [None, None, None, None, None],  # row 5: blank
        ["D2", "abc", "受注", 200, "メモ\nメモ"],  # row 6: not a date
        ["D3", "not a date", "受注", 300, "x"],  # row 7: not a date
        ["D4", dt.datetime(2025, 4, 4), "受注", 400, "y"],  # row 8
        ["D5", dt.datetime(2025, 4, 5), "受注", 500, "z"],  # row 9
    ]
    dataset = load(write_xlsx(tmp_path, "deals.xlsx", {"商談": rows}))
    assert reject_lines(dataset) == [(6, "作成日"), (7, "作成日")]
    assert_rows_add_up(dataset)


def test_line_count_that_misses_rows_falls_back_to_parsing(tmp_path: Path) -> None:
    # Should a multi-line cell get past both checks, the non-blank lines (6) outnumber the rows read (5): the
    # rejects are then placed by parsing the CSV, not by counting blank lines.
    from kpi_core.intake.files import open_source
    from kpi_core.intake.load import Reject
    from kpi_core.intake.tables import rows_as_file_lines as _rows_as_file_lines

    text = 'id,amount,note\n1,10,a\n\n2,x,"b\nc"\n3,y,d\n4,40,e\n'  # rejects at lines 4 and 6
    source = open_source("f.csv", write(tmp_path, "f.csv", text), workdir=tmp_path)
    source.multiline = False  # as if the quote count had missed it
    rejects = [Reject("f.csv", 1 + 1 + rowid, "amount", "not an amount") for rowid in (1, 2)]
    _rows_as_file_lines(rejects, [source], [4])
    assert [r.row for r in rejects] == [4, 6]
