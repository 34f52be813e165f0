"""AppTest of the Pipeline page: open deals, stalled deals (N days adjustable), and the monthly-sheet case."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest
from test_app_expected import (
    APP,
    LOST,
    TIMEOUT,
    WON,
    deals_csv,
    expected_small,
    metric_values,
    sales_expected,
    sales_rows,
    upload,
)

from ui.charts import aging_chart, aging_histogram_chart, pipeline_stage_chart
from ui.export import chart_png, chart_svg
from ui.frames import aging_bins, aging_frame, pipeline_stage_frame

PIPELINE = "pages/3_Pipeline.py"
ROOT = Path(__file__).resolve().parents[1]


def open_pipeline(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run()
    return at.switch_page(PIPELINE).run()


def stalled_count(days: int) -> int:
    """Open deals idle for more than `days` at the data's last date (no update column: idle = since created)."""
    rows = sales_rows().query("usable")
    as_of = max(d for d in [*rows["created"], *rows["closed"]] if isinstance(d, dt.date))
    open_rows = rows[~rows["stage"].isin(WON | LOST)]
    return int(sum((as_of - created).days > days for created in open_rows["created"]))


def test_open_deals_and_stalled_deals_of_the_sales_sample():
    at = open_pipeline()
    assert not at.exception
    assert at.title[0].value == "パイプラインに何があるか？"
    figures = metric_values(at)
    assert figures["進行中"] == f"{sales_expected()['open']:,}"
    assert figures["停滞（30日超）"] == f"{stalled_count(30):,}"


def test_changing_the_stalled_days_recounts_and_goes_into_the_url():
    at = open_pipeline(lang="en")
    at.number_input(key="w_stalled").set_value(60).run()
    assert not at.exception
    assert at.query_params["stalled"] == "60"
    assert metric_values(at)["Stalled (>60 days)"] == f"{stalled_count(60):,}"


def test_the_marketing_sample_shows_lead_ageing_and_counts_deals_apart():
    raw = pd.read_csv(ROOT / "sample_data" / "marketing_leads_en.csv", dtype=str, keep_default_na=False)
    created = pd.to_datetime(raw["Create Date"].str[:10])
    as_of = max(created.max(), pd.to_datetime(raw["Close Date"].replace("", None).str[:10]).max())
    leads = raw["Lifecycle Stage"].isin(["Lead", "MQL", "SQL"])
    deals = raw["Lifecycle Stage"] == "Opportunity"
    over_year = int(((as_of - created[leads]).dt.days > 365).sum())
    stalled = int(((as_of - created[deals]).dt.days > 30).sum())  # no update column: idle since created
    at = open_pipeline(lang="en", src="leads")
    assert not at.exception
    figures = metric_values(at)
    assert figures["Open leads"] == f"{int(leads.sum()):,}"
    assert figures["Open deals"] == f"{int(deals.sum()):,}"
    assert figures["Stalled (>30 days)"] == f"{stalled:,}"  # deals only: leads are never stalled deals
    assert "Open pipeline value" not in figures  # the open deals carry no amounts
    assert at.subheader[0].value == "Lead ageing"
    sentence = next(m.value for m in at.markdown if "leads before the deal stage" in m.value)
    assert f"{int(leads.sum()):,} of the open records" in sentence
    assert f"{over_year:,} are more than a year old" in sentence


def test_the_monthly_sheet_says_why_there_is_no_pipeline_and_offers_the_sales_sample():
    at = open_pipeline(lang="en", src="kpi")
    assert not at.exception
    assert any("needs one row per deal" in i.value for i in at.info)
    at.button(key="use_sales_sample").click().run()
    assert at.selectbox(key="w_src").value == "sales"
    assert "Open" in metric_values(at)


def test_an_uploaded_deal_list_has_its_open_deals_in_the_pipeline():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("pages/1_Data.py").run()
    upload(at, ("deals.csv", deals_csv(), "text/csv"))
    at.switch_page(PIPELINE).run()
    assert not at.exception
    figures = metric_values(at)
    assert figures["Open"] == str(expected_small()["open"])
    assert figures["Open pipeline value"] == "¥1.6M"  # D6 700,000 + D9 900,000


def _aging(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [f"D{i}" for i in range(n)],
            "stage": ["提案" if i % 2 else "交渉" for i in range(n)],
            "owner": ["佐藤 健"] * n,
            "amount": [100_000.0 * (i + 1) for i in range(n)],
            "age_days": list(range(10, 10 + n)),
            "idle_days": list(range(n)),
            "stalled": [i > 30 for i in range(n)],
        }
    )


def test_pipeline_charts_render_to_png_and_svg():
    titles = {
        key: key
        for key in ("id", "stage", "owner", "amount", "idle", "age", "status", "count", "measure", "probability")
    }
    titles |= {"moving": "✓ 動いている", "threshold": "30日", "threshold_title": "日数"}
    stages = pd.DataFrame(
        {
            "stage": ["提案", "交渉"],
            "position": [0, 1],
            "count": [3, 2],
            "value": [3e6, 2e6],
            "win_probability": [0.2, 0.5],
        }
    )
    stages["expected_value"] = stages["value"] * stages["win_probability"]
    charts = [
        pipeline_stage_chart(pipeline_stage_frame(stages, "ja"), titles=titles, lang="ja"),
        aging_chart(aging_frame(_aging(40), {"提案": 0, "交渉": 1}, "ja"), titles=titles, stalled_days=30),
        aging_histogram_chart(aging_bins(_aging(3000), "ja"), titles=titles, stalled_days=30),
    ]
    for chart in charts:
        spec = chart.to_dict()
        assert chart_png(spec).startswith(b"\x89PNG")
        assert b"<svg" in chart_svg(spec)


def test_aging_bins_count_every_open_deal_once():
    aging = _aging(3000)
    bins = aging_bins(aging, "en", bins=30)
    assert int(bins["count"].sum()) == 3000
    stalled = bins[bins["status"].str.contains("Stalled")]
    assert int(stalled["count"].sum()) == int(aging["stalled"].sum())
