"""History evidence: how often past months reached a required level, and who already reaches it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kpi_core.pivots.constants import GROUP_ROLES


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
        values = [v for v in (col[i] if i < len(col) else None for col in columns) if v is not None]
        if len(values) < len(columns):
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
    reached: list[dict[str, Any]] = []
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
