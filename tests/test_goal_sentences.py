"""The sentences and figures of the Goals and Pacing pages never show an empty value ("必要 —（—）"): a goal with no
actual yet, no target or no range gets its own sentence in Japanese and English; the forecast method is said once
per page and each goal keeps only what is particular to it."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kpi_core.goals import load_template
from kpi_core.pacing import Forecast
from ui.format import MISSING
from ui.goals.forecasts import forecast_figure, outlook_figure, range_text
from ui.goals.frames import bullet_label
from ui.goals.sentences import method_overview, method_sentence
from ui.goals.tree import kpi_tree_dot

LANGS = ("ja", "en")


def forecast(**changes) -> Forecast:
    """A win-rate forecast in the middle of November 2026 (run rate, range from past analogues)."""
    base = Forecast(
        metric="win_rate",
        per="month",
        period="2026-11",
        period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 11, 30),
        as_of=dt.date(2026, 11, 13),
        calendar="jp",
        business_days_elapsed=9,
        business_days_total=19,
        actual=0.174,
        target=0.25,
        better="higher",
        value=0.174,
        low=0.124,
        high=0.339,
        probability_on_target=0.304,
        method={
            "code": "run_rate",
            "params": {
                "interval": "analogues",
                "actual": 0.174,
                "value": 0.174,
                "elapsed": 9,
                "total": 19,
                "calendar": "jp",
                "n": 24,
                "per": "month",
                "volume": False,
            },
        },
    )
    return dataclasses.replace(base, **changes)


def no_actual() -> Forecast:
    method = {"code": "run_rate", "params": {"interval": "none", "actual": None, "value": None, "volume": True}}
    return forecast(
        metric="opportunities",
        actual=None,
        value=None,
        low=None,
        high=None,
        probability_on_target=None,
        method=method,
    )


@pytest.mark.parametrize("lang", LANGS)
def test_a_goal_with_no_actual_yet_says_so_in_words(lang):
    sentence = method_sentence(no_actual(), lang)
    assert MISSING not in sentence and "None" not in sentence
    assert sentence == {"ja": "この期間の実績がまだないため、予測はありません。",
                        "en": "No figures in this period yet, so there is no forecast."}[lang]  # fmt: skip
    closed = forecast(method={"code": "complete", "params": {"actual": None}}, value=None)
    assert MISSING not in method_sentence(closed, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_no_range_and_no_target_are_words_not_dashes(lang):
    assert range_text(no_actual(), lang) == {"ja": "幅なし", "en": "no range"}[lang]
    figure = forecast_figure("x", "label", forecast(target=None), lang)
    assert figure.delta is None  # no "目標比 —" beside an arrow
    outlook = outlook_figure("x", forecast(target=None), lang)
    assert outlook.value == {"ja": "目標なし", "en": "No target"}[lang] and outlook.delta is None
    empty = outlook_figure("x", no_actual(), lang)
    assert MISSING not in empty.value and empty.delta is None


@pytest.mark.parametrize("lang", LANGS)
def test_the_outlook_is_a_figure_with_its_status_word_beside_it(lang):
    outlook = outlook_figure("x", forecast(), lang)
    assert outlook.value == "69.6%"  # forecast ÷ target: 0.174 / 0.25
    assert outlook.delta == {"ja": "✕ 遅れ", "en": "✕ Off track"}[lang] and outlook.delta_color == "red"


@pytest.mark.parametrize("lang", LANGS)
def test_each_goal_keeps_only_what_is_particular_to_it(lang):
    sentence = method_sentence(forecast(), lang)
    assert {"ja": "営業日 19日のうち9日", "en": "9 of 19 business days"}[lang] in sentence
    assert "17.4%" in sentence
    # The long explanation of the range (Student's t, the log of final ÷ forecast) is said once, in the overview.
    assert "t分布" not in sentence and "Student" not in sentence
    overview = " ".join(method_overview({"kgi": forecast(), "win_rate": forecast()}, lang))
    assert ("t分布" if lang == "ja" else "Student's t") in overview


@pytest.mark.parametrize("lang", LANGS)
def test_a_bullet_and_a_tree_node_without_an_actual_have_a_sentence(lang):
    row = {"status": "no_data", "actual": None, "attainment": None, "expected": 24.0, "gap": None}
    label = bullet_label(row, "count", lang)
    assert MISSING not in label and "24" in label
    goals = load_template("sales", lang)
    rows = [
        {
            **row,
            "id": kpi.id,
            "kind": "kpi",
            "metric": kpi.metric,
            "name": kpi.name,
            "period": "2026-11",
            "per": "month",
        }
        for kpi in goals.kpis
    ]
    dot = kpi_tree_dot(goals, rows, lang)
    assert MISSING not in dot.replace("–", "")  # the no-data symbol is an en dash, never the em dash of a blank
    assert {"ja": "実績なし / 目標 24", "en": "no actual yet / 24"}[lang] in dot
