"""Pivots page frames, charts and tables: each lever's monthly history against its required level."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

from kpi_core.pivots import (
    GoodhartCheck,
    IdentityCheck,
    LeverChange,
    LeverHistory,
    Shortfall,
)
from ui.charts import value_axis
from ui.format import MISSING, fmt_value
from ui.i18n import t
from ui.pivots.sentences import (
    _unit_of,
    fmt_change,
    fmt_lever,
    lever_label,
    moves,
    period_text,
    reached_by_text,
    short_month,
    verdict_label,
)
from ui.theme import NEUTRAL, NEUTRAL_LIGHT, STATUS_COLOURS


# --- frames and charts --------------------------------------------------------------------------------------------
def _at_least(value: float, level: float) -> bool:
    """At or above the level, as the engine counts (a month exactly at it counts despite float rounding)."""
    return value >= level - abs(level) * 1e-12


def evidence_frame(history: LeverHistory, lever: str, level: float, unit: str, lang: str) -> pd.DataFrame:
    """One row per past month of `lever`: value, whether it reached `level` (as the engine counts), texts."""
    values = history.values.get(lever, ())
    rows = []
    for month, value in zip(history.months, values, strict=False):
        if value is None:
            continue
        reached = _at_least(value, level)
        rows.append(
            {
                "month": month,
                "period_label": period_text(month, "month", lang),
                "axis_label": short_month(month, lang),
                "value": float(value),
                "reached": reached,
                "status": t("pivots.chart.reached" if reached else "pivots.chart.below", lang),
                "value_text": fmt_value(value, unit, lang),
                "required": level,
                "required_text": fmt_value(level, unit, lang),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "month",
            "period_label",
            "axis_label",
            "value",
            "reached",
            "status",
            "value_text",
            "required",
            "required_text",
        ],
    )


# The level a lever needs, drawn the same way on every evidence chart.
REQUIRED_RULE = {"strokeDash": [6, 4], "color": STATUS_COLOURS["off_track"], "size": 2}


def _evidence_title(title: str, subtitle: str, *, reached: bool) -> alt.TitleParams:
    """The lever's name, and "seen in n of m months" in the on-track colour when any month reached the level."""
    colour = STATUS_COLOURS["on_track"] if reached else STATUS_COLOURS["off_track"]
    return alt.TitleParams(title, subtitle=subtitle, fontSize=14, subtitleFontSize=13, subtitleColor=colour)


def evidence_chart(
    frame: pd.DataFrame, *, title: str, subtitle: str, titles: dict[str, str], unit: str, lang: str
) -> alt.LayerChart:
    """A lever's monthly history as bars, months at or above the required level in the on-track colour (and a
    legend word), the required level as a dashed rule with its value."""
    statuses = [titles["reached"], titles["below"]]
    base = alt.Chart(frame).encode(
        x=alt.X(
            "axis_label:O",
            sort=alt.EncodingSortField("month", op="min"),
            title=None,
            # every third month labelled: 18 months fit a third of the page, in workshop fonts too
            axis=alt.Axis(labelAngle=0, values=list(frame["axis_label"].iloc[::3])),
        )
    )
    bars = base.mark_bar(cornerRadiusEnd=2).encode(
        y=alt.Y("value:Q", axis=value_axis(unit, lang, None, ticks=4)),  # the chart title names the lever
        color=alt.Color(
            "status:N",
            title=None,
            scale=alt.Scale(domain=statuses, range=[STATUS_COLOURS["on_track"], NEUTRAL_LIGHT]),
            legend=alt.Legend(orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("period_label:N", title=titles["period"]),
            alt.Tooltip("value_text:N", title=titles["value"]),
            alt.Tooltip("required_text:N", title=titles["required"]),
            alt.Tooltip("status:N", title=titles["status"]),
        ],
    )
    level = float(frame["required"].iloc[0]) if len(frame) else 0.0
    rule_data = pd.DataFrame({"required": [level], "label": [titles["required_label"]]})
    rule = (
        alt.Chart(rule_data)
        .mark_rule(**REQUIRED_RULE)
        .encode(y="required:Q", tooltip=[alt.Tooltip("label:N", title=titles["required"])])
    )
    label = (
        alt.Chart(rule_data)
        .mark_text(align="left", baseline="bottom", dx=4, dy=-3, color=STATUS_COLOURS["off_track"], x=0)
        .encode(y="required:Q", text="label:N")
    )
    return alt.layer(bars, rule, label).properties(
        height=210,
        title=_evidence_title(title, subtitle, reached=bool(frame["reached"].any())),
    )


def pair_evidence_frame(history: LeverHistory, changes: Sequence[LeverChange], lang: str) -> pd.DataFrame:
    """One row per past month of a pair of levers: both values (x, y), whether both reached their levels together
    (as the engine counts), texts."""
    (first, second), rows = changes, []
    xs, ys = history.values.get(first.lever, ()), history.values.get(second.lever, ())
    for month, x, y in zip(history.months, xs, ys, strict=False):
        if x is None or y is None:
            continue
        reached = _at_least(x, first.history_level) and _at_least(y, second.history_level)
        rows.append(
            {
                "month": month,
                "period_label": period_text(month, "month", lang),
                "x": float(x),
                "y": float(y),
                "reached": reached,
                "status": t("pivots.chart.reached_both" if reached else "pivots.chart.below", lang),
                "x_text": fmt_value(x, first.unit, lang),
                "y_text": fmt_value(y, second.unit, lang),
            }
        )
    columns = ["month", "period_label", "x", "y", "reached", "status", "x_text", "y_text"]
    return pd.DataFrame(rows, columns=columns)


def pair_evidence_chart(
    frame: pd.DataFrame,
    changes: Sequence[LeverChange],
    *,
    title: str,
    subtitle: str,
    titles: dict[str, str],
    lang: str,
) -> alt.LayerChart:
    """A pair's months as points (one lever across, the other up), the months both reached their levels in the
    on-track colour, the two levels as dashed rules and the corner where both are met shaded."""
    first, second = changes
    statuses = [titles["reached"], titles["below"]]
    x_level, y_level = float(first.history_level), float(second.history_level)
    x_top, y_top = max([x_level, *frame["x"]]) * 1.08, max([y_level, *frame["y"]]) * 1.08
    corner = pd.DataFrame({"x": [x_level], "x2": [x_top], "y": [y_level], "y2": [y_top]})
    area = (
        alt.Chart(corner)
        .mark_rect(color=STATUS_COLOURS["on_track"], opacity=0.08)
        .encode(x="x:Q", x2="x2", y="y:Q", y2="y2")
    )
    points = (
        alt.Chart(frame)
        .mark_circle(size=90, opacity=0.9)
        .encode(
            x=alt.X("x:Q", axis=value_axis(first.unit, lang, titles["x"], ticks=4), scale=alt.Scale(zero=False)),
            y=alt.Y("y:Q", axis=value_axis(second.unit, lang, titles["y"], ticks=4), scale=alt.Scale(zero=False)),
            color=alt.Color(
                "status:N",
                title=None,
                scale=alt.Scale(domain=statuses, range=[STATUS_COLOURS["on_track"], NEUTRAL]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("period_label:N", title=titles["period"]),
                alt.Tooltip("x_text:N", title=titles["x"]),
                alt.Tooltip("y_text:N", title=titles["y"]),
                alt.Tooltip("status:N", title=titles["status"]),
            ],
        )
    )
    x_rule = alt.Chart(pd.DataFrame({"x": [x_level]})).mark_rule(**REQUIRED_RULE).encode(x="x:Q")
    y_rule = alt.Chart(pd.DataFrame({"y": [y_level]})).mark_rule(**REQUIRED_RULE).encode(y="y:Q")
    return alt.layer(area, x_rule, y_rule, points).properties(
        height=210,
        title=_evidence_title(title, subtitle, reached=bool(frame["reached"].any())),
    )


def pivot_table(shortfall: Shortfall, lang: str, levers: dict[str, Any]) -> pd.DataFrame:
    """The ranked pivots of a shortfall as a table (texts formatted for the reader)."""
    rows = []
    for p in shortfall.pivots:
        texts = [moves(c, lang) for c in p.changes]
        rows.append(
            {
                t("pivots.col.rank", lang): p.rank,
                t("pivots.col.lever", lang): lever_label(p.lever, lang, levers),
                t("pivots.col.current", lang): " / ".join(x[0] for x in texts),
                t("pivots.col.required", lang): " / ".join(x[1] for x in texts),
                t("pivots.col.change", lang): " / ".join(x[2] for x in texts),
                t("pivots.col.seen", lang): t(
                    "pivots.seen_short", lang, achieved=p.evidence.achieved, months=p.evidence.months
                )
                if p.evidence.months
                else MISSING,
                t("pivots.col.reached_by", lang): reached_by_text(p.evidence.reached_by, lang) or MISSING,
                t("pivots.col.verdict", lang): verdict_label(p.verdict, lang),
                t("pivots.col.csf", lang): p.csfs[0].name if p.csfs else MISSING,
            }
        )
    return pd.DataFrame(rows)


def goodhart_table(checks: Sequence[GoodhartCheck], lang: str, levers: dict[str, Any]) -> pd.DataFrame:
    """Every Goodhart check with its numbers."""
    rows = []
    for c in checks:
        ku, pu = _unit_of(c.kpi, levers), _unit_of(c.partner, levers)
        rows.append(
            {
                t("pivots.col.kpi", lang): lever_label(c.kpi, lang, levers),
                t(
                    "pivots.col.kpi_move", lang
                ): f"{fmt_lever(c.kpi_before, ku, lang)} → {fmt_lever(c.kpi_after, ku, lang)}"
                f" ({fmt_change(c.kpi_change_pct, lang)})",
                t("pivots.col.partner", lang): lever_label(c.partner, lang, levers),
                t("pivots.col.partner_move", lang): f"{fmt_lever(c.partner_before, pu, lang)} → "
                f"{fmt_lever(c.partner_after, pu, lang)} ({fmt_change(c.partner_change_pct, lang)})",
                t("pivots.col.correlation", lang): MISSING if c.correlation is None else f"{c.correlation:+.2f}",
                t("pivots.col.flag", lang): t("pivots.goodhart.flagged" if c.flagged else "pivots.goodhart.ok", lang),
            }
        )
    return pd.DataFrame(rows)


def identity_table(check: IdentityCheck, lang: str) -> pd.DataFrame:
    """Actual against modelled revenue per month, with the residual."""
    rows = []
    for r in (*check.by_period, check.totals):
        rows.append(
            {
                t("common.period", lang): period_text(r.period, "month", lang) if r.period else t("pivots.total", lang),
                t("pivots.col.actual", lang): fmt_value(r.actual, "currency", lang),
                t("pivots.col.modelled", lang): fmt_value(r.modeled, "currency", lang),
                t("pivots.col.residual", lang): fmt_value(r.residual, "currency", lang),
                t("pivots.col.residual_pct", lang): fmt_change(r.residual_pct, lang),
            }
        )
    return pd.DataFrame(rows)
