"""Altair chart builders (no Streamlit): each takes a prepared frame and translated titles, returns a chart.

Frames come from ui/frames.py and carry `*_text` columns already formatted for the reader's language, so tooltips
show exact values as the page does.
"""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from ui.format import money_axis_expr as format_money_axis_expr
from ui.theme import HIGHLIGHT, MUTED, NEUTRAL, NEUTRAL_LIGHT, STATUS_COLOURS

ROW_HEIGHT = 46
PERIOD_LABELS = 12  # at most this many labelled periods (and ticks) on a time axis
PERIOD_STEPS = (1, 2, 3, 4, 6, 12, 13, 26, 52)  # label every n-th period: months by quarter / half, weeks by quarter


def money_axis_expr(lang: str) -> str:
    """A Vega label expression for money axes in the session's currency: 1.5億 / 350万 for yen in Japanese,
    ¥1.2M / $1.2M / €850K otherwise (万 and 億 are for yen only; the rule is kpi_core/format.py's)."""
    return format_money_axis_expr(lang)


def value_axis(unit: str, lang: str, title: str | None, ticks: int = 6) -> alt.Axis:
    """An axis formatted for a metrics.yaml unit, with about `ticks` ticks."""
    if unit == "currency":
        return alt.Axis(title=title, labelExpr=money_axis_expr(lang), tickCount=ticks)
    if unit == "ratio":  # 0%, 10%, 20% … and 0.2%, 0.4% for small rates (".0%" would print 0%, 0%, 1%)
        return alt.Axis(title=title, format=".1~%", tickCount=ticks)
    return alt.Axis(title=title, format=",.0f", tickCount=ticks)


def _tooltips(columns: list[tuple[str, str]]) -> list[alt.Tooltip]:
    return [alt.Tooltip(f"{field}:N", title=title) for field, title in columns]


def funnel_chart(steps: pd.DataFrame, *, titles: dict[str, str]) -> alt.LayerChart:
    """Horizontal funnel: one bar per step (a level, or a sub-stage of the opportunity level), labelled with count,
    % of previous and % of first; the step after the biggest drop in the highlight colour (its label says so in
    words as well).

    `steps`: order, step, count, label, highlight, count_text, pct_prev_text, pct_first_text.
    """
    top = float(steps["count"].max() or 1)
    base = alt.Chart(steps).encode(
        y=alt.Y(
            "step:N", sort=alt.EncodingSortField(field="order", op="min"), title=None, axis=alt.Axis(labelPadding=8)
        ),
    )
    bars = base.mark_bar(cornerRadiusEnd=4, height={"band": 0.72}).encode(
        x=alt.X("count:Q", axis=None, scale=alt.Scale(domain=[0, top * 1.9])),
        color=alt.condition("datum.highlight", alt.value(HIGHLIGHT), alt.value(NEUTRAL)),
        tooltip=_tooltips(
            [
                ("step", titles["step"]),
                ("count_text", titles["count"]),
                ("pct_prev_text", titles["pct_prev"]),
                ("pct_first_text", titles["pct_first"]),
            ]
        ),
    )
    text = base.mark_text(align="left", dx=8).encode(
        x=alt.X("count:Q"),
        text="label:N",
        color=alt.condition("datum.highlight", alt.value(HIGHLIGHT), alt.value("#1B2430")),
    )
    return (bars + text).properties(height=max(ROW_HEIGHT * len(steps), 120))


def funnel_small_multiples(steps: pd.DataFrame, *, titles: dict[str, str], columns: int = 3) -> alt.FacetChart:
    """One small funnel per breakdown value (its own scale, so small groups keep their shape).

    `steps`: key, key_order, order, step, count, highlight, label_short, count_text, pct_prev_text, pct_first_text.
    """
    base = alt.Chart().encode(
        y=alt.Y("step:N", sort=alt.EncodingSortField(field="order", op="min"), title=None),
    )
    bars = base.mark_bar(cornerRadiusEnd=3, height={"band": 0.7}).encode(
        x=alt.X("count:Q", axis=None),
        color=alt.condition("datum.highlight", alt.value(HIGHLIGHT), alt.value(NEUTRAL)),
        tooltip=_tooltips(
            [
                ("key", titles["key"]),
                ("step", titles["step"]),
                ("count_text", titles["count"]),
                ("pct_prev_text", titles["pct_prev"]),
                ("pct_first_text", titles["pct_first"]),
            ]
        ),
    )
    text = base.mark_text(align="left", dx=4).encode(x="count:Q", text="label_short:N")
    levels = steps["step"].nunique()
    layered = alt.layer(bars, text, data=steps).properties(width=190, height=max(30 * levels, 70))
    return (
        layered.facet(
            facet=alt.Facet("key:N", title=None, sort=alt.EncodingSortField(field="key_order", op="min")),
            columns=columns,
        )
        .resolve_scale(x="independent")
        .configure_view(stroke=None)
    )


def comparison_chart(frame: pd.DataFrame, *, titles: dict[str, str], overall: float | None) -> alt.LayerChart:
    """A rate per breakdown value as bars, with the overall rate as a dashed rule.

    `frame`: key, key_order, rate, rate_text, base_text, won_text.
    """
    base = alt.Chart(frame).encode(
        y=alt.Y("key:N", sort=alt.EncodingSortField(field="key_order", op="min"), title=None),
    )
    bars = base.mark_bar(cornerRadiusEnd=3, height={"band": 0.7}, color=NEUTRAL).encode(
        x=alt.X("rate:Q", axis=value_axis("ratio", "", titles["rate"], ticks=5)),  # 0 %, 10 % …: not every 2 %
        tooltip=_tooltips(
            [
                ("key", titles["key"]),
                ("rate_text", titles["rate"]),
                ("base_text", titles["base"]),
                ("won_text", titles["won"]),
            ]
        ),
    )
    text = base.mark_text(align="left", dx=4).encode(x="rate:Q", text="rate_text:N")
    layers = [bars, text]
    if overall is not None:
        rule = (
            alt.Chart(pd.DataFrame({"overall": [overall], "label": [titles["overall"]]}))
            .mark_rule(strokeDash=[6, 4], color=MUTED, size=2)
            .encode(x="overall:Q", tooltip=[alt.Tooltip("label:N", title=titles["overall"])])
        )
        layers.append(rule)
    return alt.layer(*layers).properties(height=max(34 * len(frame), 120))


def period_axis_values(frame: pd.DataFrame, most: int = PERIOD_LABELS) -> list[str]:
    """The period labels a time axis names and ticks: every one up to `most` periods, else every n-th from the
    first (n from PERIOD_STEPS: 32 months → every 3rd, 2024年4月, 2024年7月 …), so 137 weeks do not get 137 ticks."""
    labels = list(frame.sort_values("start", kind="stable")["period_label"].drop_duplicates())
    step = next((s for s in PERIOD_STEPS if math.ceil(len(labels) / s) <= most), math.ceil(len(labels) / most))
    return labels[::step]


def _period_x(frame: pd.DataFrame) -> alt.X:
    # Period labels ("2025年4月", "FY2025 Q2") say what they are: no axis title.
    return alt.X(
        "period_label:O",
        sort=alt.EncodingSortField(field="start", op="min"),
        title=None,
        axis=alt.Axis(labelAngle=-40, labelOverlap="greedy", values=period_axis_values(frame)),
    )


def trend_lines_chart(
    frame: pd.DataFrame, *, titles: dict[str, str], unit: str, lang: str, height: int = 280
) -> alt.Chart:
    """Lines over periods, one per series (conversion steps, metrics).

    `frame`: start, period_label, series, series_order, value, value_text.
    """
    series_sort = list(frame.sort_values("series_order")["series"].drop_duplicates())
    # A ratio axis stops at 100%: period-basis rates above it (deals created earlier) would flatten the rest.
    scale = alt.Scale(domain=[0, 1], clamp=True) if unit == "ratio" and frame["value"].max() > 1 else alt.Undefined
    chart = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=_period_x(frame),
            y=alt.Y("value:Q", axis=value_axis(unit, lang, titles["value"]), scale=scale),
            color=alt.Color("series:N", title=None, sort=series_sort),
            tooltip=_tooltips(
                [("period_label", titles["period"]), ("series", titles["series"]), ("value_text", titles["value"])]
            ),
        )
    )
    return chart.properties(height=height)


def metric_trend_chart(
    frame: pd.DataFrame, *, titles: dict[str, str], unit: str, lang: str, height: int = 220, bars: bool = False
) -> alt.Chart:
    """One metric over periods, as a line (or bars for amounts that add up).

    `frame`: start, period_label, value, value_text.
    """
    mark = (
        alt.Chart(frame).mark_bar(color=NEUTRAL, cornerRadiusEnd=2) if bars else alt.Chart(frame).mark_line(point=True)
    )
    return mark.encode(
        x=_period_x(frame),
        y=alt.Y("value:Q", axis=value_axis(unit, lang, titles["value"], ticks=max(3, height // 55))),
        tooltip=_tooltips([("period_label", titles["period"]), ("value_text", titles["value"])]),
    ).properties(height=height)


def pipeline_stage_chart(frame: pd.DataFrame, *, titles: dict[str, str], lang: str) -> alt.Chart:
    """Open pipeline by stage: amount and expected amount side by side per stage.

    `frame` (long): stage, position, measure, measure_order, amount, amount_text, count_text, probability_text.
    """
    measures = list(frame.sort_values("measure_order")["measure"].drop_duplicates())
    return (
        alt.Chart(frame)
        .mark_bar(cornerRadiusEnd=3)
        .encode(
            y=alt.Y("stage:N", sort=alt.EncodingSortField(field="position", op="min"), title=None),
            yOffset=alt.YOffset("measure:N", sort=measures),
            x=alt.X("amount:Q", axis=value_axis("currency", lang, titles["amount"])),
            color=alt.Color(
                "measure:N", title=None, sort=measures, scale=alt.Scale(domain=measures, range=[NEUTRAL_LIGHT, NEUTRAL])
            ),
            tooltip=_tooltips(
                [
                    ("stage", titles["stage"]),
                    ("count_text", titles["count"]),
                    ("measure", titles["measure"]),
                    ("amount_text", titles["amount"]),
                    ("probability_text", titles["probability"]),
                ]
            ),
        )
        .properties(height=max(58 * frame["stage"].nunique(), 140))
    )


def stage_count_chart(frame: pd.DataFrame, *, titles: dict[str, str]) -> alt.LayerChart:
    """Open deals per stage (when the data has no amounts).

    `frame`: stage, position, count, count_text, probability_text.
    """
    base = alt.Chart(frame).encode(
        y=alt.Y("stage:N", sort=alt.EncodingSortField(field="position", op="min"), title=None)
    )
    bars = base.mark_bar(cornerRadiusEnd=3, color=NEUTRAL).encode(
        x=alt.X("count:Q", axis=value_axis("count", "", titles["count"])),
        tooltip=_tooltips(
            [("stage", titles["stage"]), ("count_text", titles["count"]), ("probability_text", titles["probability"])]
        ),
    )
    text = base.mark_text(align="left", dx=4).encode(x="count:Q", text="count_text:N")
    return (bars + text).properties(height=max(40 * len(frame), 120))


def aging_chart(frame: pd.DataFrame, *, titles: dict[str, str], stalled_days: int) -> alt.LayerChart:
    """Open deals as points: days without movement per stage; stalled ones in the off-track colour and shape,
    with the threshold as a rule.

    `frame`: id, stage, position, idle_days, age_days, status, status_order, owner, amount_text.
    """
    statuses = list(frame.sort_values("status_order")["status"].drop_duplicates()) or [titles["moving"]]
    colours = [STATUS_COLOURS["on_track"] if s == titles["moving"] else STATUS_COLOURS["off_track"] for s in statuses]
    shapes = ["circle" if s == titles["moving"] else "cross" for s in statuses]
    points = (
        alt.Chart(frame)
        .mark_point(filled=True, size=80, opacity=0.8)
        .encode(
            x=alt.X("idle_days:Q", title=titles["idle"]),
            y=alt.Y("stage:N", sort=alt.EncodingSortField(field="position", op="min"), title=None),
            yOffset=alt.YOffset("jitter:Q", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("status:N", title=None, scale=alt.Scale(domain=statuses, range=colours)),
            shape=alt.Shape("status:N", title=None, scale=alt.Scale(domain=statuses, range=shapes)),
            tooltip=_tooltips(
                [
                    ("id", titles["id"]),
                    ("stage", titles["stage"]),
                    ("owner", titles["owner"]),
                    ("amount_text", titles["amount"]),
                    ("idle_text", titles["idle"]),
                    ("age_text", titles["age"]),
                    ("status", titles["status"]),
                ]
            ),
        )
        .transform_calculate(jitter="random()")
    )
    rule = (
        alt.Chart(pd.DataFrame({"days": [stalled_days], "label": [titles["threshold"]]}))
        .mark_rule(strokeDash=[6, 4], color=HIGHLIGHT, size=2)
        .encode(x="days:Q", tooltip=[alt.Tooltip("label:N", title=titles["threshold_title"])])
    )
    return alt.layer(points, rule).properties(height=max(52 * frame["stage"].nunique(), 160))


def aging_histogram_chart(bins: pd.DataFrame, *, titles: dict[str, str], stalled_days: int) -> alt.LayerChart:
    """Open deals per band of days without movement, stacked by status (for thousands of deals).

    `bins`: bin_start, bin_end, status, status_order, count, range_text, count_text.
    """
    statuses = list(bins.sort_values("status_order")["status"].drop_duplicates()) or [titles["moving"]]
    colours = [STATUS_COLOURS["on_track"] if s == titles["moving"] else STATUS_COLOURS["off_track"] for s in statuses]
    bars = (
        alt.Chart(bins)
        .mark_bar()
        .encode(
            x=alt.X("bin_start:Q", bin="binned", title=titles["idle"]),
            x2="bin_end:Q",
            y=alt.Y("count:Q", title=titles["count"], stack="zero"),
            color=alt.Color("status:N", title=None, scale=alt.Scale(domain=statuses, range=colours)),
            order=alt.Order("status_order:Q"),
            tooltip=_tooltips(
                [("range_text", titles["idle"]), ("status", titles["status"]), ("count_text", titles["count"])]
            ),
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"days": [stalled_days], "label": [titles["threshold"]]}))
        .mark_rule(strokeDash=[6, 4], color=HIGHLIGHT, size=2)
        .encode(x="days:Q", tooltip=[alt.Tooltip("label:N", title=titles["threshold_title"])])
    )
    return alt.layer(bars, rule).properties(height=260)


# ------------------------------------------------------------------------------------------------ partial periods
def _state_scale(frame: pd.DataFrame, colours: dict[int, str]) -> tuple[list[str], list[str]]:
    """(state words in order, their colours) for the states the frame has (state_order 0 final, 1 maturing,
    2 running)."""
    states = frame.sort_values("state_order")[["state", "state_order"]].drop_duplicates("state")
    return list(states["state"]), [colours[int(o)] for o in states["state_order"]]


def period_bars_chart(
    frame: pd.DataFrame, *, titles: dict[str, str], unit: str, lang: str, height: int = 260
) -> alt.LayerChart:
    """One amount per period as bars; a period still running is lighter with a dashed outline, and the legend
    says so in words ("in progress: 24 of 30 days").

    `frame`: start, period_label, value, value_text, state, state_order (ui.frames.with_period_state).
    """
    states, colours = _state_scale(frame, {0: NEUTRAL, 1: NEUTRAL, 2: NEUTRAL_LIGHT})
    x = _period_x(frame)
    y = alt.Y("value:Q", axis=value_axis(unit, lang, titles["value"], ticks=max(3, height // 55)))
    bars = (
        alt.Chart(frame)
        .mark_bar(cornerRadiusEnd=2)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "state:N",
                title=None,
                scale=alt.Scale(domain=states, range=colours),
                legend=alt.Legend(orient="top") if len(states) > 1 else None,
            ),
            tooltip=_tooltips(
                [("period_label", titles["period"]), ("value_text", titles["value"]), ("state", titles["state"])]
            ),
        )
    )
    outline = (  # the running period's dashed outline, over its lighter bar
        alt.Chart(frame[~frame["complete"]])
        .mark_bar(cornerRadiusEnd=2, fillOpacity=0, stroke=NEUTRAL, strokeDash=[4, 3], strokeWidth=1.5)
        .encode(x=x, y=y)
    )
    return alt.layer(bars, outline).properties(height=height)


def _dashed_part(frame: pd.DataFrame, group: str | None) -> pd.DataFrame:
    """The maturing rows of each series, with the last settled row before them (so the dashed line joins on)."""
    parts = []
    for _, rows in frame.groupby(group, sort=False) if group else [(None, frame)]:
        rows = rows.sort_values("start")
        young = rows[rows["maturing"]]
        if not len(young):
            continue
        before = rows[(~rows["maturing"]) & (rows["start"] < young["start"].min())].tail(1)
        parts.append(pd.concat([before, young]))
    return pd.concat(parts) if parts else frame.iloc[0:0]


def maturing_lines_chart(
    frame: pd.DataFrame,
    *,
    titles: dict[str, str],
    unit: str,
    lang: str,
    height: int = 280,
    series: bool = True,
) -> alt.LayerChart:
    """Lines over periods (one per series when `series`) whose maturing or running periods are drawn dashed, light
    and with hollow points: a young period's low (or above-100 %) rate reads as "still moving", not as a drop.
    The dash has a legend entry (titles["maturing"]) next to the settled line's (titles["final"]).

    `frame`: start, period_label, value, value_text, maturing, state (+ series, series_order when `series`).
    """
    final, young = titles["final"], titles["maturing"]
    scale = alt.Scale(domain=[0, 1], clamp=True) if unit == "ratio" and frame["value"].max() > 1 else alt.Undefined
    dash = alt.StrokeDash(
        "dash:N",
        title=None,
        scale=alt.Scale(domain=[final, young], range=[[1, 0], [5, 4]]),
        legend=alt.Legend(orient="top", symbolStrokeColor=MUTED, symbolType="stroke"),
    )
    tips = [("period_label", titles["period"]), ("value_text", titles["value"]), ("state", titles["state"])]
    encoding: dict[str, object] = {
        "x": _period_x(frame),
        "y": alt.Y("value:Q", axis=value_axis(unit, lang, titles["value"]), scale=scale),
        "strokeDash": dash,
    }
    if series:
        order = list(frame.sort_values("series_order")["series"].drop_duplicates())
        encoding["color"] = alt.Color("series:N", title=None, sort=order, legend=alt.Legend(orient="top"))
        tips.insert(1, ("series", titles["series"]))
    settled = frame[~frame["maturing"]].assign(dash=final)
    dashed = _dashed_part(frame, "series" if series else None).assign(dash=young)
    solid = (
        alt.Chart(settled)
        .mark_line(point=alt.OverlayMarkDef(filled=True, size=50))
        .encode(**encoding, tooltip=_tooltips(tips))
    )
    light = (
        alt.Chart(dashed)
        .mark_line(opacity=0.6, point=alt.OverlayMarkDef(filled=False, fill="white", size=60, strokeWidth=2))
        .encode(**encoding, tooltip=_tooltips(tips))
    )
    return alt.layer(solid, light).properties(height=height)


def lead_band_chart(frame: pd.DataFrame, *, titles: dict[str, str]) -> alt.Chart:
    """Open leads per age band (x, youngest first), stacked by current level in funnel order.

    `frame`: band, band_label, level_label, level_order, count, count_text (ui.frames.lead_band_frame).
    """
    bands = list(frame.sort_values("band")["band_label"].drop_duplicates())
    levels = list(frame.sort_values("level_order")["level_label"].drop_duplicates())
    shades = [NEUTRAL_LIGHT, "#6F97C9", NEUTRAL][-len(levels) :] if len(levels) <= 3 else alt.Undefined
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("band_label:N", sort=bands, title=titles["band"], axis=alt.Axis(labelAngle=0)),
            y=alt.Y("count:Q", title=titles["count"], stack="zero", axis=alt.Axis(format=",.0f")),
            color=alt.Color(
                "level_label:N",
                title=titles["level"],
                sort=levels,
                scale=alt.Scale(domain=levels, range=shades) if shades is not alt.Undefined else alt.Undefined,
                legend=alt.Legend(orient="top"),
            ),
            order=alt.Order("level_order:Q"),
            tooltip=_tooltips(
                [("band_label", titles["band"]), ("level_label", titles["level"]), ("count_text", titles["count"])]
            ),
        )
        .properties(height=260)
    )
