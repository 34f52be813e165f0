"""ui/charts.py: axes a reader can read. Charts are laid out by Vega (vl-convert, no browser) at the width of a
wide page, and the ticks and labels Vega keeps are counted."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pandas as pd
import pytest
import vl_convert

from ui.charts import comparison_chart, metric_trend_chart, period_axis_values, trend_lines_chart
from ui.format import fmt_period
from ui.frames import comparison_frame, conversion_trend, metric_trend

PAGE_WIDTH = 850  # the chart area of the Funnel page in a 1400-pixel window
LEVELS = ["opportunity", "won"]


def axes(chart: Any, width: int = PAGE_WIDTH) -> list[dict[str, list[dict[str, Any]]]]:
    """Each axis of the laid-out chart: its tick and label items (labels hidden by overlap removal dropped)."""
    spec = chart.to_dict()
    spec["width"] = width
    found: list[dict[str, list[dict[str, Any]]]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("role") == "axis" and node.get("marktype") == "group":
                parts: dict[str, list[dict[str, Any]]] = {"tick": [], "label": []}
                for item in node.get("items", []):
                    for mark in item.get("items", []):
                        role = str(mark.get("role", ""))
                        if role in ("axis-tick", "axis-label"):
                            parts[role.removeprefix("axis-")] += [
                                i for i in mark.get("items", []) if i.get("opacity", 1) != 0
                            ]
                found.append(parts)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(vl_convert.vegalite_to_scenegraph(spec))
    return found


def x_axis(chart: Any) -> dict[str, list[dict[str, Any]]]:
    """The horizontal axis: the one whose labels lie on one line."""
    return next(a for a in axes(chart) if a["label"] and len({round(i["y"]) for i in a["label"]}) == 1)


def texts(axis: dict[str, list[dict[str, Any]]]) -> list[str]:
    return [str(i["text"]) for i in axis["label"]]


def rows(rates: list[float]) -> list[dict[str, Any]]:
    return [
        {"key": f"group {i}", "opportunities": 200, "won": round(200 * r), "conversion": {"first_to_won": r}}
        for i, r in enumerate(rates)
    ]


COMPARE_TITLES = {"key": "チャネル", "rate": "初段→受注", "base": "母数", "won": "受注", "overall": "全体"}


@pytest.mark.parametrize(
    "rates",
    [
        [0.096, 0.17, 0.358, 0.189, 0.213, 0.409],  # the sales sample by channel: 0 % to 44 % every 2 % before
        [0.012, 0.03, 0.051, 0.044],  # a lead funnel: small rates
        [0.002, 0.004, 0.007],  # very small rates: 0.1 %, 0.2 % …, not 0 %, 0 %, 1 %
        [0.5, 0.8, 1.0],
    ],
)
def test_the_comparison_axis_has_a_few_readable_ticks(rates):
    chart = comparison_chart(
        comparison_frame(rows(rates), LEVELS, "ja"), titles=COMPARE_TITLES, overall=sum(rates) / len(rates)
    )
    axis = x_axis(chart)
    labels = texts(axis)
    assert 3 <= len(labels) <= 8, labels  # not 23 (0 % to 44 % every 2 %)
    assert len(axis["tick"]) == len(labels)
    assert len(set(labels)) == len(labels)  # no "0%, 0%, 1%" for small rates
    assert all(label.endswith("%") for label in labels)
    xs = sorted(i["x"] for i in axis["label"])
    assert min(b - a for a, b in itertools.pairwise(xs)) >= 60  # room for a label between ticks


def periods(count: int, period: str) -> list[dict[str, Any]]:
    """Engine-like by_period rows: `count` consecutive months or ISO weeks from April 2024."""
    out = []
    for index in range(count):
        if period == "month":
            year, month = 2024 + (3 + index) // 12, (3 + index) % 12 + 1
            start = dt.date(year, month, 1)
            key = f"{year}-{month:02d}"
        else:
            start = dt.date(2024, 4, 1) + dt.timedelta(weeks=index)
            iso = start.isocalendar()
            key = f"{iso.year}-W{iso.week:02d}"
        out.append(
            {
                "period": key,
                "start": start.isoformat(),
                "opportunities": 50,
                "won": 5 + index % 7,
                "won_revenue": 1e6 * (1 + index % 5),
            }
        )
    return out


@pytest.mark.parametrize(("count", "period"), [(32, "month"), (137, "week"), (11, "month"), (60, "month")])
def test_period_axes_keep_a_dozen_ticks_at_most(count, period):
    """The conversion trend (Funnel) and the revenue trend (Home): one tick per labelled period, not one per
    period; with 137 weeks there were 137 ticks 6 pixels apart."""
    by_period = periods(count, period)
    trend = conversion_trend(by_period, LEVELS, period, "ja")
    lines = trend_lines_chart(
        trend, titles={"period": "期間", "series": "段階", "value": "転換率"}, unit="ratio", lang="ja"
    )
    revenue = metric_trend(by_period, "won_revenue", "currency", period, "ja")
    bars = metric_trend_chart(
        revenue, titles={"period": "期間", "value": "受注金額"}, unit="currency", lang="ja", bars=True
    )
    for chart in (lines, bars):
        axis = x_axis(chart)
        labels = texts(axis)
        assert len(axis["tick"]) == len(labels) <= 12
        assert labels[0] == fmt_period(by_period[0]["period"], period, "ja")  # the first period is always named
        if count <= 12:
            assert len(labels) == count


def test_month_labels_step_by_whole_quarters():
    labels = [fmt_period(p["period"], "month", "ja") for p in periods(32, "month")]
    frame = pd.DataFrame({"start": range(32), "period_label": labels})
    assert period_axis_values(frame) == labels[::3]
    assert period_axis_values(frame)[:3] == ["2024年4月", "2024年7月", "2024年10月"]
    assert period_axis_values(frame.iloc[:12]) == labels[:12]
    assert period_axis_values(frame.iloc[:0]) == []


def test_money_axes_follow_the_data_currency(monkeypatch):
    import ui.charts as charts
    import ui.format

    assert "億" in charts.money_axis_expr("ja") and "¥" in charts.money_axis_expr("en")  # JPY outside a session
    monkeypatch.setattr(ui.format, "current_currency", lambda: "USD")  # the axis rule is kpi_core/format.py's
    for lang in ("ja", "en"):
        expr = charts.money_axis_expr(lang)
        assert expr.startswith("'$'") and "万" not in expr and "¥" not in expr
