"""Business-day calendars (Japanese holidays, weekends, none) and the bounds of week / month / quarter / year."""

from __future__ import annotations

import datetime as dt
from functools import cache

import jpholiday

# "jp": Saturdays, Sundays and Japanese public holidays (incl. substitute holidays) are off.
# "jp_yearend": as "jp", plus the year-end closure most Japanese companies take (29 Dec - 3 Jan).
# "weekends": only Saturdays and Sundays are off.  "none": every calendar day counts.
CALENDARS: tuple[str, ...] = ("jp", "jp_yearend", "weekends", "none")
DEFAULT_CALENDAR = "jp"
PERIODS_PER_YEAR: dict[str, int] = {"week": 52, "month": 12, "quarter": 4, "year": 1}


def check_calendar(calendar: str) -> str:
    """The calendar name, or ValueError naming the valid ones."""
    if calendar not in CALENDARS:
        raise ValueError(f"unknown calendar {calendar!r}: use one of {', '.join(CALENDARS)}")
    return calendar


@cache
def _is_jp_holiday(day: dt.date) -> bool:
    return jpholiday.is_holiday(day)


def is_business_day(day: dt.date, calendar: str = DEFAULT_CALENDAR) -> bool:
    """Whether `day` is a working day in `calendar`."""
    check_calendar(calendar)
    if calendar == "none":
        return True
    if day.weekday() >= 5:
        return False
    if calendar == "weekends":
        return True
    if calendar == "jp_yearend" and ((day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)):
        return False
    return not _is_jp_holiday(day)


def business_day_list(start: dt.date, end: dt.date, calendar: str = DEFAULT_CALENDAR) -> list[dt.date]:
    """The business days from `start` to `end`, both included (empty when end < start)."""
    check_calendar(calendar)
    days = (end - start).days + 1
    return [d for d in (start + dt.timedelta(days=i) for i in range(max(days, 0))) if is_business_day(d, calendar)]


def business_days(start: dt.date, end: dt.date, calendar: str = DEFAULT_CALENDAR) -> int:
    """How many business days lie from `start` to `end`, both included (0 when end < start)."""
    return len(business_day_list(start, end, calendar))


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_bounds(day: dt.date, per: str, fiscal_start: int = 4) -> tuple[dt.date, dt.date]:
    """First and last day of the week (Monday-Sunday), month, fiscal quarter or fiscal year that holds `day`.

    Matches the engine's period_start_sql: ISO weeks, quarters and years counted from `fiscal_start`.
    """
    if per == "week":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if per == "month":
        start = day.replace(day=1)
        return start, _add_months(start, 1) - dt.timedelta(days=1)
    if per not in ("quarter", "year"):
        raise ValueError(f"unknown period {per!r}: use one of {', '.join(PERIODS_PER_YEAR)}")
    length = 3 if per == "quarter" else 12
    months_in = (day.month - int(fiscal_start)) % 12  # months since the fiscal year began
    start = _add_months(day.replace(day=1), -(months_in % length))
    return start, _add_months(start, length) - dt.timedelta(days=1)


def period_label(start: dt.date, per: str, fiscal_start: int = 4) -> str:
    """The engine's label of the period starting at `start`: 2025-05, 2025-W19, 2025-Q1 (fiscal), 2025 (fiscal)."""
    if per == "month":
        return f"{start.year}-{start.month:02d}"
    if per == "week":
        iso = start.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    fiscal_year = start.year - (1 if start.month < int(fiscal_start) else 0)
    if per == "year":
        return str(fiscal_year)
    quarter = (start.month - int(fiscal_start)) % 12 // 3 + 1
    return f"{fiscal_year}-Q{quarter}"


def previous_period_start(start: dt.date, per: str) -> dt.date:
    """The first day of the period before the one starting at `start`."""
    if per == "week":
        return start - dt.timedelta(days=7)
    return _add_months(start, -{"month": 1, "quarter": 3, "year": 12}[per])
