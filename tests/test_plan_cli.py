"""The `plan` command: payload keys, JSON output and exit status 2 for unusable goal files."""

from __future__ import annotations

import io
import json
import math
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from kpi_core import cli
from kpi_core.plan_cli import render_plan_text, run_plan
from tests.test_goals import GOOD
from tests.test_pacing import GOLDEN_WEEK

build_parser = cli.build_parser  # registers `plan` itself


@pytest.fixture
def with_plan() -> None:
    """`plan` is part of the command line (kept as a fixture so the tests say what they rely on)."""


@pytest.fixture
def deals(tmp_path: Path) -> Path:
    path = tmp_path / "gw.csv"
    path.write_text(GOLDEN_WEEK, encoding="utf-8")
    return path


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(argv, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_handler_payload(deals: Path, tmp_path: Path):
    goals = tmp_path / "goals.yaml"
    goals.write_text(GOOD, encoding="utf-8")
    args = build_parser().parse_args(["plan", str(deals), "--goals", str(goals), "--as-of", "2025-05-07"])
    payload = run_plan(args)
    for key in ("rows", "rejects", "mapping", "kgi", "kpis", "consistency", "backward_plan", "as_of"):
        assert key in payload
    for item in [payload["kgi"], *payload["kpis"]]:
        assert {"id", "metric", "target", "actual", "gap", "attainment", "forecast", "status"} <= set(item)
        assert set(item["forecast"]) == {"value", "low", "high", "probability_on_target", "method"}
        assert {"code", "text"} <= set(item["forecast"]["method"])
    deals_kpi = payload["kpis"][0]
    assert (deals_kpi["id"], deals_kpi["actual"], deals_kpi["expected"]) == ("deals", 7, pytest.approx(10 * 3 / 20))
    assert deals_kpi["forecast"]["value"] == pytest.approx(7 / 3 * 20)
    assert payload["kgi"]["actual"] == 300  # won revenue of FY2025 to 7 May
    assert payload["consistency"]["status"] in ("consistent", "mismatch", "incomplete")
    assert "deals" in render_plan_text(payload)


def test_json_output_with_a_template(with_plan, deals: Path):
    status, out, err = run(["plan", str(deals), "--goals", "template:sales_ja", "--as-of", "2025-05-07", "--json"])
    assert status == 0, err
    payload = json.loads(out)
    assert [k["id"] for k in payload["kpis"]] == ["valid_deals", "win_rate", "unit_price"]
    assert payload["consistency"]["gap"] == pytest.approx(36_000_000)
    assert payload["backward_plan"]["steps"][0]["needed_per_month"] == 12_000_000
    assert "NaN" not in out and "Infinity" not in out


def test_text_output_is_the_plan_renderer(deals: Path):
    args = build_parser().parse_args(["plan", str(deals), "--goals", "template:marketing_en", "--as-of", "2025-05-07"])
    assert args.render is render_plan_text
    text = render_plan_text(run_plan(args))
    assert "consistency:" in text and "backward plan" in text and "Leads" in text


def test_text_says_each_forecast_method_in_the_readers_language_and_json_keeps_the_english(with_plan):
    """The marketing sample on 20 June 2025: `won` has three methods judged on past months, so its sentence lists
    their typical misses, from the JSON's params (the sentence the Pacing page shows); the JSON itself keeps
    pacing's English text."""
    sample = Path(__file__).resolve().parent.parent / "sample_data" / "marketing_leads_en.csv"
    argv = ["plan", str(sample), "--goals", "template:marketing_ja", "--as-of", "2025-06-20"]
    status, out, err = run([*argv, "--json"])
    assert status == 0, err
    won = next(item for item in json.loads(out)["kpis"] if item["id"] == "won")
    method = won["forecast"]["method"]
    assert set(won["forecast"]) == {"value", "low", "high", "probability_on_target", "method"}
    # June 2025: 21 business days, 15 of them to Friday the 20th; pacing's own sentence, in English only.
    assert method["text"].startswith("Run rate: 14 so far in 15 of 21 business days (weekends and Japanese")
    assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", method["text"])
    misses = {code: f"{round(math.expm1(e) * 100)}%" for code, e in method["params"]["errors"].items()}
    assert set(misses) == {"run_rate", "pipeline", "blend"} and method["params"]["n"] >= 6
    listed = {
        "ja": f"（過去の典型的な外れ：ランレート {misses['run_rate']}、パイプライン {misses['pipeline']}、"
        f"両者の平均 {misses['blend']}）",
        "en": f" (typical past miss: run rate {misses['run_rate']}, pipeline {misses['pipeline']}, "
        f"blend {misses['blend']}) ",
    }
    value = round(won["forecast"]["value"])
    for lang, start in (
        ("ja", f"won：ランレート：営業日 21日のうち15日で14、同じペースで期末まで伸ばしました：{value}。"),
        ("en", f"won: Run rate: 14 so far in 15 of 21 business days, extended at the same pace: {value}."),
    ):
        status, text, err = run(["--lang", lang, *argv])
        assert status == 0, err
        line = next(line for line in text.splitlines() if line.startswith(start[:5]))
        assert line.startswith(start) and listed[lang] in line, line
        assert line.endswith({"ja": "幅は過去13か月の同じ時点の予測の外れから。",
                              "en": "Range from how the same forecast ended in the past 13 months."}[lang])  # fmt: skip


@pytest.mark.parametrize(
    ("goals_text", "message"),
    [
        (
            GOOD.replace("    target: 10\n", "    target: fifty\n"),
            "goals.yaml: line 11, kpis[0].target: must be a number",
        ),
        ("kgi: [\n", "goals.yaml: line 2: not valid YAML"),
    ],
)
def test_bad_goal_file_exits_2(with_plan, deals: Path, tmp_path: Path, goals_text: str, message: str):
    goals = tmp_path / "goals.yaml"
    goals.write_text(goals_text, encoding="utf-8")
    status, out, err = run(["plan", str(deals), "--goals", str(goals), "--json"])
    assert status == 2 and out == ""
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--goals", "missing.yaml"], "missing.yaml: no such goal file"),
        (["--goals", "template:sales_fr"], "no template sales_fr"),
        (
            ["--goals", "template:sales_ja", "--as-of", "2025-13-01"],
            "--as-of '2025-13-01': write the date as YYYY-MM-DD",
        ),
    ],
)
def test_unusable_arguments_exit_2(with_plan, deals: Path, extra: list[str], message: str):
    status, _, err = run(["plan", str(deals), *extra])
    assert status == 2 and message in err


def test_missing_data_file_and_missing_goals_option(with_plan, tmp_path: Path):
    status, _, err = run(["plan", str(tmp_path / "none.csv"), "--goals", "template:sales_ja"])
    assert status == 2 and "no such file" in err
    status, _, _ = run(["plan", str(tmp_path / "none.csv")])  # argparse: --goals is required
    assert status == 2


def _yen(text: str) -> float:
    """The sample's hand-typed amounts (¥590,000 / 2,850,000円 / 102万円 / full-width digits / 未定), read by hand."""
    text = unicodedata.normalize("NFKC", str(text)).replace("¥", "").replace(",", "").replace("円", "").strip()
    if text.endswith("万"):
        return float(text[:-1]) * 10_000
    try:
        return float(text)
    except ValueError:
        return float("nan")


def test_each_goal_has_its_reps_quotas_and_actuals(with_plan):
    """`plan --json` gives the KGI and each KPI a by_owner list: the rep's quota from the goal file and the rep's own
    won revenue of the fiscal year to date (受注 and 成約 are both won), checked against plain pandas."""
    sample = Path(__file__).resolve().parent.parent / "sample_data" / "sales_deals_ja.csv"
    code, out, _ = run(["plan", str(sample), "--goals", "template:sales_ja", "--as-of", "2025-09-30", "--json"])
    assert code == 0
    payload = json.loads(out)
    kgi_reps = {rep["owner"]: rep for rep in payload["kgi"]["by_owner"]}
    assert kgi_reps["佐藤 健"]["target"] == 28_000_000 and kgi_reps["渡辺 彩"]["target"] == 16_000_000
    deals = pd.read_csv(sample)
    deals["金額"] = deals["金額"].map(_yen)
    closed = pd.to_datetime(deals["完了日"], format="%Y/%m/%d", errors="coerce")
    won = deals[deals["フェーズ"].isin(["受注", "成約"]) & (closed >= "2025-04-01") & (closed <= "2025-09-30")]
    # The sample writes a few names by hand ("佐藤 健　", a full-width space): the same rep, as the engine reads them.
    won = won.assign(担当者=won["担当者"].map(lambda n: " ".join(unicodedata.normalize("NFKC", n).split())))
    expected = won.groupby("担当者")["金額"].sum()
    # Every rep with a quota is listed, one with no won deal yet at 0 (渡辺 彩 in the sample's first half-year).
    assert set(expected.index) <= set(kgi_reps) and expected.sum() > 0
    assert {owner: rep["actual"] for owner, rep in kgi_reps.items() if owner not in expected.index} == {"渡辺 彩": 0}
    for owner, revenue in expected.items():
        assert kgi_reps[owner]["actual"] == pytest.approx(revenue)
        rep = kgi_reps[owner]
        # Attainment is against the quota pro-rated to the as-of date: half the fiscal year, by business days.
        assert 0.45 * rep["target"] < rep["expected"] < 0.55 * rep["target"]
        assert rep["attainment"] == pytest.approx(revenue / rep["expected"])
    valid_deals = next(item for item in payload["kpis"] if item["id"] == "valid_deals")
    assert {rep["owner"]: rep["target"] for rep in valid_deals["by_owner"]}["高橋 翔"] == 10


# --- quotas: --teams and the per-rep section (issue 14) -------------------------------------------------------------
# Three reps, June 2025 measured on its last day with the weekends calendar (so a month's quota is not pro-rated and
# the KGI's fraction of the year is a count of weekdays). Won deals: Aoki 4 in May and 6 in June at 100, Baba 1 and 3
# at 200, Chiba 1 in June at 300; each also loses a few in June.
QUOTA_AS_OF = "2025-06-30"
QUOTA_WON = {"Aoki": (4, 6, 100), "Baba": (1, 3, 200), "Chiba": (0, 1, 300)}  # May, June, amount
QUOTA_LOST = {"Aoki": 2, "Baba": 1, "Chiba": 3}
QUOTA_GOALS = """\
fiscal_year_start: 4
currency: JPY
kgi:
  name: Revenue
  metric: won_revenue
  target: 12000
  period: year
kpis:
  - id: wins
    name: Won deals
    metric: won
    target: 20
    per: month
quotas:
  - {owner: Aoki, kpi: wins, target: 10}
  - {owner: Baba, kpi: wins, target: 4}
  - {owner: Chiba, kpi: wins, target: 2}
  - {owner: Aoki, kpi: kgi, target: 8000, team: East}
  - {owner: Baba, kpi: kgi, target: 2000}
  - {owner: Chiba, kpi: kgi, target: 2000}
"""
QUOTA_TEAMS = "担当者,チーム\nAoki,North\nBaba,West\nChiba,West\n"  # Aoki's team in the goal file wins: East


def quota_deals() -> str:
    lines = ["id,owner,stage,created,closed,amount"]
    for owner, (may, june, amount) in QUOTA_WON.items():
        closes = [f"2025-05-{2 + 3 * i:02d}" for i in range(may)] + [f"2025-06-{2 + 4 * i:02d}" for i in range(june)]
        lines += [f"{owner}-W{i},{owner},Won,2025-04-01,{day},{amount}" for i, day in enumerate(closes)]
        lines += [f"{owner}-L{i},{owner},Lost,2025-04-01,2025-06-{3 + i:02d}," for i in range(QUOTA_LOST[owner])]
    return "\n".join(lines) + "\n"


@pytest.fixture
def quota_files(tmp_path: Path) -> tuple[Path, Path, Path]:
    paths = tmp_path / "deals.csv", tmp_path / "goals.yaml", tmp_path / "teams.csv"
    for path, text in zip(paths, (quota_deals(), QUOTA_GOALS, QUOTA_TEAMS), strict=True):
        path.write_text(text, encoding="utf-8")
    return paths


def quota_plan(deals: Path, goals: Path, *extra: str) -> tuple[int, str, str]:
    return run(["plan", str(deals), "--goals", str(goals), "--as-of", QUOTA_AS_OF, "--calendar", "weekends", *extra])


def test_plan_json_teams_come_from_the_team_file(with_plan, quota_files):
    deals, goals, teams = quota_files
    status, out, err = quota_plan(deals, goals, "--teams", str(teams), "--json")
    assert status == 0, err
    payload = json.loads(out)
    wins = next(item for item in payload["kpis"] if item["id"] == "wins")
    assert {r["owner"]: r["team"] for r in wins["by_owner"]} == {"Aoki": "East", "Baba": "West", "Chiba": "West"}
    assert {r["owner"]: r["team"] for r in payload["kgi"]["by_owner"]} == {"Aoki": "East", "Baba": "West",
                                                                           "Chiba": "West"}  # fmt: skip
    # Without --teams only the goal file's team is known.
    status, out, _ = quota_plan(deals, goals, "--json")
    wins = next(item for item in json.loads(out)["kpis"] if item["id"] == "wins")
    assert {r["owner"]: r["team"] for r in wins["by_owner"]} == {"Aoki": "East", "Baba": None, "Chiba": None}


def test_plan_json_teams_of_the_sample_team_file(with_plan):
    root = Path(__file__).resolve().parent.parent / "sample_data"
    status, out, err = run(["plan", str(root / "sales_deals_ja.csv"), "--goals", "template:sales_ja", "--as-of",
                            "2026-11-15", "--teams", str(root / "sales_teams_ja.csv"), "--json"])  # fmt: skip
    assert status == 0, err
    teams = pd.read_csv(root / "sales_teams_ja.csv", encoding="utf-8-sig").set_index("担当者")["チーム"].to_dict()
    payload = json.loads(out)
    for item in [payload["kgi"], *payload["kpis"]]:
        assert {r["owner"]: r["team"] for r in item["by_owner"]} == {r["owner"]: teams[r["owner"]]
                                                                    for r in item["by_owner"]}  # fmt: skip
    assert {r["owner"] for r in payload["kgi"]["by_owner"]} == set(teams)


def _section(text: str, title: str) -> list[list[str]]:
    """The rows of the per-rep table under `title` (cells split on two spaces or more), heading first."""
    lines = text.splitlines()
    start = lines.index(title) + 1
    rows = []
    for line in lines[start:]:
        if not line.strip():
            break
        rows.append(re.split(r"\s{2,}", line.strip()))
    return rows


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_plan_text_ranks_the_reps_of_a_goal_with_quotas(with_plan, quota_files, lang: str):
    deals, goals, teams = quota_files
    status, out, err = quota_plan(deals, goals, "--teams", str(teams), "--lang", lang)
    assert status == 0, err
    title = "by rep, wins (quota per rep):" if lang == "en" else "担当者別 wins（担当者別ノルマ）："
    heading, *rows = _section(out, title)
    en = ["#", "rep", "team", "quota", "expected", "actual", "attain", "forecast", "P(target)"]
    ja = ["順位", "担当者", "チーム", "ノルマ", "按分目標", "実績", "達成率", "見込み", "達成確率"]
    assert heading == (en if lang == "en" else ja)
    # June is complete on the 30th: attainment = June's won deals ÷ the whole quota (plain pandas on the file).
    frame = pd.read_csv(io.StringIO(quota_deals()))
    june = frame[(frame["stage"] == "Won") & frame["closed"].str.startswith("2025-06")].groupby("owner").size()
    quota = pd.Series({"Aoki": 10, "Baba": 4, "Chiba": 2})
    attainment = (june / quota).sort_values(ascending=False)
    assert attainment.to_dict() == {"Baba": 0.75, "Aoki": 0.6, "Chiba": 0.5}
    teams_of = {"Aoki": "East", "Baba": "West", "Chiba": "West"}
    assert [row[:7] for row in rows] == [
        [str(rank), owner, teams_of[owner], str(quota[owner]), str(quota[owner]), str(june[owner]), f"{share:.1%}"]
        for rank, (owner, share) in enumerate(attainment.items(), start=1)
    ]
    # The KGI has quotas too; its section lists the same three reps.
    kgi_title = "by rep, kgi (quota per rep):" if lang == "en" else "担当者別 kgi（担当者別ノルマ）："
    assert {row[1] for row in _section(out, kgi_title)[1:]} == {"Aoki", "Baba", "Chiba"}


def test_plan_text_has_no_rep_section_without_quotas(with_plan, quota_files):
    deals, goals, _ = quota_files
    goals.write_text(QUOTA_GOALS.split("quotas:")[0], encoding="utf-8")
    status, out, err = quota_plan(deals, goals, "--lang", "en")
    assert status == 0, err
    assert "by rep" not in out


@pytest.mark.parametrize(
    ("teams_text", "lang", "message"),
    [
        ("名前,部門\nAoki,East\n", "en", "has no owner and team columns (headers: 名前, 部門)"),
        ("名前,部門\nAoki,East\n", "ja", "担当者とチームの列が見つかりません"),
        ("担当者,チーム\nAoki,East\naoki,West\n", "en", "aoki is in two teams, East and West"),
        ("担当者,チーム\n", "ja", "担当者の行がありません"),
    ],
)
def test_bad_team_file_exits_2(with_plan, quota_files, teams_text: str, lang: str, message: str):
    deals, goals, teams = quota_files
    teams.write_text(teams_text, encoding="utf-8")
    status, out, err = quota_plan(deals, goals, "--teams", str(teams), "--lang", lang, "--json")
    assert status == 2 and out == ""
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    status, _, err = quota_plan(deals, goals, "--teams", str(teams.parent / "none.csv"), "--lang", lang)
    assert status == 2 and ("no such team file" if lang == "en" else "チーム表のファイルが見つかりません") in err
