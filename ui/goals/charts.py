"""Altair charts of the goal pages: bullet, target trend, backward plan and cumulative pacing."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from kpi_core.goals import STATUS_THRESHOLDS
from ui.goals.format import STATUS_FILLS, status_colour, status_text
from ui.goals.frames import BULLET_MAX
from ui.theme import MUTED, NEUTRAL, NEUTRAL_LIGHT


class SchemaCheckedLayers(alt.LayerChart):
    """A layered chart drawn without checking its spec against the Vega-Lite schema on every page run (the check
    was about 40 % of the Goals page's run time). The builders below are fixed code, so the check is done once, by
    tests/test_goal_charts.py, on each of them."""

    def to_dict(self, validate: bool = False, **kwargs: Any) -> dict[str, Any]:  # type: ignore[override]
        return super().to_dict(validate=validate, **kwargs)


def layers(*charts: alt.Chart, height: int) -> SchemaCheckedLayers:
    """The charts drawn over each other (as alt.layer), `height` px tall."""
    return SchemaCheckedLayers(layer=list(charts)).properties(height=height)


def _status_scale(lang: str) -> tuple[list[str], list[str], list[str]]:
    statuses = ["on_track", "at_risk", "off_track", "no_data"]
    words = [status_text(s, lang) for s in statuses]
    colours = [status_colour(s) for s in statuses]
    shapes = ["circle", "triangle-up", "cross", "square"]
    return words, colours, shapes


def bullet_chart(frame: pd.DataFrame, *, titles: dict[str, str], lang: str) -> SchemaCheckedLayers:
    """Bullet rows: shaded bands at the off-track / at-risk thresholds, a bar for the attainment (actual over the
    pro-rated target), a tick at 100 % (the target), and a label with status, attainment and actual / target.

    `frame`: order, name, attainment, status_text, *_text, label (see bullet_frame).
    """
    risk, on = STATUS_THRESHOLDS["at_risk"], STATUS_THRESHOLDS["on_track"]
    bands = pd.DataFrame(
        {
            "lo": [0.0, risk, on],
            "hi": [risk, on, BULLET_MAX],
            "band": [status_text(s, lang) for s in ("off_track", "at_risk", "on_track")],
            "colour": [STATUS_FILLS[s] for s in ("off_track", "at_risk", "on_track")],
        }
    )
    names = list(frame.sort_values("order")["name"])
    y = alt.Y("name:N", sort=names, title=None, axis=alt.Axis(labelLimit=260))
    band_rows = frame[["name"]].merge(bands, how="cross")
    band_layer = (
        alt.Chart(band_rows)
        .mark_bar(height={"band": 0.8})
        .encode(
            y=y,
            x=alt.X(
                "lo:Q",
                scale=alt.Scale(domain=[0, BULLET_MAX], nice=False),
                axis=alt.Axis(format=".0%", title=titles["x"]),
            ),
            x2="hi:Q",
            color=alt.Color("colour:N", scale=None, legend=None),
            tooltip=[alt.Tooltip("band:N", title=titles["band"])],
        )
    )
    tooltip = [
        alt.Tooltip("name:N", title=titles["name"]),
        alt.Tooltip("period_text:N", title=titles["period"]),
        alt.Tooltip("actual_text:N", title=titles["actual"]),
        alt.Tooltip("expected_text:N", title=titles["expected"]),
        alt.Tooltip("target_text:N", title=titles["target"]),
        alt.Tooltip("gap_text:N", title=titles["gap"]),
        alt.Tooltip("attainment_text:N", title=titles["attainment"]),
        alt.Tooltip("status_text:N", title=titles["status"]),
    ]
    bars = (
        alt.Chart(frame)
        .mark_bar(height={"band": 0.34}, color="#1B2430")
        .encode(y=y, x=alt.X("attainment:Q"), tooltip=tooltip)
    )
    ticks = (
        alt.Chart(frame).mark_tick(thickness=3, size=30, color="#1B2430").encode(y=y, x=alt.datum(1.0), tooltip=tooltip)
    )
    labels = (
        alt.Chart(frame)
        .mark_text(align="left", dx=6, dy=-17, fontSize=12)
        .encode(y=y, x=alt.datum(0.0), text="label:N", color=alt.value("#1B2430"))
    )
    return layers(band_layer, bars, ticks, labels, height=max(64 * len(frame), 120))


def target_trend_chart(frame: pd.DataFrame, *, titles: dict[str, str], unit: str, lang: str) -> SchemaCheckedLayers:
    """A KPI's actual per period as a line, its target as a dashed line, and each period's point in its status
    colour and shape (the missed months stand out).

    `frame`: start, period_label, actual, target, status_text, missed, *_text (see trend_frame).
    """
    from ui.charts import value_axis

    words, colours, shapes = _status_scale(lang)
    x = alt.X(
        "period_label:O",
        sort=alt.EncodingSortField(field="start", op="min"),
        title=None,
        axis=alt.Axis(labelAngle=-40, labelOverlap="greedy"),
    )
    tooltip = [
        alt.Tooltip("period_label:N", title=titles["period"]),
        alt.Tooltip("actual_text:N", title=titles["actual"]),
        alt.Tooltip("target_text:N", title=titles["target"]),
        alt.Tooltip("gap_text:N", title=titles["gap"]),
        alt.Tooltip("status_text:N", title=titles["status"]),
    ]
    y_axis = value_axis(unit if unit in ("currency", "ratio") else "count", lang, None, ticks=4)
    target = (
        alt.Chart(frame)
        .mark_line(strokeDash=[5, 4], color=MUTED, strokeWidth=2)
        .encode(x=x, y=alt.Y("target:Q", axis=y_axis), tooltip=tooltip)
    )
    line = alt.Chart(frame).mark_line(color=NEUTRAL).encode(x=x, y=alt.Y("actual:Q"), tooltip=tooltip)
    points = (
        alt.Chart(frame)
        .mark_point(filled=True, size=110, opacity=1)
        .encode(
            x=x,
            y=alt.Y("actual:Q"),
            color=alt.Color(
                "status_word:N",
                title=None,
                scale=alt.Scale(domain=words, range=colours),
                legend=alt.Legend(orient="bottom"),
            ),
            shape=alt.Shape("status_word:N", title=None, scale=alt.Scale(domain=words, range=shapes)),
            tooltip=tooltip,
        )
        .transform_calculate(status_word="split(datum.status_text, ' (')[0]")
    )
    return layers(target, line, points, height=220)


def backward_chart(frame: pd.DataFrame, *, titles: dict[str, str]) -> SchemaCheckedLayers:
    """Volumes per month per funnel step: needed at the historical rates (bar) and the KPI target (tick).

    `frame`: backward_frame rows of count steps.
    """
    names = list(frame.sort_values("order")["step"])
    y = alt.Y("step:N", sort=names, title=None)
    tooltip = [
        alt.Tooltip("step:N", title=titles["step"]),
        alt.Tooltip("needed_text:N", title=titles["needed"]),
        alt.Tooltip("rate_text:N", title=titles["rate"]),
        alt.Tooltip("kpi_text:N", title=titles["kpi"]),
        alt.Tooltip("difference_text:N", title=titles["difference"]),
    ]
    bars = (
        alt.Chart(frame)
        .mark_bar(color=NEUTRAL_LIGHT, height={"band": 0.6}, cornerRadiusEnd=3)
        .encode(y=y, x=alt.X("needed:Q", title=titles["x"], axis=alt.Axis(format=",.0f")), tooltip=tooltip)
    )
    ticks = (
        alt.Chart(frame.dropna(subset=["kpi_target"]))
        .mark_tick(thickness=3, size=26, color=NEUTRAL)
        .encode(y=y, x="kpi_target:Q", tooltip=tooltip)
    )
    text = (
        alt.Chart(frame)
        .mark_text(align="left", dx=6)
        .encode(y=y, x="needed:Q", text=alt.Text("label:N"))
        .transform_calculate(label="datum.needed_text")
    )
    return layers(bars, ticks, text, height=max(44 * len(frame), 120))


def pacing_chart(frame: pd.DataFrame, *, titles: dict[str, str], unit: str, lang: str) -> SchemaCheckedLayers:
    """Cumulative actual by business day (solid) against the pro-rated target (grey), the forecast (dashed) and its
    80 % band (shaded); a hover rule shows the day's exact values.

    `frame`: pacing_frame rows.
    """
    from ui.charts import value_axis

    series_names = [titles["actual"], titles["target"], titles["forecast"]]
    long = frame.melt(
        id_vars=["business_day", "date_text"], value_vars=["actual", "target", "forecast"], var_name="key"
    ).dropna(subset=["value"])
    long["series"] = long["key"].map(
        {"actual": titles["actual"], "target": titles["target"], "forecast": titles["forecast"]}
    )
    x = alt.X("business_day:Q", title=titles["x"], axis=alt.Axis(format="d", tickMinStep=1))
    y_axis = value_axis(unit if unit in ("currency", "ratio") else "count", lang, titles["y"])
    band = (
        alt.Chart(frame.dropna(subset=["low", "high"]))
        .mark_area(color=NEUTRAL, opacity=0.15)
        .encode(x=x, y=alt.Y("low:Q", axis=y_axis), y2="high:Q")
    )
    lines = (
        alt.Chart(long)
        .mark_line()
        .encode(
            x=x,
            y=alt.Y("value:Q", axis=y_axis),
            color=alt.Color(
                "series:N",
                title=None,
                sort=series_names,
                scale=alt.Scale(domain=series_names, range=[NEUTRAL, MUTED, NEUTRAL]),
            ),
            strokeDash=alt.StrokeDash(
                "series:N",
                title=None,
                sort=series_names,
                scale=alt.Scale(domain=series_names, range=[[1, 0], [2, 3], [7, 4]]),
            ),
        )
    )
    hover = alt.selection_point(fields=["business_day"], nearest=True, on="pointerover", empty=False)
    rule = (
        alt.Chart(frame)
        .mark_rule(color=MUTED)
        .encode(
            x=x,
            opacity=alt.condition(hover, alt.value(0.6), alt.value(0)),
            tooltip=[
                alt.Tooltip("date_text:N", title=titles["date"]),
                alt.Tooltip("business_day:Q", title=titles["x"]),
                alt.Tooltip("actual_text:N", title=titles["actual"]),
                alt.Tooltip("target_text:N", title=titles["target"]),
                alt.Tooltip("forecast_text:N", title=titles["forecast"]),
                alt.Tooltip("low_text:N", title=titles["low"]),
                alt.Tooltip("high_text:N", title=titles["high"]),
            ],
        )
        .add_params(hover)
    )
    return layers(band, lines, rule, height=320)
