"""Levers and driver models: the KGI as a formula over levers."""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from kpi_core.formula import evaluate, formula_names
from kpi_core.intake.stages import LEVEL_MEASURE, MEASURE_LEVEL
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


_LEVEL_LABEL = {
    "lead": ("リード", "Lead"),
    "mql": ("MQL", "MQL"),
    "sql": ("SQL", "SQL"),
    "opportunity": ("商談", "opportunity"),
    "won": ("受注", "won"),
}


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


WIN_RATE = Lever("win_rate", "won / (won + lost)", "rate", "ratio", _label("win_rate"), 1.0)
AVG_UNIT_PRICE = Lever("avg_unit_price", "won_revenue / won", "rate", "currency", _label("avg_unit_price"))
EXISTING_SHARE = Lever(
    "existing_share", "existing_won_revenue / won_revenue", "rate", "ratio", _label("existing_share"), 1.0
)
NEW_WON_REVENUE = Lever(
    "new_won_revenue",
    "won_revenue - existing_won_revenue",
    "volume",
    "currency",
    {"ja": "新規顧客からの受注金額", "en": "Won revenue from new customers"},
)

SALES_MODEL = DriverModel(
    name="sales",
    kgi=KGI,
    formula="opportunities * win_rate * avg_unit_price",
    levers=(_volume("opportunities"), WIN_RATE, AVG_UNIT_PRICE),
    pairs=(("win_rate", "avg_unit_price"), ("opportunities", "win_rate"), ("opportunities", "avg_unit_price")),
    note=(
        "opportunities are counted in the month they were created, wins, losses and revenue in the month they "
        "closed, and the win rate leaves open deals out: the product equals revenue × opportunities ÷ (won + lost), "
        "so the residual is revenue × (1 − opportunities ÷ closed deals) and shows how far deal creation and closing "
        "drift apart"
    ),
)
SUSTAINABILITY_MODEL = DriverModel(
    name="sustainability",
    kgi=KGI,
    formula="new_won_revenue / (1 - existing_share)",
    levers=(NEW_WON_REVENUE, EXISTING_SHARE),
    note="revenue from new customers grossed up by the share of repeat / upsell revenue: exact when revenue > 0",
)


def funnel_model(levels: Sequence[str], start: str | None = None) -> DriverModel | None:
    """won_revenue = first stage count × each stage-to-stage rate × average unit price, over the levels the data has.

    The conversions telescope (leads × mql/leads × sql/mql × ... × revenue/won), so the identity is exact whenever
    no stage count of the period is zero. `start` cuts the funnel at a later level (a KPI on the MQL count holds
    MQLs at their forecast, so only what follows MQL can make up for it).
    """
    chain = [lv for lv in ("lead", "mql", "sql", "opportunity", "won") if lv in levels]
    if start is not None:
        if start not in chain:
            return None
        chain = chain[chain.index(start) :]
    if len(chain) < (1 if start else 2) or chain[-1] != "won":
        return None
    levers = [_volume(LEVEL_MEASURE[chain[0]])] + [_conversion(a, b) for a, b in pairwise(chain)] + [AVG_UNIT_PRICE]
    names = [lever.name for lever in levers]
    return DriverModel(
        name="marketing" if start is None else f"marketing_from_{chain[0]}",
        kgi=KGI,
        formula=" * ".join(names),
        levers=tuple(levers),
        pairs=tuple(pairwise(names)),
        note=(
            "the stage-to-stage rates are ratios of the same period's counts, so the product telescopes to revenue; "
            "counts are placed by creation date and won deals by close date, so a rate can pass 100 % in a month"
        ),
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
