"""Frames for charts and tables, built from the engine's plain results and formatted for the reader (pure)."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from kpi_core.intake.stages import LEVEL_MEASURE
from kpi_core.metrics import load_catalog
from ui.format import fmt_date, fmt_days, fmt_int, fmt_pct, fmt_period, fmt_value, fmt_yen
from ui.i18n import metric_label, stage_label, t


@dataclass(frozen=True)
class Figure:
    """A headline figure: drawn as st.metric inside a container keyed `kpi_<name>`."""

    name: str
    label: str
    value: str
    exact: str | None = None
    delta: str | None = None
    delta_color: str = "normal"


def metric_figure(name: str, totals: dict[str, Any], lang: str, *, label: str | None = None) -> Figure:
    """A headline figure for a metrics.yaml measure or ratio: compact money, exact value kept for the tooltip."""
    unit = load_catalog().get(name).unit
    value = totals.get(name)
    return Figure(
        name=name,
        label=label or metric_label(name, lang),
        value=fmt_value(value, unit, lang, compact=True),
        exact=fmt_value(value, unit, lang),
    )


def first_level_measure(levels: Sequence[str]) -> str:
    """The measure counting the first funnel level the data has (leads, or opportunities for a deal list)."""
    for level in levels:
        if level != "won":
            return LEVEL_MEASURE[level]
    return "records"


def funnel_steps(
    figures: dict[str, Any],
    levels: Sequence[str],
    lang: str,
    *,
    substages: Sequence[tuple[str, int]] = (),
    lost_unplaced: bool = False,
) -> pd.DataFrame:
    """One row per funnel level with % of previous, % of first and the step after the biggest drop flagged.

    `substages` ((raw stage name, count) in funnel order, from kpi_core.substages) become steps of their own
    between the opportunity level and won: level "substage", labelled with the stage name as the data has it.
    With `lost_unplaced` (lost deals whose last stage the export does not keep), the step into the first
    sub-stage holds every lost deal and is never named the biggest leak: it would be wrong with confidence.
    """
    steps: list[tuple[str, str, Any]] = []  # (level, step label, count)
    for level in levels:
        count = figures.get(LEVEL_MEASURE[level])
        if count is None:
            continue
        steps.append((level, stage_label(level, lang), count))
        if level == "opportunity":
            steps += [("substage", str(name), n) for name, n in substages]
    rows: list[dict[str, Any]] = []
    first = previous = None
    for level, step, count in steps:
        rows.append(
            {
                "order": len(rows),
                "level": level,
                "step": step,
                "count": int(count),
                "pct_prev": (count / previous) if previous else None,
                "pct_first": (count / first) if first else None,
            }
        )
        first = count if first is None else first
        previous = count
    frame = pd.DataFrame(rows, columns=["order", "level", "step", "count", "pct_prev", "pct_first"])
    frame["highlight"] = False
    drops = frame["pct_prev"].iloc[1:].dropna() if len(frame) > 1 else pd.Series(dtype="float64")
    if lost_unplaced and substages:
        drops = drops.drop(frame.index[frame["level"] == "substage"][:1], errors="ignore")
    if len(drops) and drops.min() < 1:
        frame.loc[drops.astype(float).idxmin(), "highlight"] = True
    frame["count_text"] = [fmt_int(v, lang) for v in frame["count"]]
    frame["pct_prev_text"] = [fmt_pct(v, lang) for v in frame["pct_prev"]]
    frame["pct_first_text"] = [fmt_pct(v, lang) for v in frame["pct_first"]]
    frame["label"] = [_step_label(row, lang) for row in frame.to_dict("records")]
    frame["label_short"] = [
        row["count_text"] + (f" ({row['pct_first_text']})" if row["order"] else "") for row in frame.to_dict("records")
    ]
    return frame


def _step_label(row: dict[str, Any], lang: str) -> str:
    if not row["order"]:
        return row["count_text"]
    text = t("funnel.step_label", lang, count=row["count_text"], prev=row["pct_prev_text"], first=row["pct_first_text"])
    return text + ("  ▼ " + t("funnel.biggest_drop", lang) if row["highlight"] else "")


def biggest_drop(steps: pd.DataFrame) -> tuple[str, str, float] | None:
    """(from step, to step, share passed) of the flagged step, or None."""
    flagged = steps.index[steps["highlight"]].tolist()
    if not flagged:
        return None
    position = steps.index.get_loc(flagged[0])
    return steps["step"].iloc[position - 1], steps["step"].iloc[position], float(steps["pct_prev"].iloc[position])


def funnel_steps_by(rows: list[dict[str, Any]], levels: Sequence[str], lang: str, top: int = 6) -> pd.DataFrame:
    """Funnel steps for each breakdown value (the `top` largest), stacked, for small multiples."""
    parts = []
    for order, row in enumerate(rows[:top]):
        steps = funnel_steps(row, levels, lang)
        steps.insert(0, "key_order", order)
        steps.insert(0, "key", _key_text(row["key"], lang))
        parts.append(steps)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _key_text(key: Any, lang: str) -> str:
    return t("common.blank", lang) if key is None or key == "" else str(key)


def comparison_frame(
    rows: list[dict[str, Any]], levels: Sequence[str], lang: str, *, rate: str = "first_to_won", top: int = 12
) -> pd.DataFrame:
    """A conversion rate per breakdown value (largest groups first) with its base and won counts."""
    base_measure = first_level_measure(levels)
    records = []
    for order, row in enumerate(rows[:top]):
        value = row.get("conversion", {}).get(rate) if rate in row.get("conversion", {}) else row.get(rate)
        records.append(
            {
                "key": _key_text(row["key"], lang),
                "key_order": order,
                "rate": value,
                "rate_text": fmt_pct(value, lang),
                "base": row.get(base_measure),
                "base_text": fmt_int(row.get(base_measure), lang),
                "won": row.get("won"),
                "won_text": fmt_int(row.get("won"), lang),
                "won_revenue_text": fmt_yen(row.get("won_revenue"), lang),
            }
        )
    return pd.DataFrame(records)


def conversion_trend(by_period: list[dict[str, Any]], levels: Sequence[str], period: str, lang: str) -> pd.DataFrame:
    """Step conversion (each level over the previous one) per period, long form for a line chart."""
    present = [lv for lv in levels if lv in LEVEL_MEASURE]
    records = []
    for row in by_period:
        for index in range(1, len(present)):
            low, high = LEVEL_MEASURE[present[index - 1]], LEVEL_MEASURE[present[index]]
            base, reached = row.get(low), row.get(high)
            value = reached / base if base else None
            records.append(
                {
                    "start": row["start"],
                    "period_label": fmt_period(row["period"], period, lang),
                    "series": f"{stage_label(present[index - 1], lang)} → {stage_label(present[index], lang)}",
                    "series_order": index,
                    "value": value,
                    "value_text": f"{fmt_pct(value, lang)} ({fmt_int(reached, lang)} / {fmt_int(base, lang)})",
                }
            )
    frame = pd.DataFrame(records, columns=["start", "period_label", "series", "series_order", "value", "value_text"])
    return frame.dropna(subset=["value"])


def metric_trend(by_period: list[dict[str, Any]], metric: str, unit: str, period: str, lang: str) -> pd.DataFrame:
    """One metric per period (None values left out: the data cannot give them)."""
    records = [
        {
            "start": row["start"],
            "period": row["period"],
            "period_label": fmt_period(row["period"], period, lang),
            "value": row.get(metric),
            "value_text": fmt_value(row.get(metric), unit, lang),
        }
        for row in by_period
    ]
    frame = pd.DataFrame(records, columns=["start", "period", "period_label", "value", "value_text"])
    return frame.dropna(subset=["value"])


def period_table(
    by_period: list[dict[str, Any]], metrics: Sequence[tuple[str, str]], period: str, lang: str
) -> pd.DataFrame:
    """A readable table: one row per period, one formatted column per (metric, unit)."""
    data: dict[str, list[str]] = {t("common.period", lang): [fmt_period(r["period"], period, lang) for r in by_period]}
    for metric, unit in metrics:
        data[metric_label(metric, lang)] = [fmt_value(r.get(metric), unit, lang) for r in by_period]
    return pd.DataFrame(data)


def pipeline_stage_frame(stages: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Open pipeline by stage in long form (amount and expected amount per stage) with formatted texts."""
    records = []
    value_label, expected_label = t("pipeline.value", lang), t("pipeline.expected", lang)
    for row in stages.to_dict("records"):
        for order, (measure, column) in enumerate(((value_label, "value"), (expected_label, "expected_value"))):
            amount = row.get(column)
            records.append(
                {
                    "stage": str(row["stage"]),
                    "position": row.get("position"),
                    "measure": measure,
                    "measure_order": order,
                    "amount": None if _missing(amount) else float(amount),
                    "amount_text": fmt_yen(None if _missing(amount) else amount, lang),
                    "count_text": fmt_int(row.get("count"), lang),
                    "probability_text": fmt_pct(_none(row.get("win_probability")), lang),
                }
            )
    return pd.DataFrame(records)


def stage_count_frame(stages: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Open deals per stage with formatted texts (no amounts)."""
    frame = stages[["stage", "position", "count"]].copy()
    frame["stage"] = frame["stage"].astype(str)
    frame["count_text"] = [fmt_int(v, lang) for v in frame["count"]]
    frame["probability_text"] = [fmt_pct(_none(v), lang) for v in stages["win_probability"]]
    return frame


def aging_frame(aging: pd.DataFrame, positions: dict[str, int], lang: str) -> pd.DataFrame:
    """Open deals with formatted texts and a status word (moving / stalled) for the aging chart and table."""
    moving, stalled = t("pipeline.moving", lang), t("pipeline.stalled_status", lang)
    frame = pd.DataFrame(
        {
            "id": aging["id"].astype(str),
            "stage": aging["stage"].astype(str),
            "position": [positions.get(str(s), len(positions)) for s in aging["stage"]],
            "owner": [_key_text(_none(v), lang) for v in aging["owner"]],
            "idle_days": aging["idle_days"],
            "age_days": aging["age_days"],
            "status": [stalled if bool(v) else moving for v in aging["stalled"]],
            "status_order": [1 if bool(v) else 0 for v in aging["stalled"]],
            "amount_text": [fmt_yen(_none(v), lang) for v in aging["amount"]],
            "idle_text": [fmt_days(_none(v), lang) for v in aging["idle_days"]],
            "age_text": [fmt_days(_none(v), lang) for v in aging["age_days"]],
        }
    )
    return frame.dropna(subset=["idle_days"])


def aging_bins(aging: pd.DataFrame, lang: str, bins: int = 30) -> pd.DataFrame:
    """Open deals counted per band of idle days and status (for many deals, where points would not fit)."""
    moving, stalled = t("pipeline.moving", lang), t("pipeline.stalled_status", lang)
    idle = aging["idle_days"].dropna()
    width = max(1, math.ceil((float(idle.max()) + 1) / bins)) if len(idle) else 1
    frame = pd.DataFrame(
        {
            "bin_start": (aging["idle_days"] // width) * width,
            "status": [stalled if bool(v) else moving for v in aging["stalled"]],
            "status_order": [1 if bool(v) else 0 for v in aging["stalled"]],
        }
    ).dropna(subset=["bin_start"])
    counts = frame.groupby(["bin_start", "status", "status_order"], as_index=False).size()
    counts = counts.rename(columns={"size": "count"})
    counts["bin_end"] = counts["bin_start"] + width
    counts["range_text"] = [
        f"{fmt_days(a, lang)} – {fmt_days(b - 1, lang)}"
        for a, b in zip(counts["bin_start"], counts["bin_end"], strict=True)
    ]
    counts["count_text"] = [fmt_int(v, lang) for v in counts["count"]]
    return counts


AGING_COLUMNS = (
    ("id", "common.id"),
    ("stage", "common.stage"),
    ("owner", "common.owner"),
    ("channel", "role.channel"),
    ("product", "role.product"),
    ("amount", "common.amount"),
    ("created", "role.created"),
    ("updated", "role.updated"),
    ("age_days", "pipeline.age_days"),
    ("idle_days", "pipeline.idle_days"),
)


def aging_table(aging: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Open deals for a table and its CSV: translated headers, longest idle first."""
    columns = [(c, key) for c, key in AGING_COLUMNS if c in aging.columns]
    frame = aging.sort_values("idle_days", ascending=False)[[c for c, _ in columns]]
    return frame.rename(columns={c: t(key, lang) for c, key in columns})


_ID_NAME = re.compile(r"(?:^|[^a-z])(?:id|no\.?|code|number)$|番号$|コード$|#$", re.IGNORECASE)


def preview_formats(frame: pd.DataFrame, plain: Collection[str] = ()) -> dict[str, str]:
    """How the Data page shows each column of a source preview that needs more than its raw value:

    "count" (whole numbers: 1,234), "number" (decimals: 1,234.5) or "date" (timestamps that carry no time of day:
    the date alone). `plain` columns (ids, dates kept as numbers, link keys) and columns named like an id or a
    code (商談ID, Lead ID, 顧客番号, deal_no) keep their digits as read; text is shown as it is.
    """
    kinds: dict[str, str] = {}
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            values = column.dropna()
            if (values == values.dt.normalize()).all():
                kinds[name] = "date"
        elif (
            pd.api.types.is_numeric_dtype(column)
            and not pd.api.types.is_bool_dtype(column)
            and name not in plain
            and not _ID_NAME.search(str(name).strip())
        ):
            values = column.dropna()
            whole = pd.api.types.is_integer_dtype(column) or bool((values == values.round()).all())
            kinds[name] = "count" if whole else "number"
    return kinds


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA


def _none(value: Any) -> Any:
    return None if _missing(value) else value


# ------------------------------------------------------------------------------------------------ period states
def period_state_text(row: dict[str, Any], lang: str, *, maturing: bool = False) -> str:
    """進行中：30日中24日 / in progress: 24 of 30 days for a running period, 成熟途中 / still maturing for a period
    whose records are young, 確定 / final otherwise."""
    if not row.get("complete", True) and row.get("days_in_period"):
        return t("period.in_progress", lang, done=row.get("days_elapsed", 0), days=row["days_in_period"])
    return t("period.maturing" if maturing else "period.final", lang)


def with_period_state(
    frame: pd.DataFrame, by_period: list[dict[str, Any]], lang: str, *, maturing: Collection[str] = ()
) -> pd.DataFrame:
    """`frame` (with a `start` column, from metric_trend or conversion_trend) with each period's state: `complete`
    (False while it runs), `maturing` (running, or in `maturing`: its rates are still moving), `state` (the words
    for the legend and tooltip) and `state_order` (final 0, maturing 1, running 2)."""
    rows = {str(r["start"]): r for r in by_period}
    young = {str(s) for s in maturing}
    frame = frame.copy()
    starts = [str(s) for s in frame["start"]]
    complete = [bool(rows.get(s, {}).get("complete", True)) for s in starts]
    frame["complete"] = complete
    frame["maturing"] = [(not c) or s in young for s, c in zip(starts, complete, strict=True)]
    frame["state"] = [period_state_text(rows.get(s, {}), lang, maturing=s in young) for s in starts]
    frame["state_order"] = [2 if not c else (1 if s in young else 0) for s, c in zip(starts, complete, strict=True)]
    return frame


def period_names(by_period: list[dict[str, Any]], starts: Sequence[str], period: str, lang: str) -> str:
    """The labels of the periods starting at `starts`, joined (2026年9月、2026年10月 / Sep 2026, Oct 2026)."""
    labels = {str(r["start"]): fmt_period(r["period"], period, lang) for r in by_period}
    names = [labels[s] for s in starts if s in labels]
    return ("、" if lang == "ja" else ", ").join(names)


# ------------------------------------------------------------------------------------------------ lead ageing
def band_label(first: int, last: int | None, lang: str) -> str:
    """0〜30日 / 0–30 days; 366日以上 / 366+ days."""
    if last is None:
        return t("pipeline.band_open", lang, first=fmt_int(first, lang))
    return t("pipeline.band", lang, first=fmt_int(first, lang), last=fmt_int(last, lang))


def lead_band_frame(counts: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Open leads per age band and level (from kpi_core.lead_aging) with translated labels and count texts."""
    frame = counts.copy()
    frame["level_label"] = [stage_label(lv, lang) for lv in frame["level"]]
    frame["band_label"] = [
        band_label(int(f), None if _missing(x) else int(x), lang)
        for f, x in zip(frame["first"], frame["last"], strict=True)
    ]
    frame["count_text"] = [fmt_int(v, lang) for v in frame["count"]]
    return frame


OLDEST_COLUMNS = (
    ("id", "common.id"),
    ("stage", "common.stage"),
    ("owner", "common.owner"),
    ("channel", "role.channel"),
    ("created", "role.created"),
    ("age_days", "pipeline.age_days"),
)


def oldest_leads_table(oldest: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The oldest un-progressed leads for a table: translated headers, dates as dates, ages as days."""
    columns = [(c, key) for c, key in OLDEST_COLUMNS if c in oldest.columns]
    frame = oldest[[c for c, _ in columns]].copy()
    if "created" in frame:
        frame["created"] = [fmt_date(_none(v), lang) if not _missing(v) else "" for v in frame["created"]]
    if "age_days" in frame:
        frame["age_days"] = [fmt_days(_none(v), lang) for v in frame["age_days"]]
    for column in ("owner", "channel", "stage"):
        if column in frame:
            frame[column] = [_key_text(_none(v), lang) for v in frame[column]]
    return frame.rename(columns={c: t(key, lang) for c, key in columns})
