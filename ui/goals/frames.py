"""Chart data of the goal pages: bullet rows, KPI trends, breakdowns, the backward plan and the pacing series,
each with the texts its labels and tooltips show."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from kpi_core.pacing import Forecast
from kpi_core.report import plan_figures
from ui.format import MISSING, fmt_date, fmt_pct
from ui.frame import View
from ui.goals.format import fig, fmt_gap, fmt_goal, period_text, status_text, unit_of
from ui.i18n import metric_label, t

BULLET_MAX = 1.5  # the bullet chart's axis ends at 150 % of the target (bars beyond are clipped, labels exact)


def bullet_frame(rows: list[dict[str, Any]], lang: str, day: dt.date | None = None) -> pd.DataFrame:
    """One row per KPI for the period holding `day` (default: the current one): attainment against the
    (pro-rated) target, with texts for labels and tooltips."""
    chosen: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["kind"] != "kpi":
            continue
        start, end = dt.date.fromisoformat(row["start"]), dt.date.fromisoformat(row["end"])
        if day is None or start <= day <= end:
            chosen[row["id"]] = row
    records = []
    for order, row in enumerate(chosen.values()):
        unit = unit_of(row["metric"])
        attainment = row["attainment"]
        records.append(
            {
                "order": order,
                "name": row["name"],
                "period_text": period_text(row["period"], row["per"], lang),
                "attainment": None if attainment is None else min(float(attainment), BULLET_MAX),
                "status": row["status"],
                "status_text": status_text(row["status"], lang),
                "actual_text": fmt_goal(row["actual"], unit, lang, exact=True),
                "expected_text": fmt_goal(row["expected"], unit, lang, exact=True),
                "target_text": fmt_goal(row["target"], unit, lang, exact=True),
                "gap_text": fmt_gap(row["gap"], unit, lang, actual=row["actual"], target=row["expected"]),
                "attainment_text": fmt_pct(attainment, lang),
                "label": bullet_label(row, unit, lang),
            }
        )
    return pd.DataFrame(
        records,
        columns=["order", "name", "period_text", "attainment", "status", "status_text", "actual_text",
                 "expected_text", "target_text", "gap_text", "attainment_text", "label"],
    )  # fmt: skip


def bullet_label(row: dict[str, Any], unit: str, lang: str) -> str:
    """A bullet row's label: status, attainment and actual / target, or "no actual yet (target …)" in words."""
    target = fmt_goal(row["expected"], unit, lang, compact=True, required=True)
    if row["actual"] is None or row["attainment"] is None:
        return f"{status_text(row['status'], lang)}  {t('goals.bullet.no_actual', lang, target=target)}"
    return (
        f"{status_text(row['status'], lang)}  {fmt_pct(row['attainment'], lang)}"
        f"  ({fmt_goal(row['actual'], unit, lang, compact=True)} / {target})"
    )


def trend_frame(rows: list[dict[str, Any]], kpi_id: str, lang: str) -> pd.DataFrame:
    """One KPI over the periods of this fiscal year: actual, (pro-rated) target, status and whether it missed."""
    records = []
    for row in rows:
        if row["id"] != kpi_id:
            continue
        unit = unit_of(row["metric"])
        records.append(
            {
                "start": row["start"],
                "period": row["period"],
                "period_label": period_text(row["period"], row["per"], lang),
                "actual": row["actual"],
                "target": row["expected"],
                "status": row["status"],
                "status_text": status_text(row["status"], lang)
                + ("" if row["complete"] else " " + t("goals.so_far", lang)),
                "missed": row["status"] in ("at_risk", "off_track"),
                "actual_text": fmt_goal(row["actual"], unit, lang, exact=True),
                "target_text": fmt_goal(row["expected"], unit, lang, exact=True),
                "gap_text": fmt_gap(row["gap"], unit, lang, actual=row["actual"], target=row["expected"]),
            }
        )
    frame = pd.DataFrame(records)
    if len(frame):
        frame["actual"] = pd.to_numeric(frame["actual"], errors="coerce").astype("float64")
        frame["target"] = pd.to_numeric(frame["target"], errors="coerce").astype("float64")
    return frame


def breakdown_roles(view: View) -> list[str]:
    """The data roles a KPI can be broken down by (records with that column)."""
    from kpi_core.metrics import BREAKDOWN_ROLES

    dataset = view.dataset
    if dataset is None or dataset.shape != "records":
        return []
    return [r for r in ("owner", "channel", "product", "segment") if r in BREAKDOWN_ROLES and r in dataset.mapping]


def breakdown_frame(items: list[dict[str, Any]], metric: str, lang: str) -> pd.DataFrame:
    """kpi_breakdown rows as a bullet frame (one row per data value, largest actual first)."""
    unit = unit_of(metric)
    items = sorted(items, key=lambda r: -(r["actual"] or 0))
    records = []
    for order, row in enumerate(items):
        attainment = row["attainment"]
        name = t("common.blank", lang) if row["key"] is None or row["key"] == "" else str(row["key"])
        records.append(
            {
                "order": order,
                "name": name,
                "attainment": None if attainment is None else min(float(attainment), BULLET_MAX),
                "status": row["status"],
                "status_text": status_text(row["status"], lang),
                "actual_text": fmt_goal(row["actual"], unit, lang, exact=True),
                "expected_text": fmt_goal(row["expected"], unit, lang, exact=True),
                "target_text": fmt_goal(row["target"], unit, lang, exact=True),
                "gap_text": fmt_gap(row["gap"], unit, lang, actual=row["actual"], target=row["expected"]),
                "attainment_text": fmt_pct(attainment, lang),
                "period_text": t(f"goals.basis.{row['target_basis']}", lang),
                "label": bullet_label(row, unit, lang),
            }
        )
    return pd.DataFrame(records)


def backward_frame(plan: dict[str, Any], lang: str) -> pd.DataFrame:
    """The backward plan's steps with texts (needed per month at the historical rates, the KPI target): every
    level is the report's figure of the plan (kpi_core.report.plan_figures), formatted once."""
    figures = plan_figures(plan)
    records = []
    for order, step in enumerate(plan.get("steps", [])):
        unit = unit_of(step["metric"])
        key = f"plan.{step['metric']}"
        rate = step["rate"]
        records.append(
            {
                "order": order,
                "metric": step["metric"],
                "step": metric_label(step["metric"], lang),
                "unit": unit,
                "needed": step["needed_per_month"],
                "kpi_target": step["kpi_target_per_month"],
                "needed_text": fig(figures[f"{key}.needed"], lang),
                "rate_text": MISSING
                if rate is None
                else f"{metric_label(rate['name'], lang)} {fig(figures.get(f'{key}.rate'), lang)}",
                "kpi_text": fig(figures[f"{key}.kpi"], lang),
                "difference_text": fmt_gap(
                    step["difference"], unit, lang, actual=step["kpi_target_per_month"], target=step["needed_per_month"]
                ),
                "own_text": fig(figures[f"{key}.own"], lang),
            }
        )
    return pd.DataFrame(records)


def pacing_frame(series: pd.DataFrame, forecast: Forecast, lang: str) -> pd.DataFrame:
    """Business days of the period: cumulative actual, pro-rated target, forecast and its band, with texts.
    The forecast starts at the last actual, so the dashed line continues the solid one."""
    frame = series[series["is_business_day"]].copy()
    frame = frame.drop_duplicates("business_day", keep="last")
    if not len(frame):
        return frame
    unit = unit_of(forecast.metric)
    as_of = forecast.as_of
    done = frame[frame["date"] <= as_of]
    if len(done) and forecast.value is not None and forecast.method.get("code") != "complete":
        last = done.index[-1]
        columns = ("forecast", "low", "high") if forecast.low is not None else ("forecast",)
        for column in columns:
            if pd.isna(frame.at[last, column]):
                frame.at[last, column] = frame.at[last, "actual"]
    frame["date_text"] = [fmt_date(d, lang) for d in frame["date"]]
    for column in ("actual", "target", "forecast", "low", "high"):
        frame[f"{column}_text"] = [
            fmt_goal(None if pd.isna(v) else float(v), unit, lang, exact=True) for v in frame[column]
        ]
    frame["date"] = pd.to_datetime(frame["date"])
    return frame
