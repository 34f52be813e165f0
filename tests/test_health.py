"""KPI health check (issue 13): one fixture per pitfall that must trigger it, a healthy goal file that passes all
seven, target realism and the fix round trip. Expectations are computed by hand or with numpy / pandas."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kpi_core.goals import load_goals
from kpi_core.health import Fix, apply_fix, check_health, target_realism
from tests.test_health_fixtures import (
    AS_OF,
    FRESH,
    HEADER,
    HEALTHY_GOALS,
    MONTHS,
    dataset_of,
    healthy_sheet,
    row,
    wins,
)


def findings_of(report, pitfall: int, kpi: str | None = "*"):
    return [f for f in report.findings if f.pitfall == pitfall and (kpi == "*" or f.kpi == kpi)]


def verdicts(report, pitfall: int) -> dict[str | None, str]:
    return {f.kpi: f.verdict for f in findings_of(report, pitfall)}


def edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# --- the healthy goal file ---------------------------------------------------------------------------------------
def test_healthy_goal_file_passes_all_seven(tmp_path: Path):
    report = check_health(load_goals(HEALTHY_GOALS), dataset_of(tmp_path, healthy_sheet()), AS_OF, goals_modified=FRESH)
    bad = [(f.id, f.message()) for f in report.findings if f.verdict != "ok"]
    assert bad == []
    assert {f.pitfall for f in report.findings} == {1, 2, 3, 4, 5, 6, 7}
    assert report.skipped == []
    assert report.score == 100


# --- pitfall 1: the KPI no longer drives the KGI -------------------------------------------------------------------
def best_lag(x: list[float], y: list[float]) -> tuple[float, int]:
    """The highest Pearson correlation of month-on-month changes, x leading y by 0–3 months (numpy)."""
    dx, dy = np.diff(np.array(x, float)), np.diff(np.array(y, float))
    found = [(np.corrcoef(dx[: len(dx) - lag], dy[lag:])[0, 1], lag) for lag in range(4)]
    return max(found)


def smooth(t: int) -> int:
    """Won deals of one rep in month t on a slow two-year wave (changes that persist for months)."""
    return 20 + round(10 * np.sin(2 * np.pi * t / 24))


def test_pitfall_1_reversed_kpi(tmp_path: Path):
    # Leads fall whenever won deals (and revenue) rise: leads = 400 − 10 × won.
    text = HEADER
    for t, month in enumerate(MONTHS):
        for owner in ("A", "B"):
            text += row(month, owner, "Web", 400 - 10 * smooth(t), 3 * smooth(t) + 10, smooth(t), 20)
    goals = edit(HEALTHY_GOALS, "    metric: opportunities\n    target: 98", "    metric: leads\n    target: 400")
    report = check_health(load_goals(goals), dataset_of(tmp_path, text), AS_OF, goals_modified=FRESH)
    [finding] = findings_of(report, 1, "deals")
    team_leads = [2 * (400 - 10 * smooth(t)) for t in range(24)]
    revenue = [2 * smooth(t) * 1000 for t in range(24)]
    r, lag = best_lag(team_leads, revenue)
    assert r <= -0.3  # even the best of the four lags runs against the KGI
    assert finding.verdict == "fail" and finding.code == "health.p1.reversed"
    assert finding.evidence["correlation"] == pytest.approx(r)
    assert finding.evidence["lag"] == lag
    assert finding.evidence["series"]["kpi"] == team_leads
    assert finding.evidence["series"]["kgi"] == revenue
    assert 0 <= finding.evidence["confidence"] <= 1
    assert finding.fix == Fix("drop_kpi", "deals")
    # The fix round trip: the KPI is gone, and with it the finding.
    fixed_text = apply_fix(goals, finding.fix)
    assert "# A healthy goal file" in fixed_text
    fixed = load_goals(fixed_text)
    assert [k.id for k in fixed.kpis] == ["wins", "rate"]
    again = check_health(fixed, dataset_of(tmp_path, text), AS_OF, goals_modified=FRESH)
    assert findings_of(again, 1, "deals") == []


def test_pitfall_1_goodhart_guard_case(tmp_path: Path):
    # The last 3 months: deals jump 50 % while the win rate halves (the Goodhart guard's volume_up_quality_down).
    text = HEADER
    for t, month in enumerate(MONTHS):
        late = t >= 21
        for owner in ("A", "B"):
            won, lost = (6, 40) if late else (wins(t), 20)
            opportunities = 90 if late else 3 * wins(t) + 10
            text += row(month, owner, "Web", 200, opportunities, won, lost)
    report = check_health(load_goals(HEALTHY_GOALS), dataset_of(tmp_path, text), AS_OF, goals_modified=FRESH)
    [finding] = findings_of(report, 1, "deals")
    assert finding.code == "health.p1.volume_up_quality_down" and finding.verdict == "fail"
    before = sum(2 * (3 * wins(t) + 10) for t in (18, 19, 20))
    assert finding.params["kpi_change"] == pytest.approx((3 * 180 - before) / before)


# --- pitfall 2: vague definitions ----------------------------------------------------------------------------------
def test_pitfall_2_not_computable_and_undefined(tmp_path: Path):
    goals = edit(HEALTHY_GOALS, "    metric: opportunities\n", "    metric: sql\n")  # the sheet has no SQL column
    goals = edit(goals, "    definition: Deals closed as won in the month, by close date\n", "")
    goals = edit(
        goals, "    definition: Won / (won + lost) over deals closed in the month\n", "    definition: Win rate\n"
    )
    report = check_health(load_goals(goals), dataset_of(tmp_path, healthy_sheet()), AS_OF, goals_modified=FRESH)
    by_kpi = {f.kpi: f for f in findings_of(report, 2)}
    assert by_kpi["deals"].code == "health.p2.not_computable" and by_kpi["deals"].verdict == "fail"
    assert by_kpi["deals"].evidence["missing"] == ["sql"]
    assert "SQL" in by_kpi["deals"].message("en") and "SQL" in by_kpi["deals"].message("ja")
    assert by_kpi["wins"].code == "health.p2.no_definition" and by_kpi["wins"].verdict == "fail"
    assert by_kpi["rate"].code == "health.p2.smart_gaps" and by_kpi["rate"].verdict == "warn"
    assert by_kpi["rate"].evidence["smart"]["specific"] is False  # "Win rate": 8 characters say nothing
    # The fix writes a draft definition; the finding is gone.
    fixed_text = apply_fix(goals, by_kpi["wins"].fix)
    assert "# A healthy goal file" in fixed_text  # edited in place: the comment stays
    fixed = load_goals(fixed_text)
    assert fixed.kpi("wins").definition == "Won deals per month = won (month)"
    again = check_health(fixed, dataset_of(tmp_path, healthy_sheet()), AS_OF, goals_modified=FRESH)
    assert [f.code for f in findings_of(again, 2, "wins")] == ["health.p2.defined"]


# --- pitfall 3: too many KPIs --------------------------------------------------------------------------------------
EXTRA_KPIS = """\
  - {{id: {id}, name: {id}, department: sales, metric: "{metric}", target: {target}, owner: Sales lead,
     class: leading, definition: A figure the team tracks every month, csfs: [pipeline]}}
"""


def test_pitfall_3_too_many_least_linked_first(tmp_path: Path):
    text = HEADER
    for t, month in enumerate(MONTHS):
        for owner in ("A", "B"):
            text += row(month, owner, "Web", 300 - 10 * wins(t), 3 * wins(t) + 10, wins(t), 20)
    extra = "".join(
        EXTRA_KPIS.format(id=i, metric=m, target=v)
        for i, m, v in [("lost_deals", "lost", 40), ("leads_in", "leads", 360), ("double", "opportunities * 2", 196),
                        ("closed", "won + lost", 66)]
    )  # fmt: skip
    goals = edit(HEALTHY_GOALS, "csfs:\n  - id: pipeline", extra + "csfs:\n  - id: pipeline")
    report = check_health(load_goals(goals), dataset_of(tmp_path, text), AS_OF, goals_modified=FRESH)
    found = findings_of(report, 3)
    assert len(load_goals(goals).kpis) == 7
    # lost is constant (no correlation at all), leads run against revenue (−1): those two go first.
    assert [f.kpi for f in found] == ["lost_deals", "leads_in"]
    assert found[0].verdict == "fail" and found[0].params["count"] == 7
    assert found[0].params["drop"] == ["lost_deals", "leads_in"]
    assert ["deals", "double"] in found[0].evidence["merge_pairs"]  # opportunities and 2 × opportunities
    fixed = apply_fix(goals, found[0].fix)
    assert "lost_deals" not in fixed and "leads_in" in fixed
    assert len(load_goals(fixed).kpis) == 6


def test_pitfall_3_too_few(tmp_path: Path):
    goals = load_goals(HEALTHY_GOALS)
    goals.kpis = goals.kpis[:2]
    report = check_health(goals, dataset_of(tmp_path, healthy_sheet()), AS_OF, goals_modified=FRESH)
    [finding] = findings_of(report, 3)
    assert (finding.code, finding.verdict, finding.params["count"]) == ("health.p3.too_few", "warn", 2)


# --- pitfall 4: bad target values ----------------------------------------------------------------------------------
def test_pitfall_4_far_above_history_with_the_fraud_reason(tmp_path: Path):
    goals = edit(HEALTHY_GOALS, "    target: 26\n", "    target: 100\n")
    report = check_health(load_goals(goals), dataset_of(tmp_path, healthy_sheet()), AS_OF, goals_modified=FRESH)
    [finding] = findings_of(report, 4, "wins")
    assert finding.code == "health.p4.far_above" and finding.verdict == "fail"
    assert finding.params["percentile"] == 100.0  # every month was below 100
    assert finding.params["best"] == 30
    assert "fraud" in finding.remedy_text("en") and "不正" in finding.remedy_text("ja")
    # The fix sets the top of the band (the 90th percentile of 24 months: 30); the finding is gone.
    assert finding.fix == Fix("set_target", "wins", 30.0)
    fixed_text = apply_fix(goals, finding.fix)
    assert "# A healthy goal file" in fixed_text and "    target: 30\n" in fixed_text
    again = check_health(load_goals(fixed_text), dataset_of(tmp_path, healthy_sheet()), AS_OF, goals_modified=FRESH)
    assert [f.verdict for f in findings_of(again, 4, "wins")] == ["ok"]


def test_target_realism_by_hand(tmp_path: Path):
    realism = target_realism(load_goals(HEALTHY_GOALS), dataset_of(tmp_path, healthy_sheet()), AS_OF)
    team = pd.Series([2 * wins(t) for t in range(24)], index=MONTHS, dtype=float)
    wins_row = realism["wins"]
    # Target 26: 12 months below it (20, 22, 24 four times each), 4 equal → (12 + 2) / 24.
    assert wins_row["percentile"] == pytest.approx(100 * (12 + 0.5 * 4) / 24)
    assert wins_row["best_month"] == {"period": "2023-06", "value": 30}  # the first of the 30s
    slope, intercept = np.polyfit(np.arange(24), team.to_numpy(), 1)
    assert wins_row["trend_value"] == pytest.approx(intercept + slope * 24)  # January 2025 is month 24
    assert wins_row["past_growth"] == pytest.approx(team[12:].mean() / team[:12].mean() - 1)
    assert wins_row["required_growth"] == pytest.approx(26 / team[12:].mean() - 1)
    assert wins_row["band"] == pytest.approx((team[12:].quantile(0.5), team.quantile(0.9)))
    rate = realism["rate"]
    rates = pd.Series([wins(t) / (wins(t) + 20) for t in range(24)])
    assert rate["percentile"] == pytest.approx(100 * (rates < 0.39).mean())


def test_target_realism_per_quarter_scales_volumes(tmp_path: Path):
    goals = edit(HEALTHY_GOALS, "    target: 26\n    per: month", "    target: 78\n    per: quarter")
    realism = target_realism(load_goals(goals), dataset_of(tmp_path, healthy_sheet()), AS_OF)["wins"]
    assert realism["target_monthly"] == pytest.approx(26)
    team = pd.Series([2 * wins(t) for t in range(24)], dtype=float)
    assert realism["band"] == pytest.approx((3 * team[12:].quantile(0.5), 3 * team.quantile(0.9)))


# --- pitfall 5: no action ------------------------------------------------------------------------------------------
def test_pitfall_5_owner_cadence_csf_and_staleness(tmp_path: Path):
    goals = edit(HEALTHY_GOALS, "    owner: Sales ops\n", "")
    goals = edit(goals, "    review: monthly\n    class: leading", "    review: quarterly\n    class: leading")
    goals = edit(goals, "    csfs: [quality]\n  - id: rate", "  - id: rate")  # wins loses its CSF
    as_of = dt.date(2025, 3, 20)  # 79 days after the data's last day
    modified = dt.date(2024, 6, 1)
    report = check_health(load_goals(goals), dataset_of(tmp_path, healthy_sheet()), as_of, goals_modified=modified)
    codes = {(f.kpi, f.code): f for f in findings_of(report, 5)}
    owner = codes[("rate", "health.p5.no_owner")]
    assert owner.verdict == "fail" and owner.fix == Fix("set_owner", "rate", "Sales lead")
    cadence = codes[("deals", "health.p5.slow_review")]
    assert cadence.verdict == "warn" and cadence.fix == Fix("set_cadence", "deals", "monthly")
    csf = codes[("wins", "health.p5.no_csf")]
    assert csf.verdict == "fail" and csf.fix is None  # no CSF's lever is `won`
    stale = codes[(None, "health.p5.stale_data")]
    assert stale.params["days"] == (as_of - dt.date(2024, 12, 31)).days == 79
    assert stale.verdict == "warn"  # more than a month, less than three
    goals_stale = codes[(None, "health.p5.stale_goals")]
    assert goals_stale.params["days"] == (as_of - modified).days
    # Round trips: each fix removes its finding.
    for finding in (owner, cadence):
        fixed = load_goals(apply_fix(goals, finding.fix))
        again = check_health(fixed, dataset_of(tmp_path, healthy_sheet()), as_of, goals_modified=modified)
        assert finding.id not in {f.id for f in again.findings}


def test_pitfall_5_link_csf_fix(tmp_path: Path):
    goals = edit(HEALTHY_GOALS, "    csfs: [pipeline]\n", "")
    report = check_health(load_goals(goals), dataset_of(tmp_path, healthy_sheet()), AS_OF, goals_modified=FRESH)
    [finding] = [f for f in findings_of(report, 5, "deals") if f.verdict != "ok"]
    assert finding.fix == Fix("link_csf", "deals", "pipeline")
    fixed = load_goals(apply_fix(goals, finding.fix))
    assert fixed.kpi("deals").csfs == ["pipeline"]


# --- pitfall 6: disconnect from the field --------------------------------------------------------------------------
def test_pitfall_6_most_reps_cannot_reach_their_share(tmp_path: Path):
    # Rep A wins 20–25 a month, B and C 4–9: an even split of 36 (12 each) is out of reach for two of three.
    text = HEADER
    for t, month in enumerate(MONTHS):
        for owner, base in (("A", 20), ("B", 4), ("C", 4)):
            won = base + t % 6
            text += row(month, owner, "Web", 200, 3 * won + 10, won, 20)
    goals = edit(HEALTHY_GOALS, "    target: 26\n", "    target: 36\n")
    report = check_health(load_goals(goals), dataset_of(tmp_path, text), AS_OF, goals_modified=FRESH)
    [finding] = findings_of(report, 6, "wins")
    frame = pd.DataFrame(
        [(o, t, b + t % 6) for t in range(12, 24) for o, b in (("A", 20), ("B", 4), ("C", 4))],
        columns=["owner", "t", "won"],
    )
    share = 36 / 3
    met = frame.assign(met=frame["won"] >= share).groupby("owner")["met"].mean()
    assert finding.params["reach"] == int((met >= 0.25).sum()) == 1
    assert finding.verdict == "fail" and finding.code == "health.p6.even_split.out_of_reach"
    assert finding.evidence["share"] == pytest.approx(share) and finding.evidence["basis"] == "even_split"
    assert "even split of the team target (12 each)" in finding.message("en") and "均等割り" in finding.message("ja")
    medians = frame.groupby("owner")["won"].median()
    assert finding.params["spread"] == pytest.approx(medians.max() / medians.min())
    # The fix: the strictest share ¾ of the reps reach in a quarter of their months, never above today's share.
    # Each rep's value reached in 3 of 12 months is its 3rd best month (A 24, B 8, C 8); 3 of 3 reps reach 8.
    best = frame.groupby("owner")["won"].apply(lambda s: s.sort_values(ascending=False).iloc[2])
    reachable = min(best.sort_values(ascending=False).iloc[2], share)
    assert (best.to_dict(), reachable) == ({"A": 24, "B": 8, "C": 8}, 8)
    assert finding.fix == Fix("set_target", "wins", reachable * 3)
    fixed = apply_fix(goals, finding.fix)
    after = check_health(load_goals(fixed), dataset_of(tmp_path, text), AS_OF, goals_modified=FRESH)
    [again] = findings_of(after, 6, "wins")
    assert again.params["reach"] == 3 and again.verdict != "fail" and not again.code.endswith("out_of_reach")


# --- pitfall 7: rigidity -------------------------------------------------------------------------------------------
def test_pitfall_7_mix_and_link_shift_without_a_revision(tmp_path: Path):
    # The first 12 months: all deals on the web, deals move with wins. The last 12: 80 % in the app, and the deal
    # count cycles 40, 45, 50, 55 whatever the wins do.
    text = HEADER
    for t, month in enumerate(MONTHS):
        for owner in ("A", "B"):
            opportunities = 3 * wins(t) + 10 if t < 12 else 40 + 5 * (t % 4)
            if t < 16:
                text += row(month, owner, "Web", 200, opportunities, wins(t), 20)
            else:  # the same totals, split 1 : 4 between web and app
                text += f"{month},{owner},Web,40,0,0,0,0\n"
                text += row(month, owner, "App", 160, opportunities, wins(t), 20)
    modified = dt.date(2023, 6, 1)  # long before the shift
    report = check_health(load_goals(HEALTHY_GOALS), dataset_of(tmp_path, text), AS_OF, goals_modified=modified)
    [mix] = [f for f in findings_of(report, 7, None) if f.params["role"] == "channel"]
    assert mix.code == "health.p7.mix_shift" and mix.verdict == "warn"
    # The mix is counted on leads (a monthly sheet has no record count): first 8 months all web, last 8 months 1 : 4.
    assert mix.evidence["measure"] == "leads"
    assert mix.params["distance"] == pytest.approx(0.8)
    assert mix.params["top"] in ("App", "Web")
    [link] = findings_of(report, 7, "deals")
    team_deals = [2 * (3 * wins(t) + 10 if t < 12 else 40 + 5 * (t % 4)) for t in range(24)]
    revenue = [2000 * wins(t) for t in range(24)]
    first = np.corrcoef(np.diff(team_deals[:12]), np.diff(revenue[:12]))[0, 1]
    last = np.corrcoef(np.diff(team_deals[12:]), np.diff(revenue[12:]))[0, 1]
    assert link.params["before"] == pytest.approx(first) and link.params["after"] == pytest.approx(last)
    assert first >= 0.3 > last
    assert link.code == "health.p7.link_shift" and link.verdict == "fail"
    # Revised after the shift: both are noted, neither is flagged.
    revised = check_health(load_goals(HEALTHY_GOALS), dataset_of(tmp_path, text), AS_OF, goals_modified=FRESH)
    assert {f.verdict for f in findings_of(revised, 7)} == {"ok"}


# --- the report as data --------------------------------------------------------------------------------------------
def test_report_is_json_safe_and_scored(tmp_path: Path):
    goals = edit(HEALTHY_GOALS, "    target: 26\n", "    target: 100\n")
    report = check_health(load_goals(goals), dataset_of(tmp_path, healthy_sheet()), AS_OF, goals_modified=FRESH)
    payload = json.loads(json.dumps(report.as_dict("ja"), allow_nan=False, ensure_ascii=False))
    assert 0 <= payload["score"] < 100
    pitfall_4 = next(p for p in payload["pitfalls"] if p["pitfall"] == 4)
    assert pitfall_4["verdict"] == "fail" and pitfall_4["score"] == round(100 * 2 / 3)  # ok, fail, ok
    # 100 won deals a month is also out of every rep's reach (pitfall 6: ok, fail, ok); the other five are ok.
    pitfall_6 = next(p for p in payload["pitfalls"] if p["pitfall"] == 6)
    assert pitfall_6["verdict"] == "fail" and pitfall_6["score"] == round(100 * 2 / 3)
    assert payload["score"] == round(100 * (5 + 2 / 3 + 2 / 3) / 7)
    for finding in payload["findings"]:
        assert {"pitfall", "verdict", "kpi", "message", "evidence", "remedy", "fix"} <= set(finding)


def test_apply_fix_regenerates_a_flow_style_file():
    text = (
        "kgi: {name: Revenue, metric: won_revenue, target: 100}\n"
        "kpis: [{id: a, name: A, metric: won, target: 5}, {id: b, name: B, metric: opportunities, target: 9}]\n"
    )
    fixed = apply_fix(text, {"op": "set_target", "kpi": "b", "value": 12})
    assert load_goals(fixed).kpi("b").target == 12
    dropped = load_goals(apply_fix(text, {"op": "drop_kpi", "kpi": "a"}))
    assert [k.id for k in dropped.kpis] == ["b"]


def test_apply_fix_refuses_what_the_goal_file_would_not_take():
    from kpi_core.health import FixError

    with pytest.raises(FixError):
        apply_fix(HEALTHY_GOALS, {"op": "set_cadence", "kpi": "deals", "value": "daily"})
    with pytest.raises(FixError):
        apply_fix(HEALTHY_GOALS, {"op": "drop_kpi", "kpi": "nope"})
    with pytest.raises(FixError):
        apply_fix(HEALTHY_GOALS, {"op": "rename", "kpi": "deals"})


def test_apply_fix_drops_a_middle_kpi_and_keeps_comments():
    text = edit(HEALTHY_GOALS, "  - id: wins\n", "  # the lagging pair\n  - id: wins\n")
    fixed = apply_fix(text, {"op": "drop_kpi", "kpi": "deals"})
    assert [k.id for k in load_goals(fixed).kpis] == ["wins", "rate"]
    assert "# the lagging pair" in fixed and "# A healthy goal file" in fixed
    added = apply_fix(text, {"op": "set_owner", "kpi": "rate", "value": "新しい担当"})
    assert load_goals(added).kpi("rate").owner == "新しい担当"
