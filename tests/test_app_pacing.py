"""AppTest of the Pacing page: the KGI forecast, range and odds equal the engine's, the as-of date from the URL, the
method in words (Japanese built from the method code, English the engine's text), all three samples."""

from __future__ import annotations

import datetime as dt
import math
from functools import cache

from streamlit.testing.v1 import AppTest
from test_app_expected import APP, ROOT, TIMEOUT, metric_help, metric_values

from kpi_core.goals import load_template
from kpi_core.intake.load import FileInput, load_dataset
from kpi_core.pacing import forecast_goals

PACING = "pages/5_Pacing.py"
AS_OF = dt.date(2026, 11, 15)


def open_pacing(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run()
    return at.switch_page(PACING).run()


@cache
def forecasts(name: str, template: str, lang: str, as_of: dt.date):
    dataset = load_dataset([FileInput(name, ROOT / "sample_data" / name)])
    return forecast_goals(load_template(template, lang), dataset, as_of=as_of, calendar="jp")


def figure(at: AppTest, prefix: str) -> tuple[str, str]:
    """(label, value) of the first figure on the page whose label starts with `prefix` (KGI row first)."""
    return next((m.label, m.value) for m in at.metric if m.label.startswith(prefix))


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def test_sales_kgi_forecast_equals_the_engine_at_the_url_as_of_date():
    at = open_pacing(asof=AS_OF.isoformat())
    assert not at.exception
    assert at.title[0].value == "期末に目標へ届くか？"  # the KGI's period (a year) is in the heading below it
    assert at.date_input(key="w_asof").value == AS_OF
    kgi = forecasts("sales_deals_ja.csv", "sales", "ja", AS_OF)["kgi"]
    label, value = figure(at, "KGI 期末予測")
    assert value == f"{kgi.value / 1e8:.2f}".rstrip("0").rstrip(".") + "億円"  # 133,718,421 → 1.34億円
    assert metric_help(at, label) == f"¥{round(kgi.value):,}"
    assert figure(at, "目標達成の確率")[1] == f"{kgi.probability_on_target * 100:.1f}%"
    low, high = (f"{v / 1e8:.2f}".rstrip("0").rstrip(".") for v in (kgi.low, kgi.high))
    assert figure(at, "予測の幅")[1] == f"{low}–{high}億円"
    # the method in Japanese words, built from the code (run rate) and its parameters
    text = captions(at)
    assert "ランレート" in text and f"営業日 {kgi.business_days_total}日のうち{kgi.business_days_elapsed}日" in text


def test_each_kpi_has_its_forecast_and_the_english_method_text():
    at = open_pacing(asof=AS_OF.isoformat(), lang="en")
    assert not at.exception
    expected = forecasts("sales_deals_ja.csv", "sales", "en", AS_OF)
    win_rate = expected["win_rate"]
    assert figure(at, "Deal win rate")[1] == f"{win_rate.value * 100:.1f}%"
    # The method in words, with the rate so far as a percentage (not the engine's raw 0.2) and its business days.
    params = win_rate.method["params"]
    so_far = f"so far {params['actual'] * 100:.1f}%"
    days = f"{params['elapsed']} of {params['total']} business days"
    assert so_far in captions(at) and days in captions(at)
    assert any(label.startswith("Valid deals per month") for label in metric_values(at))


def test_another_as_of_date_and_calendar_from_the_url():
    day = dt.date(2026, 10, 14)
    at = open_pacing(asof=day.isoformat(), lang="en", cal="weekends")
    assert not at.exception
    dataset = load_dataset([FileInput("sales_deals_ja.csv", ROOT / "sample_data" / "sales_deals_ja.csv")])
    kgi = forecast_goals(load_template("sales", "en"), dataset, as_of=day, calendar="weekends")["kgi"]
    label, _ = figure(at, "KGI forecast")
    assert metric_help(at, label) == f"¥{round(kgi.value):,}"
    assert f"{kgi.business_days_elapsed}/{kgi.business_days_total} workdays" in " ".join(
        str(m.proto.delta) for m in at.metric
    )


def test_marketing_samples_use_the_marketing_template():
    for source, name in (("leads", "marketing_leads_en.csv"), ("kpi", "monthly_kpi_ja.xlsx")):
        at = open_pacing(asof=AS_OF.isoformat(), lang="en", src=source)
        assert not at.exception, source
        expected = forecasts(name, "marketing", "en", AS_OF)
        label, _ = figure(at, "KGI forecast")
        assert "target ¥96M" in label
        assert metric_help(at, label) == f"¥{round(expected['kgi'].value):,}"
        assert figure(at, "SQLs per month")[1] == f"{math.floor(expected['sql'].value + 0.5):,}"  # a count: whole
    assert "monthly sheet has no days inside a month" in captions(at)
