"""AppTest of Home's current period: the month of the as-of date against its targets and against the same days
last year, the running month marked in words (expectations with plain pandas from the sample files)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest
from test_app_expected import APP, TIMEOUT, WON, metric_values, sales_rows

LEADS = Path(__file__).resolve().parents[1] / "sample_data" / "marketing_leads_en.csv"


def run(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query)
    return at.run()


def as_of_for(last: dt.date) -> dt.date:
    """The rule of the goal pages: today while the data reaches this month, else the data's last date."""
    today = dt.date.today()
    return today if (last.year, last.month) >= (today.year, today.month) else last


def windows(as_of: dt.date) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    first = as_of.replace(day=1)
    return (first, as_of), (first.replace(year=first.year - 1), as_of.replace(year=as_of.year - 1))


def within(dates: pd.Series, window: tuple[dt.date, dt.date]) -> pd.Series:
    return dates.map(lambda d: isinstance(d, dt.date) and window[0] <= d <= window[1])


def test_sales_home_shows_this_month_against_target_and_last_year():
    rows = sales_rows().query("usable")
    last = max(d for d in [*rows["created"], *rows["closed"]] if isinstance(d, dt.date))
    as_of = as_of_for(last)
    now, before = windows(as_of)
    deals_now, deals_before = int(within(rows["created"], now).sum()), int(within(rows["created"], before).sum())
    won = rows["stage"].isin(WON)
    won_now, won_before = (
        int((won & within(rows["closed"], now)).sum()),
        int((won & within(rows["closed"], before)).sum()),
    )

    at = run()
    assert not at.exception
    days = (as_of.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - as_of.replace(day=1)
    running = as_of.day < days.days
    state = f"（進行中：{days.days}日中{as_of.day}日）" if running else "（確定）"
    assert at.subheader[0].value == f"{as_of.year}年{as_of.month}月の状況{state}"
    figures = metric_values(at)
    assert figures["月間有効商談数（目標 50）"] == f"{deals_now:,}"  # the template's target: 50 a month
    assert figures[f"商談数（前年同期 {deals_before:,}）"] == f"{deals_now:,}"
    assert figures[f"受注件数（前年同期 {won_before:,}）"] == f"{won_now:,}"
    change = (deals_now / deals_before - 1) * 100
    # the first compared card's first line: against the same days last year (escapes removed)
    line = next(c.value for c in at.caption if c.value.startswith("前年同月同日比 ")).split("  \n")[0]
    shown = f"{'↑' if change > 0 else '↓'}\u00a0{'+' if change > 0 else '-'}{abs(change):.1f}%]"
    assert re.sub(r"\\(.)", r"\1", line).endswith(shown)
    # the days compared, said under the figures: this month so far, the same days last month and last year
    prev_first = (as_of.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    compared = next(c.value for c in at.caption if c.value.startswith("今期 "))
    assert f"前年同期 {before[0].year}年{before[0].month}月1日〜" in compared
    assert f"前の期間 {prev_first.year}年{prev_first.month}月1日〜" in compared


def test_marketing_home_in_english_with_the_running_month_and_maturing_note():
    raw = pd.read_csv(LEADS, dtype=str, keep_default_na=False)
    created = pd.to_datetime(raw["Create Date"].str[:10]).dt.date
    closed = pd.to_datetime(raw["Close Date"].replace("", None).str[:10]).dt.date
    as_of = as_of_for(max(max(created), max(d for d in closed if isinstance(d, dt.date) and not pd.isna(d))))
    now, before = windows(as_of)
    leads_now, leads_before = int(within(created, now).sum()), int(within(created, before).sum())

    at = run(lang="en", src="leads")
    assert not at.exception
    figures = metric_values(at)
    assert figures["Leads per month (target 400)"] == f"{leads_now:,}"
    assert figures[f"Leads (last year {leads_before:,})"] == f"{leads_now:,}"
    if as_of.day < 28:  # a young month: MQLs and SQLs counted by creation date are said to be still growing
        assert any("are counted by creation date, so this month's will still grow" in c.value for c in at.caption)
