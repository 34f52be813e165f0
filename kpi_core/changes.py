"""What changed since last week: two snapshots of the same data (two exports) compared deal by deal on their id.

Each deal present in either snapshot gets every change that applies to it:

- ``new``: only in this week's data (a deal new and already won is ``new`` and ``won``);
- ``won`` / ``lost``: not won (not lost) last week, won (lost or disqualified) now;
- ``reopened``: won or lost last week, open now;
- ``forward`` / ``back``: open in both and its stage moved, by funnel level, then by the stage's position;
- ``amount_up`` / ``amount_down``: an amount in both snapshots, and it changed (the amount is the difference);
- ``slipped`` / ``pulled_in``: open in both and its expected close date moved later / earlier;
- ``removed``: only in last week's data.

The waterfall goes from last week's open pipeline (the amounts of the open deals, or of those expected to close in a
period) to this week's. Every deal moves the pipeline by what it adds now minus what it added then, and that move
is put on exactly one bar: new, reopened, pulled in, amount up / down, slipped, won, lost or removed. So last week's
pipeline plus the bars is this week's pipeline, exactly (the sums are kept as exact fractions).

Pure logic on two loaded `Dataset`s: no Streamlit, no pandas.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from kpi_core.intake.load import Dataset
from kpi_core.intake.stages import order_stages
from kpi_core.messages import Sentence, render
from kpi_core.sql import Select, execute

# Every change a deal can have, in the order they are listed.
CHANGE_KINDS: tuple[str, ...] = (
    "new", "won", "lost", "forward", "back", "amount_up", "amount_down", "slipped", "pulled_in", "removed",
    "reopened",
)  # fmt: skip
# The waterfall's bars, in the order they are drawn (what adds to the pipeline first, then what takes from it).
WATERFALL_BARS: tuple[str, ...] = (
    "new", "reopened", "pulled_in", "amount_up", "amount_down", "slipped", "won", "lost", "removed",
)  # fmt: skip
_CLOSED = frozenset({"won", "lost", "disqualified"})
_STATE = Select(
    ["id, stage, level, stage_position, outcome, amount, expected_close, owner, account"], "records", ["id IS NOT NULL"]
)


class ChangesError(ValueError):
    """Snapshots that cannot be compared: one sentence (``key`` in kpi_core.messages, filled from ``params``);
    ``message`` is the English sentence that also renders in another language: ``message("ja")``."""

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key = key
        self.code = key
        self.params = params
        self.message = Sentence(lambda lang: render(key, lang, **params))
        super().__init__(str(self.message))


@dataclass(frozen=True)
class DealState:
    """One deal as one snapshot shows it."""

    id: str
    stage: str | None
    level: int | None
    position: int | None
    outcome: str
    amount: float | None
    expected_close: dt.date | None
    owner: str | None = None
    account: str | None = None

    @property
    def is_open(self) -> bool:
        return self.outcome not in _CLOSED

    @property
    def is_lost(self) -> bool:
        return self.outcome in ("lost", "disqualified")

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "outcome": self.outcome,
            "amount": self.amount,
            "expected_close": self.expected_close.isoformat() if self.expected_close else None,
            "owner": self.owner,
            "account": self.account,
        }


@dataclass(frozen=True)
class DealChange:
    """One change of one deal. ``amount`` is the figure it adds to its class: the difference for an amount change,
    else the deal's amount (this week's; last week's for a removed deal). ``days`` is how far an expected close
    date moved (slipped / pulled in)."""

    id: str
    change: str
    before: DealState | None
    after: DealState | None
    amount: float | None
    days: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "change": self.change,
            "before": self.before.as_dict() if self.before else None,
            "after": self.after.as_dict() if self.after else None,
            "amount": self.amount,
        }
        if self.days is not None:
            out["days"] = self.days
        return out


@dataclass
class Bar:
    """One bar of the waterfall: how much one kind of change moved the open pipeline, and the deals behind it."""

    change: str
    amount: Fraction = Fraction(0)
    deals: list[tuple[str, Fraction]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        deals = sorted(self.deals, key=lambda d: (-abs(d[1]), d[0]))
        return {
            "change": self.change,
            "amount": float(self.amount),
            "count": len(self.deals),
            "deals": [{"id": deal_id, "amount": float(amount)} for deal_id, amount in deals],
        }


@dataclass
class Waterfall:
    """Last week's open pipeline (``start``), the bars, this week's (``end``): start + Σ bars = end."""

    start: Fraction
    end: Fraction
    bars: list[Bar]
    period: tuple[dt.date, dt.date] | None = None

    def as_dict(self) -> dict[str, Any]:
        period = (
            None if self.period is None else {"start": self.period[0].isoformat(), "end": self.period[1].isoformat()}
        )
        return {
            "start": float(self.start),
            "end": float(self.end),
            "period": period,
            "bars": [bar.as_dict() for bar in self.bars],
        }


@dataclass
class Changes:
    """The comparison: ``summary`` {kind: {count, amount}}, every change of every deal, the waterfall, and notes
    (codes "changes.note.<code>" in kpi_core.messages) on what could not be compared."""

    summary: dict[str, dict[str, Any]]
    deals: list[DealChange]
    waterfall: Waterfall
    notes: list[str] = field(default_factory=list)
    currency: str | None = None
    deals_before: int = 0
    deals_after: int = 0

    def of(self, kind: str) -> list[DealChange]:
        """The changes of one kind (the deals behind a summary figure)."""
        return [change for change in self.deals if change.change == kind]

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "summary": self.summary,
            "deals": [change.as_dict() for change in self.deals],
            "waterfall": self.waterfall.as_dict(),
            "deals_before": self.deals_before,
            "deals_after": self.deals_after,
            "currency": self.currency,
            "notes": [{"code": code, "message": render(f"changes.note.{code}", lang)} for code in self.notes],
        }


def _name(dataset: Dataset) -> str:
    return ", ".join(str(f["name"]) for f in dataset.files[:1]) or "-"


def deal_states(dataset: Dataset) -> dict[str, DealState]:
    """Every deal of a loaded snapshot by its id. Raises ChangesError when the data has no id column (deals could
    not be matched between two exports) or is a period sheet."""
    if dataset.shape != "records":
        raise ChangesError("changes.not_records", file=_name(dataset))
    if "id" not in dataset.mapping:
        raise ChangesError("changes.no_id", file=_name(dataset))
    states: dict[str, DealState] = {}
    for row in execute(dataset.cursor(), _STATE).fetchall():
        deal_id, stage, level, position, outcome, amount, expected, owner, account = row
        states.setdefault(
            str(deal_id),
            DealState(
                id=str(deal_id),
                stage=stage,
                level=None if level is None else int(level),
                position=None if position is None else int(position),
                outcome=str(outcome or "open"),
                amount=None if amount is None else float(amount),
                expected_close=expected,
                owner=owner,
                account=account,
            ),
        )
    return states


def compare_snapshots(before: Dataset, after: Dataset, *, period: tuple[dt.date, dt.date] | None = None) -> Changes:
    """Compare last week's snapshot (`before`) with this week's (`after`) deal by deal on their id.

    `period` (first and last day) restricts the waterfall's pipeline to the open deals expected to close in it; a
    deal whose expected close date moved out of (into) the period is then on the slipped (pulled-in) bar."""
    if period is not None and period[0] > period[1]:
        raise ChangesError("changes.bad_period", start=period[0].isoformat(), end=period[1].isoformat())
    old, new = deal_states(before), deal_states(after)
    order = _stage_order(before, after)
    changes: list[DealChange] = []
    for deal_id in sorted(old.keys() | new.keys()):
        changes += classify(old.get(deal_id), new.get(deal_id), order)
    changes.sort(key=lambda c: (CHANGE_KINDS.index(c.change), -abs(c.amount or 0.0), c.id))
    has_amount = "amount" in before.mapping or "amount" in after.mapping
    notes = _notes(before, after, old, new, has_amount)
    return Changes(
        summary=summarise(changes, has_amount=has_amount),
        deals=changes,
        waterfall=waterfall(old, new, period),
        notes=notes,
        currency=after.currency or before.currency,
        deals_before=len(old),
        deals_after=len(new),
    )


def _stage_order(before: Dataset, after: Dataset) -> dict[str, int]:
    """One position per stage value for both snapshots: the order a snapshot has when it knows every stage value of
    the other (this week's first), else the funnel order of all their values together."""
    for first, second in ((after, before), (before, after)):
        if set(second.stage_order) <= set(first.stage_order):
            return {name: index for index, name in enumerate(first.stage_order)}
    counts = dict(before.stage_counts)
    for name, count in after.stage_counts.items():
        counts[name] = counts.get(name, 0) + count
    names = order_stages({**before.stage_map, **after.stage_map}, counts)
    return {name: index for index, name in enumerate(names)}


def _rank(state: DealState, order: dict[str, int]) -> tuple[int, int]:
    position = order.get(state.stage, state.position) if state.stage is not None else state.position
    return (state.level if state.level is not None else -1, position if position is not None else -1)


def classify(old: DealState | None, new: DealState | None, order: dict[str, int] | None = None) -> list[DealChange]:
    """Every change of one deal between two snapshots (see the module's docstring)."""
    order = order or {}
    if old is None and new is None:
        return []
    if old is None:
        assert new is not None
        found = [DealChange(new.id, "new", None, new, new.amount)]
        if new.outcome == "won":
            found.append(DealChange(new.id, "won", None, new, new.amount))
        elif new.is_lost:
            found.append(DealChange(new.id, "lost", None, new, new.amount))
        return found
    if new is None:
        return [DealChange(old.id, "removed", old, None, old.amount)]
    found = []
    if new.outcome == "won" and old.outcome != "won":
        found.append(DealChange(new.id, "won", old, new, _first(new.amount, old.amount)))
    elif new.is_lost and not old.is_lost:
        found.append(DealChange(new.id, "lost", old, new, _first(new.amount, old.amount)))
    elif new.is_open and not old.is_open:
        found.append(DealChange(new.id, "reopened", old, new, new.amount))
    elif new.is_open and old.is_open and new.stage != old.stage:
        before_rank, after_rank = _rank(old, order), _rank(new, order)
        if after_rank != before_rank:
            kind = "forward" if after_rank > before_rank else "back"
            found.append(DealChange(new.id, kind, old, new, new.amount))
    if old.amount is not None and new.amount is not None and new.amount != old.amount:
        kind = "amount_up" if new.amount > old.amount else "amount_down"
        found.append(DealChange(new.id, kind, old, new, new.amount - old.amount))
    if old.is_open and new.is_open and old.expected_close and new.expected_close:
        days = (new.expected_close - old.expected_close).days
        if days:
            kind = "slipped" if days > 0 else "pulled_in"
            found.append(DealChange(new.id, kind, old, new, new.amount, days))
    return found


def _first(*values: float | None) -> float | None:
    return next((v for v in values if v is not None), None)


def summarise(changes: Iterable[DealChange], *, has_amount: bool = True) -> dict[str, dict[str, Any]]:
    """{kind: {count, amount}} over every kind (count 0 where none); ``amount`` is None without an amount column."""
    counts = dict.fromkeys(CHANGE_KINDS, 0)
    amounts = {kind: Fraction(0) for kind in CHANGE_KINDS}
    for change in changes:
        counts[change.change] += 1
        if change.amount is not None:
            amounts[change.change] += Fraction(change.amount)
    return {
        kind: {"count": counts[kind], "amount": float(amounts[kind]) if has_amount else None} for kind in CHANGE_KINDS
    }


def _in_pipeline(state: DealState | None, period: tuple[dt.date, dt.date] | None) -> bool:
    if state is None or not state.is_open:
        return False
    if period is None:
        return True
    return state.expected_close is not None and period[0] <= state.expected_close <= period[1]


def _value(state: DealState | None, period: tuple[dt.date, dt.date] | None) -> Fraction:
    """What a deal adds to the open pipeline of one snapshot (0 when closed, outside the period or undated)."""
    if state is None or state.amount is None or not _in_pipeline(state, period):
        return Fraction(0)
    return Fraction(state.amount)


def _bar_of(old: DealState | None, new: DealState | None, period: tuple[dt.date, dt.date] | None) -> str | None:
    """The one bar a deal's move of the pipeline goes on (None when it was in neither pipeline)."""
    was_in, is_in = _in_pipeline(old, period), _in_pipeline(new, period)
    if not was_in and not is_in:
        return None
    if old is None:
        return "new"
    if new is None:
        return "removed"
    if was_in and not new.is_open:
        return "won" if new.outcome == "won" else "lost"
    if is_in and not old.is_open:
        return "reopened"
    if was_in and not is_in:
        return "slipped"
    if is_in and not was_in:
        return "pulled_in"
    old_amount, new_amount = old.amount or 0.0, new.amount or 0.0
    if new_amount == old_amount:
        return None
    return "amount_up" if new_amount > old_amount else "amount_down"


def waterfall(
    old: dict[str, DealState], new: dict[str, DealState], period: tuple[dt.date, dt.date] | None = None
) -> Waterfall:
    """Last week's open pipeline → this week's, one bar per kind of change (see WATERFALL_BARS)."""
    bars = {kind: Bar(kind) for kind in WATERFALL_BARS}
    start = sum((_value(state, period) for state in old.values()), Fraction(0))
    end = sum((_value(state, period) for state in new.values()), Fraction(0))
    for deal_id in sorted(old.keys() | new.keys()):
        before, after = old.get(deal_id), new.get(deal_id)
        kind = _bar_of(before, after, period)
        if kind is None:
            continue
        move = _value(after, period) - _value(before, period)
        bars[kind].amount += move
        bars[kind].deals.append((deal_id, move))
    result = Waterfall(start, end, [bars[kind] for kind in WATERFALL_BARS], period)
    assert start + sum((bar.amount for bar in result.bars), Fraction(0)) == end  # every move is on one bar
    return result


def _notes(
    before: Dataset, after: Dataset, old: dict[str, DealState], new: dict[str, DealState], has_amount: bool
) -> list[str]:
    notes = []
    if before.mapping.get("id") != after.mapping.get("id"):
        notes.append("id_columns_differ")
    if not has_amount:
        notes.append("no_amount")
    both = old.keys() & new.keys()
    if both and not any(old[i].expected_close or new[i].expected_close for i in both):
        notes.append("no_expected_close")
    if old and new and not both:
        notes.append("no_common_ids")
    return notes


def read_period(start: str | None, end: str | None) -> tuple[dt.date, dt.date] | None:
    """The waterfall's period from two ISO dates (both or neither); ChangesError for a bad one."""
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise ChangesError("changes.period_pair")
    try:
        first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    except ValueError:
        raise ChangesError("changes.bad_date", text=f"{start} / {end}") from None
    if first > last:
        raise ChangesError("changes.bad_period", start=start, end=end)
    return first, last


def kinds_present(changes: Sequence[DealChange]) -> list[str]:
    """The kinds of change that occur, in CHANGE_KINDS order."""
    found = {change.change for change in changes}
    return [kind for kind in CHANGE_KINDS if kind in found]
