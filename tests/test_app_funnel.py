"""AppTest of the Funnel page, and the pure helpers that shape its funnel."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from test_app_expected import APP, ROOT, TIMEOUT, metric_values, sales_expected

from ui.charts import comparison_chart, funnel_chart, funnel_small_multiples, trend_lines_chart
from ui.export import chart_png, chart_svg
from ui.frames import biggest_drop, comparison_frame, conversion_trend, funnel_steps, funnel_steps_by

FUNNEL = "pages/2_Funnel.py"


def open_funnel(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run()
    return at.switch_page(FUNNEL).run()


def test_headline_figures_of_the_sales_sample():
    at = open_funnel()
    assert not at.exception
    assert at.title[0].value == "ファネルのどこで漏れているか？"
    expected = sales_expected()
    figures = metric_values(at)
    assert figures["商談数"] == f"{expected['records']:,}"
    assert figures["受注件数"] == f"{expected['won']:,}"
    assert figures["受注率"] == f"{expected['won'] / (expected['won'] + expected['lost']) * 100:.1f}%"
    # The sample keeps the sub-stages of its open deals (初回訪問 … 交渉; every open deal is at one). A deal reached a
    # sub-stage when it is open there or later, or won; lost deals keep no stage, so the step 商談 → 初回訪問 (which
    # holds every lost deal) is never named the leak. Counted here with plain pandas.
    from test_app_expected import WON, sales_rows

    rows = sales_rows().query("usable")
    order = ["初回訪問", "ヒアリング", "提案", "見積提出", "交渉"]
    steps = [*order, "受注"]
    won = int(rows["stage"].isin(WON).sum())
    reached = [int(rows["stage"].isin(order[k:]).sum()) + won for k in range(len(order))] + [won]
    shares = {steps[k + 1]: reached[k + 1] / reached[k] for k in range(len(order))}
    end, share = min(shares.items(), key=lambda item: item[1])
    start = steps[steps.index(end) - 1]
    assert any(f"{start} → {end}" in m.value and f"{share * 100:.1f}%" in m.value for m in at.markdown)


def test_english_cohort_view_and_breakdown_go_into_the_url():
    at = open_funnel(lang="en")
    assert at.title[0].value == "Where does the funnel leak?"
    at.segmented_control(key="w_basis").set_value("cohort").run()
    assert not at.exception
    assert at.query_params["basis"] == "cohort"
    assert any(c.value.startswith("Cohort view") for c in at.caption)
    at.segmented_control(key="w_by").set_value("owner").run()
    assert not at.exception
    assert at.query_params["by"] == "owner"


def test_a_date_range_narrows_the_cohort_to_deals_created_in_it():
    # Cohort view: won deals counted by their created date (independently: plain pandas).
    import datetime as dt

    from test_app_expected import WON, sales_rows

    rows = sales_rows().query("usable")
    start, end = dt.date(2025, 4, 1), dt.date(2026, 3, 31)
    created = rows[(rows["created"] >= start) & (rows["created"] <= end)]
    at = open_funnel(basis="cohort", **{"from": start.isoformat(), "to": end.isoformat()})
    assert not at.exception
    figures = metric_values(at)
    assert figures["商談数"] == f"{len(created):,}"
    assert figures["受注件数"] == f"{int(created['stage'].isin(WON).sum()):,}"


def test_a_deal_export_says_where_the_earlier_stages_come_from():
    at = open_funnel(lang="en")
    assert any("This data starts at deals" in c.value for c in at.caption)


def test_the_marketing_sample_shows_the_whole_funnel():
    at = open_funnel(lang="en", src="leads", period="quarter")
    assert not at.exception
    assert "Leads" in metric_values(at)
    assert not any("This data starts at deals" in c.value for c in at.caption)
    table = next(df.value for df in at.dataframe if "Period" in df.value.columns)
    assert table["Period"].iloc[0] == "FY2024 Q1"


def test_the_monthly_sheet_has_no_cohort_toggle_and_explains_the_missing_breakdown():
    at = open_funnel(lang="en", src="kpi")
    assert not at.exception
    assert "w_basis" not in [s.key for s in at.segmented_control]
    assert any("one row per lead or deal" in i.value for i in at.info)


def test_workshop_mode_hides_the_tables_and_offers_a_way_out():
    at = open_funnel(workshop="1")
    assert not at.exception
    assert len(at.expander) == 0
    at.button(key="exit_workshop").click().run()
    assert "workshop" not in at.query_params
    assert len(at.expander) == 1


@pytest.mark.parametrize(
    ("counts", "flagged"),
    [
        ({"leads": 1000, "mql": 400, "sql": 100, "opportunities": 80, "won": 20}, "sql"),  # 25 % passes MQL→SQL
        ({"leads": 1000, "mql": 900, "sql": 800, "opportunities": 700, "won": 100}, "won"),
    ],
)
def test_funnel_steps_flag_the_step_after_the_biggest_drop(counts, flagged):
    steps = funnel_steps(counts, ["lead", "mql", "sql", "opportunity", "won"], "en")
    assert steps.loc[steps["highlight"], "level"].tolist() == [flagged]
    assert steps["pct_first"].iloc[-1] == pytest.approx(counts["won"] / counts["leads"])
    assert steps["pct_prev"].iloc[1] == pytest.approx(counts["mql"] / counts["leads"])
    assert "biggest drop" in steps.loc[steps["highlight"], "label"].iloc[0]


def test_funnel_steps_skip_levels_the_data_cannot_give():
    steps = funnel_steps({"opportunities": 200, "won": 50, "leads": None}, ["opportunity", "won"], "ja")
    assert steps["step"].tolist() == ["商談", "受注"]
    assert steps["label"].iloc[1].startswith("50  前段比 25.0%")
    assert biggest_drop(steps) == ("商談", "受注", 0.25)


LEVELS = ["lead", "mql", "sql", "opportunity", "won"]
ROWS = [
    {
        "key": "Web",
        "leads": 500,
        "mql": 200,
        "sql": 90,
        "opportunities": 60,
        "won": 20,
        "conversion": {"first_to_won": 0.04},
    },
    {
        "key": None,
        "leads": 100,
        "mql": 60,
        "sql": 30,
        "opportunities": 20,
        "won": 10,
        "conversion": {"first_to_won": 0.1},
    },
]


def test_funnel_charts_render_to_png_and_svg_with_the_yen_and_percent_axes():
    titles = {"step": "段階", "count": "件数", "pct_prev": "前段比", "pct_first": "初段比", "key": "区分"}
    periods = [
        {"period": "2025-04", "start": "2025-04-01", **ROWS[0]},
        {"period": "2025-05", "start": "2025-05-01", **ROWS[1], "won": 40},  # 200 % in a period view
    ]
    trend = conversion_trend(periods, LEVELS, "month", "ja")
    compare = comparison_frame(ROWS, LEVELS, "ja")
    charts = [
        funnel_chart(funnel_steps(ROWS[0], LEVELS, "ja"), titles=titles),
        funnel_small_multiples(funnel_steps_by(ROWS, LEVELS, "ja"), titles=titles),
        comparison_chart(
            compare, titles={**titles, "rate": "率", "base": "母数", "won": "受注", "overall": "全体"}, overall=0.05
        ),
        trend_lines_chart(
            trend, titles={"period": "期間", "series": "段階", "value": "転換率"}, unit="ratio", lang="ja"
        ),
    ]
    for chart in charts:
        spec = chart.to_dict()
        assert chart_png(spec).startswith(b"\x89PNG")
        assert b"<svg" in chart_svg(spec)
    assert compare["key"].tolist() == ["Web", "（空欄）"]
    assert trend["period_label"].tolist()[:1] == ["2025年4月"]
    assert trend.loc[trend["series"] == "商談 → 受注", "value"].tolist() == [20 / 60, 2.0]


def test_exported_images_get_a_fixed_width_but_small_multiples_keep_theirs():
    import re

    from ui.show import EXPORT_WIDTH, _render

    titles = {"step": "段階", "count": "件数", "pct_prev": "前段比", "pct_first": "初段比", "key": "区分"}
    svg = _render(chart_svg, funnel_chart(funnel_steps(ROWS[0], LEVELS, "ja"), titles=titles)).decode()
    width = float(re.search(r'<svg[^>]* width="([\d.]+)"', svg).group(1))
    assert width >= EXPORT_WIDTH
    facet = funnel_small_multiples(funnel_steps_by(ROWS, LEVELS, "ja"), titles=titles)
    assert "width" not in facet.to_dict()
    assert _render(chart_png, facet).startswith(b"\x89PNG")


def test_a_daily_funnel_per_channel_breaks_down_by_channel():
    from test_app_expected import upload

    daily = (
        "date,channel,sessions,leads,mqls,customers\r\n"
        "2025-04-01,Paid Search,900,30,10,2\r\n2025-04-01,Organic,500,20,8,1\r\n"
        "2025-04-02,Paid Search,800,25,9,0\r\n2025-05-01,Organic,700,40,12,3\r\n"
    )
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"lang": "en"})
    at.run()
    at = at.switch_page("pages/1_Data.py").run()
    upload(at, ("daily.csv", daily.encode(), "text/csv"))
    at.switch_page(FUNNEL).run()
    assert not at.exception
    assert at.segmented_control(key="w_by").options == ["Channel"]
    assert metric_values(at)["Leads"] == "115"  # 30 + 20 + 25 + 40, by hand
    at.multiselect(key="w_channel").set_value(["Organic"]).run()
    assert not at.exception
    assert metric_values(at)["Leads"] == "60"  # 20 + 40


def test_the_two_win_rates_are_labelled_and_recent_periods_read_as_maturing():
    raw = pd.read_csv(ROOT / "sample_data" / "marketing_leads_en.csv", dtype=str, keep_default_na=False)
    won = raw[(raw["Lifecycle Stage"] == "Closed Won") & (raw["Close Date"] != "")]
    cycles = sorted((pd.to_datetime(won["Close Date"].str[:10]) - pd.to_datetime(won["Create Date"].str[:10])).dt.days)
    lag = cycles[math.ceil(0.8 * len(cycles)) - 1]  # 8 in 10 wins come within this many days
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"src": "leads", "lang": "en"})
    at.run()
    at.switch_page("pages/2_Funnel.py").run()
    assert not at.exception
    assert any(c.value.startswith("Win rate = won ÷ (won + lost)") for c in at.caption)
    sentence = next(m.value for m in at.markdown if "still maturing" in m.value)
    assert f"8 in 10 wins come within {lag} days of creation (from {len(cycles):,} past wins)" in sentence
