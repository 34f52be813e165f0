"""Tables a reader reads on the goal pages: the gaps, the status per department or owner, target realism and the
backward plan, with translated headers."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from kpi_core.goals import Goals, gap_summary
from ui.format import MISSING, fmt_change, fmt_month, fmt_number
from ui.goals.format import fig, figure_key, fmt_gap, fmt_goal, period_text, status_text, unit_of
from ui.goals.gaps import current_figures, current_rows
from ui.i18n import metric_label, t


def gap_table(rows: list[dict[str, Any]], lang: str) -> pd.DataFrame:
    """The current period of the KGI and each KPI as a readable table."""
    records = []
    current = current_rows(rows)
    figures = current_figures(current)  # the report's rule: the same texts as the cards and the other pages
    for row in current.values():
        unit = unit_of(row["metric"])
        records.append(
            {
                t("goals.col.goal", lang): row["name"],
                t("goals.col.metric", lang): metric_label(row["metric"], lang),
                t("common.period", lang): period_text(row["period"], row["per"], lang),
                t("goals.col.actual", lang): fig(figures[figure_key(row["id"], "actual")], lang),
                t("goals.col.expected", lang): fig(figures[figure_key(row["id"], "expected")], lang),
                t("goals.col.target", lang): fig(figures[figure_key(row["id"], "period_target")], lang),
                t("goals.col.gap", lang): fmt_gap(row["gap"], unit, lang, actual=row["actual"], target=row["expected"]),
                t("goals.col.attainment", lang): fig(figures[figure_key(row["id"], "attainment")], lang),
                t("common.status", lang): status_text(row["status"], lang),
                t("goals.col.department", lang): row["department"] or MISSING,
                t("goals.col.owner", lang): row["owner"] or MISSING,
            }
        )
    return pd.DataFrame(records)


def summary_table(rows: list[dict[str, Any]], by: str, lang: str) -> pd.DataFrame:
    """KPI status counts per department or KPI owner (current periods)."""
    names = {row["id"]: row["name"] for row in rows}  # the KPIs as the goal file names them, not their ids
    records = []
    for group in gap_summary(rows, by):
        records.append(
            {
                t(f"goals.col.{by}", lang): group[by] or MISSING,
                t("goals.col.kpis", lang): ("、" if lang == "ja" else ", ").join(
                    names.get(i, i) for i in group["kpis"]
                ),
                status_text("on_track", lang): group["on_track"],
                status_text("at_risk", lang): group["at_risk"],
                status_text("off_track", lang): group["off_track"],
                status_text("no_data", lang): group["no_data"],
            }
        )
    return pd.DataFrame(records)


def realism_frame(goals: Goals, realism: dict[str, dict[str, Any] | None], lang: str) -> pd.DataFrame:
    """One row per KPI: its target per month against its own monthly history (percentile, best month, growth
    needed against past growth, the realistic band per month), as texts with translated headers."""
    from kpi_core.health.targets import MIN_MONTHS

    columns = {c: t(f"goals.realism.col.{c}", lang) for c in ("kpi", "target", "percentile", "best", "growth", "band")}
    records = []
    for kpi in goals.kpis:
        row = realism.get(kpi.id)
        unit = unit_of(kpi.metric)
        record = {columns["kpi"]: kpi.name}
        if row is None:
            record[columns["target"]] = fmt_goal(kpi.target, unit, lang, compact=True, required=True)
            record[columns["percentile"]] = t("goals.realism.short", lang, months=MIN_MONTHS)
            record.update({columns[c]: MISSING for c in ("best", "growth", "band")})
        else:
            best = row["best_month"]
            low, high = row["band_monthly"]
            record[columns["target"]] = fmt_goal(row["target_monthly"], unit, lang, compact=True, required=True)
            record[columns["percentile"]] = fmt_number(row["percentile"], lang, 0)
            record[columns["best"]] = t(
                "goals.realism.best",
                lang,
                value=fmt_goal(best["value"], unit, lang, compact=True),
                month=fmt_month(best["period"], lang),
            )
            record[columns["growth"]] = t(
                "goals.realism.growth",
                lang,
                needed=fmt_change(row["required_growth"], lang),
                past=fmt_change(row["past_growth"], lang),
            )
            record[columns["band"]] = t(
                "goals.realism.band",
                lang,
                low=fmt_goal(low, unit, lang, compact=True),
                high=fmt_goal(high, unit, lang, compact=True),
            )
        records.append(record)
    return pd.DataFrame(records, columns=list(columns.values()))


REALISM_WIDTHS = (150, 110, 130, 150, 140, 160)  # px: every text whole at 1280 px (a grid cell cuts, never wraps)


def draw_realism(frame: pd.DataFrame) -> None:
    """The realism table (texts), its columns wide enough for their values, in a container `table_goals_realism`."""
    with st.container(key="table_goals_realism"):
        st.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            column_config={
                name: st.column_config.TextColumn(name, width=width)
                for name, width in zip(frame.columns, REALISM_WIDTHS, strict=True)
            },
        )


def backward_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The backward plan for a table and its CSV: translated headers."""
    columns = {
        "step": "goals.col.step",
        "needed_text": "goals.col.needed",
        "rate_text": "goals.col.rate",
        "kpi_text": "goals.col.kpi_target",
        "difference_text": "goals.col.difference",
        "own_text": "goals.col.own_rates",
    }
    return frame[list(columns)].rename(columns={c: t(k, lang) for c, k in columns.items()})
