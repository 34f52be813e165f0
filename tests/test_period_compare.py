"""Period comparisons (kpi_core/period_compare.py): the current period to date against the previous one and the same
period last year, cut at the same day; a window without data or only partly covered is said to be so. Every
expectation is counted by hand from the fixture's dates below."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

from kpi_core import cli
from kpi_core.intake.load import FileInput, load_dataset
from kpi_core.messages import render
from kpi_core.period_compare import (
    NO_CURRENT_DATA,
    NO_DATA,
    PARTIAL_DATA,
    ZERO_BASE,
    Change,
    MeasureComparison,
    compare_periods,
    comparison_windows,
    shift_months,
)

# Two years of deals: October and November 2023, October and November 2024; nothing in between (September 2024 has
# no record at all). The data starts on 2023-10-01.
DEALS = """id,stage,amount,created,closed,channel
13,Lost,70,2023-10-01,2023-10-03,Web
0,Lost,80,2023-10-20,2023-10-25,Event
1,Won,100,2023-11-03,2023-11-10,Web
2,Lost,50,2023-11-05,2023-11-12,Web
3,Won,300,2023-11-20,2023-11-25,Event
4,Won,200,2024-10-02,2024-10-09,Web
5,Won,400,2024-10-05,2024-10-14,Event
6,Lost,100,2024-10-07,2024-10-13,Web
7,Open,500,2024-10-20,,Web
8,Won,600,2024-11-04,2024-11-12,Web
9,Open,100,2024-11-06,,Event
10,Lost,100,2024-11-08,2024-11-14,Event
11,Open,100,2024-11-15,,Web
12,Open,100,2024-11-16,,Web
"""
MONTHLY = """month,leads,won
2023-11,20,2
2024-08,10,1
2024-10,30,3
2024-11,36,4
"""
MEASURES = ["opportunities", "won", "lost", "won_revenue", "win_rate"]


def load(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_dataset([FileInput(name, path)])


@pytest.fixture
def deals(tmp_path: Path):
    return load(tmp_path, "deals.csv", DEALS)


def days(window) -> tuple[dt.date, dt.date]:
    return window.start, window.end


def test_a_partial_month_is_compared_with_the_same_days_of_last_month_and_last_year(deals) -> None:
    c = compare_periods(deals, as_of=dt.date(2024, 11, 15), measures=MEASURES)
    assert c.to_date
    assert days(c.current) == (dt.date(2024, 11, 1), dt.date(2024, 11, 15))
    assert days(c.windows["previous"]) == (dt.date(2024, 10, 1), dt.date(2024, 10, 15))
    assert days(c.windows["last_year"]) == (dt.date(2023, 11, 1), dt.date(2023, 11, 15))
    m = c.measures
    # 1–15 Nov 2024: deals 8, 9, 10, 11 created (12 is on the 16th); 8 won (600), 10 lost.
    # 1–15 Oct 2024: deals 4, 5, 6 created (7 is on the 20th); 4 and 5 won (600), 6 lost.
    # 1–15 Nov 2023: deals 1, 2 created (3 is on the 20th); 1 won (100), 2 lost.
    assert (m["opportunities"].value, m["opportunities"].changes["previous"].value) == (4, 3)
    assert m["opportunities"].changes["previous"].absolute == 1
    assert m["opportunities"].changes["previous"].relative == pytest.approx(1 / 3)
    assert m["opportunities"].changes["last_year"].value == 2
    assert m["opportunities"].changes["last_year"].relative == pytest.approx(1.0)
    assert m["won_revenue"].value == 600
    assert m["won_revenue"].changes["previous"].relative == 0
    assert m["won_revenue"].changes["last_year"].relative == pytest.approx(5.0)  # 600 against 100
    assert m["win_rate"].value == pytest.approx(0.5)
    assert m["win_rate"].changes["previous"].absolute == pytest.approx(0.5 - 2 / 3)
    assert m["win_rate"].changes["last_year"].absolute == pytest.approx(0.0)
    assert m["lost"].better == "lower" and m["won"].better == "higher"
    assert all(ch.comparable and ch.reason is None for item in m.values() for ch in item.changes.values())


def test_the_labels_say_to_date_in_both_languages(deals) -> None:
    c = compare_periods(deals, as_of=dt.date(2024, 11, 15), measures=["won"])
    assert (c.label("previous", "ja"), c.label("last_year", "ja")) == ("前月同日比", "前年同月同日比")
    assert (c.label("previous", "en"), c.label("last_year", "en")) == (
        "vs same days last month",
        "vs same days last year",
    )
    whole = compare_periods(deals, as_of=dt.date(2024, 11, 30), measures=["won"])
    assert (whole.label("previous", "ja"), whole.label("last_year", "ja")) == ("前月比", "前年同月比")


def test_a_month_with_no_data_is_said_to_be_empty_not_a_drop_from_nothing(deals) -> None:
    # October 2024 is over on the 31st: whole months. September 2024 holds no record at all; October 2023 starts on
    # the data's first day (1 October) and has two lost deals, no win.
    c = compare_periods(deals, as_of=dt.date(2024, 10, 31), measures=["won", "won_revenue", "opportunities"])
    assert not c.to_date
    assert days(c.windows["previous"]) == (dt.date(2024, 9, 1), dt.date(2024, 9, 30))
    assert days(c.windows["last_year"]) == (dt.date(2023, 10, 1), dt.date(2023, 10, 31))
    assert not c.windows["previous"].has_data
    won = c.measures["won"]
    assert won.value == 2  # deals 4 and 5
    assert won.changes["previous"] == Change("previous", None, None, None, False, NO_DATA)
    # October 2023: 0 won from a base with data: the difference stands, a relative change does not
    assert won.changes["last_year"] == Change("last_year", 0, 2, None, True, ZERO_BASE)
    assert c.measures["opportunities"].changes["last_year"].relative == pytest.approx(4 / 2 - 1)  # 4, 5, 6, 7 vs 13, 0


def test_a_window_the_data_starts_inside_is_not_comparable(deals) -> None:
    # The fiscal year from April: April–15 November 2024 against April–15 November 2023, whose data begins 1 October.
    c = compare_periods(deals, as_of=dt.date(2024, 11, 15), period="year", measures=["won"], fiscal_start=4)
    assert list(c.windows) == ["previous"]  # a year's previous period is last year's
    assert days(c.windows["previous"]) == (dt.date(2023, 4, 1), dt.date(2023, 11, 15))
    assert not c.windows["previous"].covered
    change = c.measures["won"].changes["previous"]
    # won 4, 5, 8 this year; 1 last year (3 closed on the 25th)
    assert (c.measures["won"].value, change.value, change.absolute) == (3, 1, 2)
    assert not change.comparable and change.reason == PARTIAL_DATA and change.relative is None
    assert c.label("previous", "ja") == "前年度同日比"


def test_fiscal_quarters_to_date(deals) -> None:
    # Fiscal year from April: Q3 = October–December. 1 Oct – 15 Nov 2024 against 1 Jul – 15 Aug 2024 (no data) and
    # 1 Oct – 15 Nov 2023 (covered from its first day).
    c = compare_periods(deals, as_of=dt.date(2024, 11, 15), period="quarter", measures=MEASURES, fiscal_start=4)
    assert days(c.current) == (dt.date(2024, 10, 1), dt.date(2024, 11, 15))
    assert days(c.windows["previous"]) == (dt.date(2024, 7, 1), dt.date(2024, 8, 15))
    assert days(c.windows["last_year"]) == (dt.date(2023, 10, 1), dt.date(2023, 11, 15))
    opps = c.measures["opportunities"]
    assert opps.value == 8 and opps.changes["last_year"].value == 4  # 4–11 against 13, 0, 1, 2
    assert opps.changes["previous"].reason == NO_DATA
    revenue = c.measures["won_revenue"]
    assert (revenue.value, revenue.changes["last_year"].value) == (1200, 100)  # 200 + 400 + 600 against deal 1
    assert c.label("previous", "ja") == "前四半期同日比" and c.label("last_year", "en") == "vs same days last year"


def test_nothing_yet_in_the_current_period(deals) -> None:
    # 1–5 December 2024 has no record; 1–5 November 2024 has deal 8 (created on the 4th).
    c = compare_periods(deals, as_of=dt.date(2024, 12, 5), measures=["opportunities"])
    assert not c.current.has_data
    assert c.measures["opportunities"].changes["previous"].reason == NO_CURRENT_DATA
    assert c.measures["opportunities"].changes["previous"].value == 1


def test_role_filters_apply_to_every_window(deals) -> None:
    c = compare_periods(deals, as_of=dt.date(2024, 11, 15), measures=["opportunities"], roles={"channel": ["Web"]})
    # Web: 8 and 11 this month; 4 and 6 in October; 1 and 2 last November
    item = c.measures["opportunities"]
    assert (item.value, item.changes["previous"].value, item.changes["last_year"].value) == (2, 2, 2)


def test_a_goal_formula_and_its_own_direction(deals) -> None:
    c = compare_periods(
        deals, as_of=dt.date(2024, 11, 15), measures=["won_revenue / opportunities"], better={"lost": "higher"}
    )
    item = c.measures["won_revenue / opportunities"]
    assert item.value == pytest.approx(600 / 4) and item.changes["previous"].value == pytest.approx(600 / 3)
    assert item.unit == "number"


def test_a_monthly_sheet_is_compared_in_whole_months(tmp_path: Path) -> None:
    sheet = load(tmp_path, "monthly.csv", MONTHLY)
    c = compare_periods(sheet, as_of=dt.date(2024, 11, 15), measures=["leads", "won"])
    assert not c.to_date and c.label("previous", "ja") == "前月比"  # a sheet's month is its whole row
    assert (c.measures["leads"].value, c.measures["leads"].changes["previous"].value) == (36, 30)
    assert c.measures["leads"].changes["last_year"].value == 20
    september = compare_periods(sheet, as_of=dt.date(2024, 10, 15), measures=["leads"])
    assert september.measures["leads"].changes["previous"].reason == NO_DATA  # no September row
    quarter = compare_periods(sheet, as_of=dt.date(2024, 11, 15), period="quarter", measures=["leads"])
    # October–November rows (66) against July–August (10) and October–November 2023, which starts in November
    leads = quarter.measures["leads"]
    assert (leads.value, leads.changes["previous"].value, leads.changes["last_year"].value) == (66, 10, 20)
    assert leads.changes["last_year"].reason == PARTIAL_DATA


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2024, 3, 31), -1, dt.date(2024, 2, 29)),  # a month's last day → the last day
        (dt.date(2024, 5, 30), -3, dt.date(2024, 2, 29)),  # clipped to the shorter month
        (dt.date(2024, 4, 30), -3, dt.date(2024, 1, 31)),
        (dt.date(2024, 2, 29), -12, dt.date(2023, 2, 28)),
        (dt.date(2024, 1, 15), -1, dt.date(2023, 12, 15)),
    ],
)
def test_shift_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert shift_months(day, months) == expected


def test_windows_of_a_week_and_an_unknown_period() -> None:
    current, windows, to_date = comparison_windows(dt.date(2024, 11, 13), "week")  # a Wednesday
    assert (current.start, current.end, to_date) == (dt.date(2024, 11, 11), dt.date(2024, 11, 13), True)
    assert (windows["previous"].start, windows["previous"].end) == (dt.date(2024, 11, 4), dt.date(2024, 11, 6))
    assert "last_year" not in windows
    with pytest.raises(ValueError):
        comparison_windows(dt.date(2024, 11, 13), "day")


def test_every_label_and_reason_is_in_the_catalogue() -> None:
    for period, bases in (("week", ["previous"]), ("month", ["previous", "last_year"])):
        for basis in bases:
            for key in (f"compare.{period}.{basis}", f"compare.{period}.{basis}.to_date"):
                assert render(key, "ja") != key and render(key, "en") != key
    for reason in (NO_DATA, PARTIAL_DATA, NO_CURRENT_DATA, "missing"):
        assert render(f"compare.reason.{reason}", "ja") != f"compare.reason.{reason}"


def run_cli(*argv: str) -> tuple[int, dict]:
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(list(argv), out=out, err=err)
    return status, json.loads(out.getvalue()) if out.getvalue() else {"error": err.getvalue()}


def test_kpis_json_gains_comparisons_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(DEALS, encoding="utf-8")
    status, plain = run_cli("kpis", str(path), "--json")
    assert status == 0 and "comparisons" not in plain
    status, payload = run_cli("kpis", str(path), "--json", "--compare", "--as-of", "2024-11-15", "--lang", "ja")
    assert status == 0
    assert {k: payload[k] for k in plain} == plain  # the rest unchanged: an addition only
    comparisons = payload["comparisons"]
    assert comparisons["previous"]["label"] == "前月同日比"
    assert comparisons["previous"]["start"] == "2024-10-01" and comparisons["previous"]["end"] == "2024-10-15"
    won = comparisons["measures"]["won"]
    assert (won["value"], won["previous"]["value"], won["last_year"]["value"]) == (1, 2, 1)
    assert won["previous"]["relative"] == pytest.approx(-0.5)
    # without --as-of: the data's last date (deal 12, created on 16 November 2024)
    status, payload = run_cli("kpis", str(path), "--json", "--compare")
    assert status == 0 and payload["comparisons"]["as_of"] == "2024-11-16"


def test_a_measure_comparison_as_json_names_each_basis() -> None:
    item = MeasureComparison("won", "count", "higher", 3.0, {"previous": Change("previous", 2.0, 1.0, 0.5, True)})
    assert item.as_dict() == {
        "value": 3.0,
        "unit": "count",
        "better": "higher",
        "previous": {"value": 2.0, "change": 1.0, "relative": 0.5, "comparable": True, "reason": None},
    }
