"""Quotas by rep and team (kpi_core.quotas): a hand-computed fixture of 3 reps in 2 teams, quotas that do and do not
add up to the team target, the even split without quotas, the team file, and the sample's reps."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from kpi_core.goals import load_goals, load_template
from kpi_core.intake.load import FileInput, load_dataset
from kpi_core.pacing import forecast_period_end
from kpi_core.quotas import TeamsError, by_owner, quota_report, read_teams

D = dt.date
AS_OF = D(2025, 3, 14)  # March 2025, jp calendar: 20 business days (20 Mar is a holiday); 10 of them by the 14th
SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"

# Sato and Suzuki are team East, Takahashi team West. By 14 March: deals created Sato 3, Suzuki 1, Takahashi 2
# (S9, created on the 20th, is after the as-of date); won by close date Sato 1 (300), Suzuki 1 (200), Takahashi 1
# (100, closed on the as-of date itself); lost Sato 1. Nothing before March: no past month to draw a range from.
DEALS = """id,owner,stage,created,closed,amount
S1,Sato,Proposal,2025-03-03,,
S2,Sato,Won,2025-03-04,2025-03-12,300
S3,Sato,Lost,2025-03-10,2025-03-13,
U1,Suzuki,Won,2025-03-05,2025-03-11,200
T1,Takahashi,Proposal,2025-03-06,,
T2,Takahashi,Won,2025-03-07,2025-03-14,100
S9,Sato,Proposal,2025-03-20,,
"""

GOALS = """\
kgi:
  name: Revenue
  metric: won_revenue
  target: 10000
  period: year
kpis:
  - id: deals
    name: Deals
    metric: opportunities
    target: 10
  - id: won
    name: Won deals
    metric: won
    target: 3
  - id: rate
    name: Win rate
    metric: win_rate
    target: 60%
quotas:
  - {owner: Sato, team: East, kpi: deals, target: 5}
  - {owner: Suzuki, team: East, kpi: deals, target: 3}
  - {owner: Takahashi, kpi: deals, target: 4}
  - {owner: Sato, kpi: won, target: 1}
  - {owner: Suzuki, kpi: won, target: 1}
  - {owner: Takahashi, kpi: won, target: 1}
  - {owner: Sato, kpi: kgi, target: 5000}
  - {owner: Suzuki, kpi: kgi, target: 3000}
  - {owner: Takahashi, kpi: kgi, target: 2000}
"""
TEAMS = "担当者,チーム\r\nSato,West\r\nTakahashi,West\r\n"  # the goal file's East wins for Sato


@pytest.fixture
def dataset(tmp_path: Path):
    path = tmp_path / "deals.csv"
    path.write_text(DEALS, encoding="utf-8")
    return load_dataset([FileInput("deals.csv", path)])


def report(dataset, goals_text: str = GOALS, teams: dict[str, str] | None = None):
    teams = {"Takahashi": "West"} if teams is None else teams
    items = quota_report(load_goals(goals_text), dataset, as_of=AS_OF, calendar="jp", teams=teams)
    return {item.kpi: item for item in items}


def test_quotas_that_add_up_to_more_than_the_team_target(dataset) -> None:
    deals = report(dataset)["deals"]
    assert (deals.basis, deals.period, deals.volume) == ("quota", "2025-03", True)
    assert (deals.team_target, deals.quota_sum, deals.difference) == (10, 12, 2)  # 5 + 3 + 4 = 12: 2 over
    # expected = quota × 10 / 20 business days; attainment = actual ÷ expected; ranked by attainment
    assert [(o.owner, o.team, o.target, o.expected, o.actual) for o in deals.owners] == [
        ("Sato", "East", 5, 2.5, 3),  # 3 / 2.5 = 1.2
        ("Takahashi", "West", 4, 2.0, 2),  # 2 / 2 = 1.0
        ("Suzuki", "East", 3, 1.5, 1),  # 1 / 1.5 = 0.667
    ]
    assert [o.attainment for o in deals.owners] == pytest.approx([1.2, 1.0, 1 / 1.5])
    assert [o.status for o in deals.owners] == ["on_track", "on_track", "off_track"]
    # the run rate on each rep's own deals: actual ÷ 10 × 20 business days; no past month, so no range or chance
    assert [o.forecast.value for o in deals.owners] == pytest.approx([6.0, 4.0, 2.0])
    assert all(o.forecast.low is None and o.forecast.probability_on_target is None for o in deals.owners)
    # teams: East = Sato + Suzuki (4 deals of 5 + 3 = 8, expected 4), West = Takahashi (2 of 4, expected 2)
    teams = [(t.owner, t.members, t.target, t.expected, t.actual, t.attainment, t.forecast.value) for t in deals.teams]
    assert teams == [
        ("East", ("Sato", "Suzuki"), 8, 4.0, 4, pytest.approx(1.0), pytest.approx(8.0)),
        ("West", ("Takahashi",), 4, 2.0, 2, pytest.approx(1.0), pytest.approx(4.0)),
    ]  # a tie on attainment: the larger actual first


def test_quotas_that_add_up_to_the_team_target(dataset) -> None:
    won = report(dataset)["won"]
    assert (won.quota_sum, won.difference) == (3, 0)
    # 1 won each by the 14th against 1 × 10 / 20 = 0.5: attainment 2.0 for everyone, ranked by name then
    assert [(o.owner, o.actual, o.expected, o.attainment) for o in won.owners] == [
        ("Sato", 1, 0.5, pytest.approx(2.0)),
        ("Suzuki", 1, 0.5, pytest.approx(2.0)),
        ("Takahashi", 1, 0.5, pytest.approx(2.0)),
    ]
    assert [o.forecast.value for o in won.owners] == pytest.approx([2.0, 2.0, 2.0])


def test_a_rate_without_quotas_is_compared_with_the_team_target(dataset) -> None:
    rate = report(dataset)["rate"]
    assert (rate.basis, rate.volume, rate.quota_sum, rate.difference) == ("team_target", False, None, None)
    # Sato 1 won / (1 won + 1 lost) = 0.5 against 0.6; Suzuki and Takahashi 1 / 1 = 1.0
    by_name = {o.owner: o for o in rate.owners}
    assert by_name["Sato"].actual == pytest.approx(0.5) and by_name["Sato"].target == pytest.approx(0.6)
    assert by_name["Sato"].attainment == pytest.approx(0.5 / 0.6) and by_name["Sato"].status == "at_risk"
    assert rate.owners[-1].owner == "Sato"
    east = next(t for t in rate.teams if t.owner == "East")  # 2 won / 3 closed, against the team's 0.6
    assert east.actual == pytest.approx(2 / 3) and east.target == pytest.approx(0.6)


def test_the_kgi_has_quotas_too(dataset) -> None:
    kgi = report(dataset)["kgi"]
    assert (kgi.basis, kgi.per, kgi.period, kgi.quota_sum, kgi.difference) == ("quota", "year", "2024", 10000, 0)
    assert {o.owner: (o.target, o.actual) for o in kgi.owners} == {
        "Sato": (5000, 300), "Suzuki": (3000, 200), "Takahashi": (2000, 100),
    }  # fmt: skip


def test_without_quotas_the_team_target_is_split_evenly(dataset) -> None:
    plain = GOALS[: GOALS.index("quotas:")]
    deals = report(dataset, plain)["deals"]
    assert (deals.basis, deals.quota_sum, deals.difference) == ("even_split", None, None)
    # 10 over the 3 reps active in March: 10/3 each, expected 10/3 × 0.5 = 5/3
    assert {o.owner: o.basis for o in deals.owners} == dict.fromkeys(["Sato", "Suzuki", "Takahashi"], "even_split")
    sato = next(o for o in deals.owners if o.owner == "Sato")
    assert sato.target == pytest.approx(10 / 3) and sato.expected == pytest.approx(5 / 3)
    assert sato.attainment == pytest.approx(3 / (5 / 3))
    assert "kgi" not in report(dataset, plain)  # the KGI is covered only when it has quotas


def test_a_quota_for_a_name_the_data_never_shows_and_a_rep_without_a_quota(dataset) -> None:
    text = GOALS.replace("{owner: Takahashi, kpi: deals, target: 4}", "{owner: Tanaka, kpi: deals, target: 4}")
    deals = report(dataset, text, teams={})["deals"]
    by_name = {o.owner: o for o in deals.owners}
    assert not by_name["Tanaka"].in_data and by_name["Tanaka"].actual is None
    assert by_name["Tanaka"].forecast.value is None and by_name["Tanaka"].expected == 2.0
    assert by_name["Takahashi"].target is None and by_name["Takahashi"].basis == "no_quota"
    assert deals.owners[-1].owner in {"Tanaka", "Takahashi"}  # no attainment: ranked last
    assert [t.owner for t in deals.teams] == ["East"]  # Tanaka and Takahashi have no team


def test_owner_names_match_across_spacing_and_width(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(DEALS.replace("Sato,", "Ｓａｔｏ　,"), encoding="utf-8")  # full-width letters and space
    data = load_dataset([FileInput("deals.csv", path)])
    deals = report(data)["deals"]
    sato = next(o for o in deals.owners if o.target == 5)
    assert sato.actual == 3 and sato.in_data


def test_by_owner_is_what_plan_json_adds_to_each_kpi(dataset) -> None:
    payload = by_owner(load_goals(GOALS), dataset, as_of=AS_OF, calendar="jp", teams={"Takahashi": "West"})
    assert list(payload) == ["kgi", "deals", "won", "rate"]
    first = payload["deals"][0]
    assert set(first) >= {"owner", "team", "target", "actual", "attainment", "forecast"}
    assert set(first["forecast"]) == {"value", "low", "high", "probability_on_target"}
    assert (first["owner"], first["team"], first["target"], first["actual"]) == ("Sato", "East", 5, 3)
    assert first["attainment"] == pytest.approx(1.2) and first["forecast"]["value"] == pytest.approx(6.0)


def test_a_sheet_or_data_without_owners_has_no_quota_figures(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text(DEALS.replace("owner,", "").replace(",Sato,", ",").replace(",Suzuki,", ",").replace(
        ",Takahashi,", ","), encoding="utf-8")  # fmt: skip
    data = load_dataset([FileInput("plain.csv", path)])
    assert quota_report(load_goals(GOALS), data, as_of=AS_OF, calendar="jp") == []
    assert by_owner(load_goals(GOALS), data, as_of=AS_OF, calendar="jp")["deals"] == []


# --- the team file -------------------------------------------------------------------------------------------------
def test_team_file_in_japanese_and_english_headers() -> None:
    assert read_teams(("\ufeff" + TEAMS).encode("utf-8"), "teams.csv") == {"Sato": "West", "Takahashi": "West"}
    english = "Owner,Team,Note\nSato,East,lead\n\nSuzuki , East ,\n"
    assert read_teams(english.encode("utf-8")) == {"Sato": "East", "Suzuki": "East"}
    assert read_teams("営業担当,課\n佐藤 健,第1営業課\n".encode("cp932")) == {"佐藤 健": "第1営業課"}


def test_team_file_problems_are_one_sentence_in_each_language() -> None:
    with pytest.raises(TeamsError) as caught:
        read_teams(b"name,colour\nSato,red\n", "t.csv")
    assert caught.value.code == "teams.no_columns"
    assert "t.csv" in caught.value.message("en") and "担当者" in caught.value.message("ja")
    with pytest.raises(TeamsError) as caught:
        read_teams("担当者,チーム\nSato,East\nSato,West\n".encode(), "t.csv")
    assert caught.value.code == "teams.conflict" and "East" in caught.value.message("ja")
    with pytest.raises(TeamsError) as caught:
        read_teams("担当者,チーム\n".encode(), "t.csv")
    assert caught.value.code == "teams.empty"
    with pytest.raises(TeamsError) as caught:
        read_teams(b"PK\x03\x04 not really a workbook", "t.xlsx")
    assert caught.value.code == "teams.unreadable"


# --- the sales sample ----------------------------------------------------------------------------------------------
def test_sample_rep_forecast_is_the_forecast_of_the_reps_own_file(tmp_path: Path) -> None:
    """A rep's forecast equals the engine's forecast on a file holding only that rep's rows (filtered with plain
    pandas), and the sample's quotas and team file give the documented sums."""
    rows = pd.read_csv(SAMPLE / "sales_deals_ja.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    rep = rows["担当者"].map(lambda s: " ".join(unicodedata.normalize("NFKC", s).split())) == "鈴木 美咲"
    own = tmp_path / "suzuki.csv"
    rows[rep].to_csv(own, index=False, encoding="utf-8-sig")
    as_of = D(2026, 11, 16)
    goals = load_template("sales", "ja")
    data = load_dataset([FileInput("sales_deals_ja.csv", SAMPLE / "sales_deals_ja.csv")])
    teams = read_teams(SAMPLE / "sales_teams_ja.csv", "sales_teams_ja.csv")
    items = {i.kpi: i for i in quota_report(goals, data, as_of=as_of, calendar="jp", teams=teams)}
    deals = items["valid_deals"]
    assert (deals.quota_sum, deals.team_target, deals.difference) == (49, 50, -1)
    assert (items["kgi"].quota_sum, items["kgi"].difference) == (144_000_000, 0)
    assert {t.owner: len(t.members) for t in deals.teams} == {"第1営業課": 3, "第2営業課": 3}
    suzuki = next(o for o in deals.owners if o.owner == "鈴木 美咲")
    alone = forecast_period_end(
        load_dataset([FileInput("suzuki.csv", own)]), "opportunities", target=9, per="month", as_of=as_of,
        calendar="jp",
    )  # fmt: skip
    created = pd.to_datetime(rows["作成日"].str[:10].str.replace("-", "/"), format="%Y/%m/%d", errors="coerce")
    in_november = created.between(pd.Timestamp(2026, 11, 1), pd.Timestamp(as_of))
    assert suzuki.actual == alone.actual == (rep & in_november).sum()
    assert suzuki.forecast.value == pytest.approx(alone.value)
    assert suzuki.forecast.low == pytest.approx(alone.low) and suzuki.forecast.high == pytest.approx(alone.high)
    assert suzuki.forecast.probability_on_target == pytest.approx(alone.probability_on_target)


@pytest.mark.realdata
def test_a_crm_roster_gives_each_rep_their_managers_team(maven_dir: Path) -> None:
    """Maven's sales_teams.csv (sales_agent, manager, regional_office) has no column called team: the reps' manager is
    their team (a manager's reps are one team), checked against plain pandas; a column named as a team wins over it."""
    roster = maven_dir / "sales_teams.csv"
    expected = pd.read_csv(roster).set_index("sales_agent")["manager"].to_dict()
    assert len(expected) > 30
    assert read_teams(roster, roster.name) == expected
    named = b"owner,manager,team\nAna,Bob,East\n"
    assert read_teams(named, "named.csv") == {"Ana": "East"}
    offices = b"sales_agent,regional_office\nAna,West\n"
    assert read_teams(offices, "offices.csv") == {"Ana": "West"}
