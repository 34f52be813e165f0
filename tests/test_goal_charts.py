"""The goal pages' charts are drawn without a schema check on every run (ui/goals/charts.py): here each builder's
spec is checked against the Vega-Lite schema, so a broken encoding still fails a test."""

from __future__ import annotations

import datetime as dt

import altair as alt
import jsonschema
import pandas as pd
import pytest

from kpi_core.pacing import Forecast
from ui.goals.charts import SchemaCheckedLayers, backward_chart, bullet_chart, pacing_chart, target_trend_chart
from ui.goals.frames import bullet_frame, pacing_frame, trend_frame

TITLE_KEYS = "x y band name period actual expected target gap attainment status step needed rate kpi difference date"
TITLES = {k: k for k in (*TITLE_KEYS.split(), "forecast", "low", "high")}


def rows() -> list[dict]:
    """Two months of one KPI (gap rows as kpi_gaps gives them): October missed, November on track so far."""
    base = {"id": "deals", "kind": "kpi", "name": "Deals", "metric": "won", "per": "month", "target": 20.0,
            "department": None, "owner": None}  # fmt: skip
    return [
        {**base, "period": "2026-10", "start": "2026-10-01", "end": "2026-10-31", "actual": 12.0, "expected": 20.0,
         "gap": -8.0, "attainment": 0.6, "status": "off_track", "complete": True},
        {**base, "period": "2026-11", "start": "2026-11-01", "end": "2026-11-30", "actual": 11.0, "expected": 10.0,
         "gap": 1.0, "attainment": 1.1, "status": "on_track", "complete": False},
    ]  # fmt: skip


def forecast() -> Forecast:
    return Forecast(
        metric="won", per="month", period="2026-11", period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 11, 30), as_of=dt.date(2026, 11, 4), calendar="jp", business_days_elapsed=2,
        business_days_total=19, actual=3.0, target=20.0, value=21.0, low=15.0, high=27.0, probability_on_target=0.55,
        better="higher", method={"code": "run_rate", "params": {}},
    )  # fmt: skip


def charts() -> dict[str, SchemaCheckedLayers]:
    goal_rows = rows()
    series = pd.DataFrame(
        {
            "date": [dt.date(2026, 11, d) for d in (2, 3, 4, 5)],
            "business_day": [1, 2, 3, 4],
            "is_business_day": [True] * 4,
            "actual": [1.0, 3.0, None, None],
            "target": [1.05, 2.1, 3.15, 4.2],
            "forecast": [None, None, 4.1, 5.2],
            "low": [None, None, 3.5, 4.0],
            "high": [None, None, 4.8, 6.3],
        }
    )
    backward = pd.DataFrame(
        {"order": [0, 1], "step": ["Opportunities", "Won"], "needed": [80.0, 20.0], "kpi_target": [70.0, None],
         "needed_text": ["80", "20"], "rate_text": ["—", "25%"], "kpi_text": ["70", "—"],
         "difference_text": ["-10", "—"]}
    )  # fmt: skip
    return {
        "bullet": bullet_chart(bullet_frame(goal_rows, "en"), titles=TITLES, lang="en"),
        "trend": target_trend_chart(trend_frame(goal_rows, "deals", "en"), titles=TITLES, unit="count", lang="en"),
        "backward": backward_chart(backward, titles=TITLES),
        "pacing": pacing_chart(pacing_frame(series, forecast(), "en"), titles=TITLES, unit="count", lang="en"),
    }


@pytest.mark.parametrize("name", ["bullet", "trend", "backward", "pacing"])
def test_each_goal_chart_is_valid_vega_lite(name: str) -> None:
    chart = charts()[name]
    spec = chart.to_dict(validate=True)  # raises on a spec the schema rejects
    assert len(spec["layer"]) >= 3
    assert chart.to_dict() == spec  # what the page sends is the spec that was checked


def test_the_check_would_notice_a_broken_chart() -> None:
    broken = SchemaCheckedLayers(layer=[alt.Chart(pd.DataFrame({"a": [1]})).mark_bar().encode(x="a:Q")])
    broken["layer"][0]["mark"] = {"type": "not-a-mark"}
    broken.to_dict()  # drawn unchecked
    with pytest.raises(jsonschema.ValidationError):
        broken.to_dict(validate=True)
