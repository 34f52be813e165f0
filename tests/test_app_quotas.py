"""AppTest of the quota views: on the sales sample, Goals ranks each rep against their own quota and Pacing their
forecasts, both as the engine computes them with the sample's team file; a sample without quotas says the team
target is split evenly; the monthly sheet has no reps; the Japanese section has no English but the data's values."""

from __future__ import annotations

import datetime as dt
from functools import cache

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from test_app_expected import APP, ROOT, TIMEOUT

from kpi_core.format import fmt_count, fmt_pct
from kpi_core.goals import load_template
from kpi_core.intake.load import FileInput, load_dataset
from kpi_core.quotas import quota_report, read_teams
from tests.bilingual import english_words

AS_OF = dt.date(2026, 11, 16)
SAMPLE = ROOT / "sample_data"


def open_page(page: str, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"asof": AS_OF.isoformat(), **query})
    at.run()
    return at.switch_page(page).run()


@cache
def engine(lang: str, name: str = "sales_deals_ja.csv", template: str = "sales", teams: bool = True):
    data = load_dataset([FileInput(name, SAMPLE / name)])
    found = read_teams(SAMPLE / "sales_teams_ja.csv", "sales_teams_ja.csv") if teams else {}
    items = quota_report(load_template(template, lang), data, as_of=AS_OF, calendar="jp", teams=found)
    return {i.kpi: i for i in items}


def table_with(at: AppTest, *columns: str) -> pd.DataFrame:
    """The one table on the page with these columns (the quota view's: ranked reps)."""
    found = [df.value for df in at.dataframe if set(columns) <= set(df.value.columns)]
    assert len(found) == 1, [list(df.value.columns) for df in at.dataframe]
    return found[0]


def test_goals_ranks_each_rep_against_their_quota_with_the_teams():
    at = open_page("pages/4_Goals.py")
    assert not at.exception
    assert any(s.value == "担当者ごとに目標に届いているか" for s in at.subheader)
    assert at.selectbox(key="quotas_goals_kpi").value == "valid_deals"  # the first goal with quotas
    item = engine("ja")["valid_deals"]
    table = table_with(at, "順位", "按分目標")
    assert list(table["担当者"]) == [o.owner for o in item.owners]
    assert list(table["達成率"]) == [fmt_pct(o.attainment, "ja") for o in item.owners]
    assert list(table["目標"]) == [fmt_count(o.target, "ja", required=True) for o in item.owners]
    assert list(table["実績"]) == [fmt_count(o.actual, "ja") for o in item.owners]
    assert set(table["チーム"]) == {"第1営業課", "第2営業課"}  # from sample_data/sales_teams_ja.csv
    # the quotas (9 + 9 + 10 + 8 + 7 + 6 = 49) against the team's 50
    captions = " ".join(c.value for c in at.caption)
    assert "ノルマの合計 49 はチーム目標 50 より 1 少なく" in captions
    teams = " ".join(m.value for m in at.markdown if "営業課" in m.value)
    for team in item.teams:
        assert f"達成率 {fmt_pct(team.attainment, 'ja')}" in teams


def test_goals_kgi_quotas_add_up_to_the_kgi():
    at = open_page("pages/4_Goals.py", lang="en")
    at.selectbox(key="quotas_goals_kpi").set_value("kgi").run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "The quotas add up to ¥144M, the same as the team target of ¥144M." in captions
    table = table_with(at, "Rank", "Pro-rated target")
    assert list(table["Rep"]) == [o.owner for o in engine("en")["kgi"].owners]


def test_pacing_ranks_reps_by_their_chance():
    at = open_page("pages/5_Pacing.py", lang="en")
    assert not at.exception
    assert any(s.value == "Where will each rep land?" for s in at.subheader)
    item = engine("en")["valid_deals"]
    by_chance = sorted(item.owners, key=lambda o: -(o.forecast.probability_on_target or 0.0))
    table = table_with(at, "Rank", "Chance")
    assert list(table["Rep"]) == [o.owner for o in by_chance]
    assert list(table["Chance"]) == [fmt_pct(o.forecast.probability_on_target, "en") for o in by_chance]
    assert list(table["Forecast"]) == [fmt_count(o.forecast.value, "en") for o in by_chance]
    lines = " ".join(m.value for m in at.markdown if "営業課" in m.value)
    for team in item.teams:
        assert f"chance {fmt_pct(team.forecast.probability_on_target, 'en')}" in lines


def test_without_quotas_the_even_split_is_labelled():
    at = open_page("pages/4_Goals.py", lang="en", src="leads")
    assert not at.exception
    item = engine("en", "marketing_leads_en.csv", "marketing", teams=False)
    first = next(i for i in item.values() if i.basis == "even_split")
    at.selectbox(key="quotas_goals_kpi").set_value(first.kpi).run()
    captions = " ".join(c.value for c in at.caption)
    count = sum(1 for o in first.owners if o.target is not None)
    assert f"no quotas set, so the team target of {fmt_count(first.team_target, 'en', required=True)} is split " \
        f"evenly over {count} reps" in captions  # fmt: skip
    assert not any("営業課" in m.value for m in at.markdown)  # no team file for this sample


def test_the_monthly_sheet_has_no_reps():
    at = open_page("pages/5_Pacing.py", lang="en", src="kpi")
    assert not at.exception
    assert any("no owner column" in i.value for i in at.info)


@pytest.mark.parametrize("page", ["pages/4_Goals.py", "pages/5_Pacing.py"])
def test_japanese_section_has_no_english_but_the_datas_values(page: str):
    at = open_page(page)
    texts = [s.value for s in at.subheader if "担当者" in s.value]
    texts += [c.value for c in at.caption if "ノルマ" in c.value or "着地見込み" in c.value]
    texts += [m.value for m in at.markdown if "営業課" in m.value]
    frame = table_with(at, "順位", "担当者")
    texts += [str(c) for c in frame.columns] + [str(v) for v in frame.to_numpy().ravel()]
    assert len(texts) > 10
    values = ["CSV", "sales_teams_ja.csv"]
    assert sorted({w for text in texts for w in english_words(text, values)}) == []
