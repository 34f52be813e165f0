"""CSF pivots: driver models of the KGI, what another lever must reach when a KPI misses, Goodhart guard, what-if."""

from __future__ import annotations

import ast
import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from kpi_core.business_days import business_days, period_bounds, period_label
from kpi_core.dataset_memo import filters_key, remembered
from kpi_core.formula import evaluate, formula_names
from kpi_core.intake.load import Dataset
from kpi_core.metrics import Filters, KpiResult, compute_kpis, load_catalog

if TYPE_CHECKING:
    from kpi_core.goals import Goals

KGI = "won_revenue"
IDENTITY_TOLERANCE = 0.01  # |residual| above 1 % of actual revenue is flagged
HISTORY_MONTHS = 18  # "seen in 2 of the last 18 months"
GROUP_MONTHS = 12  # owners / segments / channels are judged over the trailing 12 months
GROUP_MIN_RECORDS = 10  # a rep with 3 deals proves nothing
GROUP_ROLES = ("owner", "segment", "channel")
TRAILING_MONTHS = 3  # rates for the rest of a period, and each Goodhart window
GOODHART_MIN_CHANGE = 0.05  # relative change that counts as "up" or "down"
CORRELATION_MONTHS = 24
CORRELATION_MIN_MONTHS = 12
CORRELATION_MAX_LAG = 3  # months a leading KPI may take to show in revenue
NEGATIVE_CORRELATION = -0.3
MONTHS_IN = {"week": 12 / 52, "month": 1.0, "quarter": 3.0, "year": 12.0}


class PivotInputError(ValueError):
    """Input the pivot engine cannot use (unknown lever, bad --set value): one sentence for the user."""


# --- levers and driver models ------------------------------------------------------------------------------------
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
            f"{name!r} is not a lever of the {self.name} model: use one of {', '.join(self.lever_names)}"
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


_LEVEL_MEASURE = {"lead": "leads", "mql": "mql", "sql": "sql", "opportunity": "opportunities", "won": "won"}
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
    return Lever(name, f"{_LEVEL_MEASURE[lower]} / {_LEVEL_MEASURE[upper]}", "rate", "ratio", label, 1.0)


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
    levers = [_volume(_LEVEL_MEASURE[chain[0]])] + [_conversion(a, b) for a, b in pairwise(chain)] + [AVG_UNIT_PRICE]
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
    candidates = [SALES_MODEL]
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
    level = {v: k for k, v in _LEVEL_MEASURE.items()}.get(metric)
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


# --- explanations --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Explanation:
    """One English sentence, plus a code and parameters so the UI can say it in Japanese."""

    code: str
    params: dict[str, Any]
    text: str


def _lower(label: str) -> str:
    """A label inside a sentence: "Win rate" → "win rate", but "MQL → SQL" stays."""
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def format_value(value: float | None, unit: str) -> str:
    """A number as people read it: 29.8%, 1.43M, 42."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    if unit == "currency" and abs(value) >= 1e6:
        scaled = value / 1e6
        return f"{scaled:,.0f}M" if abs(scaled) >= 100 else f"{scaled:.1f}M" if abs(scaled) >= 10 else f"{scaled:.2f}M"
    return f"{value:,.0f}"


def format_change(change: float | None) -> str:
    """A relative change: +19%, -4.5%."""
    if change is None or not math.isfinite(change):
        return "-"
    return f"{change * 100:+.0f}%" if abs(change) >= 0.1 else f"{change * 100:+.1f}%"


# --- identity check ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IdentityRow:
    """Actual KGI against the model's product for one period (or the totals: period None)."""

    period: str | None
    actual: float | None
    modeled: float | None
    residual: float | None  # actual − modeled
    residual_pct: float | None  # residual ÷ actual
    flagged: bool
    levers: dict[str, float | None]


@dataclass(frozen=True)
class IdentityCheck:
    """Whether a driver model reproduces the actual KGI, in total and per period."""

    model: str
    formula: str
    tolerance: float
    totals: IdentityRow
    by_period: tuple[IdentityRow, ...]
    flagged_periods: int
    explanation: Explanation


def _identity_row(model: DriverModel, row: Mapping[str, Any], period: str | None, tolerance: float) -> IdentityRow:
    figures = flat_figures(row)
    levers = {lever.name: lever_value(lever, figures) for lever in model.levers}
    actual = figures.get(model.kgi)
    modeled = model.kgi_of(levers)
    residual = pct = None
    flagged = False
    if actual is not None and modeled is not None:
        residual = float(actual) - modeled
        pct = residual / actual if actual else None
        flagged = abs(pct) > tolerance if pct is not None else abs(residual) > 0
    return IdentityRow(period, actual, modeled, residual, pct, flagged, levers)


def identity_check(model: DriverModel, figures: KpiResult, tolerance: float = IDENTITY_TOLERANCE) -> IdentityCheck:
    """Reproduce the actual KGI from the levers for the totals and each period; flag |residual| > tolerance.

    The sales identity mixes bases: opportunities are counted in the period they were created (as the engine
    counts them), won, lost and revenue in the period they closed, and win_rate = won / (won + lost) leaves open
    deals out. So opportunities × win_rate × avg_unit_price = revenue × opportunities ÷ (won + lost), and the
    residual revenue × (1 − opportunities ÷ (won + lost)) is the gap between deals created and deals closed in the
    period: negative while a pipeline builds up, positive while it drains. The funnel identity telescopes and
    differs from revenue only where a stage count of the period is zero.
    """
    totals = _identity_row(model, figures.totals, None, tolerance)
    rows = tuple(_identity_row(model, r, r["period"], tolerance) for r in figures.by_period)
    flagged = sum(r.flagged for r in rows)
    modeled = [r for r in rows if r.residual is not None]
    params = {
        "model": model.name,
        "formula": model.formula,
        "residual_pct": totals.residual_pct,
        "flagged_periods": flagged,
        "periods": len(modeled),
        "tolerance": tolerance,
    }
    if totals.flagged or flagged:
        text = (
            f"{_formula_words(model)} differs from actual {_label(model.kgi)['en'].lower()} by "
            f"{format_change(totals.residual_pct)} in total and by more than {tolerance:.0%} in {flagged} of "
            f"{len(modeled)} periods: {model.note}."
        )
        code = "identity_residual"
    else:
        text = (
            f"{_formula_words(model)} reproduces actual {_label(model.kgi)['en'].lower()} to within {tolerance:.0%} "
            f"in total and in each of {len(modeled)} periods."
        )
        code = "identity_ok"
    return IdentityCheck(model.name, model.formula, tolerance, totals, rows, flagged, Explanation(code, params, text))


def _formula_words(model: DriverModel) -> str:
    """The formula with labels for names: "opportunities × win rate × average unit price"."""
    labels = {lever.name: _lower(lever.label["en"]) for lever in model.levers}
    words = re.sub(r"[A-Za-z_][A-Za-z_0-9]*", lambda m: labels.get(m.group(0), m.group(0)), model.formula)
    return words.replace(" * ", " × ")


# --- where a period stands -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PeriodPosition:
    """A period at the as-of date: what is booked, what the rest of the period is expected to bring, the KGI target.

    `rest` holds, per lever, the value over the rest of the period: for a volume lever the count (or amount) still
    to come, for a rate lever the rate that applies to that remaining volume. What is booked cannot change.
    """

    period: str
    start: dt.date
    end: dt.date
    as_of: dt.date
    remaining_share: float  # share of the period's business days after the as-of date
    months: float  # length of the period in months, to turn remaining volume into a monthly pace
    kgi_booked: float
    kgi_target: float
    booked: dict[str, float]
    rest: dict[str, float | None]


def kgi_forecast(
    model: DriverModel, position: PeriodPosition, rest: Mapping[str, float | None] | None = None
) -> float | None:
    """Booked KGI plus the model's product over the rest of the period."""
    value = model.kgi_of(rest if rest is not None else position.rest)
    return None if value is None else position.kgi_booked + value


def shown_value(lever: Lever, position: PeriodPosition, rest_value: float | None) -> float | None:
    """How a lever is shown: a volume as its period-end total (booked + rest), a rate as the rate for the rest."""
    if rest_value is None:
        return None
    return position.booked.get(lever.name, 0.0) + rest_value if lever.kind == "volume" else rest_value


def _rest_from_shown(lever: Lever, position: PeriodPosition, shown: float) -> float:
    return shown - position.booked.get(lever.name, 0.0) if lever.kind == "volume" else shown


def _monthly_pace(lever: Lever, position: PeriodPosition, rest_value: float | None) -> float | None:
    """What history is compared with: a rate as it is, a volume as the monthly pace the rest of the period needs."""
    if rest_value is None or lever.kind != "volume":
        return rest_value
    months_left = position.remaining_share * position.months
    return rest_value / months_left if months_left > 0 else None


# --- solving for required values -----------------------------------------------------------------------------------
def required_rest_value(model: DriverModel, position: PeriodPosition, lever: str) -> float | None:
    """The value `lever` must take over the rest of the period, all other levers at their rest values, for
    booked KGI + model(rest) to equal the period's KGI target. None when no value can do it."""
    need = position.kgi_target - position.kgi_booked
    rest = dict(position.rest)
    if any(rest.get(name) is None for name in model.lever_names if name != lever):
        return None
    if model.is_product:
        others = math.prod(float(rest[name]) for name in model.lever_names if name != lever)  # type: ignore[arg-type]
        return need / others if others > 0 else None
    return _bisect(lambda x: model.kgi_of({**rest, lever: x}), need, model.lever(lever).maximum)


def required_common_change(model: DriverModel, position: PeriodPosition, levers: Sequence[str]) -> float | None:
    """The same relative change c of every lever in `levers` (value × (1 + c)) that meets the period's KGI target."""
    need = position.kgi_target - position.kgi_booked
    rest = dict(position.rest)
    if any(rest.get(name) is None for name in model.lever_names):
        return None
    now = model.kgi_of(rest)
    if model.is_product:
        if not now or now <= 0 or need <= 0:
            return None if need > 0 else -1.0
        return (need / now) ** (1 / len(levers)) - 1  # the product scales with (1 + c) ** len(levers)

    def scaled(m: float) -> float | None:
        return model.kgi_of({**rest, **{name: rest[name] * m for name in levers}})  # type: ignore[operator]

    caps = [model.lever(n).maximum / rest[n] for n in levers if model.lever(n).maximum and rest[n]]  # type: ignore[operator]
    multiplier = _bisect(scaled, need, min(caps) if caps else None)
    return None if multiplier is None else multiplier - 1


def _bisect(function, need: float, cap: float | None) -> float | None:
    """The x ≥ 0 where an increasing `function` reaches `need` (0 when it already does at 0; None when never)."""

    def value(x: float) -> float:
        result = function(x)
        return math.inf if result is None else result  # a division by zero here is the pole at the cap

    if value(0.0) >= need:
        return 0.0
    high = cap if cap is not None else 1.0
    while value(high) < need:
        if cap is not None or high > 1e18:
            return None
        high *= 2
    low = 0.0
    for _ in range(200):
        mid = (low + high) / 2
        if mid in (low, high):
            break
        low, high = (mid, high) if value(mid) < need else (low, mid)
    return high


# --- history evidence ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupValue:
    """One owner / segment / channel's value of a lever over the trailing months."""

    role: str
    key: str
    value: float
    records: int


@dataclass(frozen=True)
class LeverHistory:
    """Monthly values of each lever (complete months before the as-of period) and per-group values."""

    months: tuple[str, ...]
    values: dict[str, tuple[float | None, ...]]
    groups: dict[str, tuple[GroupValue, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Evidence:
    """How often history reached a required level, and who already reaches it."""

    months: int  # months with a value for every lever compared
    achieved: int
    history_share: float | None
    percentile: float | None  # share of months (in %) below the required level (single levers)
    reached_by: tuple[dict[str, Any], ...]
    groups_compared: int = 0  # owners / segments / channels compared (0: the data has none, or a volume lever)


def history_evidence(history: LeverHistory, levels: Mapping[str, float]) -> Evidence:
    """Months in which every lever was at or above its level; groups (rate levers) at or above theirs."""
    columns = [history.values.get(name, ()) for name in levels]
    months = achieved = below = 0
    for i in range(len(history.months)):
        values = [col[i] if i < len(col) else None for col in columns]
        if any(v is None for v in values):
            continue
        months += 1
        hits = [v >= level - _tiny(level) for v, level in zip(values, levels.values(), strict=True)]
        achieved += all(hits)
        below += len(levels) == 1 and not hits[0]
    share = achieved / months if months else None
    percentile = 100 * below / months if months and len(levels) == 1 else None
    reached, compared = _groups_reaching(history, levels)
    return Evidence(months, achieved, share, percentile, reached, compared)


def _tiny(level: float) -> float:
    """Float slack so a month exactly at the required level counts as reaching it."""
    return abs(level) * 1e-12


def _groups_reaching(history: LeverHistory, levels: Mapping[str, float]) -> tuple[tuple[dict[str, Any], ...], int]:
    """Groups at or above every level, and how many groups were compared (none unless every lever has groups)."""
    compared = dict(levels)
    if not compared or not all(history.groups.get(name) for name in compared):
        return (), 0
    by_key: dict[tuple[str, str], dict[str, GroupValue]] = {}
    for name in compared:
        for group in history.groups[name]:
            by_key.setdefault((group.role, group.key), {})[name] = group
    reached = []
    for (role, key), values in by_key.items():
        if len(values) == len(compared) and all(values[n].value >= compared[n] - _tiny(compared[n]) for n in compared):
            records = min(v.records for v in values.values())
            reached.append(
                {"role": role, "key": key, "records": records, "values": {n: values[n].value for n in compared}}
            )
    complete = sum(len(values) == len(compared) for values in by_key.values())
    order = sorted(
        reached,
        key=lambda r: (GROUP_ROLES.index(r["role"]) if r["role"] in GROUP_ROLES else 9, -r["records"], r["key"]),
    )
    return tuple(order), complete


# --- pivots --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CsfRef:
    """A CSF of the goal model: the lever it moves and its prepared actions."""

    id: str
    name: str
    lever: str
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class KpiForecast:
    """A KPI's target and period-end forecast (from the goal model and pacing), as plain numbers."""

    id: str
    name: str
    metric: str
    target: float
    forecast: float
    per: str = "month"
    unit: str = "count"
    better: str = "higher"
    method: str = ""

    @property
    def short(self) -> bool:
        return self.forecast < self.target if self.better == "higher" else self.forecast > self.target


@dataclass(frozen=True)
class LeverChange:
    """One lever's move: shown values (volume = period-end total, rate = rate for the rest) and the rest part."""

    lever: str
    kind: str
    unit: str
    current: float | None
    required: float | None
    change_abs: float | None
    change_pct: float | None
    rest_current: float | None
    rest_required: float | None
    rest_change_pct: float | None
    history_level: float | None  # what history is compared with (a volume: the monthly pace needed)


@dataclass(frozen=True)
class Pivot:
    """Another lever (or pair) that keeps the KGI when a KPI misses, with its evidence and CSF."""

    kind: str  # single | pair
    levers: tuple[str, ...]
    changes: tuple[LeverChange, ...]
    change_pct: float | None  # single: its change; pair: the common change of both
    evidence: Evidence
    verdict: str  # no_change_needed | feasible | stretch | impossible | no_history
    reason: str | None  # above_max | nothing_left | never_reached
    kgi_after: float | None
    csfs: tuple[CsfRef, ...]
    explanation: Explanation
    rank: int = 0

    @property
    def lever(self) -> str:
        return "+".join(self.levers)

    @property
    def feasible(self) -> bool:
        return self.verdict in ("feasible", "no_change_needed")

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of one pivot: {lever, current, required, change_pct, history_share, feasible, csf, ...}."""
        single = self.changes[0] if self.kind == "single" else None
        first = self.csfs[0] if self.csfs else None
        return {
            "rank": self.rank,
            "lever": self.lever,
            "levers": list(self.levers),
            "kind": self.kind,
            "current": single.current if single else None,
            "required": single.required if single else None,
            "change_abs": single.change_abs if single else None,
            "change_pct": self.change_pct,
            "history_share": self.evidence.history_share,
            "months_achieved": self.evidence.achieved,
            "months": self.evidence.months,
            "percentile": self.evidence.percentile,
            "reached_by": list(self.evidence.reached_by),
            "feasible": self.feasible,
            "verdict": self.verdict,
            "reason": self.reason,
            "kgi_after": self.kgi_after,
            "csf": first.name if first else None,
            "csf_id": first.id if first else None,
            "actions": [a for csf in self.csfs for a in csf.actions],
            "csfs": [asdict(c) for c in self.csfs],
            "parts": [asdict(c) for c in self.changes],
            "explanation": asdict(self.explanation),
        }


def find_pivots(
    model: DriverModel,
    position: PeriodPosition,
    history: LeverHistory,
    *,
    missing: str | None = None,
    kpi: KpiForecast | None = None,
    csfs: Sequence[CsfRef] = (),
    kgi_goal: float | None = None,
    existing_share: bool = True,
) -> tuple[Pivot, ...]:
    """Every other lever alone and the model's pairs: what they must reach for the period's KGI target, ranked.

    `missing` is the lever held at its (short) forecast; None when the KGI itself is short and all levers may move.
    With `existing_share` and the data for it, the repeat / upsell share is offered too (sustainability model).
    """
    free = [name for name in model.lever_names if name != missing]
    pivots = [_single(model, position, history, name, kpi, csfs, kgi_goal) for name in free]
    for pair in model.pairs:
        if missing not in pair:
            pivots.append(_pair(model, position, history, pair, kpi, csfs, kgi_goal))
    if existing_share and model.name != "sustainability" and position.rest.get("existing_share") is not None:
        extra = _existing_share_pivot(model, position, history, kpi, csfs, kgi_goal)
        if extra is not None:
            pivots.append(extra)
    return rank_pivots(pivots)


# A CSF's lever may name the count a rate moves ("lead quality" moves MQLs): such CSFs serve that rate too.
_CSF_ALIASES: dict[str, tuple[str, ...]] = {
    "lead_to_mql": ("mql",),
    "mql_to_sql": ("sql",),
    "sql_to_opportunity": ("opportunities",),
    "opportunity_to_won": ("won", "win_rate"),
    "win_rate": ("won", "opportunity_to_won"),
    "existing_share": ("existing_won_revenue",),
    "avg_unit_price": ("won_revenue",),
}


def csfs_for_lever(csfs: Sequence[CsfRef], lever: str) -> tuple[CsfRef, ...]:
    """The CSFs whose lever is `lever`, then those whose lever is the count it moves (a_to_b → b), in file order."""
    names = (lever, *_CSF_ALIASES.get(lever, ()))
    if "_to_" in lever:
        names += (_LEVEL_MEASURE.get(lever.rsplit("_to_", 1)[1], ""),)
    return tuple(c for name in dict.fromkeys(names) for c in csfs if c.lever == name)


def rank_pivots(pivots: Sequence[Pivot]) -> tuple[Pivot, ...]:
    """Most feasible first: history share, then the smaller required change, then single before pair, then name."""
    order = {"no_change_needed": 0, "feasible": 1, "stretch": 2, "no_history": 3, "impossible": 4}

    def key(p: Pivot) -> tuple:
        share = p.evidence.history_share if p.evidence.history_share is not None else -1.0
        change = abs(p.change_pct) if p.change_pct is not None else math.inf
        return (order[p.verdict], -share, round(change, 6), p.kind != "single", p.lever)

    return tuple(replace(p, rank=i + 1) for i, p in enumerate(sorted(pivots, key=key)))


def _change(lever: Lever, position: PeriodPosition, rest_now: float | None, rest_needed: float | None) -> LeverChange:
    current, required = shown_value(lever, position, rest_now), shown_value(lever, position, rest_needed)
    change_abs = required - current if required is not None and current is not None else None
    change_pct = change_abs / current if change_abs is not None and current else None
    rest_pct = (rest_needed - rest_now) / rest_now if rest_needed is not None and rest_now else None
    return LeverChange(
        lever.name,
        lever.kind,
        lever.unit,
        current,
        required,
        change_abs,
        change_pct,
        rest_now,
        rest_needed,
        rest_pct,
        _monthly_pace(lever, position, rest_needed),
    )


def _verdict(
    changes: Sequence[LeverChange], levers: Sequence[Lever], evidence: Evidence, rest_ok: bool
) -> tuple[str, str | None]:
    if not rest_ok or any(c.rest_required is None for c in changes):
        return "impossible", "nothing_left"
    if any(
        lv.maximum is not None and c.required is not None and c.required > lv.maximum
        for c, lv in zip(changes, levers, strict=True)
    ):
        return "impossible", "above_max"
    if all(c.change_abs is not None and c.change_abs <= _tiny(c.current or 0.0) for c in changes):
        return "no_change_needed", None
    if evidence.history_share is None:
        return ("stretch", None) if evidence.reached_by else ("no_history", None)
    if evidence.history_share > 0:
        return "feasible", None
    return ("stretch", None) if evidence.reached_by else ("impossible", "never_reached")


def _single(model, position, history, name, kpi, csfs, kgi_goal) -> Pivot:
    lever = model.lever(name)
    needed = required_rest_value(model, position, name)
    if needed is not None and needed < 0:
        needed = 0.0  # booked revenue already covers the target: the rest may bring nothing
    change = _change(lever, position, position.rest.get(name), needed)
    levels = {name: change.history_level} if change.history_level is not None else {}
    evidence = history_evidence(history, levels) if levels else Evidence(0, 0, None, None, (), 0)
    stuck = lever.kind == "volume" and position.remaining_share <= 0 and (needed or 0) > (position.rest.get(name) or 0)
    verdict, reason = _verdict([change], [lever], evidence, needed is not None and not stuck)
    kgi_after = kgi_forecast(model, position, {**position.rest, name: needed}) if needed is not None else None
    attached = csfs_for_lever(csfs, name)
    text = _explain(
        model, position, kpi, kgi_goal, [lever], [change], change.change_pct, evidence, verdict, reason, attached
    )
    return Pivot("single", (name,), (change,), change.change_pct, evidence, verdict, reason, kgi_after, attached, text)


def _pair(model, position, history, pair, kpi, csfs, kgi_goal) -> Pivot:
    levers = [model.lever(n) for n in pair]
    common = required_common_change(model, position, pair)
    changes = []
    for lever in levers:
        now = position.rest.get(lever.name)
        needed = None if common is None or now is None else now * (1 + common)
        changes.append(_change(lever, position, now, needed))
    levels = {c.lever: c.history_level for c in changes if c.history_level is not None}
    evidence = history_evidence(history, levels) if len(levels) == len(pair) else Evidence(0, 0, None, None, (), 0)
    verdict, reason = _verdict(changes, levers, evidence, common is not None)
    after = {**position.rest, **{c.lever: c.rest_required for c in changes}}
    kgi_after = kgi_forecast(model, position, after) if common is not None else None
    attached = tuple(dict.fromkeys(c for n in pair for c in csfs_for_lever(csfs, n)))
    text = _explain(model, position, kpi, kgi_goal, levers, changes, common, evidence, verdict, reason, attached)
    return Pivot("pair", tuple(pair), tuple(changes), common, evidence, verdict, reason, kgi_after, attached, text)


def _existing_share_pivot(model, position, history, kpi, csfs, kgi_goal) -> Pivot | None:
    """Hold new-customer revenue at what `model` forecasts and ask what repeat / upsell share meets the target."""
    rest_kgi = model.kgi_of(position.rest)
    share_now = position.rest.get("existing_share")
    if rest_kgi is None or share_now is None or share_now >= 1:
        return None
    sustain = replace(position, rest={**position.rest, "new_won_revenue": rest_kgi * (1 - share_now)})
    return _single(SUSTAINABILITY_MODEL, sustain, history, "existing_share", kpi, csfs, kgi_goal)


def _explain(model, position, kpi, kgi_goal, levers, changes, common, evidence, verdict, reason, csfs) -> Explanation:
    goal = kgi_goal if kgi_goal is not None else position.kgi_target
    forecast = kgi_forecast(model, position)
    if kpi is not None:
        lead = f"{kpi.name} will end at {format_value(kpi.forecast, kpi.unit)} of {format_value(kpi.target, kpi.unit)}"
    else:
        lead = (
            f"{_label(model.kgi)['en']} is forecast at {format_value(forecast, 'currency')} of "
            f"{format_value(position.kgi_target, 'currency')} for {position.period}"
        )
    names = [_lower(lv.label["en"]) for lv in levers]
    slack = verdict == "no_change_needed"  # the required level is already within the forecast: say so
    if len(levers) == 1:
        c = changes[0]
        level = f"{format_value(c.required, c.unit)} ({format_change(c.change_pct)})"
        move = f"{names[0]} would still be enough at {level}" if slack else f"{names[0]} must reach {level}"
        if c.kind == "volume" and c.required is not None and not slack:
            move += f", a pace of {format_value(c.history_level, c.unit)} a month for the rest of {position.period}"
    else:
        targets = " and ".join(format_value(c.required, c.unit) for c in changes)
        move = (
            f"{names[0]} and {names[1]} would still be enough at {format_change(common)} (at {targets})"
            if slack
            else f"{names[0]} and {names[1]} must both change {format_change(common)} (to {targets})"
        )
    seen = (
        f"seen in {evidence.achieved} of the last {evidence.months} months"
        if len(levers) == 1
        else f"seen together in {evidence.achieved} of the last {evidence.months} months"
    )
    if slack:
        tail = "the forecast already covers it"
    elif reason == "nothing_left":
        tail = "nothing is left in the period to move it: impossible"
    elif reason == "above_max":
        tail = "above 100 %: impossible"
    elif verdict == "no_history":
        tail = "no past months to compare with"
    else:
        tail = seen
        if evidence.reached_by:
            shown = ", ".join(str(g["key"]) for g in evidence.reached_by[:3])
            tail += f"; already reached by {shown}" + (
                f" and {len(evidence.reached_by) - 3} more" if len(evidence.reached_by) > 3 else ""
            )
        elif verdict == "impossible" and evidence.groups_compared:
            tail += " and by no owner, segment or channel: impossible"
        elif verdict == "impossible":
            tail += ": impossible"
    text = f"{lead}; to keep {format_value(goal, 'currency')}, {move}{'; ' if slack else ', '}{tail}"
    if csfs and verdict in ("feasible", "stretch"):  # no CSF to switch to when nothing has to change
        actions = [a for csf in csfs for a in csf.actions][:2]
        text += f": pivot to {csfs[0].name}" + (f": {', '.join(actions)}" if actions else "")
    params = {
        "model": model.name,
        "levers": [lv.name for lv in levers],
        "kpi": kpi.id if kpi else None,
        "kpi_name": kpi.name if kpi else None,
        "kpi_forecast": kpi.forecast if kpi else None,
        "kpi_target": kpi.target if kpi else None,
        "kgi_goal": goal,
        "kgi_target": position.kgi_target,
        "kgi_forecast": forecast,
        "period": position.period,
        "required": [c.required for c in changes],
        "current": [c.current for c in changes],
        "change_pct": common,
        "monthly_pace": [c.history_level if c.kind == "volume" else None for c in changes],
        "months_achieved": evidence.achieved,
        "months": evidence.months,
        "history_share": evidence.history_share,
        "reached_by": [g["key"] for g in evidence.reached_by],
        "verdict": verdict,
        "reason": reason,
        "csf": csfs[0].id if csfs else None,
    }
    code = f"pivot_{'single' if len(levers) == 1 else 'pair'}_{reason or verdict}"
    return Explanation(code, params, text + ".")


# --- what-if -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LeverSetting:
    """A what-if change: `value` is a new value, or a relative change (0.1 = +10 %) when `relative`."""

    lever: str
    value: float
    relative: bool = False


def parse_setting(text: str) -> LeverSetting:
    """'win_rate=0.3', 'win_rate=30%', 'avg_unit_price=+10%', 'opportunities=-5%' as a LeverSetting.

    A signed percentage is a relative change; anything else is a value (a bare percentage is a ratio: 30% = 0.3).
    """
    name, sep, raw = text.partition("=")
    raw = raw.strip().replace(",", "")
    if not sep or not name.strip() or not raw:
        raise PivotInputError(f"--set {text!r}: write LEVER=VALUE or LEVER=+10%")
    try:
        if raw.endswith("%"):
            number = float(raw[:-1]) / 100
            return LeverSetting(name.strip(), number, relative=raw[0] in "+-")
        return LeverSetting(name.strip(), float(raw))
    except ValueError:
        raise PivotInputError(f"--set {text!r}: {raw!r} is not a number (write 0.3, 30%, +10% or -5%)") from None


@dataclass(frozen=True)
class WhatIf:
    """The KGI when some levers change, and what each other lever would then need alone."""

    model: str
    settings: tuple[LeverSetting, ...]
    changed: tuple[LeverChange, ...]  # current → new value of each lever set
    kgi_target: float
    kgi_before: float | None
    kgi_after: float | None
    gap_after: float | None  # forecast − target
    attainment_after: float | None
    required: tuple[LeverChange, ...]  # unchanged levers: the value each alone must reach after the changes
    explanation: Explanation

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "settings": [asdict(s) for s in self.settings],
            "changed": [asdict(c) for c in self.changed],
            "kgi_target": self.kgi_target,
            "kgi_before": self.kgi_before,
            "kgi_after": self.kgi_after,
            "gap_after": self.gap_after,
            "attainment_after": self.attainment_after,
            "required": [asdict(c) for c in self.required],
            "explanation": asdict(self.explanation),
        }


def what_if(model: DriverModel, position: PeriodPosition, settings: Sequence[LeverSetting]) -> WhatIf:
    """Apply `settings` (shown values: a volume's period-end total, a rate for the rest) and recompute the KGI."""
    rest = dict(position.rest)
    changed = []
    for setting in settings:
        lever = model.lever(setting.lever)
        now = shown_value(lever, position, rest.get(lever.name))
        if now is None:
            raise PivotInputError(f"--set {setting.lever}: the data has no current value to change")
        shown = now * (1 + setting.value) if setting.relative else setting.value
        if shown < 0 or (lever.maximum is not None and shown > lever.maximum):
            bound = f" and {format_value(lever.maximum, lever.unit)}" if lever.maximum is not None else ""
            raise PivotInputError(f"--set {setting.lever}: {format_value(shown, lever.unit)} is not between 0{bound}")
        new_rest = _rest_from_shown(lever, position, shown)
        if new_rest < 0:
            booked = format_value(position.booked.get(lever.name, 0.0), lever.unit)
            raise PivotInputError(
                f"--set {setting.lever}: {format_value(shown, lever.unit)} is below the {booked} already booked"
            )
        changed.append(_change(lever, position, rest.get(lever.name), new_rest))
        rest[lever.name] = new_rest
    after = replace(position, rest=rest)
    before_kgi, after_kgi = kgi_forecast(model, position), kgi_forecast(model, after)
    set_names = {s.lever for s in settings}
    required = []
    for lever in model.levers:
        if lever.name not in set_names:
            needed = required_rest_value(model, after, lever.name)
            required.append(_change(lever, after, rest.get(lever.name), None if needed is None else max(needed, 0.0)))
    gap = after_kgi - position.kgi_target if after_kgi is not None else None
    attainment = after_kgi / position.kgi_target if after_kgi is not None and position.kgi_target else None
    text = (
        f"With {', '.join(f'{c.lever} at {format_value(c.required, c.unit)}' for c in changed)}, "
        f"{_label(model.kgi)['en'].lower()} for {position.period} would end at {format_value(after_kgi, 'currency')} "
        f"({format_value(attainment, 'ratio')} of {format_value(position.kgi_target, 'currency')}, "
        f"forecast before: {format_value(before_kgi, 'currency')})."
    )
    params = {
        "settings": [asdict(s) for s in settings],
        "kgi_after": after_kgi,
        "kgi_before": before_kgi,
        "kgi_target": position.kgi_target,
        "attainment": attainment,
        "period": position.period,
    }
    return WhatIf(
        model.name,
        tuple(settings),
        tuple(changed),
        position.kgi_target,
        before_kgi,
        after_kgi,
        gap,
        attainment,
        tuple(required),
        Explanation("what_if", params, text),
    )


# --- Goodhart guard (pitfall 1) ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QualityPair:
    """A volume KPI and the conversion that shows whether the extra volume is real."""

    volume: str
    partner: str
    partner_formula: str
    partner_label: str


QUALITY_PAIRS: tuple[QualityPair, ...] = (
    QualityPair("opportunities", "win_rate", "won / (won + lost)", "win rate"),
    QualityPair("leads", "lead_to_mql", "mql / leads", "lead → MQL rate"),
    QualityPair("mql", "mql_to_sql", "sql / mql", "MQL → SQL rate"),
    QualityPair("sql", "sql_to_opportunity", "opportunities / sql", "SQL → opportunity rate"),
    QualityPair("calls", "opportunities_per_call", "opportunities / calls", "opportunities per call"),
    QualityPair("visits", "opportunities_per_visit", "opportunities / visits", "opportunities per visit"),
    QualityPair("proposals", "won_per_proposal", "won / proposals", "wins per proposal"),
)


@dataclass(frozen=True)
class GoodhartCheck:
    """A KPI's move over the last 3 months against its quality partner (or the KGI) over the 3 before."""

    code: str  # volume_up_quality_down | kpi_up_kgi_down | kpi_kgi_negative_correlation
    kpi: str
    partner: str
    kpi_before: float | None
    kpi_after: float | None
    kpi_change_pct: float | None
    partner_before: float | None
    partner_after: float | None
    partner_change_pct: float | None
    correlation: float | None  # best correlation of month-on-month changes of the KPI and the KGI (lags 0-3)
    correlation_lag: int | None
    correlation_changes: int
    flagged: bool
    explanation: Explanation


def _figure(figures: Mapping[str, Any], name: str, formula: str | None = None) -> float | None:
    if formula is None:
        value = figures.get(name)
        return None if value is None else float(value)
    names = formula_names(formula)
    return None if any(n not in figures for n in names) else evaluate(formula, {n: figures[n] for n in names})


def _relative(before: float | None, after: float | None) -> float | None:
    return (after - before) / abs(before) if before not in (None, 0) and after is not None else None


def change_correlation(
    xs: Sequence[float | None], ys: Sequence[float | None], lag: int = 0
) -> tuple[float | None, int]:
    """Pearson correlation of month-on-month changes of x with those of y `lag` months later, and the number of
    changes compared (None below CORRELATION_MIN_MONTHS − 1 changes, or when a series does not move)."""
    dx = [b - a if a is not None and b is not None else None for a, b in pairwise(xs)]
    dy = [b - a if a is not None and b is not None else None for a, b in pairwise(ys)]
    pairs = [(dx[t], dy[t + lag]) for t in range(len(dx) - lag) if dx[t] is not None and dy[t + lag] is not None]
    if len(pairs) < CORRELATION_MIN_MONTHS - 1:
        return None, len(pairs)
    mx, my = sum(a for a, _ in pairs) / len(pairs), sum(b for _, b in pairs) / len(pairs)
    sxy = sum((a - mx) * (b - my) for a, b in pairs)
    sxx, syy = sum((a - mx) ** 2 for a, _ in pairs), sum((b - my) ** 2 for _, b in pairs)
    return (sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else None), len(pairs)


def best_lag_correlation(
    xs: Sequence[float | None], ys: Sequence[float | None], max_lag: int = CORRELATION_MAX_LAG
) -> tuple[float | None, int | None, int]:
    """The highest change correlation over lags 0..max_lag (a leading KPI moves the KGI a few months later):
    (correlation, lag, changes compared)."""
    best: tuple[float | None, int | None, int] = (None, None, 0)
    for lag in range(max_lag + 1):
        corr, n = change_correlation(xs, ys, lag)
        if corr is not None and (best[0] is None or corr > best[0]):
            best = (corr, lag, n)
    return best


def goodhart_checks(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    monthly: Sequence[Mapping[str, Any]],
    *,
    kpis: Sequence[str] = (),
    kgi: str = KGI,
    min_change: float = GOODHART_MIN_CHANGE,
    window_months: int = TRAILING_MONTHS,
) -> list[GoodhartCheck]:
    """Volume KPIs against their quality partner and the KGI: the last window against the window before.

    `before` and `after` are the figures of the two windows (totals over each), `monthly` the complete months oldest
    first (for the correlation of month-on-month changes with the KGI over up to 24 months). A check is flagged
    when the KPI rose by at least `min_change` while its partner (or the KGI) fell by at least as much, or when
    its changes run against the KGI's (correlation ≤ −0.3 over ≥ 12 months).
    """
    before, after = flat_figures(before), flat_figures(after)
    rows = [flat_figures(r) for r in monthly][-CORRELATION_MONTHS:]
    kgi_series = [_figure(r, kgi) for r in rows]
    checks = []
    checked = []
    for pair in QUALITY_PAIRS:
        if _figure(after, pair.volume) is None or _figure(after, pair.partner, pair.partner_formula) is None:
            continue
        checked.append(pair.volume)
        corr = best_lag_correlation([_figure(r, pair.volume) for r in rows], kgi_series)
        checks.append(
            _check(
                "volume_up_quality_down",
                pair.volume,
                pair.partner,
                pair.partner_label,
                (_figure(before, pair.volume), _figure(after, pair.volume)),
                (
                    _figure(before, pair.partner, pair.partner_formula),
                    _figure(after, pair.partner, pair.partner_formula),
                ),
                corr,
                min_change,
                window_months,
            )
        )
    catalog = load_catalog()
    for metric in dict.fromkeys([*checked, *kpis]):
        if metric == kgi or _figure(after, metric) is None:
            continue
        try:
            better = catalog.get(metric).better
        except KeyError:
            better = "higher"
        corr = best_lag_correlation([_figure(r, metric) for r in rows], kgi_series)
        checks.append(
            _check(
                "kpi_up_kgi_down",
                metric,
                kgi,
                _label(kgi)["en"].lower(),
                (_figure(before, metric), _figure(after, metric)),
                (_figure(before, kgi), _figure(after, kgi)),
                corr,
                min_change,
                window_months,
                lower_is_better=better == "lower",
            )
        )
    return checks


def _unit(name: str) -> str:
    """count / currency / ratio of an engine metric or a quality partner (a partner is a rate)."""
    if name in {p.partner for p in QUALITY_PAIRS}:
        return "ratio"
    try:
        unit = load_catalog().get(name).unit
    except KeyError:
        return "count"
    return unit if unit in ("currency", "ratio") else "count"


def _moved(change: float | None) -> str:
    if change is None:
        return "changed"
    return f"{'rose' if change >= 0 else 'fell'} {format_change(abs(change)).lstrip('+')}"


def _check(
    code: str,
    kpi: str,
    partner: str,
    partner_label: str,
    kpi_values: tuple[float | None, float | None],
    partner_values: tuple[float | None, float | None],
    corr: tuple[float | None, int | None, int],
    min_change: float,
    window: int,
    lower_is_better: bool = False,
) -> GoodhartCheck:
    (kb, ka), (pb, pa) = kpi_values, partner_values
    kc, pc = _relative(kb, ka), _relative(pb, pa)
    improving = kc is not None and (kc <= -min_change if lower_is_better else kc >= min_change)
    worsening = pc is not None and pc <= -min_change
    correlation, lag, changes = corr
    negative = code == "kpi_up_kgi_down" and correlation is not None and correlation <= NEGATIVE_CORRELATION
    flagged = (improving and worsening) or negative
    if negative and not (improving and worsening):
        code = "kpi_kgi_negative_correlation"
    unit, kpi_unit = _unit(partner), _unit(kpi)
    text = (
        f"{_label(kpi)['en']} {_moved(kc)} ({format_value(kb, kpi_unit)} → {format_value(ka, kpi_unit)}) over the last "
        f"{window} months against the {window} before, while {partner_label} {_moved(pc)} "
        f"({format_value(pb, unit)} → {format_value(pa, unit)})"
    )
    if correlation is not None and code != "volume_up_quality_down":
        text += (
            f"; its month-on-month changes go with {partner_label}'s at best {correlation:+.2f} "
            f"(lag {lag} month{'s' if lag != 1 else ''}, {changes} changes)"
        )
    if code == "volume_up_quality_down":
        text += ": more volume of lower quality, the KPI is hit at the goal's expense (pitfall 1)" if flagged else ""
    elif code == "kpi_up_kgi_down":
        text += ": the KPI improves while the KGI worsens (pitfall 1)" if flagged else ""
    else:
        text += ": the KPI does not move the KGI, review it (pitfall 1)"
    params = {
        "kpi": kpi,
        "partner": partner,
        "kpi_before": kb,
        "kpi_after": ka,
        "kpi_change_pct": kc,
        "partner_before": pb,
        "partner_after": pa,
        "partner_change_pct": pc,
        "correlation": correlation,
        "correlation_lag": lag,
        "correlation_changes": changes,
        "window_months": window,
    }
    return GoodhartCheck(
        code,
        kpi,
        partner,
        kb,
        ka,
        kc,
        pb,
        pa,
        pc,
        correlation,
        lag,
        changes,
        flagged,
        Explanation(code if flagged else "goodhart_ok", params, text + "."),
    )


# --- from a dataset ------------------------------------------------------------------------------------------------
def _kpis(
    dataset: Dataset,
    *,
    period: str = "month",
    by: Sequence[str] = (),
    filters: Filters | None = None,
    fiscal_start: int = 4,
) -> KpiResult:
    """compute_kpis, remembered per dataset (kpi_core.dataset_memo): a report asks for the same windows several
    times (the overall totals once per rate lever, the trailing months for the position and for the Goodhart
    checks), the page asks again for its lever history, and a what-if reruns the whole report. The result is
    shared: read it, never change it."""
    key = ("kpis", period, tuple(by), int(fiscal_start), filters_key(filters))
    compute = lambda: compute_kpis(  # noqa: E731
        dataset, period=period, by=list(by), filters=filters, fiscal_start=fiscal_start
    )
    return remembered(dataset, key, compute)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def complete_months(
    monthly: Sequence[Mapping[str, Any]], as_of: dt.date, limit: int | None = None
) -> list[dict[str, Any]]:
    """Monthly rows of months that ended before the as-of month (flattened), oldest first, at most `limit`."""
    first_open = as_of.replace(day=1).isoformat()
    rows = [flat_figures(r) for r in monthly if r["start"] < first_open]
    return rows[-limit:] if limit else rows


def lever_history(
    dataset: Dataset,
    models: Sequence[DriverModel],
    as_of: dt.date,
    *,
    monthly: Sequence[Mapping[str, Any]] | None = None,
    months: int = HISTORY_MONTHS,
    group_months: int = GROUP_MONTHS,
    min_records: int = GROUP_MIN_RECORDS,
    filters: Filters | None = None,
) -> LeverHistory:
    """Each lever per complete month (the last `months`) and per owner / segment / channel over `group_months`."""
    if monthly is None:
        monthly = _kpis(dataset, period="month", filters=filters).by_period
    rows = complete_months(monthly, as_of, months)
    levers = {lv.name: lv for m in [*models, SUSTAINABILITY_MODEL] for lv in m.levers}
    values = {name: tuple(lever_value(lv, r) for r in rows) for name, lv in levers.items()}
    groups: dict[str, tuple[GroupValue, ...]] = {}
    roles = [r for r in GROUP_ROLES if r in dataset.mapping] if dataset.shape == "records" else []
    if roles and rows:
        end = as_of.replace(day=1) - dt.timedelta(days=1)
        start = _add_months(as_of.replace(day=1), -group_months)
        result = _kpis(dataset, period="month", by=roles, filters=_within(filters, start, end))
        for name, lever in levers.items():
            if lever.kind != "rate":
                continue  # a rep's deal count is no evidence for the team's
            found = []
            for role in roles:
                for row in result.by.get(role, []):
                    figures = flat_figures(row)
                    value = lever_value(lever, figures)
                    size = int(figures.get("records") or 0)
                    if value is not None and row["key"] is not None and size >= min_records:
                        found.append(GroupValue(role, str(row["key"]), value, size))
            groups[name] = tuple(found)
    return LeverHistory(tuple(r["period"] for r in rows), values, groups)


def _within(filters: Filters | None, start: dt.date, end: dt.date) -> Filters:
    """The user's role filters (channel, owner…) between two dates."""
    return Filters(start=start, end=end, roles=dict(filters.roles) if filters else {})


def window_figures(dataset: Dataset, start: dt.date, end: dt.date, filters: Filters | None = None) -> dict[str, Any]:
    """The engine's totals between two dates (each figure on its own basis date), flattened."""
    return flat_figures(_kpis(dataset, period="month", filters=_within(filters, start, end)).totals)


def period_position(
    dataset: Dataset,
    models: Sequence[DriverModel],
    as_of: dt.date,
    per: str,
    kgi_target: float,
    *,
    forecasts: Mapping[str, float] | None = None,
    monthly: Sequence[Mapping[str, Any]] | None = None,
    calendar: str = "jp",
    fiscal_start: int = 4,
    trailing_months: int = TRAILING_MONTHS,
    filters: Filters | None = None,
) -> PeriodPosition:
    """Where the `per` period holding `as_of` stands: booked levers and KGI, and each lever for the rest.

    A volume's rest is its forecast (period-end, e.g. from pacing) minus what is booked, else the run rate over
    business days, else the trailing monthly average; a rate's is its forecast, else the trailing
    `trailing_months` complete months. A monthly sheet books only months that have ended.
    """
    forecasts = forecasts or {}
    start, end = period_bounds(as_of, per, fiscal_start)
    if dataset.shape == "periods":
        booked_end = as_of if (as_of + dt.timedelta(days=1)).day == 1 else as_of.replace(day=1) - dt.timedelta(days=1)
        total_months = (end.year - start.year) * 12 + end.month - start.month + 1
        done = (
            max(0, (booked_end.year - start.year) * 12 + booked_end.month - start.month + 1)
            if booked_end >= start
            else 0
        )
        remaining = 1 - done / total_months
    else:
        booked_end = as_of
        total = business_days(start, end, calendar) or (end - start).days + 1
        done = (
            business_days(start, as_of, calendar) if business_days(start, end, calendar) else (as_of - start).days + 1
        )
        remaining = max(0.0, 1 - done / total)
    booked_figures = window_figures(dataset, start, booked_end, filters) if booked_end >= start else {}
    trailing_end = as_of.replace(day=1) - dt.timedelta(days=1)
    trailing = window_figures(dataset, _add_months(as_of.replace(day=1), -trailing_months), trailing_end, filters)
    if monthly is None:
        monthly = _kpis(dataset, period="month", filters=filters).by_period
    recent = complete_months(monthly, as_of, trailing_months)
    levers = {lv.name: lv for m in [*models, SUSTAINABILITY_MODEL] for lv in m.levers}
    booked: dict[str, float] = {}
    rest: dict[str, float | None] = {}
    months = MONTHS_IN[per]
    for name, lever in levers.items():
        if lever.kind == "volume":
            done_value = lever_value(lever, booked_figures) if booked_figures else 0.0
            booked[name] = float(done_value or 0.0)
            if name in forecasts:
                rest[name] = max(float(forecasts[name]) - booked[name], 0.0)
            elif booked[name] > 0 and 0 < remaining < 1:
                rest[name] = booked[name] * remaining / (1 - remaining)
            else:
                history = [v for v in (lever_value(lever, r) for r in recent) if v is not None]
                rest[name] = sum(history) / len(history) * months * remaining if history else None
        elif name in forecasts:
            rest[name] = float(forecasts[name])
        else:
            value = lever_value(lever, trailing)
            overall = flat_figures(_kpis(dataset, filters=filters).totals)
            rest[name] = value if value is not None else lever_value(lever, overall)
    kgi_booked = float(booked_figures.get(KGI) or 0.0) if booked_figures else 0.0
    return PeriodPosition(
        period_label(start, per, fiscal_start),
        start,
        end,
        as_of,
        remaining,
        months,
        kgi_booked,
        float(kgi_target),
        booked,
        rest,
    )


def period_kgi_target(
    kgi_target: float,
    kgi_per: str,
    per: str,
    *,
    mode: str = "even",
    booked_before: float = 0.0,
    months_left: float | None = None,
) -> float:
    """The period's share of the KGI: "even" (annual ÷ 12 for a month), or "catch_up": what is still missing
    (target − booked before this period) spread evenly over the `months_left` months from this period's start."""
    if mode == "even":
        return kgi_target * MONTHS_IN[per] / MONTHS_IN[kgi_per]
    if mode == "catch_up":
        if not months_left or months_left <= 0:
            raise PivotInputError("catch-up needs the months left in the KGI period")
        return max(kgi_target - booked_before, 0.0) * MONTHS_IN[per] / months_left
    raise PivotInputError(f"unknown target mode {mode!r}: use even or catch_up")


def goodhart_for_dataset(
    dataset: Dataset,
    as_of: dt.date,
    *,
    kpis: Sequence[str] = (),
    monthly: Sequence[Mapping[str, Any]] | None = None,
    window_months: int = TRAILING_MONTHS,
    min_change: float = GOODHART_MIN_CHANGE,
    filters: Filters | None = None,
) -> list[GoodhartCheck]:
    """Goodhart checks over the last `window_months` complete months before `as_of` against the ones before."""
    first_open = as_of.replace(day=1)
    after = window_figures(dataset, _add_months(first_open, -window_months), first_open - dt.timedelta(days=1), filters)
    before = window_figures(
        dataset,
        _add_months(first_open, -2 * window_months),
        _add_months(first_open, -window_months) - dt.timedelta(days=1),
        filters,
    )
    if monthly is None:
        monthly = _kpis(dataset, period="month", filters=filters).by_period
    return goodhart_checks(
        before, after, complete_months(monthly, as_of), kpis=kpis, min_change=min_change, window_months=window_months
    )


# --- the goal model: shortfalls and their pivots -------------------------------------------------------------------
@dataclass(frozen=True)
class Shortfall:
    """A KPI forecast to miss its target (or the KGI itself, id "kgi"), and the ranked pivots that keep the KGI."""

    kpi: KpiForecast
    model: str | None
    missing: str | None  # the lever held at its forecast (None: every lever may move)
    position: PeriodPosition | None
    kgi_forecast: float | None  # booked + the model over the rest of the period
    pivots: tuple[Pivot, ...]
    explanation: Explanation

    def as_dict(self) -> dict[str, Any]:
        position = self.position
        return {
            "id": self.kpi.id,
            "name": self.kpi.name,
            "metric": self.kpi.metric,
            "per": self.kpi.per,
            "period": position.period if position else None,
            "target": self.kpi.target,
            "forecast": self.kpi.forecast,
            "unit": self.kpi.unit,
            "forecast_method": self.kpi.method,
            "model": self.model,
            "missing_lever": self.missing,
            "kgi_target": position.kgi_target if position else None,
            "kgi_booked": position.kgi_booked if position else None,
            "kgi_forecast": self.kgi_forecast,
            "remaining_share": position.remaining_share if position else None,
            "pivots": [p.as_dict() for p in self.pivots],
            "explanation": asdict(self.explanation),
        }


@dataclass(frozen=True)
class PivotReport:
    """Everything the pivots page and the `pivots` command show for one goal model, dataset and as-of date."""

    as_of: dt.date
    models: tuple[DriverModel, ...]
    identity: tuple[IdentityCheck, ...]
    kgi: dict[str, Any]
    shortfalls: tuple[Shortfall, ...]
    goodhart: tuple[GoodhartCheck, ...]
    what_if: WhatIf | None
    notes: tuple[Explanation, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "kgi": self.kgi,
            "models": [
                {"name": m.name, "kgi": m.kgi, "formula": m.formula, "levers": m.lever_names, "note": m.note}
                for m in self.models
            ],
            "identity": [_identity_dict(c) for c in self.identity],
            "shortfalls": [s.as_dict() for s in self.shortfalls],
            "goodhart": [asdict(c) for c in self.goodhart],
            "what_if": self.what_if.as_dict() if self.what_if else None,
            "notes": [asdict(n) for n in self.notes],
        }


def _identity_dict(check: IdentityCheck) -> dict[str, Any]:
    out = asdict(check)
    out["by_period"] = [asdict(r) for r in check.by_period]
    return out


def pivots_for_goals(
    goals: Goals,
    dataset: Dataset,
    as_of: dt.date,
    *,
    settings: Sequence[LeverSetting] = (),
    calendar: str = "jp",
    target_mode: str = "even",
    forecasts: Mapping[str, Any] | None = None,
    kgi_per: str = "month",
    filters: Filters | None = None,
) -> PivotReport:
    """Shortfalls of a goal model (kpi_core.goals.Goals) at `as_of`, with ranked pivots, Goodhart checks, what-if.

    A KPI is short when its pacing forecast (kpi_core.pacing.forecast_goals, or `forecasts` by KPI id) misses its
    target. Its pivots hold it at that forecast and ask every other lever of the driver model that explains it
    for the period's share of the KGI (`target_mode` "even" or "catch_up", see period_kgi_target). The KGI gets
    its own entry (id "kgi", period `kgi_per`) when the model forecasts it short. `settings` run a what-if on
    the sales model (else the first model that has the levers) for the `kgi_per` period.
    """
    from kpi_core.goals import metric_unit  # the goal model and pacing sit above the pure core
    from kpi_core.pacing import forecast_goals

    fiscal_start = goals.fiscal_year_start
    result = _kpis(dataset, period="month", fiscal_start=fiscal_start, filters=filters)
    monthly = result.by_period
    levels = dataset.present_levels
    models = available_models(result.totals, levels)
    notes: list[Explanation] = []
    if forecasts is None:
        forecasts = forecast_goals(goals, dataset, as_of=as_of, calendar=calendar, filters=filters)
    kgi_fc = forecasts.get("kgi")
    kgi = {
        "name": goals.kgi.name,
        "metric": goals.kgi.metric,
        "target": goals.kgi.target,
        "period": goals.kgi.period,
        "forecast": _forecast_dict(kgi_fc),
    }
    if goals.kgi.metric.replace(" ", "") != KGI:
        notes.append(
            Explanation(
                "kgi_not_modelled",
                {"metric": goals.kgi.metric},
                f"The KGI is {goals.kgi.metric}, and the driver models explain {KGI}: no pivots can be computed.",
            )
        )
        models = []
    if not models:
        notes.append(
            Explanation(
                "no_driver_model",
                {"levels": list(levels)},
                "The data cannot feed a driver model of revenue (it needs amounts, won deals and a volume).",
            )
        )
    csfs = [CsfRef(c.id, c.name, c.lever, tuple(c.actions)) for c in goals.csfs if c.lever]
    items: list[tuple[KpiForecast, DriverModel | None, str | None]] = []
    for kpi in goals.kpis:
        fc = forecasts.get(kpi.id)
        if fc is None or fc.value is None or kpi.target is None:
            continue
        unit = metric_unit(kpi.metric)
        item = KpiForecast(
            kpi.id,
            kpi.name,
            kpi.metric,
            float(kpi.target),
            float(fc.value),
            kpi.per,
            unit if unit in ("count", "currency", "ratio") else "count",
            kpi.better,
            (fc.method or {}).get("text", ""),
        )
        if not item.short:
            continue
        found = model_for_metric(models, kpi.metric.replace(" ", ""), levels) if models else None
        items.append((item, *(found or (None, None))))
    used = list(models) + [m for _, m, _ in items if m is not None and m not in models]
    history = lever_history(dataset, used, as_of, monthly=monthly, filters=filters)
    positions: dict[str, PeriodPosition] = {}

    volumes = {lv.name for m in used for lv in m.levers if lv.kind == "volume"}

    def position_for(per: str) -> PeriodPosition:
        """Volumes that are KPIs of this period length rest on their pacing forecast; rates on the trailing
        months (a rate to date rests on a handful of closes early in a period)."""
        if per not in positions:
            plan = {
                k.metric.replace(" ", ""): float(forecasts[k.id].value)
                for k in goals.kpis
                if k.per == per and k.id in forecasts and forecasts[k.id].value is not None
            }
            plan = {name: value for name, value in plan.items() if name in volumes}
            target = _period_target(goals, dataset, as_of, per, target_mode)
            positions[per] = period_position(
                dataset, used, as_of, per, target, forecasts=plan, monthly=monthly, calendar=calendar,
                fiscal_start=fiscal_start, filters=filters,
            )  # fmt: skip
        return positions[per]

    shortfalls = []
    for item, model, missing in items:
        if model is None:
            text = f"{item.name} is forecast to miss ({format_value(item.forecast, item.unit)} of "
            text += f"{format_value(item.target, item.unit)}), and no driver model holds {item.metric}: no pivots."
            shortfalls.append(
                Shortfall(item, None, None, None, None, (), Explanation("no_driver_model", {"kpi": item.id}, text))
            )
            continue
        position = position_for(item.per)
        if missing is not None and missing not in volumes:
            position = replace(position, rest={**position.rest, missing: item.forecast})  # the short KPI's forecast
        pivots = find_pivots(model, position, history, missing=missing, kpi=item, csfs=csfs, kgi_goal=goals.kgi.target)
        shortfalls.append(_shortfall(item, model, missing, position, pivots))
    main = _kgi_model(models, [k.metric.replace(" ", "") for k in goals.kpis], levels)
    if main is not None:
        position = position_for(kgi_per)
        forecast = kgi_forecast(main, position)
        if forecast is not None and forecast < position.kgi_target:
            label = _label(KGI)["en"]
            item = KpiForecast("kgi", label, KGI, position.kgi_target, forecast, kgi_per, "currency")
            pivots = find_pivots(main, position, history, missing=None, csfs=csfs, kgi_goal=goals.kgi.target)
            shortfalls.insert(0, _shortfall(item, main, None, position, pivots, kgi_goal=goals.kgi.target))
    goodhart = goodhart_for_dataset(
        dataset,
        as_of,
        kpis=[k.metric for k in goals.kpis if k.metric in load_catalog().names],
        monthly=monthly,
        filters=filters,
    )
    outcome = None
    if settings:
        names = {s.lever for s in settings}
        ordered = ([main] if main is not None else []) + [m for m in models if m is not main]
        model = next((m for m in ordered if names <= set(m.lever_names)), None)
        if model is None:
            known = sorted({n for m in models for n in m.lever_names})
            raise PivotInputError(
                f"--set {', '.join(sorted(names))}: no driver model has these levers together; use {', '.join(known)}"
            )
        outcome = what_if(model, position_for(kgi_per), settings)
    identity = tuple(identity_check(m, result) for m in models)
    return PivotReport(as_of, tuple(models), identity, kgi, tuple(shortfalls), tuple(goodhart), outcome, tuple(notes))


def _kgi_model(models: Sequence[DriverModel], metrics: Sequence[str], levels: Sequence[str]) -> DriverModel | None:
    """The driver model that explains most of the goal's KPIs (sales on a tie): the one the KGI entry uses."""
    candidates = [m for m in models if m.name != "sustainability"]
    if not candidates:
        return None
    score = dict.fromkeys((m.name for m in candidates), 0)
    for metric in metrics:
        found = model_for_metric(candidates, metric, levels)
        if found is not None:
            name = "marketing" if found[0].name.startswith("marketing") else found[0].name
            if name in score:
                score[name] += 1
    return max(candidates, key=lambda m: (score[m.name], -candidates.index(m)))


def _forecast_dict(forecast: Any) -> dict[str, Any] | None:
    if forecast is None:
        return None
    return {
        "value": forecast.value,
        "low": forecast.low,
        "high": forecast.high,
        "probability_on_target": forecast.probability_on_target,
        "method": forecast.method,
        "period": forecast.period,
    }


def _period_target(goals: Goals, dataset: Dataset, as_of: dt.date, per: str, mode: str) -> float:
    """The `per` period's share of the KGI target (see period_kgi_target)."""
    kgi = goals.kgi
    if mode != "catch_up":
        return period_kgi_target(kgi.target, kgi.period, per, mode=mode)
    kgi_start, kgi_end = period_bounds(as_of, kgi.period, goals.fiscal_year_start)
    start = period_bounds(as_of, per, goals.fiscal_year_start)[0]
    before = window_figures(dataset, kgi_start, start - dt.timedelta(days=1)).get(KGI) if start > kgi_start else 0.0
    months_left = (kgi_end.year - start.year) * 12 + kgi_end.month - start.month + 1
    if per == "week":
        months_left = ((kgi_end - start).days + 1) / 7 * MONTHS_IN["week"]
    return period_kgi_target(
        kgi.target, kgi.period, per, mode=mode, booked_before=before or 0.0, months_left=months_left
    )


def _shortfall(
    item: KpiForecast,
    model: DriverModel,
    missing: str | None,
    position: PeriodPosition,
    pivots: tuple[Pivot, ...],
    kgi_goal: float | None = None,
) -> Shortfall:
    forecast = kgi_forecast(model, position)
    feasible = [p for p in pivots if p.feasible]
    best = feasible[0] if feasible else None
    if missing is None and item.id == "kgi":
        text = (
            f"{item.name} for {position.period} is forecast at {format_value(forecast, 'currency')} of "
            f"{format_value(position.kgi_target, 'currency')}, its share of {format_value(kgi_goal, 'currency')}"
        )
    else:
        text = (
            f"{item.name} is forecast at {format_value(item.forecast, item.unit)} of "
            f"{format_value(item.target, item.unit)} for {position.period}; with it, {_lower(_label(KGI)['en'])} "
            f"would end at {format_value(forecast, 'currency')} of {format_value(position.kgi_target, 'currency')}"
        )
    text += (
        f": {len(feasible)} of {len(pivots)} pivots were reached in past months or need no change, best: {best.lever}."
        if best
        else f": none of {len(pivots)} pivots was reached in past months."
    )
    params = {
        "kpi": item.id,
        "forecast": item.forecast,
        "target": item.target,
        "period": position.period,
        "kgi_forecast": forecast,
        "kgi_target": position.kgi_target,
        "feasible": len(feasible),
        "pivots": len(pivots),
        "best": best.lever if best else None,
    }
    return Shortfall(item, model.name, missing, position, forecast, pivots, Explanation("shortfall", params, text))
