"""The typical lag from creation to a win and which recent periods are still maturing (expectations by hand from the
fixture's dates, and with plain pandas from the sales sample)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from test_app_expected import LOST, WON, sales_rows

from kpi_core.intake.load import FileInput, load_dataset
from kpi_core.maturity import Lag, conversion_lag, is_maturing, maturing_periods, restated
from kpi_core.metrics import Filters, compute_kpis

# Won cycles (closed − created): 10, 20, 30, 40, 100 days; deal 6 is lost, deal 7 open.
DEALS = """id,stage,created,closed,channel
1,Won,2024-01-01,2024-01-11,Web
2,Won,2024-01-01,2024-01-21,Web
3,Won,2024-02-01,2024-03-02,Event
4,Won,2024-02-01,2024-03-12,Web
5,Won,2024-03-01,2024-06-09,Event
6,Lost,2024-03-01,2024-03-05,Web
7,Open,2024-06-01,,Web
"""


def dataset(tmp_path: Path, text: str = DEALS):
    path = tmp_path / "deals.csv"
    path.write_text(text, encoding="utf-8")
    return load_dataset([FileInput("deals.csv", path)])


def test_the_lag_is_the_age_by_which_eight_in_ten_wins_happened(tmp_path: Path) -> None:
    lag = conversion_lag(dataset(tmp_path))
    # Five wins sorted 10, 20, 30, 40, 100: 80 % of 5 is 4 wins, the 4th is won at 40 days; the median is 30.
    assert lag == Lag(days=40, share=0.8, count=5, median_days=30.0)
    assert conversion_lag(dataset(tmp_path), share=0.5).days == 30  # 3rd of 5


def test_the_lag_follows_role_filters_and_the_as_of_date(tmp_path: Path) -> None:
    data = dataset(tmp_path)
    # Web wins: 10, 20, 40 → ceil(0.8 × 3) = 3rd → 40; Event wins: 30, 100 → 2nd → 100.
    assert conversion_lag(data, filters=Filters(roles={"channel": ["Web"]})).days == 40
    assert conversion_lag(data, filters=Filters(roles={"channel": ["Event"]})).days == 100
    # On 2024-03-10 only the wins closed by then count: 10, 20, 30 → 3rd → 30.
    assert conversion_lag(data, as_of=dt.date(2024, 3, 10)) == Lag(30, 0.8, 3, 20.0)
    # The date range of the view does not narrow the history the lag is learned from.
    assert conversion_lag(data, filters=Filters(start=dt.date(2024, 6, 1))).days == 40


def test_no_won_history_means_no_lag(tmp_path: Path) -> None:
    text = "id,stage,created,closed\n1,Open,2024-01-01,\n2,Lost,2024-01-02,2024-01-09\n"
    assert conversion_lag(dataset(tmp_path, text)) == Lag(None, 0.8, 0)
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("month,leads,won\n2024-04,10,1\n2024-05,12,2\n", encoding="utf-8")
    assert conversion_lag(load_dataset([FileInput("sheet.csv", sheet)])).days is None


def test_a_period_matures_once_its_middle_is_a_lag_old() -> None:
    as_of = dt.date(2024, 6, 20)
    # June (running): its days so far are 1–20, the middle 10 June, 10 days before the as-of date.
    assert is_maturing("2024-06-01", "month", 4, as_of, 11)
    assert not is_maturing("2024-06-01", "month", 4, as_of, 10)
    # May: 1–31, the middle 16 May, 35 days before 20 June.
    assert is_maturing(dt.date(2024, 5, 1), "month", 4, as_of, 36)
    assert not is_maturing(dt.date(2024, 5, 1), "month", 4, as_of, 35)
    assert not is_maturing("2024-07-01", "month", 4, as_of, 999)  # not begun
    assert not is_maturing("2024-06-01", "month", 4, as_of, None)


def test_maturing_periods_and_restated_states(tmp_path: Path) -> None:
    data = dataset(tmp_path)
    as_of = dt.date(2024, 6, 9)
    rows = compute_kpis(data, as_of=as_of).by_period
    assert [r["start"] for r in rows] == ["2024-01-01", "2024-02-01", "2024-03-01", "2024-06-01"]
    # Lag 40 days: June (middle 5 June, 4 days before) is maturing; March (middle 16 March, 85 days) is settled.
    assert maturing_periods(rows, "month", 4, as_of, conversion_lag(data)) == ["2024-06-01"]
    # Every win (share 1): 100 days; March (85 days) is maturing too, February (middle 15 Feb, 115 days) is not.
    every = conversion_lag(data, share=1.0)
    assert maturing_periods(rows, "month", 4, as_of, every) == ["2024-03-01", "2024-06-01"]
    assert maturing_periods(rows, "month", 4, None, conversion_lag(data)) == []
    later = restated(rows, "month", 4, dt.date(2024, 6, 30))
    assert [r["complete"] for r in later][-1] is True and "days_elapsed" not in later[-1]
    earlier = restated(rows, "month", 4, dt.date(2024, 6, 5))
    assert (earlier[-1]["complete"], earlier[-1]["days_elapsed"], earlier[-1]["days_in_period"]) == (False, 5, 30)
    assert earlier[-1]["won"] == rows[-1]["won"]  # the figures are kept


def test_the_lag_of_the_sales_sample_matches_plain_pandas() -> None:
    from kpi_core.intake.load import FileInput as Input

    rows = sales_rows().query("usable")
    won = rows[rows["stage"].isin(WON) & rows["closed"].notna() & rows["created"].notna()]
    cycles = sorted((c - o).days for o, c in zip(won["created"], won["closed"], strict=True))
    cycles = [c for c in cycles if c >= 0]
    expected = cycles[math.ceil(0.8 * len(cycles)) - 1]
    path = Path(__file__).resolve().parents[1] / "sample_data" / "sales_deals_ja.csv"
    lag = conversion_lag(load_dataset([Input(path.name, path)]))
    assert (lag.days, lag.count) == (expected, len(cycles))
    assert not rows["stage"].isin(LOST & WON).any()  # the two sets are apart: a lost deal never counts
