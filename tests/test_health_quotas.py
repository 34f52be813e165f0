"""Pitfall 6 with quotas (issue 14): each rep is judged against their own quota where the goal file gives one, the
even split of the team target (a rate: the team target) where it does not, and the finding names the basis. Every
expectation is counted by hand or with plain pandas from the sheet written here; and `check --teams`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from kpi_core import cli
from kpi_core.goals import load_goals
from kpi_core.health import check_health
from tests.test_health_fixtures import AS_OF, FRESH, HEADER, HEALTHY_GOALS, MONTHS, dataset_of, row, write

BASES = {"A": 20, "B": 4, "C": 4}  # won deals of month t: base + t % 6 (A 20–25, B and C 4–9)
LOST = 20  # lost deals a month, every rep


def sheet() -> str:
    text = HEADER
    for t, month in enumerate(MONTHS):
        for owner, base in BASES.items():
            won = base + t % 6
            text += row(month, owner, "Web", 200, 3 * won + 10, won, LOST)
    return text


def frame() -> pd.DataFrame:
    """The last 12 complete months (2024), one row per rep and month, as the check reads them."""
    rows = [(o, t, b + t % 6) for t in range(12, 24) for o, b in BASES.items()]
    out = pd.DataFrame(rows, columns=["owner", "t", "won"])
    return out.assign(win_rate=out["won"] / (out["won"] + LOST))


def met_share(column: str, targets: dict[str, float]) -> pd.Series:
    """Per rep, the share of their months at or above their target (pandas)."""
    data = frame()
    return (data[column] >= data["owner"].map(targets)).groupby(data["owner"]).mean()


def goals_with(quotas: str, wins_target: str = "36") -> str:
    text = HEALTHY_GOALS.replace("    target: 26\n", f"    target: {wins_target}\n", 1)
    return text + ("quotas:\n" + quotas if quotas else "")


def field_finding(tmp_path: Path, goals_text: str, kpi: str = "wins", **kwargs):
    report = check_health(load_goals(goals_text), dataset_of(tmp_path, sheet()), AS_OF, goals_modified=FRESH, **kwargs)
    [finding] = [f for f in report.findings if f.pitfall == 6 and f.kpi == kpi]
    return finding


def test_even_split_without_quotas_is_named(tmp_path: Path):
    finding = field_finding(tmp_path, goals_with(""))
    met = met_share("won", {o: 36 / 3 for o in BASES})  # 12 each: only A reaches it
    assert finding.params["reach"] == int((met >= 0.25).sum()) == 1
    assert (finding.code, finding.verdict, finding.evidence["basis"]) == ("health.p6.even_split.out_of_reach",
                                                                          "fail", "even_split")  # fmt: skip
    assert {r["basis"] for r in finding.evidence["reps"]} == {"even_split"}
    assert "with no quotas set, judged against an even split of the team target (12 each)" in finding.message("en")
    assert "ノルマが設定されていないため、チーム目標の均等割り（1人 12）" in finding.message("ja")
    assert finding.fix is not None and finding.fix.op == "set_target"  # the old fix stays for an even split


def test_each_rep_is_judged_against_their_own_quota(tmp_path: Path):
    quotas = "  - {owner: A, kpi: wins, target: 24}\n  - {owner: B, kpi: wins, target: 6}\n" \
             "  - {owner: C, kpi: wins, target: 6}\n"  # fmt: skip
    finding = field_finding(tmp_path, goals_with(quotas))
    # By hand: A reaches 24 when t % 6 is 4 or 5 (4 of 12 months), B and C reach 6 when t % 6 is 2–5 (8 of 12).
    met = met_share("won", {"A": 24, "B": 6, "C": 6})
    assert met.to_dict() == {"A": 4 / 12, "B": 8 / 12, "C": 8 / 12}
    assert (finding.code, finding.verdict) == ("health.p6.quota.reachable", "ok")
    assert finding.params["reach"] == 3 and finding.evidence["basis"] == "quota"
    assert {r["owner"]: (r["target"], r["basis"], r["months_met"]) for r in finding.evidence["reps"]} == {
        "A": (24, "quota", 4), "B": (6, "quota", 8), "C": (6, "quota", 8),
    }  # fmt: skip
    assert finding.params["quotas"] == [6, 24]
    assert "judged against each rep's own quota (6–24 a month), 3 of 3 reps reach it" in finding.message("en")
    assert "担当者ごとのノルマ（月 6〜24）で見ると、3人のうち3人" in finding.message("ja")
    # The wide spread (A's typical month 22.5, B's 6.5) is no warning: the quotas are already the field's own split.
    medians = frame().groupby("owner")["won"].median()
    assert medians.max() / medians.min() >= 3


def test_a_quota_out_of_reach_names_the_reps_and_offers_no_team_target_fix(tmp_path: Path):
    quotas = "  - {owner: A, kpi: wins, target: 24}\n  - {owner: B, kpi: wins, target: 9}\n" \
             "  - {owner: C, kpi: wins, target: 6}\n"  # fmt: skip
    finding = field_finding(tmp_path, goals_with(quotas))
    met = met_share("won", {"A": 24, "B": 9, "C": 6})  # B reaches 9 only when t % 6 is 5: 2 of 12 months
    assert met["B"] == pytest.approx(2 / 12) and int((met >= 0.25).sum()) == 2
    # 2 of 3 reps can reach: below ¾ (warn), not below ½ (fail).
    assert (finding.code, finding.verdict) == ("health.p6.quota.out_of_reach", "warn")
    assert finding.remedy == "health.p6.remedy.quota" and finding.remedy_params == {"owners": ["B"]}
    assert finding.remedy_text("en") == "Revisit the quota of these reps with them, from their own months: 'B'."
    assert "「B」" in finding.remedy_text("ja")
    assert finding.fix is None
    assert finding.id == "6:wins:out_of_reach"  # the id keeps its last word, whatever the basis


def test_reps_without_a_quota_keep_the_even_split(tmp_path: Path):
    finding = field_finding(tmp_path, goals_with("  - {owner: A, kpi: wins, target: 24}\n"))
    # A against 24 (4 of 12 months); B and C against 36 / 3 = 12, which they never reach (at most 9).
    met = met_share("won", {"A": 24, "B": 12, "C": 12})
    assert met.to_dict() == {"A": 4 / 12, "B": 0.0, "C": 0.0}
    assert (finding.code, finding.verdict) == ("health.p6.mixed.out_of_reach", "fail")
    assert (finding.params["quota_reps"], finding.params["split_reps"], finding.params["share"]) == (1, 2, 12)
    assert [(r["owner"], r["basis"], r["target"]) for r in finding.evidence["reps"]] == [
        ("A", "quota", 24), ("B", "even_split", 12), ("C", "even_split", 12),
    ]  # fmt: skip
    en, ja = finding.message("en"), finding.message("ja")
    assert "each rep's own quota (24 a month) or, for the 2 without one, an even split of the team target (12)" in en
    assert "各自のノルマ（月 24）と、ノルマのない2人はチーム目標の均等割り（12）" in ja
    assert finding.remedy == "health.p6.remedy.mixed" and finding.remedy_params == {"owners": ["B", "C"]}
    assert finding.fix is None


def test_a_quarterly_quota_is_judged_per_month(tmp_path: Path):
    text = goals_with(
        "  - {owner: A, kpi: wins, target: 72}\n  - {owner: B, kpi: wins, target: 18}\n"
        "  - {owner: C, kpi: wins, target: 18}\n",
        wins_target="108",
    ).replace(
        "    metric: won\n    target: 108\n    per: month\n", "    metric: won\n    target: 108\n    per: quarter\n"
    )
    finding = field_finding(tmp_path, text)
    # 72 / 18 a quarter are 24 / 6 a month: the same months as the monthly quotas above.
    assert {r["owner"]: r["target"] for r in finding.evidence["reps"]} == {"A": 24, "B": 6, "C": 6}
    assert finding.code == "health.p6.quota.reachable" and finding.params["reach"] == 3


def test_a_rate_with_quotas_and_without(tmp_path: Path):
    without = field_finding(tmp_path, goals_with(""), kpi="rate")
    met = met_share("win_rate", {o: 0.39 for o in BASES})  # B and C win at most 9 / 29 = 31 %
    assert int((met >= 0.25).sum()) == 1
    assert (without.code, without.evidence["basis"]) == ("health.p6.team_target.out_of_reach", "team_target")
    assert "judged against the team target (39.0%)" in without.message("en")
    quotas = "  - {owner: A, kpi: rate, target: 0.5}\n  - {owner: B, kpi: rate, target: 0.25}\n" \
             "  - {owner: C, kpi: rate, target: 0.25}\n"  # fmt: skip
    finding = field_finding(tmp_path, goals_with(quotas), kpi="rate")
    # A wins ≥ 20 of 40+ deals every month (≥ 50 %); B and C reach 25 % from 7 won (7 / 27), t % 6 of 3–5.
    met = met_share("win_rate", {"A": 0.5, "B": 0.25, "C": 0.25})
    assert met.to_dict() == {"A": 1.0, "B": 0.5, "C": 0.5}
    assert {r["owner"]: r["months_met"] for r in finding.evidence["reps"]} == {"A": 12, "B": 6, "C": 6}
    assert (finding.code, finding.verdict) == ("health.p6.quota.reachable", "ok")


def test_teams_from_the_goal_file_and_a_team_file(tmp_path: Path):
    quotas = "  - {owner: A, kpi: wins, target: 24, team: East}\n"
    finding = field_finding(tmp_path, goals_with(quotas), teams={"A": "West", "b": "West"})
    # The goal file's team wins over the team file's; names match as the quotas do (case folded).
    assert {r["owner"]: r["team"] for r in finding.evidence["reps"]} == {"A": "East", "B": "West", "C": None}


# --- check --teams --------------------------------------------------------------------------------------------------
def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(argv, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_check_reads_a_team_file(tmp_path: Path):
    data = write(tmp_path, "sheet.csv", sheet())
    goals = write(tmp_path, "goals.yaml", goals_with("  - {owner: A, kpi: wins, target: 24}\n"))
    teams = write(tmp_path, "teams.csv", "担当者,チーム\nA,第1営業課\nB,第2営業課\n")
    status, out, err = run(["check", str(data), "--goals", str(goals), "--teams", str(teams), "--as-of",
                            "2025-01-15", "--json"])  # fmt: skip
    assert status == 0, err
    [finding] = [f for f in json.loads(out)["findings"] if f["pitfall"] == 6 and f["kpi"] == "wins"]
    assert {r["owner"]: r["team"] for r in finding["evidence"]["reps"]} == {"A": "第1営業課", "B": "第2営業課",
                                                                             "C": None}  # fmt: skip
    assert finding["evidence"]["basis"] == "mixed"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_check_with_a_bad_team_file_is_one_sentence_exit_2(tmp_path: Path, lang: str):
    data = write(tmp_path, "sheet.csv", sheet())
    goals = write(tmp_path, "goals.yaml", goals_with(""))
    bad = write(tmp_path, "teams.csv", "名前,部門\nA,East\n")
    status, out, err = run(["check", str(data), "--goals", str(goals), "--teams", str(bad), "--lang", lang])
    assert status == 2 and out == "" and err.count("\n") == 1
    assert ("担当者とチームの列が見つかりません" if lang == "ja" else "has no owner and team columns") in err
    status, _, err = run(["check", str(data), "--goals", str(goals), "--teams", str(tmp_path / "none.csv"),
                          "--lang", lang])  # fmt: skip
    assert status == 2 and ("チーム表のファイルが見つかりません" if lang == "ja" else "no such team file") in err
