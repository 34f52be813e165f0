"""Open pipeline: stage probabilities, aging and expected wins on a tiny deal file, checked by hand arithmetic."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from kpi_core.intake.load import FileInput, load_dataset
from kpi_core.metrics import Filters
from kpi_core.pipeline import (
    close_within_probability,
    data_as_of,
    expected_wins_within,
    level_win_probability,
    open_deal_aging,
    open_pipeline_by_stage,
    open_records_at,
    stage_win_probability,
    win_timing,
)

D = dt.date
# Won cycles 10, 20, 30, 40 days; lost after 15, 25, 35, 45 days; three open deals aged 5, 25 and 100 days on
# 2025-07-10, the latest date in the file (O1's update). O3 is older than every win: a "stale" record.
DEALS = """id,stage,created,closed,updated,amount,owner
W1,Won,2025-03-01,2025-03-11,2025-03-11,100,A
W2,Won,2025-03-01,2025-03-21,2025-03-21,200,A
W3,Won,2025-04-01,2025-05-01,2025-05-01,300,B
W4,Won,2025-05-29,2025-07-08,2025-07-08,400,B
L1,Lost,2025-03-01,2025-03-16,2025-03-16,50,A
L2,Lost,2025-03-01,2025-03-26,2025-03-26,50,A
L3,Lost,2025-04-01,2025-05-06,2025-05-06,50,B
L4,Lost,2025-04-01,2025-05-16,2025-05-16,50,B
O1,Proposal,2025-07-05,2025-07-31,2025-07-10,1000,A
O2,Negotiation,2025-06-15,2025-07-20,2025-06-20,2000,B
O3,Prospecting,2025-04-01,2025-06-30,2025-04-10,500,B
"""
# A lead file: 2 won, 2 lost (reached opportunity), 4 disqualified (level lead), open leads at three levels.
LEADS = """id,stage,created,closed,amount
1,Closed Won,2025-05-01,2025-05-21,300
2,Closed Won,2025-05-02,2025-05-12,500
3,Closed Lost,2025-05-03,2025-05-18,
4,Closed Lost,2025-05-04,2025-05-24,
5,Disqualified,2025-05-05,2025-05-10,
6,Disqualified,2025-05-06,2025-05-11,
7,Disqualified,2025-05-07,2025-05-12,
8,Disqualified,2025-05-08,2025-05-13,
9,Lead,2025-05-25,,
10,MQL,2025-05-26,,
11,SQL,2025-05-27,,
"""


def load(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_dataset([FileInput(name, path)])


@pytest.fixture
def deals(tmp_path: Path):
    return load(tmp_path, "deals.csv", DEALS)


@pytest.fixture
def leads(tmp_path: Path):
    return load(tmp_path, "leads.csv", LEADS)


def test_data_as_of_ignores_expected_close_dates(deals):
    assert data_as_of(deals) == D(2025, 7, 10)  # O1's expected close 2025-07-31 is not a fact yet


def test_stage_probability_counts_stale_open_deals(deals):
    # won 4 / (8 closed + O3, open 100 days > the longest win of 40 days) = 4/9 for every opportunity sub-stage
    probabilities = stage_win_probability(deals)
    assert list(probabilities) == ["Prospecting", "Proposal", "Negotiation"]
    assert probabilities == pytest.approx({"Prospecting": 4 / 9, "Proposal": 4 / 9, "Negotiation": 4 / 9})


def test_stage_probability_with_role_and_date_filters(deals):
    # owner A: W1, W2 won, L1, L2 lost, O1 open and young → 2/4
    assert stage_win_probability(deals, Filters(roles={"owner": ["A"]}))["Proposal"] == pytest.approx(0.5)
    # history closed by 2025-04-30: W1, W2, L1, L2; longest win then 20 days; open on that day and older than
    # 20 days: W3, L3, L4 (created 04-01, closed in May) and O3 → 2 / (4 + 4)
    assert level_win_probability(deals, Filters(end=D(2025, 4, 30)))[4] == pytest.approx(0.25)


def test_level_probabilities_for_leads(leads):
    # reached lead: 2 won / (2 won + 2 lost + 4 disqualified); reached MQL and beyond: 2 / 4
    assert level_win_probability(leads) == pytest.approx({1: 0.25, 2: 0.5, 3: 0.5, 4: 0.5})
    assert stage_win_probability(leads) == pytest.approx({"Lead": 0.25, "MQL": 0.5, "SQL": 0.5})


def test_open_pipeline_by_stage(deals):
    frame = open_pipeline_by_stage(deals)
    assert list(frame.columns) == [
        "stage", "position", "level", "count", "value", "win_probability", "expected_value", "median_age_days",
    ]  # fmt: skip
    assert frame["stage"].tolist() == ["Prospecting", "Proposal", "Negotiation"]
    assert frame["count"].tolist() == [1, 1, 1]
    assert frame["value"].tolist() == [500.0, 1000.0, 2000.0]
    assert frame["expected_value"].tolist() == pytest.approx([500 * 4 / 9, 1000 * 4 / 9, 2000 * 4 / 9])
    assert frame["median_age_days"].tolist() == [100.0, 5.0, 25.0]
    assert frame["level"].tolist() == [4, 4, 4]
    assert pd.api.types.is_integer_dtype(frame["count"])


def test_open_pipeline_filtered_by_owner(deals):
    frame = open_pipeline_by_stage(deals, Filters(roles={"owner": ["B"]}))
    assert frame.set_index("stage")["count"].to_dict() == {"Prospecting": 1, "Proposal": 0, "Negotiation": 1}


def test_open_deal_aging(deals):
    frame = open_deal_aging(deals, stalled_days=14)
    assert frame["id"].tolist() == ["O3", "O2", "O1"]
    assert frame["age_days"].tolist() == [100, 25, 5]
    assert frame["idle_days"].tolist() == [91, 20, 0]  # as of 2025-07-10, from the last update
    assert frame["stalled"].tolist() == [True, True, False]
    later = open_deal_aging(deals, stalled_days=30, as_of=D(2025, 7, 20))
    assert later.set_index("id")["stalled"].to_dict() == {"O3": True, "O2": False, "O1": False}
    assert later.set_index("id")["idle_days"].to_dict() == {"O3": 101, "O2": 30, "O1": 10}


def test_close_within_probability(deals):
    assert close_within_probability(deals, 20) == pytest.approx(0.5)  # 10 and 20 of 10, 20, 30, 40
    assert close_within_probability(deals, 9) == 0.0
    assert close_within_probability(deals, 40) == 1.0
    # a deal already 15 days old: of the wins that took longer (20, 30, 40), one took at most 25 days
    assert close_within_probability(deals, 10, age_days=15) == pytest.approx(1 / 3)
    assert close_within_probability(deals, 10, age_days=40) == 0.0


def test_expected_wins_within_hand_arithmetic(deals):
    # p = 4/9. Non-winners' closing ages: 15, 25, 35, 45 and inf (O3, stale). 21 days left in July.
    # O1, age 5: P(5 < c <= 26 | won) = 2/4, still open at 5: winners 4/4, others 5/5 → 4/9 × 1/2 = 2/9
    # O2, age 25: within (25, 46] = 2/4; winners still open 2/4, others 3/5 → (4/9 × 1/2) / (4/9 × 1/2 + 5/9 × 3/5)
    #   = (2/9) / (5/9) = 0.4.  O3, age 100: no win ever took that long → 0.
    expectation = expected_wins_within(deals, as_of=D(2025, 7, 10), days=21)
    assert expectation.open_count == 3
    assert expectation.open_value == 3500
    assert expectation.expected_count == pytest.approx(2 / 9 + 0.4)
    assert expectation.expected_value == pytest.approx(1000 * 2 / 9 + 2000 * 0.4)
    assert not expectation.reconstructed


def test_expected_wins_use_unit_price_for_missing_amounts(leads):
    as_of = D(2025, 5, 31)
    without = expected_wins_within(leads, as_of=as_of, days=30)
    priced = expected_wins_within(leads, as_of=as_of, days=30, unit_price=400)
    assert without.expected_value == 0 and without.expected_count > 0
    assert priced.valued_at_unit_price == 3
    assert priced.expected_value == pytest.approx(400 * priced.expected_count)


def test_open_records_rebuilt_for_an_earlier_day(deals):
    # On 2025-05-03: L3 and L4 (closed later) and O3 were open; W3 had closed on 05-01; the rest came later.
    frame = open_records_at(deals, D(2025, 5, 3))
    assert sorted(frame["age_days"].tolist()) == [32, 32, 32]
    assert sorted(frame["amount"].tolist()) == [50, 50, 500]
    assert expected_wins_within(deals, as_of=D(2025, 5, 3), days=10).reconstructed


# Maven's way: only closing sets the amount (won: its value, lost: 0), open deals have none. On 2025-04-01 W (won
# 04-10) and L (lost 04-20) were still open, E had closed, F did not exist yet; U has no created date. The latest
# date in the file is F's creation, 2025-04-25.
PAST = """id,stage,created,closed,amount
W,Won,2025-03-03,2025-04-10,500
L,Lost,2025-03-04,2025-04-20,0
E,Won,2025-03-05,2025-03-25,300
N,Negotiation,2025-03-06,,
F,Lead,2025-04-25,,
U,Prospecting,,,
"""


@pytest.mark.parametrize("amounts_when_open", [False, True])
def test_open_records_on_a_past_day_do_not_know_the_outcome(tmp_path: Path, amounts_when_open: bool):
    text = PAST.replace(",,\n", ",,100\n") if amounts_when_open else PAST
    data = load(tmp_path, "past.csv", text)
    assert data_as_of(data) == D(2025, 4, 25)
    frame = open_records_at(data, D(2025, 4, 1))
    # W, L and N were open; U is left out (nothing says it existed on that day). Ages from 3, 4 and 6 March to
    # 1 April. W and L count at the data's first level (Lead = 1), N keeps today's stage (Negotiation = 4).
    assert sorted(zip(frame["age_days"], frame["level"], strict=True)) == [(26, 4), (28, 1), (29, 1)]
    by_age = frame.set_index("age_days")["amount"]
    if amounts_when_open:
        # Open deals carry amounts here (a CRM's expected amount): W and L keep theirs, as before.
        assert by_age.to_dict() == {29: 500, 28: 0, 26: 100}
    else:
        # Without amounts on open deals, W's 500 and L's 0 would tell how they ended: none, like N.
        assert by_age.isna().all()
        # The expected value then counts them at the unit price given, as today's open deals without an amount.
        expectation = expected_wins_within(data, as_of=D(2025, 4, 1), days=30, unit_price=250)
        assert expectation.reconstructed and expectation.open_count == 3
        assert expectation.valued_at_unit_price == 3 and expectation.open_value == 750
        assert expectation.expected_value == pytest.approx(250 * expectation.expected_count)


@pytest.mark.parametrize("amounts_when_open", [False, True])
def test_open_records_on_the_latest_day_are_the_snapshot(tmp_path: Path, amounts_when_open: bool):
    text = PAST.replace(",,\n", ",,100\n") if amounts_when_open else PAST
    data = load(tmp_path, "past.csv", text)
    raw = pd.read_csv(tmp_path / "past.csv", parse_dates=["created"])
    still_open = raw[raw["stage"].isin(["Negotiation", "Lead", "Prospecting"])]  # N, F and U, undated U included
    for day in (D(2025, 4, 25), D(2025, 5, 10)):
        frame = open_records_at(data, day)
        ages = (pd.Timestamp(day) - still_open["created"]).dt.days
        got = sorted(zip(frame["age_days"].fillna(-1), frame["amount"].fillna(-1), strict=True))
        want = sorted(zip(ages.fillna(-1), still_open["amount"].fillna(-1), strict=True))
        assert got == want


def test_history_is_cut_at_as_of(deals):
    # On 2025-03-31 everything created by then (W1, W2, L1, L2) had closed; the rest was created in April or later.
    assert expected_wins_within(deals, as_of=D(2025, 3, 31), days=30).open_count == 0


def test_monthly_sheet_has_no_pipeline(tmp_path: Path):
    sheet = load(tmp_path, "kpi.csv", "月,リード数,受注件数\n2025-04,10,1\n2025-05,12,2\n")
    assert sheet.shape == "periods"
    with pytest.raises(ValueError, match="one row per lead or deal"):
        stage_win_probability(sheet)


@pytest.mark.realdata
def test_maven_stage_probability_matches_pandas(maven_dir: Path):
    dataset = load_dataset([FileInput("sales_pipeline.csv", maven_dir / "sales_pipeline.csv")])
    raw = pd.read_csv(maven_dir / "sales_pipeline.csv", parse_dates=["engage_date", "close_date"])
    won = raw[raw["deal_stage"] == "Won"]
    longest = (won["close_date"] - won["engage_date"]).dt.days.max()
    as_of = max(raw["engage_date"].max(), raw.loc[raw["deal_stage"].isin(["Won", "Lost"]), "close_date"].max())
    is_open = raw["deal_stage"].isin(["Prospecting", "Engaging"])
    stale = (is_open & ((as_of - raw["engage_date"]).dt.days > longest)).sum()
    expected = len(won) / ((raw["deal_stage"].isin(["Won", "Lost"])).sum() + stale)
    assert stage_win_probability(dataset) == pytest.approx({"Prospecting": expected, "Engaging": expected})


def test_win_timing_by_hand(deals):
    # On 2025-07-10: won cycles 10, 20, 30, 40; lost after 15, 25, 35, 45 days; O3 (100 days, older than the
    # longest win) never closes: inf. O1 (5 days) and O2 (25 days) are not stale. Reached opportunity and beyond:
    # 4 won / (4 won + 4 lost + O3) = 4/9.
    timing = win_timing(deals, D(2025, 7, 10))
    assert timing.won_cycles.tolist() == [10.0, 20.0, 30.0, 40.0]
    assert timing.other_ages.tolist() == [15.0, 25.0, 35.0, 45.0, float("inf")]
    assert timing.won_cycles.dtype == timing.other_ages.dtype == "float64"
    assert timing.by_level[4] == pytest.approx(4 / 9)
    # On 2025-04-30 only W1, W2 (10, 20 days) and L1, L2 (15, 25) had closed; O3 (29 days) is older than 20.
    early = win_timing(deals, D(2025, 4, 30))
    assert early.won_cycles.tolist() == [10.0, 20.0]
    assert early.other_ages.tolist()[:2] == [15.0, 25.0]
    assert early.other_ages.tolist()[2:] == [float("inf")] * (len(early.other_ages) - 2)


# Open deals with and without amounts, some amounts with cents, several deals sharing one (level, age) pair.
MIXED = """id,stage,created,closed,amount
W1,Won,2025-03-01,2025-03-11,100.25
W2,Won,2025-03-01,2025-03-31,200
L1,Lost,2025-03-01,2025-03-21,50
O1,Proposal,2025-06-01,,1000.5
O2,Proposal,2025-06-01,,
O3,Proposal,2025-06-01,,333.33
O4,Negotiation,2025-06-20,,
O5,Prospecting,2025-06-25,,10.1
"""


def test_expected_wins_match_a_plain_pandas_sum(tmp_path: Path):
    data = load(tmp_path, "mixed.csv", MIXED)
    as_of = D(2025, 6, 30)
    for unit_price in (None, 123.45):
        expectation = expected_wins_within(data, as_of=as_of, days=30, unit_price=unit_price)
        # The same sums from the file with pandas alone: each open deal once, missing amounts at the unit price.
        raw = pd.read_csv(tmp_path / "mixed.csv")
        open_deals = raw[raw["closed"].isna()]
        amounts = open_deals["amount"].fillna(unit_price) if unit_price is not None else open_deals["amount"]
        assert expectation.open_count == 5
        assert expectation.open_value == pytest.approx(float(amounts.sum()))
        assert expectation.valued_at_unit_price == (2 if unit_price is not None else 0)
