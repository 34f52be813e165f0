"""Periods still running on the as-of date are marked: `complete` false with the days passed, so a chart can draw
them as in progress rather than as a drop (expectations counted by hand from the fixture's dates)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kpi_core.intake.load import FileInput, load_dataset
from kpi_core.metrics import compute_kpis

DEALS = """id,stage,amount,created,closed,channel
1,Won,100,2024-04-03,2024-05-10,Web
2,Lost,200,2024-05-02,2024-05-20,Web
3,Open,300,2024-06-01,,Event
4,Won,400,2024-06-03,2024-06-14,Event
"""
MONTHLY = """month,leads,won
2024-04,10,1
2024-05,12,2
2024-06,8,1
"""


def dataset(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_dataset([FileInput(name, path)])


def progress(items: list[dict]) -> dict[str, tuple]:
    return {p["period"]: (p["complete"], p.get("days_elapsed"), p.get("days_in_period")) for p in items}


def test_the_month_of_the_last_date_is_in_progress(tmp_path: Path) -> None:
    result = compute_kpis(dataset(tmp_path, "deals.csv", DEALS))
    # The last date in the data is 2024-06-14 (deal 4 closed): June has run 14 of its 30 days.
    assert progress(result.by_period) == {
        "2024-04": (True, None, None),
        "2024-05": (True, None, None),
        "2024-06": (False, 14, 30),
    }


def test_an_as_of_date_decides_what_is_complete(tmp_path: Path) -> None:
    data = dataset(tmp_path, "deals.csv", DEALS)
    assert progress(compute_kpis(data, as_of=dt.date(2024, 6, 30)).by_period)["2024-06"] == (True, None, None)
    early = progress(compute_kpis(data, as_of=dt.date(2024, 5, 10)).by_period)
    assert early["2024-05"] == (False, 10, 31)
    assert early["2024-06"] == (False, 0, 30)  # a period that has not begun has no day behind it


def test_fiscal_quarters_and_breakdowns_carry_it_too(tmp_path: Path) -> None:
    data = dataset(tmp_path, "deals.csv", DEALS)
    result = compute_kpis(data, period="quarter", fiscal_start=4, by_period_and=["channel"])
    # April–June is the first fiscal quarter: on 2024-06-14, 30 + 31 + 14 = 75 of 91 days have passed.
    ((_label, state),) = progress(result.by_period).items()
    assert state == (False, 75, 91)
    assert {(p["key"], p["complete"], p["days_elapsed"]) for p in result.by_period_and["channel"]} == {
        ("Web", False, 75),
        ("Event", False, 75),
    }


def test_a_filter_end_date_moves_the_last_date(tmp_path: Path) -> None:
    data = dataset(tmp_path, "deals.csv", DEALS)
    from kpi_core.metrics import Filters

    result = compute_kpis(data, filters=Filters(end=dt.date(2024, 5, 31)))
    # Only dates up to May 31 are counted: May (last date May 20) is still running as far as the view shows.
    assert progress(result.by_period)["2024-05"] == (False, 20, 31)


def test_a_monthly_sheet_is_complete_unless_an_as_of_date_falls_inside_a_month(tmp_path: Path) -> None:
    data = dataset(tmp_path, "monthly.csv", MONTHLY)
    assert all(p["complete"] for p in compute_kpis(data).by_period)
    assert progress(compute_kpis(data, as_of=dt.date(2024, 6, 10)).by_period)["2024-06"] == (False, 10, 30)
