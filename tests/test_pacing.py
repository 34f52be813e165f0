"""Period-end forecasts: run rate over business days, the pipeline method, ranges and odds, by hand arithmetic."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from statistics import NormalDist

import jpholiday
import numpy as np
import pytest

from kpi_core.intake.load import FileInput, LoadOptions, load_dataset
from kpi_core.pacing import INTERVAL_QUANTILES, Pacer, choose_method, forecast_period_end, pacing_series
from tests.test_pipeline import DEALS, LEADS

D = dt.date


def load(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_dataset([FileInput(name, path)])


def jp_business_days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Weekdays that are not Japanese public holidays (counted here without kpi_core.business_days)."""
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    return [d for d in days if d.weekday() < 5 and not jpholiday.is_holiday(d)]


# Golden Week 2025: deals created in May (one on Saturday 3 May), deals closed in May that were created in April.
GOLDEN_WEEK = """id,stage,created,closed,amount
N1,Proposal,2025-05-01,,
N2,Proposal,2025-05-01,,
N3,Proposal,2025-05-02,,
N4,Proposal,2025-05-03,,
N5,Proposal,2025-05-07,,
N6,Proposal,2025-05-07,,
N7,Proposal,2025-05-07,,
N8,Proposal,2025-05-08,,
N9,Proposal,2025-05-08,,
N10,Proposal,2025-05-20,,
C1,Won,2025-04-01,2025-05-02,100
C2,Won,2025-04-02,2025-05-02,100
C3,Won,2025-04-03,2025-05-07,100
C4,Lost,2025-04-04,2025-05-01,
C5,Won,2025-04-07,2025-05-09,100
"""


@pytest.fixture
def golden_week(tmp_path: Path):
    return load(tmp_path, "gw.csv", GOLDEN_WEEK)


@pytest.mark.parametrize(
    ("calendar", "expected"),
    [
        ("jp", 7 / 3 * 20),  # 7 deals by 7 May; 3 of May's 20 business days have passed (1, 2, 7 May)
        ("weekends", 7 / 5 * 22),  # weekdays only: 1, 2, 5, 6, 7 May of 22
        ("none", 7 / 7 * 31),
    ],
)
def test_run_rate_after_golden_week(golden_week, calendar, expected):
    forecast = forecast_period_end(golden_week, "opportunities", target=40, as_of=D(2025, 5, 7), calendar=calendar)
    assert forecast.actual == 7
    assert forecast.value == pytest.approx(expected)
    assert forecast.method["code"] == "run_rate"
    assert forecast.period == "2025-05" and forecast.period_end == D(2025, 5, 31)


def test_run_rate_of_sums_and_rates(golden_week):
    pacer = Pacer(golden_week)
    as_of = D(2025, 5, 7)
    # closed by 7 May: won C1, C2, C3 (300), lost C4
    won = pacer.forecast("won", as_of=as_of)
    assert won.actual == 3 and won.candidates["run_rate"] == pytest.approx(3 / 3 * 20)
    revenue = pacer.forecast("won_revenue", as_of=as_of)
    assert revenue.candidates["run_rate"] == pytest.approx(300 / 3 * 20)
    rate = pacer.forecast("win_rate", target=0.5, as_of=as_of)
    # numerator and denominator both extended by 20/3: the rate stays 3 / 4
    assert rate.actual == pytest.approx(0.75) and rate.value == pytest.approx(0.75)
    formula = pacer.forecast("won_revenue / won", as_of=as_of)
    assert formula.value == pytest.approx(100)


def test_too_little_history_gives_no_range(golden_week):
    forecast = forecast_period_end(golden_week, "opportunities", target=40, as_of=D(2025, 5, 7))
    assert forecast.low is None and forecast.high is None and forecast.probability_on_target is None
    assert "No range" in forecast.method["text"]
    assert "3 of 20 business days" in forecast.method["text"]


def test_complete_period_and_stock_metrics(golden_week):
    done = forecast_period_end(golden_week, "opportunities", target=9, per="month", as_of=D(2025, 5, 31))
    assert done.method["code"] == "complete" and done.value == 10 and done.probability_on_target == 1.0
    stock = forecast_period_end(golden_week, "open", as_of=D(2025, 5, 7))
    assert stock.method["code"] == "current_value" and stock.value == stock.actual


def test_pacing_series(golden_week):
    forecast = forecast_period_end(golden_week, "opportunities", target=40, as_of=D(2025, 5, 7))
    frame = pacing_series(forecast, golden_week).set_index("date")
    assert len(frame) == 31
    assert frame.loc[D(2025, 5, 7), "business_day"] == 3
    assert frame.loc[D(2025, 5, 6), "actual"] == 4  # 1-3 May: N1-N4; the holidays add nothing
    assert frame.loc[D(2025, 5, 7), "actual"] == 7
    assert math.isnan(frame.loc[D(2025, 5, 8), "actual"])
    assert frame.loc[D(2025, 5, 7), "target"] == pytest.approx(40 * 3 / 20)
    assert frame.loc[D(2025, 5, 31), "target"] == pytest.approx(40)
    assert frame.loc[D(2025, 5, 7), "forecast"] == pytest.approx(7)
    assert frame.loc[D(2025, 5, 31), "forecast"] == pytest.approx(7 / 3 * 20)
    # 8 of the 17 business days left after 7 May: the line has climbed 8/17 of the way
    halfway = frame[frame["business_day"] == 11]["forecast"].iloc[0]
    assert halfway == pytest.approx(7 + (7 / 3 * 20 - 7) * 8 / 17)
    assert math.isnan(frame.loc[D(2025, 5, 6), "forecast"])


def test_pipeline_method_on_the_tiny_deal_file(tmp_path: Path):
    deals = load(tmp_path, "deals.csv", DEALS)
    pacer = Pacer(deals)
    # actual July revenue by the 10th: W4 (400); open pipeline expected within 21 days: 1000 × 2/9 + 2000 × 0.4
    # (see test_pipeline.test_expected_wins_within_hand_arithmetic)
    expected_revenue = 400 + 1000 * 2 / 9 + 2000 * 0.4
    assert pacer.pipeline("won_revenue", D(2025, 7, 1), D(2025, 7, 31), D(2025, 7, 10)) == pytest.approx(
        expected_revenue
    )
    assert pacer.pipeline("won", D(2025, 7, 1), D(2025, 7, 31), D(2025, 7, 10)) == pytest.approx(1 + 2 / 9 + 0.4)
    forecast = pacer.forecast("won_revenue", target=1500, as_of=D(2025, 7, 10))
    # July 2025: 22 business days (Marine Day on the 21st), 8 of them by the 10th
    assert len(jp_business_days(D(2025, 7, 1), D(2025, 7, 31))) == 22
    assert forecast.candidates["run_rate"] == pytest.approx(400 / 8 * 22)
    assert forecast.candidates["pipeline"] == pytest.approx(expected_revenue)
    assert forecast.candidates["blend"] == pytest.approx((400 / 8 * 22 + expected_revenue) / 2)
    assert forecast.method["code"] == "run_rate"  # too few past months to show the pipeline does better
    assert pacer.pipeline("opportunities", D(2025, 7, 1), D(2025, 7, 31), D(2025, 7, 10)) is None


def _analogue_file() -> tuple[str, dict[dt.date, int]]:
    """One deal per business day from Jan 2024 to 20 Jan 2025; Feb, Apr, ... Dec 2024 end with as many extra
    deals on their last business day as the month has business days (so they end at twice the run rate)."""
    lines = ["id,stage,created"]
    month_days: dict[dt.date, int] = {}
    n = 0
    for month in range(1, 13):
        start = D(2024, month, 1)
        end = (D(2024, month + 1, 1) if month < 12 else D(2025, 1, 1)) - dt.timedelta(days=1)
        days = jp_business_days(start, end)
        month_days[start] = len(days)
        extra = len(days) if month % 2 == 0 else 0
        for day in days + [days[-1]] * extra:
            n += 1
            lines.append(f"A{n},Proposal,{day.isoformat()}")
    for day in jp_business_days(D(2025, 1, 1), D(2025, 1, 20)):
        n += 1
        lines.append(f"A{n},Proposal,{day.isoformat()}")
    return "\n".join(lines) + "\n", month_days


def test_range_and_odds_from_past_months(tmp_path: Path):
    text, _ = _analogue_file()
    dataset = load(tmp_path, "analogues.csv", text)
    # January 2025: 21 business days (New Year's Day, Coming of Age Day off), 12 by the 20th, one deal each.
    assert len(jp_business_days(D(2025, 1, 1), D(2025, 1, 31))) == 21
    pacer = Pacer(dataset)
    forecast = pacer.forecast("opportunities", target=30, as_of=D(2025, 1, 20))
    assert forecast.actual == 12 and forecast.value == pytest.approx(21)
    # Each past month, forecast at the same share of its business days, ended at 1× (odd months) or 2× (even).
    assert forecast.analogues == 12
    ratios = [1.0] * 6 + [2.0] * 6
    assert forecast.low == pytest.approx(21 * np.quantile(ratios, INTERVAL_QUANTILES[0]))  # 21 × 1
    assert forecast.high == pytest.approx(21 * np.quantile(ratios, INTERVAL_QUANTILES[1]))  # 21 × 2
    assert forecast.probability_on_target == pytest.approx(0.5)  # 30 is reached only by the 2× months
    assert pacer.forecast("opportunities", target=43, as_of=D(2025, 1, 20)).probability_on_target == 0.0
    assert pacer.forecast("opportunities", target=21, as_of=D(2025, 1, 20)).probability_on_target == 1.0
    assert forecast.method["params"]["interval"] == "analogues"
    assert "past 12 months" in forecast.method["text"]


def _yearly_file() -> str:
    """Apr 2024 - Mar 2025: 1 deal per business day in Apr, Jun, ..., 2 in May, Jul, ...; then 1 a day."""
    lines = ["id,stage,created"]
    n = 0
    for i in range(12):
        start = D(2024 + (3 + i) // 12, (3 + i) % 12 + 1, 1)
        nxt = D(2024 + (4 + i) // 12, (4 + i) % 12 + 1, 1)
        for day in jp_business_days(start, nxt - dt.timedelta(days=1)):
            for _ in range(1 if i % 2 == 0 else 2):
                n += 1
                lines.append(f"Y{n},Proposal,{day.isoformat()}")
    for day in jp_business_days(D(2025, 4, 1), D(2025, 6, 16)):
        n += 1
        lines.append(f"Y{n},Proposal,{day.isoformat()}")
    return "\n".join(lines) + "\n"


def test_normal_range_when_few_past_periods(tmp_path: Path):
    dataset = load(tmp_path, "yearly.csv", _yearly_file())
    as_of = D(2025, 6, 16)
    elapsed = len(jp_business_days(D(2025, 4, 1), as_of))
    total = len(jp_business_days(D(2025, 4, 1), D(2026, 3, 31)))
    remaining = len(jp_business_days(D(2025, 6, 17), D(2026, 3, 31)))
    target = total + 15
    forecast = forecast_period_end(dataset, "opportunities", target=target, per="year", as_of=as_of)
    assert forecast.actual == elapsed and forecast.value == pytest.approx(total)
    # monthly rates per business day alternate 1 and 2: standard deviation sqrt(12 × 0.25 / 11)
    sd = remaining * math.sqrt(3 / 11) / math.sqrt(max(1.0, remaining / 20))
    z = NormalDist().inv_cdf(0.9)
    assert forecast.low == pytest.approx(total - z * sd)
    assert forecast.high == pytest.approx(total + z * sd)
    assert forecast.probability_on_target == pytest.approx(1 - NormalDist(total, sd).cdf(target))
    assert forecast.method["params"]["interval"] == "normal"


def test_history_rate_before_the_first_business_day(tmp_path: Path):
    dataset = load(tmp_path, "yearly.csv", _yearly_file())
    # Sunday 1 June 2025: no business day of June has passed; June has 21. Trailing window: Jun 2024 - May 2025.
    window = 0
    for i in range(12):
        start = D(2024 + (5 + i) // 12, (5 + i) % 12 + 1, 1)
        nxt = D(2024 + (6 + i) // 12, (6 + i) % 12 + 1, 1)
        per_day = 1 if start >= D(2025, 4, 1) or (start.month - 4) % 2 == 0 else 2
        window += per_day * len(jp_business_days(start, nxt - dt.timedelta(days=1)))
    window_days = len(jp_business_days(D(2024, 6, 1), D(2025, 5, 31)))
    forecast = forecast_period_end(dataset, "opportunities", as_of=D(2025, 6, 1))
    assert forecast.method["code"] == "history_rate"
    assert forecast.value == pytest.approx(window / window_days * 21)


def test_monthly_sheet_run_rate(tmp_path: Path):
    path = tmp_path / "kpi.csv"
    path.write_text("月,リード数,受注件数\n2025-01,100,5\n2025-02,100,5\n2025-03,100,5\n2025-04,120,6\n2025-05,30,1\n")
    sheet = load_dataset([FileInput("kpi.csv", path)], LoadOptions(shape="periods"))
    assert sheet.shape == "periods"
    forecast = forecast_period_end(sheet, "leads", target=150, as_of=D(2025, 5, 7))
    assert forecast.actual == 30 and forecast.value == pytest.approx(30 / 3 * 20)
    assert forecast.method["params"]["interval"] == "normal"
    assert forecast.low < forecast.value < forecast.high


def test_funnel_levels_reached_later_are_flagged(tmp_path: Path):
    leads = load(tmp_path, "leads.csv", LEADS)
    pacer = Pacer(leads)
    assert pacer.maturing("mql") and pacer.maturing("sql / leads")
    assert not pacer.maturing("leads") and not pacer.maturing("won")
    assert "Caution" in pacer.forecast("mql", as_of=D(2025, 5, 20)).method["text"]


def test_choose_method_takes_the_smallest_typical_miss():
    close, far = [1.02, 0.98] * 3, [1.3, 0.7] * 3
    assert choose_method({"run_rate": far, "pipeline": close, "blend": far}) == ("pipeline", True)
    assert choose_method({"run_rate": close, "pipeline": close}) == ("run_rate", True)  # tie: the simpler one
    assert choose_method({"run_rate": far, "pipeline": close[:5]}) == ("run_rate", False)  # 5 < MIN_ANALOGUES
    assert choose_method({}) == ("run_rate", False)


def test_unknown_calendar(golden_week):
    with pytest.raises(ValueError, match="unknown calendar"):
        forecast_period_end(golden_week, "opportunities", as_of=D(2025, 5, 7), calendar="us")
