"""ヨミ (kpi_core/forecast_categories.py): closed + commit + best case line by line, the probability-weighted pipeline,
expected close dates placing open deals in the period, overdue deals, coverage and the coverage that was enough —
every figure worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kpi_core.forecast_categories import ForecastError, enough_coverage, forecast_categories
from kpi_core.intake.load import Dataset, FileInput, load_dataset

D = dt.date
JUNE = (D(2025, 6, 1), D(2025, 6, 30))
HEADER = "Deal ID,Stage,Amount,Created Date,Close Date,Expected Close Date,Probability,Forecast Category\n"
DEALS = HEADER + (
    "W1,Closed Won,1000,2025-04-01,2025-06-05,,100%,Closed\n"  # closed in June
    "W2,Closed Won,500,2025-04-01,2025-05-20,,100%,Closed\n"  # May: not this period
    "L1,Closed Lost,300,2025-04-01,2025-06-07,,0%,Omitted\n"
    "C1,Negotiation,800,2025-04-02,,2025-06-25,90%,Commit\n"
    "C2,Negotiation,400,2025-04-02,,2025-06-10,80%,Commit\n"  # in June, 5 days overdue on the 15th
    "B1,Proposal,600,2025-04-03,,2025-06-28,50%,Best Case\n"
    "B2,Proposal,200,2025-04-03,,2025-07-05,60%,Best Case\n"  # July
    "P1,Qualification,1000,2025-04-04,,2025-06-30,20%,Pipeline\n"
    "P2,Qualification,300,2025-04-04,,2025-06-20,abc,Pipeline\n"  # unreadable probability: not weighted
    "O1,Qualification,700,2025-04-05,,2025-06-18,10%,Omitted\n"
    "X1,Proposal,250,2025-04-05,,2025-05-25,40%,Pipeline\n"  # May, 21 days overdue
    "U1,Proposal,150,2025-04-06,,,30%,Best Case\n"  # no expected date
)


def load(tmp_path: Path, name: str, text: str) -> Dataset:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_dataset([FileInput(name, path)])


@pytest.fixture
def june(tmp_path: Path):
    return forecast_categories(load(tmp_path, "deals.csv", DEALS), *JUNE, as_of=D(2025, 6, 15), target=4000)


def test_each_line_by_hand(june) -> None:
    assert june.lines == {
        "closed": {"count": 1, "amount": 1000.0},  # W1
        "commit": {"count": 2, "amount": 1200.0},  # C1 800 + C2 400
        "best_case": {"count": 1, "amount": 600.0},  # B1 (B2 is July, U1 undated)
        "pipeline": {"count": 2, "amount": 1300.0},  # P1 1000 + P2 300 (X1 is May)
        "omitted": {"count": 1, "amount": 700.0},  # O1
        "uncategorised": {"count": 0, "amount": 0.0},
    }


def test_forecasts_next_to_each_other(june) -> None:
    assert june.forecast["commit"] == 2200.0  # 1000 + 1200
    assert june.forecast["best_case"] == 2800.0  # 2200 + 600
    # 1000 + 800×0.9 + 400×0.8 + 600×0.5 + 1000×0.2 (P2 unreadable, O1 omitted)
    assert june.forecast["weighted"] == pytest.approx(2540.0)
    assert june.unweighted == {"count": 1, "amount": 300.0}
    assert june.notes == ["some_unweighted"]


def test_coverage_of_the_gap(june) -> None:
    assert june.pipeline == 3100.0  # C1 800 + C2 400 + B1 600 + P1 1000 + P2 300
    assert june.gap == 3000.0  # 4000 − 1000 closed
    assert june.coverage == pytest.approx(3100 / 3000)


def test_expected_dates_place_and_flag_deals(june) -> None:
    assert june.overdue == {"count": 2, "amount": 650.0, "ids": ["C2", "X1"]}  # in the period first
    by_id = {d.id: d for d in june.deals}
    assert by_id["C2"].in_period and by_id["C2"].overdue_days == 5
    assert not by_id["X1"].in_period and by_id["X1"].overdue_days == 21
    assert "B2" not in by_id and "U1" not in by_id  # neither in June nor overdue
    assert june.undated == {"count": 1, "amount": 150.0}
    out = june.as_dict("ja")
    assert out["deals"][0]["expected_close"] == "2025-06-10" and out["deals"][0]["overdue"] is True
    assert out["history"]["measured"] is False and out["history"]["reason"] == "no_snapshots"
    assert "スナップショット" in out["history"]["message"]


def test_ranks_weighted_by_the_shares_assumed(tmp_path: Path) -> None:
    text = (
        "商談ID,フェーズ,金額,作成日,完了日,受注予定日,確度\n"
        "S1,提案,1000,2025-04-01,,2025-06-10,A\n"
        "S2,提案,2000,2025-04-01,,2025-06-20,B\n"
        "S3,提案,3000,2025-04-01,,2025-06-25,C\n"
        "S4,受注,500,2025-04-01,2025-06-02,,A\n"
    )
    dataset = load(tmp_path, "確度.csv", text)
    result = forecast_categories(dataset, *JUNE, as_of=D(2025, 6, 5))
    assert result.forecast["weighted"] == pytest.approx(500 + 1000 * 0.8 + 2000 * 0.5 + 3000 * 0.2)
    assert result.forecast["commit"] is None and result.forecast["best_case"] is None
    assert result.lines["uncategorised"] == {"count": 3, "amount": 6000.0}
    assert result.notes == ["no_category", "rank_assumed"]
    own = forecast_categories(dataset, *JUNE, as_of=D(2025, 6, 5), rank_probability={"A": 0.9, "B": 0.6, "C": 0.3})
    assert own.forecast["weighted"] == pytest.approx(500 + 900 + 1200 + 900)
    assert own.coverage is None  # no target


def test_without_expected_dates_every_open_deal_can_land(tmp_path: Path) -> None:
    text = "Deal ID,Stage,Amount,Created Date,Close Date\nA,Proposal,100,2025-04-01,\n"
    text += "B,Closed Won,50,2025-04-01,2025-06-03\n"
    result = forecast_categories(load(tmp_path, "d.csv", text), *JUNE, as_of=D(2025, 6, 10), target=150)
    assert result.pipeline == 100.0 and result.coverage == pytest.approx(1.0)  # 100 ÷ (150 − 50)
    assert result.notes == ["no_expected_close", "no_category", "no_probability"]
    assert result.forecast["weighted"] is None
    met = forecast_categories(load(tmp_path, "d.csv", text), *JUNE, as_of=D(2025, 6, 10), target=40)
    assert met.coverage is None and "target_met" in met.notes


def test_bad_period_or_target(tmp_path: Path) -> None:
    dataset = load(tmp_path, "deals.csv", DEALS)
    with pytest.raises(ForecastError) as caught:
        forecast_categories(dataset, D(2025, 7, 1), D(2025, 6, 1))
    assert "2025-07-01" in caught.value.message("ja")
    with pytest.raises(ForecastError):
        forecast_categories(dataset, *JUNE, target=-1)


# --- the coverage that was enough, from snapshots at the start of past months ---------------------------------------
SNAP = "Deal ID,Stage,Amount,Created Date,Close Date,Expected Close Date\n"
LATEST = SNAP + (
    "M1,Closed Won,700,2025-02-01,2025-03-10,\n"
    "M2,Closed Won,500,2025-02-01,2025-03-20,\n"  # March won 1200: made 1000
    "A1,Closed Won,800,2025-02-01,2025-04-15,\n"  # April won 800: missed
    "Y0,Closed Won,500,2025-02-01,2025-05-01,\n"
    "Y1,Closed Won,1000,2025-02-01,2025-05-25,\n"  # May won 1500: made
    "J1,Proposal,100,2025-05-01,,2025-06-20,\n"
)
SNAPSHOTS = {
    # March starts with 3000 expected in March (S3 is April's): 3000 ÷ 1000 = 3.0
    D(2025, 3, 1): "S1,Proposal,2000,2025-02-01,,2025-03-15\nS2,Proposal,1000,2025-02-01,,2025-03-25\n"
    "S3,Proposal,999,2025-02-01,,2025-04-10\n",
    # April: 2000 ÷ 1000 = 2.0
    D(2025, 3, 30): "A1,Proposal,2000,2025-02-01,,2025-04-15\n",
    # the middle of April: no month's start
    D(2025, 4, 15): "A1,Proposal,9999,2025-02-01,,2025-04-30\n",
    # May, taken on the 2nd with 500 already won: 2500 ÷ (1000 − 500) = 5.0
    D(2025, 5, 2): "Y0,Closed Won,500,2025-02-01,2025-05-01,\nY1,Proposal,2500,2025-02-01,,2025-05-25\n",
    # June is not over on the as-of day
    D(2025, 6, 1): "J1,Proposal,100,2025-05-01,,2025-06-20\n",
}


def test_history_of_coverage_that_was_enough(tmp_path: Path) -> None:
    latest = load(tmp_path, "latest.csv", LATEST)
    snapshots = [(day, load(tmp_path, f"snap_{day}.csv", SNAP + rows)) for day, rows in SNAPSHOTS.items()]
    result = forecast_categories(latest, *JUNE, as_of=D(2025, 6, 15), target=1000, snapshots=snapshots)
    history = result.history
    assert history.measured
    months = [(m.month, m.coverage, m.won, m.made_it) for m in history.months]
    assert months == [
        (D(2025, 3, 1), 3.0, 1200.0, True),
        (D(2025, 4, 1), 2.0, 800.0, False),
        (D(2025, 5, 1), 5.0, 1500.0, True),
    ]
    assert history.months[1].taken_on == D(2025, 3, 30)  # taken in the last days of March: April's start
    assert history.enough == 3.0  # 5.0 made, 3.0 made, 2.0 missed
    out = history.as_dict("en")
    assert out["made"] == 2 and "3.0×" in out["message"]
    targets = {D(2025, 3, 1): 1300.0, D(2025, 4, 1): 700.0, D(2025, 5, 1): 1000.0}
    own = forecast_categories(latest, *JUNE, as_of=D(2025, 6, 15), snapshots=snapshots, history_targets=targets)
    assert [m.made_it for m in own.history.months] == [False, True, True]
    assert own.history.enough == pytest.approx(2000 / 700)  # 5.0 made, 2.86 made, then March (3000/1300) missed
    # … with no target at all, it cannot be measured.
    none = forecast_categories(latest, *JUNE, as_of=D(2025, 6, 15), snapshots=snapshots)
    assert (none.history.measured, none.history.reason) == (False, "no_target")


def test_enough_coverage_when_the_best_covered_month_missed(tmp_path: Path) -> None:
    latest = load(tmp_path, "latest.csv", LATEST)
    snapshots = [(D(2025, 4, 1), load(tmp_path, "s.csv", SNAP + "A1,Proposal,2000,2025-02-01,,2025-04-15\n"))]
    result = forecast_categories(latest, *JUNE, as_of=D(2025, 6, 15), target=1000, snapshots=snapshots)
    assert result.history.enough is None and enough_coverage(result.history.months) is None
    assert "missed" in result.history.as_dict("en")["message"]
