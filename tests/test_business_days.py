"""Business-day calendars and period bounds, checked against dates counted by hand."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from kpi_core.business_days import (
    business_day_list,
    business_days,
    is_business_day,
    period_bounds,
    previous_period_start,
)
from kpi_core.metrics import period_start_sql

D = dt.date


def test_may_2025_around_golden_week():
    # May 2025: 22 weekdays; Mon 5 May (Children's Day) and Tue 6 May (substitute holiday for Sun 4 May) are off.
    assert business_days(D(2025, 5, 1), D(2025, 5, 31)) == 20
    assert business_day_list(D(2025, 5, 1), D(2025, 5, 8)) == [
        D(2025, 5, 1),
        D(2025, 5, 2),
        D(2025, 5, 7),
        D(2025, 5, 8),
    ]
    assert business_days(D(2025, 5, 1), D(2025, 5, 7)) == 3  # 1, 2 and 7 May


@pytest.mark.parametrize(
    ("calendar", "month_days", "to_may_7"),
    [("jp", 20, 3), ("jp_yearend", 20, 3), ("weekends", 22, 5), ("none", 31, 7)],
)
def test_calendars_may_2025(calendar, month_days, to_may_7):
    assert business_days(D(2025, 5, 1), D(2025, 5, 31), calendar) == month_days
    assert business_days(D(2025, 5, 1), D(2025, 5, 7), calendar) == to_may_7


def test_year_end_closure_only_in_jp_yearend():
    # December 2025: 23 weekdays and no public holiday; the closure takes Mon 29 - Wed 31.
    assert business_days(D(2025, 12, 1), D(2025, 12, 31), "jp") == 23
    assert business_days(D(2025, 12, 1), D(2025, 12, 31), "jp_yearend") == 20
    # January 2026: Thu 1 is New Year's Day (a holiday everywhere but "none"), Fri 2 only closed in jp_yearend.
    assert is_business_day(D(2026, 1, 2), "jp") and not is_business_day(D(2026, 1, 2), "jp_yearend")
    assert not is_business_day(D(2026, 1, 1), "jp") and is_business_day(D(2026, 1, 1), "weekends")


def test_substitute_holiday_and_weekend():
    assert not is_business_day(D(2025, 5, 6))  # substitute holiday
    assert is_business_day(D(2025, 5, 6), "weekends")
    assert not is_business_day(D(2025, 5, 3), "weekends")  # Saturday
    assert is_business_day(D(2025, 5, 3), "none")


def test_empty_and_single_day_ranges():
    assert business_days(D(2025, 5, 8), D(2025, 5, 7)) == 0
    assert business_days(D(2025, 5, 7), D(2025, 5, 7)) == 1
    assert business_days(D(2025, 5, 5), D(2025, 5, 5)) == 0


def test_unknown_calendar():
    with pytest.raises(ValueError, match="unknown calendar"):
        business_days(D(2025, 5, 1), D(2025, 5, 2), "us")


@pytest.mark.parametrize(
    ("day", "per", "fiscal", "bounds"),
    [
        (D(2025, 5, 7), "week", 4, (D(2025, 5, 5), D(2025, 5, 11))),
        (D(2025, 5, 7), "month", 4, (D(2025, 5, 1), D(2025, 5, 31))),
        (D(2025, 5, 7), "quarter", 4, (D(2025, 4, 1), D(2025, 6, 30))),
        (D(2026, 1, 15), "quarter", 4, (D(2026, 1, 1), D(2026, 3, 31))),
        (D(2026, 1, 15), "year", 4, (D(2025, 4, 1), D(2026, 3, 31))),
        (D(2025, 2, 10), "quarter", 1, (D(2025, 1, 1), D(2025, 3, 31))),
        (D(2025, 2, 10), "year", 1, (D(2025, 1, 1), D(2025, 12, 31))),
        (D(2024, 2, 29), "month", 4, (D(2024, 2, 1), D(2024, 2, 29))),
        (D(2025, 11, 3), "quarter", 10, (D(2025, 10, 1), D(2025, 12, 31))),
    ],
)
def test_period_bounds(day, per, fiscal, bounds):
    assert period_bounds(day, per, fiscal) == bounds


@pytest.mark.parametrize("fiscal", [1, 4, 10])
@pytest.mark.parametrize("per", ["week", "month", "quarter", "year"])
def test_labels_and_starts_match_the_engine(per, fiscal):
    days = [D(2024, 12, 30), D(2025, 1, 1), D(2025, 3, 31), D(2025, 4, 1), D(2025, 9, 30), D(2025, 10, 1)]
    con = duckdb.connect()
    for day in days:
        start = con.execute(
            f"SELECT CAST({period_start_sql('d', per, fiscal)} AS DATE) FROM (SELECT ?::DATE AS d)", [day]
        ).fetchall()[0][0]
        assert period_bounds(day, per, fiscal)[0] == start


def test_previous_period_start():
    assert previous_period_start(D(2025, 4, 1), "month") == D(2025, 3, 1)
    assert previous_period_start(D(2025, 4, 1), "quarter") == D(2025, 1, 1)
    assert previous_period_start(D(2025, 4, 1), "year") == D(2024, 4, 1)
    assert previous_period_start(D(2025, 5, 5), "week") == D(2025, 4, 28)
