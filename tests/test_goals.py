"""The goal model: YAML with line-numbered errors, templates, target gaps, consistency and the backward plan."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from kpi_core.goals import (
    CONSISTENCY_TOLERANCE,
    STATUS_THRESHOLDS,
    Csf,
    Goals,
    GoalsError,
    Kgi,
    Kpi,
    Quota,
    attainment_of,
    backward_plan,
    check_goals,
    consistency_check,
    current_gaps,
    dump_goals,
    gap_summary,
    kpi_breakdown,
    kpi_gaps,
    list_templates,
    load_goals,
    load_template,
    status_of,
    time_degree,
)
from kpi_core.intake.load import FileInput, load_dataset
from kpi_core.pacing import forecast_goals
from tests.test_pacing import GOLDEN_WEEK

D = dt.date
SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"

GOOD = """\
fiscal_year_start: 4
currency: JPY
kgi:
  name: Revenue
  metric: won_revenue
  target: 1000
kpis:
  - id: deals
    name: Deals
    metric: opportunities
    target: 10
    csfs: [reach]
  - id: rate
    name: Win rate
    metric: win_rate
    target: 25%
csfs:
  - id: reach
    name: Reach
    lever: opportunities
    actions: [Call more]
"""


def load(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_dataset([FileInput(name, path)])


def problem_of(text: str) -> str:
    with pytest.raises(GoalsError) as caught:
        load_goals(text)
    return str(caught.value)


# --- YAML --------------------------------------------------------------------------------------------------------
def test_minimal_file_and_defaults():
    goals = load_goals(GOOD)
    assert goals.kgi == Kgi(name="Revenue", metric="won_revenue", target=1000, period="year", baseline=None)
    deals, rate = goals.kpis
    assert (deals.per, deals.review, deals.klass, deals.better, deals.csfs) == (
        "month",
        "monthly",
        "leading",
        "higher",
        ["reach"],
    )
    assert rate.target == 0.25 and rate.klass == "lagging"  # "25%" → 0.25; the class comes from metrics.yaml
    assert goals.csfs == [Csf(id="reach", name="Reach", lever="opportunities", actions=["Call more"])]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    target: 10\n", "    target: fifty\n", "line 11, kpis[0].target: must be a number (got 'fifty')"),
        ("  metric: won_revenue\n", "  metric: revenue\n", "line 5, kgi.metric: unknown metric: revenue"),
        ("    csfs: [reach]\n", "    csfs: [reach, quality]\n", "line 12, kpis[0].csfs[1]: no CSF has id 'quality'"),
        ("    metric: win_rate\n", "    metric: win_rate\n    tagret: 1\n", "line 16, kpis[1].tagret: unknown field"),
        ("  - id: rate\n", "  - id: deals\n", "line 13, kpis[1].id: id 'deals' is used twice"),
        ("    target: 10\n", "    target: 10\n    per: daily\n", "line 12, kpis[0].per: must be one of week, month"),
        ("fiscal_year_start: 4\n", "fiscal_year_start: 13\n", "line 1, fiscal_year_start: must be a month number"),
        ("    lever: opportunities\n", "    lever: won / revenue\n", "line 20, csfs[0].lever: unknown metric: revenue"),
        ("  target: 1000\n", "  target: true\n", "line 6, kgi.target: must be a number"),
        ("    name: Deals\n", "", "line 8, kpis[0].name: is required"),
        ("    csfs: [reach]\n", "    csfs: reach\n", "line 12, kpis[0].csfs: must be a list"),
        ("kgi:\n  name: Revenue\n", "kgi: Revenue\nx:\n  name: Revenue\n", "line 3, kgi: must be a mapping"),
        ("    actions: [Call more]\n", "    actions: [Call more\n", "not valid YAML"),
    ],
)
def test_errors_name_the_line_and_field(old, new, expected):
    assert old in GOOD
    message = problem_of(GOOD.replace(old, new, 1))
    assert expected in message


def test_missing_kgi_and_empty_file():
    assert problem_of("kpis: []\n") == "line 1, kgi: is required: the final goal (name, metric, target, period)"
    assert "empty" in problem_of("")
    assert "must be a mapping" in problem_of("- just a list\n")


def test_every_problem_is_listed():
    text = GOOD.replace("    target: 10\n", "    target: x\n").replace("  metric: won_revenue\n", "  metric: nope\n")
    with pytest.raises(GoalsError) as caught:
        load_goals(text, source="goals.yaml")
    assert isinstance(caught.value, ValueError)
    assert len(caught.value.problems) == 2
    assert str(caught.value).startswith("goals.yaml: line 5, kgi.metric: unknown metric: nope")
    assert str(caught.value).endswith("(and 1 more)")
    assert caught.value.messages[1] == "line 11, kpis[0].target: must be a number (got 'x')"


def test_formula_metrics_are_accepted():
    goals = load_goals(GOOD.replace("    metric: opportunities\n", "    metric: won_revenue / opportunities\n", 1))
    assert goals.kpis[0].metric == "won_revenue / opportunities"


def test_round_trip_and_check_goals():
    goals = load_goals(GOOD)
    text = dump_goals(goals)
    assert load_goals(text) == goals
    assert "class: leading" in text and "klass" not in text
    goals.kpis[0].csfs.append("missing")
    with pytest.raises(GoalsError, match=r"kpis\[0\]\.csfs\[1\]: no CSF has id 'missing'"):
        check_goals(goals)


# --- templates ---------------------------------------------------------------------------------------------------
def test_templates_listed_in_both_languages():
    listed = {t["name"]: t for t in list_templates()}
    assert set(listed) == {"sales", "marketing"}
    assert all(sorted(t["langs"]) == ["en", "ja"] for t in listed.values())


@pytest.mark.parametrize("name", ["sales", "marketing"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_templates_round_trip(name, lang):
    goals = load_template(name, lang)
    assert load_goals(dump_goals(goals)) == goals


@pytest.mark.parametrize("name", ["sales", "marketing"])
def test_languages_share_ids_metrics_and_targets(name):
    ja, en = load_template(name, "ja"), load_template(name, "en")
    shape = lambda g: (  # noqa: E731
        (g.kgi.metric, g.kgi.target, g.kgi.baseline, g.kgi.period),
        [(k.id, k.metric, k.target, k.per, k.klass, k.department, k.csfs) for k in g.kpis],
        [(c.id, c.lever, len(c.actions)) for c in g.csfs],
    )
    assert shape(ja) == shape(en)
    assert ja.kgi.name != en.kgi.name


def test_templates_hold_the_seed_figures():
    sales = load_template("sales", "en")
    assert (sales.kgi.baseline, sales.kgi.target) == (120_000_000, 144_000_000)
    assert {k.metric: k.target for k in sales.kpis} == {
        "opportunities": 50,
        "win_rate": 0.25,
        "avg_unit_price": 1_200_000,
    }
    assert len(sales.csfs) == 3
    marketing = load_template("marketing", "ja")
    assert (marketing.kgi.baseline, marketing.kgi.target) == (80_000_000, 96_000_000)
    assert {k.metric: k.target for k in marketing.kpis} == {"leads": 400, "mql": 160, "sql": 80, "won": 20}
    assert len(marketing.csfs) == 4


def test_unknown_template():
    with pytest.raises(GoalsError, match="no template sales_fr"):
        load_template("sales", "fr")


# --- metrics, status ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("metric", "degree"),
    [("won", 1), ("won_revenue - existing_won_revenue", 1), ("win_rate", 0), ("avg_unit_price", 0),
     ("opportunities * win_rate * avg_unit_price", 1), ("open", 0), ("won * won", None)],
)  # fmt: skip
def test_time_degree(metric, degree):
    assert time_degree(metric) == degree


def test_status_thresholds():
    assert STATUS_THRESHOLDS == {"on_track": 0.95, "at_risk": 0.80}
    assert [status_of(a) for a in (1.2, 0.95, 0.9499, 0.8, 0.7999, None)] == [
        "on_track", "on_track", "at_risk", "at_risk", "off_track", "no_data",
    ]  # fmt: skip
    assert attainment_of(50, 40, "higher") == 1.25
    assert attainment_of(50, 40, "lower") == 0.8  # 50 days against a 40-day target


# --- consistency ----------------------------------------------------------------------------------------------------
def test_consistency_of_the_seed_sales_example():
    # 50 deals × 12 months × 25 % × 1.2M = 180M against the 144M KGI: +36M, +25 %
    result = consistency_check(load_template("sales", "ja"))
    assert result["implied"] == pytest.approx(180_000_000)
    assert result["gap"] == pytest.approx(36_000_000)
    assert result["gap_ratio"] == pytest.approx(0.25)
    assert result["status"] == "mismatch"
    assert [t["metric"] for t in result["terms"]] == ["opportunities", "win_rate", "avg_unit_price"]
    assert result["terms"][0]["value"] == 600


def test_consistency_scales_weeks_and_quarters():
    goals = load_template("sales", "en")
    goals.kpis[0].per, goals.kpis[0].target = "week", 10  # 10 a week = 520 a year
    assert consistency_check(goals)["implied"] == pytest.approx(520 * 0.25 * 1_200_000)
    goals.kgi.period, goals.kgi.target = "quarter", 39_000_000  # 130 deals a quarter × 25 % × 1.2M = 39M
    result = consistency_check(goals)
    assert result["implied"] == pytest.approx(39_000_000) and result["status"] == "consistent"
    assert abs(result["gap_ratio"]) <= CONSISTENCY_TOLERANCE


def test_consistency_without_a_factor():
    marketing = load_template("marketing", "en")  # won 20 a month, but no unit price target and no data
    result = consistency_check(marketing)
    assert result["status"] == "incomplete"
    assert result["terms"][-1] == {"metric": "avg_unit_price", "value": None, "source": "missing"}
    other = Goals(kgi=Kgi(name="Leads", metric="leads", target=5000))
    assert consistency_check(other)["status"] == "not_applicable"


# --- data: gaps and backward plan ---------------------------------------------------------------------------------
def _funnel_file() -> str:
    """Leads created in 2025: 100 in all; 40 reached MQL, 20 SQL, 10 opportunity; 5 won at 200, 5 lost."""
    lines = ["id,stage,created,closed,amount,owner"]
    plan = [("Closed Won", 5), ("Closed Lost", 5), ("SQL", 10), ("MQL", 20), ("Lead", 40), ("Disqualified", 20)]
    n = 0
    for stage, count in plan:
        for _ in range(count):
            n += 1
            created = D(2025, 1, 1) + dt.timedelta(days=3 * n)
            closed = created + dt.timedelta(days=20) if stage.startswith("Closed") else ""
            amount = 200 if stage == "Closed Won" else ""
            lines.append(f"{n},{stage},{created},{closed},{amount},{'A' if n % 2 else 'B'}")
    return "\n".join(lines) + "\n"


def test_backward_plan_on_a_funnel(tmp_path: Path):
    dataset = load(tmp_path, "funnel.csv", _funnel_file())
    goals = Goals(
        kgi=Kgi(name="Revenue", metric="won_revenue", target=12_000, period="year"),
        kpis=[
            Kpi(id="leads", name="Leads", metric="leads", target=120),
            Kpi(id="won", name="Won", metric="won", target=4),
            Kpi(id="price", name="Unit price", metric="avg_unit_price", target=250),
        ],
    )
    plan = backward_plan(goals, dataset, as_of=D(2026, 1, 15))  # trailing window: 2025-01-01 .. 2025-12-31
    assert plan["history_window"] == {"start": "2025-01-01", "end": "2025-12-31", "months_covered": 12}
    steps = {s["metric"]: s for s in plan["steps"]}
    assert list(steps) == ["won_revenue", "won", "opportunities", "sql", "mql", "leads"]
    # 12,000 a year = 1,000 a month → 5 won at 200 → 10 opportunities (won 5 / opps 10) → 20 SQL (10/20)
    # → 40 MQL (20/40) → 100 leads (40/100)
    assert [steps[m]["needed_per_month"] for m in steps] == pytest.approx([1000, 5, 10, 20, 40, 100])
    assert steps["won"]["rate"] == {"name": "avg_unit_price", "value": pytest.approx(200)}
    assert steps["leads"]["rate"] == {"name": "lead_to_mql", "value": pytest.approx(0.4)}
    assert steps["leads"]["kpi_target_per_month"] == 120 and steps["leads"]["difference"] == pytest.approx(20)
    assert steps["won"]["difference"] == pytest.approx(-1)
    assert steps["won"]["needed_with_kpi_rates"] == pytest.approx(4)  # 1,000 / the team's own 250


def test_backward_plan_on_a_deal_file_stops_at_its_levels(tmp_path: Path):
    dataset = load(tmp_path, "gw.csv", GOLDEN_WEEK)
    plan = backward_plan(load_template("sales", "en"), dataset, as_of=D(2025, 6, 10))
    assert [s["metric"] for s in plan["steps"]] == ["won_revenue", "won", "opportunities"]
    # window Jun 2024 - May 2025: won 4 at 100 → 12M / 12 / 100 = 120,000 won a month; opps created 10 + 5
    assert plan["steps"][1]["needed_per_month"] == pytest.approx(120_000)
    assert plan["steps"][2]["needed_per_month"] == pytest.approx(120_000 / (4 / 15))
    assert plan["steps"][2]["needed_with_kpi_rates"] == pytest.approx(12_000_000 / 1_200_000 / 0.25)


def test_consistency_takes_missing_factors_from_data(tmp_path: Path):
    dataset = load(tmp_path, "funnel.csv", _funnel_file())
    result = consistency_check(load_template("marketing", "en"), dataset, as_of=D(2026, 1, 15))
    # won 20 a month × 12 × the data's unit price 200 = 48,000 against 96M
    assert result["implied"] == pytest.approx(48_000)
    assert result["terms"][1] == {"metric": "avg_unit_price", "value": pytest.approx(200), "source": "data"}


def test_gaps_on_golden_week(tmp_path: Path):
    dataset = load(tmp_path, "gw.csv", GOLDEN_WEEK)
    goals = Goals(
        kgi=Kgi(name="Revenue", metric="won_revenue", target=12_000, period="year"),
        kpis=[
            Kpi(id="deals", name="Deals", metric="opportunities", target=40, department="sales", owner="Ann"),
            Kpi(id="rate", name="Win rate", metric="win_rate", target=0.8, department="sales", owner="Bob"),
        ],
    )
    rows = kpi_gaps(goals, dataset, as_of=D(2025, 5, 7))
    by_id = {r["id"]: r for r in current_gaps(rows)}
    deals = by_id["deals"]
    # 7 deals by 7 May; the 40 target pro-rated over 3 of 20 business days is 6; 7 / 6 → on track
    assert (deals["actual"], deals["expected"], deals["gap"]) == (7, pytest.approx(6), pytest.approx(1))
    assert deals["attainment"] == pytest.approx(7 / 6) and deals["status"] == "on_track"
    rate = by_id["rate"]
    assert rate["expected"] == 0.8 and rate["attainment"] == pytest.approx(0.75 / 0.8) and rate["status"] == "at_risk"
    kgi = by_id["kgi"]
    assert kgi["period"] == "2025" and kgi["start"] == "2025-04-01" and kgi["actual"] == 300
    # periods since the fiscal year began: April and May
    assert [r["period"] for r in rows if r["id"] == "deals"] == ["2025-04", "2025-05"]
    april = next(r for r in rows if r["id"] == "deals" and r["period"] == "2025-04")
    assert april["complete"] and april["actual"] == 5 and april["expected"] == 40
    assert april["status"] == "off_track"
    summary = gap_summary(rows, "owner")
    assert {s["owner"]: (s["on_track"], s["at_risk"]) for s in summary} == {"Ann": (1, 0), "Bob": (0, 1)}
    # the forecast starts from the same actual
    assert forecast_goals(goals, dataset, as_of=D(2025, 5, 7))["deals"].actual == deals["actual"]


def test_breakdown_by_owner(tmp_path: Path):
    dataset = load(tmp_path, "funnel.csv", _funnel_file())
    goals = Goals(
        kgi=Kgi(name="Revenue", metric="won_revenue", target=12_000),
        kpis=[Kpi(id="leads", name="Leads", metric="leads", target=10, per="quarter")],
    )
    # Q1 2025 (fiscal April start: Jan-Mar is the 4th quarter of FY2024): leads 1..29 (created every 3 days
    # from 4 Jan); owners alternate A (odd ids) and B.
    rows = {r["key"]: r for r in kpi_breakdown(goals, dataset, "leads", as_of=D(2025, 3, 31))}
    assert rows["A"]["actual"] == 15 and rows["B"]["actual"] == 14
    assert rows["A"]["target"] == 5 and rows["A"]["target_basis"] == "even_split"
    assert rows["B"]["attainment"] == pytest.approx(14 / 5)


def test_breakdown_by_owner_with_quotas(tmp_path: Path):
    """A quota replaces the even split for its owner; an owner without one has no target (no_quota)."""
    dataset = load(tmp_path, "funnel.csv", _funnel_file())
    goals = Goals(
        kgi=Kgi(name="Revenue", metric="won_revenue", target=12_000),
        kpis=[Kpi(id="leads", name="Leads", metric="leads", target=10, per="quarter")],
        quotas=[Quota(owner="A", kpi="leads", target=8)],
    )
    rows = {r["key"]: r for r in kpi_breakdown(goals, dataset, "leads", as_of=D(2025, 3, 31))}
    assert (rows["A"]["target"], rows["A"]["target_basis"]) == (8, "quota")
    assert rows["A"]["attainment"] == pytest.approx(15 / 8)  # the quarter is over: expected = the whole quota
    assert (rows["B"]["target"], rows["B"]["target_basis"], rows["B"]["attainment"]) == (None, "no_quota", None)


# --- quotas in the goal file -------------------------------------------------------------------------------------
QUOTAS = """\
quotas:
  - owner: Ann
    team: East
    kpi: deals
    target: 6
  - {owner: Bob, kpi: deals, target: 4}
  - {owner: Ann, kpi: rate, target: 30%}
  - {owner: Bob, kpi: kgi, target: 400}
"""


def test_quotas_are_read_and_round_trip():
    goals = load_goals(GOOD + QUOTAS)
    assert goals.quotas == [
        Quota(owner="Ann", kpi="deals", target=6, team="East"),
        Quota(owner="Bob", kpi="deals", target=4),
        Quota(owner="Ann", kpi="rate", target=0.3),
        Quota(owner="Bob", kpi="kgi", target=400),
    ]
    assert [q.owner for q in goals.quotas_for("deals")] == ["Ann", "Bob"] and goals.teams() == {"Ann": "East"}
    assert load_goals(dump_goals(goals)) == goals
    assert "quotas" not in dump_goals(load_goals(GOOD))  # a file without quotas dumps as it did


@pytest.mark.parametrize(
    ("quota", "field", "en", "ja"),
    [
        ("{owner: Ann, kpi: nope, target: 5}", "quotas[1].kpi", "no KPI has id 'nope' (ids: deals, rate, kgi)",
         "id が 'nope' の KPI がありません"),
        ("{owner: ' Ａｎｎ ', kpi: deals, target: 5}", "quotas[1].owner",
         "the quota of 'Ａｎｎ' for 'deals' is given twice", "'Ａｎｎ' の 'deals' のノルマが2回書かれています"),
        ("{owner: Bob, kpi: deals, target: -2}", "quotas[1].target", "the quota of 'Bob' must be 0 or more (got -2)",
         "'Bob' のノルマは0以上にしてください（-2）"),
        ("{owner: Bob, kpi: rate, target: 1.5}", "quotas[1].target", "win_rate is a rate", "win_rate は率です"),
        ("{owner: Ann, team: West, kpi: kgi, target: 5}", "quotas[1].team",
         "'Ann' is given two teams, 'East' and 'West': give one", "'Ann' のチームが 'East' と 'West' の2つ"),
        ("{owner: Bob, kpi: deals}", "quotas[1].target", "is required", "必須です"),
    ],
)  # fmt: skip
def test_a_wrong_quota_names_its_line_and_field_in_both_languages(quota: str, field: str, en: str, ja: str):
    text = GOOD + "quotas:\n  - {owner: Ann, team: East, kpi: deals, target: 6}\n  - " + quota + "\n"
    line = text.splitlines().index("  - " + quota) + 1
    with pytest.raises(GoalsError) as caught:
        load_goals(text)
    assert len(caught.value.problems) == 1
    english, japanese = caught.value.lines("en")[0], caught.value.lines("ja")[0]
    assert english.startswith(f"line {line}, {field}: ") and en in english
    assert japanese.startswith(f"{line}行目、{field}：") and ja in japanese


def test_the_sales_templates_give_the_sample_reps_quotas():
    for lang in ("ja", "en"):
        goals = load_template("sales", lang)
        deals = {q.owner: q.target for q in goals.quotas_for("valid_deals")}
        revenue = {q.owner: q.target for q in goals.quotas_for("kgi")}
        assert set(deals) == set(revenue) == {"佐藤 健", "鈴木 美咲", "高橋 翔", "田中 優子", "伊藤 大輔", "渡辺 彩"}
        assert sum(deals.values()) == 49 and goals.kpi("valid_deals").target == 50  # one short: shown as such
        assert sum(revenue.values()) == goals.kgi.target == 144_000_000


# --- the templates on the sample data ----------------------------------------------------------------------------
def _sample(name: str) -> Path:
    path = SAMPLE / name
    if not path.is_file():
        pytest.skip(f"sample data missing: {path} (run python sample_data/generate.py)")
    return path


def _day(text: str) -> dt.date | None:
    text = unicodedata.normalize("NFKC", text)
    if m := re.match(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})", text) or re.match(r"(\d{4})年(\d{1,2})月(\d{1,2})日", text):
        try:
            return D(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    if m := re.match(r"令和(\d+)年(\d{1,2})月(\d{1,2})日", text):
        return D(2018 + int(m[1]), int(m[2]), int(m[3]))
    return None


def test_sales_template_on_the_sample_deals():
    path = _sample("sales_deals_ja.csv")
    dataset = load_dataset([FileInput(path.name, path)])
    as_of = D(2026, 11, 24)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    created = raw["作成日"].map(_day)
    closed = raw["完了日"].map(_day)
    goals = load_template("sales", "ja")
    rows = {r["id"]: r for r in current_gaps(kpi_gaps(goals, dataset, as_of=as_of))}
    november = created.map(lambda d: d is not None and D(2026, 11, 1) <= d <= as_of)
    assert rows["valid_deals"]["actual"] == november.sum()
    won = raw["フェーズ"].isin(["受注", "成約"])
    lost = raw["フェーズ"].isin(["失注", "Closed Lost"])
    in_november = closed.map(lambda d: d is not None and D(2026, 11, 1) <= d <= as_of)
    # a row whose creation date cannot be read is rejected by the loader as a whole
    usable = created.notna()
    assert rows["win_rate"]["actual"] == pytest.approx(
        (won & in_november & usable).sum() / ((won | lost) & in_november & usable).sum()
    )
    forecasts = forecast_goals(goals, dataset, as_of=as_of)
    for forecast in forecasts.values():
        assert forecast.value is not None and forecast.low <= forecast.value <= forecast.high
        assert 0 <= forecast.probability_on_target <= 1
    assert forecasts["valid_deals"].value >= rows["valid_deals"]["actual"]
    assert consistency_check(goals, dataset, as_of=as_of)["gap_ratio"] == pytest.approx(0.25)
    plan = backward_plan(goals, dataset, as_of=as_of)
    assert [s["metric"] for s in plan["steps"]] == ["won_revenue", "won", "opportunities"]
    assert plan["steps"][0]["needed_per_month"] == 12_000_000


def test_marketing_template_on_the_sample_leads_and_sheet():
    leads_path, sheet_path = _sample("marketing_leads_en.csv"), _sample("monthly_kpi_ja.xlsx")
    goals = load_template("marketing", "en")
    as_of = D(2026, 11, 24)
    raw = pd.read_csv(leads_path, dtype=str, keep_default_na=False)
    created = pd.to_datetime(raw["Create Date"].str[:10]).dt.date
    expected_leads = ((created >= D(2026, 11, 1)) & (created <= as_of)).sum()
    for path in (leads_path, sheet_path):
        dataset = load_dataset([FileInput(path.name, path)])
        rows = {r["id"]: r for r in current_gaps(kpi_gaps(goals, dataset, as_of=as_of))}
        assert rows["leads"]["actual"] == expected_leads
        plan = backward_plan(goals, dataset, as_of=as_of)
        assert [s["metric"] for s in plan["steps"]] == ["won_revenue", "won", "opportunities", "sql", "mql", "leads"]
        assert all(s["needed_per_month"] > 0 for s in plan["steps"])
        assert consistency_check(goals, dataset, as_of=as_of)["terms"][1]["source"] == "data"
        forecasts = forecast_goals(goals, dataset, as_of=as_of)
        for key, forecast in forecasts.items():
            actual = rows[key]["actual"]
            assert forecast.actual == pytest.approx(actual)
            assert actual <= forecast.low <= forecast.value <= forecast.high  # volumes only grow
            assert 0 <= forecast.probability_on_target <= 1
        if dataset.shape == "records":  # won can be forecast from the open leads too
            assert forecasts["won"].candidates["pipeline"] > forecasts["won"].actual
        assert "Caution" in forecasts["sql"].method["text"]
