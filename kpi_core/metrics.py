"""The KPI engine: metrics.yaml compiled to DuckDB SQL, totals / by period / by role in one pass per basis."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, cast

from kpi_core.business_days import period_bounds, period_label
from kpi_core.catalog import read_metrics
from kpi_core.catalog_check import check_catalog
from kpi_core.formula import evaluate
from kpi_core.intake.load import Dataset
from kpi_core.intake.stages import LEVEL_MEASURE
from kpi_core.sql import (
    GroupedMeasures,
    GroupedValueCounts,
    GroupingSets,
    Sql,
    basis_rows,
    date_basis,
    execute,
    filter_condition,
    role_values,
)
from kpi_core.sql import period_start as period_start_sql  # noqa: F401  (the engine's name, used by its tests)

PERIODS = ("week", "month", "quarter", "year")
BREAKDOWN_ROLES = ("owner", "channel", "product", "segment", "account", "deal_type")


@dataclass(frozen=True)
class MetricDef:
    """One KPI definition from metrics.yaml."""

    name: str
    label: dict[str, str]
    unit: str = "count"
    better: str = "higher"
    klass: str = "leading"
    basis: str = "created"
    level: str | None = None
    needs: str | None = None
    records_sql: str | None = None
    periods_sql: str | None = None
    formula: str | None = None
    periods_formula: str | None = None
    empty: float | None = None
    median_of: str | None = None
    median_where: str | None = None


@dataclass(frozen=True)
class Catalog:
    """All definitions, in the order of metrics.yaml."""

    measures: tuple[MetricDef, ...]
    ratios: tuple[MetricDef, ...]
    conversions: tuple[MetricDef, ...]

    def get(self, name: str) -> MetricDef:
        for metric in (*self.measures, *self.ratios, *self.conversions):
            if metric.name == name:
                return metric
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [m.name for m in (*self.measures, *self.ratios)]


@cache
def load_catalog(path: Path | None = None) -> Catalog:
    """Read metrics.yaml (cached: it is package data, the same for every user)."""
    raw = read_metrics(path)  # kpi_core/catalog/metrics.yaml, its {rank.<level>} filled in from funnel.yaml
    check_catalog(raw)  # a misspelt field or column is an error naming the metric, never a silent 0

    def build(items: list[dict[str, Any]]) -> tuple[MetricDef, ...]:
        return tuple(MetricDef(**{("klass" if k == "class" else k): v for k, v in item.items()}) for item in items)

    return Catalog(build(raw["measures"]), build(raw["ratios"]), build(raw["conversions"]))


@dataclass
class Filters:
    """What the user narrowed the view to. Dates are inclusive and apply to each figure's own basis date."""

    start: dt.date | None = None
    end: dt.date | None = None
    roles: dict[str, list[str]] = field(default_factory=dict)  # role → allowed values

    def where(self, date_column: str, dataset: Dataset) -> tuple[str, list[object]]:
        """A SQL condition and its parameters."""
        condition = self.condition(date_column, dataset)
        return condition.text, list(condition.params)

    def condition(self, date_column: str, dataset: Dataset) -> Sql:
        """The SQL condition (kpi_core.sql.filter_condition) of the roles the data can filter by."""
        roles: list[tuple[str, list[str | None]]] = []
        for role, values in self.roles.items():  # a period sheet's channel column filters as a record's does
            if not values:
                continue
            if role not in dataset.mapping:
                if dataset.shape != "records":
                    continue  # a monthly sheet without that column: the figures are the sheet's own totals
                raise ValueError(f"cannot filter by {role}: the data has no {role} column")
            roles.append((role, list(values)))  # None selects the blank key a breakdown shows
        return filter_condition(date_column, start=self.start, end=self.end, roles=roles)


@dataclass
class KpiResult:
    """Figures as plain data: the shape of the `kpis --json` output."""

    totals: dict[str, Any]
    by_period: list[dict[str, Any]]
    by: dict[str, list[dict[str, Any]]]
    by_period_and: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    undated: int = 0


def available(metric: MetricDef, dataset: Dataset) -> bool:
    """Whether the data can give this measure at all (else it is null, not 0)."""
    if dataset.shape == "periods" and metric.periods_sql is None:
        return False
    if dataset.shape == "periods":
        role = metric.periods_sql.removeprefix("sum(").removesuffix(")") if metric.periods_sql else ""
        return role in dataset.mapping
    if metric.level is not None and metric.level not in dataset.present_levels:
        return False
    if metric.needs == "can_lose":
        return dataset.can_lose
    return metric.needs is None or metric.needs in dataset.mapping


def _measure_sql(metric: MetricDef, dataset: Dataset) -> str:
    if not available(metric, dataset):
        return "NULL"
    sql = metric.records_sql if dataset.shape == "records" else metric.periods_sql
    # A plain measure has records_sql (catalog_check: records_sql or median_of); available() checked periods_sql.
    return cast(str, sql)


def compute_kpis(
    dataset: Dataset,
    *,
    period: str = "month",
    by: tuple[str, ...] | list[str] = (),
    by_period_and: tuple[str, ...] | list[str] = (),
    cohort: bool = False,
    filters: Filters | None = None,
    fiscal_start: int = 4,
    as_of: dt.date | None = None,
) -> KpiResult:
    """Totals, per period and per role value, with each figure counted on its own basis date.

    Records and stage reach fall in the period of `created`; won, lost, revenue and cycle in the period of `closed`.
    With `cohort`, everything falls in the period of `created`. Each period says whether it is `complete` on
    `as_of` (default: the last date of the records counted; a monthly sheet's months are complete unless an as-of
    date falls inside one): a period still running is not a drop.
    """
    filters = filters or Filters()
    catalog = load_catalog()
    if dataset.shape == "periods" and any(role not in dataset.mapping for role in (*by, *by_period_and)):
        raise ValueError("this period sheet has no such column to break down by (channel, product, segment, owner)")
    if dataset.shape == "periods" and period == "week":
        raise ValueError("a monthly sheet cannot be shown by week: use month, quarter or year")
    for role in (*by, *by_period_and):
        if role not in BREAKDOWN_ROLES:
            raise ValueError(f"cannot break down by {role!r}: use one of {', '.join(BREAKDOWN_ROLES)}")
    by = [r for r in by if r in dataset.mapping]
    by_period_and = [r for r in by_period_and if r in dataset.mapping]
    rows: dict[tuple[str, Any, Any], dict[str, Any]] = {}
    undated = 0
    last: dt.date | None = None
    sets = GroupingSets(by, by_period_and)
    dims = sets.dims
    for basis in ("created", "closed"):
        measures = [m for m in catalog.measures if m.basis == basis]
        base = _base_sql(dataset, basis, cohort, filters, period, fiscal_start)
        plain = [m for m in measures if not m.median_of]
        partials = {m.name: _measure_sql(m, dataset) for m in plain}
        for row in _grouped(dataset, GroupedMeasures(base, sets, partials)):
            group = _group_of(row, dims)
            if group[0] == "total" and row["__last"] is not None:
                last = max(last or row["__last"], row["__last"])
            if group[0] == "period" and row["__start"] is None:
                if basis == "created":
                    undated = int(row.get("records") or 0)
                continue
            slot = rows.setdefault(group, {"__start": row["__start"]})
            slot.update({m.name: row[m.name] for m in plain})
        for metric in (m for m in measures if m.median_of):
            if not available(metric, dataset) or dataset.shape != "records":
                continue
            counts = GroupedValueCounts(base, sets, cast(str, metric.median_of), metric.median_where)
            for group, value in _grouped_medians(dataset, counts).items():
                if group in rows:
                    rows[group][metric.name] = value
    if as_of is None and dataset.shape == "records":
        as_of = last.date() if isinstance(last, dt.datetime) else last
    return _assemble(rows, dataset, catalog, by, by_period_and, undated, period, fiscal_start, as_of)


def _base_sql(dataset: Dataset, basis: str, cohort: bool, filters: Filters, period: str, fiscal_start: int) -> Sql:
    """The rows a basis counts, with the start of their period as __start, and the query parameters."""
    date_col, condition = date_basis(dataset.shape, basis, cohort)
    where = filters.condition(date_col, dataset)
    return basis_rows(dataset.table, date_col, condition, where, period, fiscal_start)


def _grouped(dataset: Dataset, query: GroupedMeasures) -> list[dict[str, Any]]:
    """Totals, per period start and per role in one pass over the data (labels are made in Python, per group).

    Grouped at the finest grain first, then rolled up (see GroupedMeasures): that is why every SQL measure in
    metrics.yaml is a count or a sum.
    """
    result = execute(dataset.cursor(), query.build())
    names = [d[0] for d in result.description]
    return [dict(zip(names, values, strict=True)) for values in result.fetchall()]


def _grouped_medians(dataset: Dataset, query: GroupedValueCounts) -> dict[tuple[str, Any, Any], float | None]:
    """Exact medians per group from value counts: far cheaper than median() for small integers such as days."""
    result = execute(dataset.cursor(), query.build())
    names = [d[0] for d in result.description]
    counts: dict[tuple[str, Any, Any], list[tuple[float, int]]] = {}
    for values in result.fetchall():
        row = dict(zip(names, values, strict=True))
        counts.setdefault(_group_of(row, query.sets.dims), []).append((row["__v"], row["__n"]))
    return {group: _median_of_counts(pairs) for group, pairs in counts.items()}


def _median_of_counts(pairs: list[tuple[float, int]]) -> float | None:
    """The median of a multiset given as (value, count) pairs; the mean of the two middle values when even."""
    pairs = sorted(pairs)
    total = sum(n for _, n in pairs)
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]
    found, seen = [], 0
    for value, n in pairs:
        while middle and middle[0] < seen + n:
            found.append(float(value))
            middle.pop(0)
        seen += n
    return sum(found) / 2


def _group_of(row: dict[str, Any], dims: list[str]) -> tuple[str, Any, Any]:
    """Which grouping set a result row belongs to: ("total"|"period"|role|"period:"+role, period start, key)."""
    ungrouped = [d for d in dims if row.get("g_" + d) == 0]
    has_period = row["g_period"] == 0
    if not ungrouped:
        return ("period", row["__start"], None) if has_period else ("total", None, None)
    role = ungrouped[0]
    if has_period:
        return (f"period:{role}", row["__start"], row[role])
    return (role, None, row[role])


def _assemble(
    rows: dict[tuple[str, Any, Any], dict[str, Any]],
    dataset: Dataset,
    catalog: Catalog,
    by: list[str],
    by_period_and: list[str],
    undated: int,
    period: str,
    fiscal_start: int,
    as_of: dt.date | None,
) -> KpiResult:
    totals = finish_metrics(rows.get(("total", None, None), {}), dataset, catalog)
    by_period = []
    by_role: dict[str, list[dict[str, Any]]] = {role: [] for role in by}
    crossed: dict[str, list[dict[str, Any]]] = {role: [] for role in by_period_and}
    for (group, start, key), raw in rows.items():
        figures = finish_metrics(raw, dataset, catalog)
        if group == "period":
            label = period_label(start, period, fiscal_start)
            by_period.append(
                {"period": label, "start": start.isoformat(), **figures, **progress(start, period, fiscal_start, as_of)}
            )
        elif group.startswith("period:"):
            role = group.split(":", 1)[1]
            label = period_label(start, period, fiscal_start)
            crossed[role].append(
                {
                    "period": label,
                    "start": start.isoformat(),
                    "key": key,
                    **figures,
                    **progress(start, period, fiscal_start, as_of),
                }
            )
        elif group in by_role:
            by_role[group].append({"key": key, **figures})
    by_period.sort(key=lambda r: r["start"])
    for role in by_role:
        by_role[role].sort(key=lambda r: (-(r["records"] or 0), str(r["key"])))
    for role in crossed:
        crossed[role].sort(key=lambda r: (r["start"], str(r["key"])))
    return KpiResult(totals=totals, by_period=by_period, by=by_role, by_period_and=crossed, undated=undated)


def finish_metrics(raw: dict[str, Any], dataset: Dataset, catalog: Catalog | None = None) -> dict[str, Any]:
    """Measures as plain numbers (None where the data cannot say), plus ratios and conversions."""
    catalog = catalog or load_catalog()
    values: dict[str, Any] = {}
    for metric in catalog.measures:
        value = raw.get(metric.name)
        if value is None and available(metric, dataset):
            value = metric.empty  # no rows on this measure's basis (SQL gives NULL, not 0, over no rows)
        values[metric.name] = _plain(value, metric.unit)
    for metric in catalog.ratios:
        formula = metric.formula
        # A monthly sheet without a lost column: win rate is won per deal. Records without a lost outcome keep
        # the formula, which then gives null (a win rate of 100 % would be made up).
        if dataset.shape == "periods" and metric.periods_formula and not dataset.can_lose:
            formula = metric.periods_formula
        values[metric.name] = evaluate(formula, values) if formula else None
    first = next((LEVEL_MEASURE[lv] for lv in dataset.present_levels if lv != "won"), None)
    context = {**values, "first_stage": values.get(first) if first else None}
    # catalog_check refuses a conversion without a formula
    values["conversion"] = {m.name: evaluate(cast(str, m.formula), context) for m in catalog.conversions}
    return values


def progress(start: dt.date, period: str, fiscal_start: int, as_of: dt.date | None) -> dict[str, Any]:
    """{"complete": True} for a period over on `as_of` (or without one); for a period still running, also how many
    of its days have passed (`days_elapsed` of `days_in_period`, calendar days)."""
    first, end = period_bounds(start, period, fiscal_start)
    if as_of is None or as_of >= end:
        return {"complete": True}
    elapsed = max(0, (as_of - first).days + 1)
    return {"complete": False, "days_elapsed": elapsed, "days_in_period": (end - first).days + 1}


def _plain(value: Any, unit: str) -> Any:
    """A figure as plain JSON-safe Python: None for a missing or non-finite value (never NaN or Infinity)."""
    if value is None or not math.isfinite(float(value)):
        return None
    if unit == "count":
        return int(value)
    return float(value)


def filter_values(dataset: Dataset, role: str, limit: int) -> list[str]:
    """The values of a role, most frequent first, at most `limit` (the options of a filter); [] without the role."""
    if role not in dataset.mapping:
        return []
    return [str(r[0]) for r in execute(dataset.cursor(), role_values(dataset.table, role, limit)).fetchall()]
