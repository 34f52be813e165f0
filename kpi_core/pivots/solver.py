"""Where a period stands at the as-of date, and the value a lever must reach for the period's KGI target."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kpi_core.pivots.models import DriverModel, Lever


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
    known = [rest.get(name) for name in model.lever_names if name != lever]
    other_values = [v for v in known if v is not None]
    if len(other_values) < len(known):
        return None
    if model.is_product:
        others = math.prod(float(v) for v in other_values)
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
