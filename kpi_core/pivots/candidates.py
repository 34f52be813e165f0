"""Pivots: every other lever (or pair) that keeps the KGI, its verdict and rank."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from kpi_core.intake.stages import LEVEL_MEASURE
from kpi_core.pivots.evidence import Evidence, LeverHistory, _tiny, history_evidence
from kpi_core.pivots.explain import Explanation, _lower, format_change, format_value
from kpi_core.pivots.models import SUSTAINABILITY_MODEL, DriverModel, Lever, _label
from kpi_core.pivots.solver import (
    PeriodPosition,
    _monthly_pace,
    kgi_forecast,
    required_common_change,
    required_rest_value,
    shown_value,
)


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
        names += (LEVEL_MEASURE.get(lever.rsplit("_to_", 1)[1], ""),)
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
        "groups_compared": evidence.groups_compared,  # "and by no owner, segment or channel" needs it
        "verdict": verdict,
        "reason": reason,
        "csf": csfs[0].id if csfs else None,
    }
    code = f"pivot_{'single' if len(levers) == 1 else 'pair'}_{reason or verdict}"
    return Explanation(code, params, text + ".")
