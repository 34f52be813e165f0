"""Levers and driver models: the KGI as a formula over levers."""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from kpi_core.catalog import LeverSpec, ModelSpec, load_funnel, load_models
from kpi_core.formula import evaluate, formula_names
from kpi_core.intake.stages import LEVEL_MEASURE, LEVELS, MEASURE_LEVEL
from kpi_core.metrics import load_catalog
from kpi_core.pivots.constants import KGI, PivotInputError


@dataclass(frozen=True)
class Lever:
    """One factor of a driver model, computed from the engine's figures of a period.

    kind "volume" adds up over a period (counts, amounts); "rate" does not (ratios, averages).
    Every lever of a model raises the KGI when it rises.
    """

    name: str
    formula: str  # over a flattened KpiResult row: "opportunities", "mql / leads", "won_revenue / won"
    kind: str
    unit: str  # count | currency | ratio
    label: dict[str, str]
    maximum: float | None = None  # a ratio cannot pass 100 %


@dataclass(frozen=True)
class DriverModel:
    """A KGI written as a formula over levers, e.g. won_revenue = opportunities * win_rate * avg_unit_price."""

    name: str
    kgi: str
    formula: str
    levers: tuple[Lever, ...]
    pairs: tuple[tuple[str, str], ...] = ()  # levers that make sense to move together
    note: str = ""  # why the identity may not reproduce the actual KGI

    def lever(self, name: str) -> Lever:
        for lever in self.levers:
            if lever.name == name:
                return lever
        raise PivotInputError(
            "pivot_input.not_a_lever", lever=name, model=self.name, levers=", ".join(self.lever_names)
        )

    @property
    def lever_names(self) -> list[str]:
        return [lever.name for lever in self.levers]

    @property
    def is_product(self) -> bool:
        """Whether the formula is a plain product of levers (then every requirement has a closed form)."""
        tree = ast.parse(self.formula, mode="eval").body
        return all(
            isinstance(node, ast.Name | ast.Load | ast.Mult)
            or (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult))
            for node in ast.walk(tree)
        )

    def kgi_of(self, values: Mapping[str, float | None]) -> float | None:
        """The KGI the formula gives for lever values (None when one is missing)."""
        return evaluate(self.formula, {name: values.get(name) for name in formula_names(self.formula)})


def _label(name: str) -> dict[str, str]:
    try:
        return dict(load_catalog().get(name).label)
    except KeyError:
        return {"ja": name, "en": name.replace("_", " ")}


# The driver models as data (kpi_core/catalog/models.yaml), checked as they load: lever formulas over the names of
# metrics.yaml, each model's formula over exactly its levers.
_TABLE = load_models(metrics=load_catalog().names)
_FUNNEL = load_funnel()
# A level's name inside a conversion label: (ja, en), from funnel.yaml.
_LEVEL_LABEL: dict[str, tuple[str, str]] = {
    level: (label["ja"], label["en"]) for level, label in _FUNNEL.step_labels.items()
}


def _lever(spec: LeverSpec) -> Lever:
    label = dict(spec.label) if spec.label is not None else _label(spec.name)
    return Lever(spec.name, spec.formula, spec.kind, spec.unit, label, spec.maximum)


def _volume(name: str, unit: str = "count") -> Lever:
    return Lever(name, name, "volume", unit, _label(name))


def _conversion(upper: str, lower: str) -> Lever:
    name = f"{upper}_to_{lower}"
    label = {
        "ja": f"{_LEVEL_LABEL[upper][0]}→{_LEVEL_LABEL[lower][0]}",
        "en": f"{_LEVEL_LABEL[upper][1]} → {_LEVEL_LABEL[lower][1]}",
    }
    label["en"] = label["en"][0].upper() + label["en"][1:]
    return Lever(name, f"{LEVEL_MEASURE[lower]} / {LEVEL_MEASURE[upper]}", "rate", "ratio", label, 1.0)


LEVERS: dict[str, Lever] = {name: _lever(spec) for name, spec in _TABLE.levers.items()}


def _model(spec: ModelSpec) -> DriverModel:
    levers = tuple(LEVERS[name] for name in spec.levers)
    return DriverModel(spec.name, KGI, spec.formula, levers, spec.pairs, spec.note)


MODELS: dict[str, DriverModel] = {spec.name: _model(spec) for spec in _TABLE.models}
WIN_RATE = LEVERS["win_rate"]
AVG_UNIT_PRICE = LEVERS["avg_unit_price"]
EXISTING_SHARE = LEVERS["existing_share"]
NEW_WON_REVENUE = LEVERS["new_won_revenue"]
SALES_MODEL = MODELS["sales"]
SUSTAINABILITY_MODEL = MODELS["sustainability"]


def funnel_model(levels: Sequence[str], start: str | None = None) -> DriverModel | None:
    """won_revenue = first stage count × each stage-to-stage rate × average unit price, over the levels the data has.

    The conversions telescope (leads × mql/leads × sql/mql × ... × revenue/won), so the identity is exact whenever
    no stage count of the period is zero. `start` cuts the funnel at a later level (a KPI on the MQL count holds
    MQLs at their forecast, so only what follows MQL can make up for it).
    """
    chain = [lv for lv in LEVELS if lv in levels]
    if start is not None:
        if start not in chain:
            return None
        chain = chain[chain.index(start) :]
    if len(chain) < (1 if start else 2) or chain[-1] != LEVELS[-1]:
        return None
    levers = [_volume(LEVEL_MEASURE[chain[0]])] + [_conversion(a, b) for a, b in pairwise(chain)]
    levers.append(LEVERS[_TABLE.funnel.last_lever])
    names = [lever.name for lever in levers]
    return DriverModel(
        name=_TABLE.funnel.name if start is None else f"{_TABLE.funnel.name}_from_{chain[0]}",
        kgi=KGI,
        formula=" * ".join(names),
        levers=tuple(levers),
        pairs=tuple(pairwise(names)),
        note=_TABLE.funnel.note,
    )


def available_models(totals: Mapping[str, Any], levels: Sequence[str]) -> list[DriverModel]:
    """The driver models the data can feed: every lever computes from the totals of the whole data."""
    figures = flat_figures(totals)
    candidates: list[DriverModel | None] = [SALES_MODEL]
    if set(levels) & {"lead", "mql", "sql"}:
        candidates.append(funnel_model(levels))
    candidates.append(SUSTAINABILITY_MODEL)
    return [m for m in candidates if m is not None and all(lever_value(lv, figures) is not None for lv in m.levers)]


def model_for_metric(
    models: Sequence[DriverModel], metric: str, levels: Sequence[str]
) -> tuple[DriverModel, str | None] | None:
    """The model that explains a KPI's metric and the lever the KPI is (None: the KPI is the KGI itself).

    The sales model wins for opportunities (the seed's sales KPIs); a stage count of the funnel cuts it there.
    """
    for model in models:
        if metric == model.kgi and model.name in ("sales", "marketing"):
            return model, None
    for model in models:
        if metric in model.lever_names and model.name != "sustainability":
            return model, metric
    level = MEASURE_LEVEL.get(metric)
    cut = funnel_model(levels, start=level) if level else None
    if cut is not None and any(m.name != "sustainability" for m in models):  # their unit price needs amounts
        return cut, metric
    sustainability = next((m for m in models if m.name == "sustainability"), None)
    if sustainability is not None and metric in ("existing_share", "existing_won_revenue", "new_won_revenue"):
        return sustainability, "existing_share" if metric != "new_won_revenue" else metric
    return None


def flat_figures(row: Mapping[str, Any]) -> dict[str, Any]:
    """A KpiResult row with its nested conversions lifted to the top level."""
    figures = {k: v for k, v in row.items() if k != "conversion"}
    figures.update(row.get("conversion") or {})
    return figures


def lever_value(lever: Lever, figures: Mapping[str, Any]) -> float | None:
    """The lever's value in one period's figures (None when the data cannot say)."""
    names = formula_names(lever.formula)
    if any(name not in figures for name in names):
        return None
    return evaluate(lever.formula, {name: figures[name] for name in names})
