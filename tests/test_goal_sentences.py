"""The sentences and figures of the Goals and Pacing pages never show an empty value ("必要 —（—）"): a goal with no
actual yet, no target or no range gets its own sentence in Japanese and English; the forecast method is said once
per page and each goal keeps only what is particular to it."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kpi_core.goals import load_template
from kpi_core.messages import MESSAGES
from kpi_core.pacing import Forecast
from kpi_core.pacing_sentences import method_sentence as core_method_sentence
from kpi_core.pacing_sentences import status_word
from ui.format import MISSING
from ui.goals.forecasts import forecast_figure, outlook_figure, range_text
from ui.goals.format import status_text
from ui.goals.frames import bullet_label
from ui.goals.sentences import method_overview, method_sentence
from ui.goals.tree import kpi_tree_dot
from ui.strings import UI_STRINGS

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


# --- one catalogue: the engine's sentence, said by the pages and the `plan` command alike --------------------------
# A blend forecast as the `plan` JSON carries it (method code + params, each method's typical past miss among them).
BLEND = {
    "code": "blend",
    "params": {
        "interval": "analogues",
        "actual": 12_000_000.0,
        "value": 25_000_000.0,
        "elapsed": 9,
        "total": 19,
        "n": 24,
        "per": "month",
        "volume": True,
        "errors": {"run_rate": 0.2, "pipeline": 0.1, "blend": 0.05, "history_rate": None},
    },
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_json_forecast_reads_in_either_language_from_its_code_and_params(lang):
    sentence = core_method_sentence(BLEND, lang, metric="won_revenue", value=25_000_000.0, low=20_000_000.0)
    # By hand: 1,200万円 / 2,500万円 compact; the misses e^0.2 − 1 = 22%, e^0.1 − 1 = 11%, e^0.05 − 1 = 5%.
    assert (
        sentence
        == {
            "ja": "ランレート（営業日 19日のうち9日で1,200万円、同じペースで期末まで伸ばしました）とパイプライン予測"
            "（実績 + 進行中の案件の期待値）の平均：2,500万円。（過去の典型的な外れ：ランレート 22%、パイプライン 11%、"
            "両者の平均 5%）幅は過去24か月の同じ時点の予測の外れから。",
            "en": "Average of the run rate (¥12M so far in 9 of 19 business days, extended at the same pace) and the "
            "pipeline forecast (actual plus the open deals' expectation): ¥25M. (typical past miss: run rate 22%, "
            "pipeline 11%, blend 5%) Range from how the same forecast ended in the past 24 months.",
        }[lang]
    )
    # Fewer than 6 past periods compared: no misses listed (a range from 5 periods is not drawn from analogues).
    few = {"code": "blend", "params": {**BLEND["params"], "n": 5, "interval": "none"}}
    short = core_method_sentence(few, lang, metric="won_revenue", value=25_000_000.0, low=None)
    assert {"ja": "典型的な外れ", "en": "typical past miss"}[lang] not in short
    assert short.endswith({"ja": "履歴が短いため幅はありません。", "en": " No range: too little history."}[lang])
    # The page's currency: the same sentence in dollars.
    dollars = core_method_sentence(BLEND, "en", metric="won_revenue", value=25e6, low=None, currency="USD")
    assert "$12M so far" in dollars and ": $25M." in dollars


@pytest.mark.parametrize("lang", LANGS)
def test_the_pages_sentence_is_the_catalogues(lang):
    """The Pacing page's sentence of a forecast object: the engine catalogue's entries, in either language."""
    expected = {
        "ja": "ランレート：営業日 19日のうち9日の率17.4%を、分子と分母それぞれのペースで期末まで伸ばしました："
        "17.4%。幅は過去24か月の同じ時点の予測の外れから。",
        "en": "Run rate: a rate, so far 17.4% in 9 of 19 business days, its parts extended at their own pace: "
        "17.4%. Range from how the same forecast ended in the past 24 months.",
    }
    assert method_sentence(forecast(), lang) == expected[lang]


def test_each_sentence_and_status_word_is_written_once_in_the_engines_catalogue():
    moved = [k for k in MESSAGES if k.startswith(("pacing.method.", "pacing.brief.", "pacing.per.", "goals.status."))]
    assert len(moved) == 4 + 4 + 7 + 7  # statuses, periods, brief parts, method sentences
    assert not [k for k in UI_STRINGS if k in MESSAGES and k in moved]  # none written again on the UI side
    assert not [k for k in {**MESSAGES, **UI_STRINGS} if k.startswith(("cli.plan.status.", "pacing.code."))]
    assert [status_word(s, "ja") for s in ("on_track", "at_risk", "off_track", "no_data")] == [
        "順調", "要注意", "遅れ", "データなし"
    ]  # fmt: skip
    assert status_word("off_track", "en") == "Off track" and status_word("someday", "ja") == "someday"
    assert status_text("at_risk", "ja") == "△ 要注意"  # the pages' word with its symbol: the same key
