"""AppTest of the home page: sample data at start, headline figures, language, URL-kept filters."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from test_app_expected import APP, TIMEOUT, metric_values, sales_expected, yen


@pytest.fixture(scope="module")
def expected() -> dict[str, float]:
    return sales_expected()


def all_time(at: AppTest) -> dict[str, tuple[str, str]]:
    """The all-time totals table (folded under the current period): measure → (value, exact value)."""
    for frame in (d.value for d in at.dataframe):
        columns = list(frame.columns)
        if columns[:1] in (["指標"], ["Measure"]):
            return {row[0]: (row[1], row[2]) for row in frame.itertuples(index=False)}
    raise AssertionError("no all-time table")


def _run(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query)
    return at.run()


def test_starts_on_the_sales_sample_in_japanese_with_the_right_figures(expected):
    at = _run()
    assert not at.exception
    assert at.title[0].value == "今、どんな状況か？"
    totals = all_time(at)
    assert totals["受注件数"][0] == f"{expected['won']:,}"
    assert totals["商談数"][0] == f"{expected['records']:,}"
    assert totals["受注金額"][1] == yen(expected["won_revenue"])
    assert at.selectbox(key="w_src").value == "sales"
    assert at.query_params["lang"] == "ja"


def test_english_from_the_url(expected):
    at = _run(lang="en")
    assert not at.exception
    assert at.title[0].value == "How are we doing?"
    totals = all_time(at)
    assert totals["Won deals"][0] == f"{expected['won']:,}"
    assert totals["Won revenue"][0] == f"¥{expected['won_revenue'] / 1e6:.0f}M"  # three significant digits: ¥357M
    assert totals["Won revenue"][1] == yen(expected["won_revenue"])


@pytest.mark.parametrize(("locale", "title"), [("en-US", "How are we doing?"), ("ja-JP", "今、どんな状況か？")])
def test_language_defaults_to_the_browser_locale(locale, title):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.context = {"locale": locale}
    at.run()
    assert at.title[0].value == title


def test_switching_language_live_keeps_the_figures(expected):
    at = _run()
    at.segmented_control(key="w_lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "How are we doing?"
    assert all_time(at)["Won deals"][0] == f"{expected['won']:,}"
    assert at.query_params["lang"] == "en"
    at.segmented_control(key="w_lang").set_value("ja").run()
    assert at.title[0].value == "今、どんな状況か？"
    assert at.query_params["lang"] == "ja"


def test_a_filter_from_the_url_reproduces_the_view():
    channel = "紹介"
    at = _run(channel=channel, period="quarter")
    assert not at.exception
    assert at.multiselect(key="w_channel").value == [channel]
    assert all_time(at)["受注件数"][0] == f"{sales_expected(channel)['won']:,}"
    assert at.query_params["channel"] == channel
    assert at.query_params["period"] == "quarter"


def test_a_filter_set_in_the_sidebar_goes_into_the_url():
    at = _run()
    at.multiselect(key="w_channel").set_value(["テレアポ"]).run()
    assert at.query_params["channel"] == "テレアポ"
    assert all_time(at)["受注件数"][0] == f"{sales_expected('テレアポ')['won']:,}"
    at.button(key="reset_filters").click().run()
    assert "channel" not in at.query_params
    assert at.multiselect(key="w_channel").value == []


def test_other_samples_load_without_an_upload():
    for source, label in (("leads", "Leads"), ("kpi", "Leads")):
        at = _run(lang="en", src=source)
        assert not at.exception
        assert label in all_time(at)
        assert any(name.startswith(f"{label} (last year ") for name in metric_values(at))
