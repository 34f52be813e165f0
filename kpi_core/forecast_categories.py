"""ヨミ: the period's forecast from forecast categories and probabilities, expected close dates, and coverage.

For a period (first and last day) on an as-of day:

- ``lines``: what is closed won in the period, then the open deals expected to close in it by forecast category
  (commit, best case, pipeline, omitted, and those without a category), each with its count and amount;
- ``forecast``: commit = closed + commit; best case = closed + commit + best case (the manager's call, line by
  line); weighted = closed + Σ amount × probability of the open deals expected in the period (omitted left out).
  A probability is the deal's probability column (80 %, 0.8) or, for a rank (確度 A / B / C), the share assumed for
  the rank (DEFAULT_RANK_PROBABILITY unless the caller gives its own);
- expected close dates decide which period an open deal can land in; open deals whose expected date has passed
  (before the as-of day) are flagged ``overdue``. Without any expected close date every open deal is taken as able
  to close in the period, and a note says so;
- ``coverage``: open pipeline expected in the period (omitted left out) ÷ the gap still to close to a target;
- ``history``: the coverage that was enough, from snapshots taken at the start of past months (coverage then vs
  whether the month made its target, by the latest data). Without snapshots it cannot be measured, and says so.

Pure logic on loaded `Dataset`s: no Streamlit, no pandas. Notes are codes of "forecast.note.<code>" sentences.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kpi_core.intake.load import Dataset
from kpi_core.intake.roles import DEFAULT_RANK_PROBABILITY
from kpi_core.messages import Sentence, render
from kpi_core.sql import CLOSED, NOT_CLOSED, WON, Select, Sql, execute, table_columns, union_all

LINES: tuple[str, ...] = ("closed", "commit", "best_case", "pipeline", "omitted", "uncategorised")
HISTORY_WINDOW_DAYS = 7  # a snapshot this close to a month's first day tells the coverage the month started with
# The ヨミ columns `records` has only when the data maps them (see kpi_core.intake.load), with their type.
_OPTIONAL_COLUMNS = {"probability": "DOUBLE", "probability_rank": "VARCHAR", "forecast_category": "VARCHAR"}


class ForecastError(ValueError):
    """A period or target the forecast cannot use: one sentence (``key`` in kpi_core.messages)."""

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key = key
        self.code = key
        self.params = params
        self.message = Sentence(lambda lang: render(key, lang, **params))
        super().__init__(str(self.message))


@dataclass(frozen=True)
class OpenDeal:
    """An open deal as the forecast reads it."""

    id: str
    amount: float | None
    probability: float | None  # the deal's own share, or the one assumed for its rank; None when unknown
    rank: str | None
    category: str | None  # commit / best_case / pipeline / omitted (an open deal marked closed counts as commit)
    expected_close: dt.date | None
    in_period: bool
    overdue_days: int | None  # days since the expected close date passed, for an open deal; else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "amount": self.amount,
            "probability": self.probability,
            "rank": self.rank,
            "category": self.category,
            "expected_close": self.expected_close.isoformat() if self.expected_close else None,
            "in_period": self.in_period,
            "overdue": self.overdue_days is not None,
            "overdue_days": self.overdue_days,
        }


@dataclass
class HistoryMonth:
    """One past month: the coverage its start snapshot showed and whether the month made its target."""

    month: dt.date
    taken_on: dt.date
    pipeline: float
    gap: float
    coverage: float | None  # None when the target was already met on the snapshot's day
    won: float
    target: float
    made_it: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": self.month.isoformat()[:7],
            "taken_on": self.taken_on.isoformat(),
            "pipeline": self.pipeline,
            "gap": self.gap,
            "coverage": self.coverage,
            "won": self.won,
            "target": self.target,
            "made_it": self.made_it,
        }


@dataclass
class History:
    """The coverage that was enough: ``enough`` is the lowest start-of-month coverage from which every past month
    made its target (None when no month did, or when not measured: ``reason`` says why)."""

    measured: bool
    reason: str | None = None
    months: list[HistoryMonth] = field(default_factory=list)
    enough: float | None = None

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        made = sum(m.made_it for m in self.months)
        if not self.measured:
            message = render(f"forecast.history.{self.reason}", lang)
        elif self.enough is None:
            message = render("forecast.history.none_enough", lang, made=made, months=len(self.months))
        else:
            message = render(
                "forecast.history.enough", lang, coverage=f"{self.enough:.1f}", made=made, months=len(self.months)
            )
        return {
            "measured": self.measured,
            "reason": self.reason,
            "enough": self.enough,
            "made": made,
            "months": [m.as_dict() for m in self.months],
            "message": message,
        }


@dataclass
class ForecastCategories:
    """The ヨミ of one period (see the module's docstring)."""

    period: tuple[dt.date, dt.date]
    as_of: dt.date
    lines: dict[str, dict[str, Any]]
    forecast: dict[str, float | None]
    pipeline: float
    target: float | None
    gap: float | None
    coverage: float | None
    deals: list[OpenDeal]
    overdue: dict[str, Any]
    undated: dict[str, Any]
    unweighted: dict[str, Any]
    history: History
    rank_probability: dict[str, float]
    notes: list[str] = field(default_factory=list)
    currency: str | None = None

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "period": {"start": self.period[0].isoformat(), "end": self.period[1].isoformat()},
            "as_of": self.as_of.isoformat(),
            "lines": self.lines,
            "forecast": self.forecast,
            "pipeline": self.pipeline,
            "target": self.target,
            "gap": self.gap,
            "coverage": self.coverage,
            "deals": [deal.as_dict() for deal in self.deals],
            "overdue": self.overdue,
            "undated": self.undated,
            "unweighted": self.unweighted,
            "history": self.history.as_dict(lang),
            "rank_probability": self.rank_probability,
            "currency": self.currency,
            "notes": [{"code": code, "message": render(f"forecast.note.{code}", lang)} for code in self.notes],
        }


def _figure(deals: Sequence[OpenDeal]) -> dict[str, Any]:
    return {"count": len(deals), "amount": float(sum(d.amount or 0.0 for d in deals))}


def _won_in(dataset: Dataset, start: dt.date, end: dt.date) -> tuple[int, float]:
    won = Select(
        ["count(*)", "coalesce(sum(amount), 0)"], "records", [WON, Sql("closed BETWEEN ? AND ?", (start, end))]
    )
    count, amount = execute(dataset.cursor(), won).fetchall()[0]
    return int(count), float(amount)


def latest_date(dataset: Dataset) -> dt.date | None:
    """The data's last day: the latest created, updated or decided (won / lost) date, as the export's as-of day."""
    days = union_all(
        Select(["created AS d"], "records"), Select(["updated"], "records"), Select(["closed"], "records", [CLOSED])
    )
    row = execute(dataset.cursor(), Select(["max(d)"], days)).fetchall()[0][0]
    return row


def open_deals(
    dataset: Dataset,
    period: tuple[dt.date, dt.date],
    as_of: dt.date,
    rank_probability: Mapping[str, float] | None = None,
) -> tuple[list[OpenDeal], bool]:
    """Every open deal with its probability, category and whether it can land in the period; and whether the data
    has expected close dates at all (without them every open deal can land in the period)."""
    ranks = dict(DEFAULT_RANK_PROBABILITY if rank_probability is None else rank_probability)
    present = {row[0] for row in execute(dataset.cursor(), table_columns("records")).fetchall()}
    optional = [name if name in present else f"CAST(NULL AS {kind})" for name, kind in _OPTIONAL_COLUMNS.items()]
    rows = execute(
        dataset.cursor(), Select(["id", "amount", *optional, "expected_close"], "records", [NOT_CLOSED])
    ).fetchall()
    dated = any(row[5] is not None for row in rows)
    deals = []
    for deal_id, amount, probability, rank, category, expected in rows:
        if probability is None and rank is not None:
            probability = ranks.get(rank)
        in_period = (period[0] <= expected <= period[1]) if expected is not None else not dated
        overdue = (as_of - expected).days if expected is not None and expected < as_of else None
        deals.append(
            OpenDeal(
                id=str(deal_id),
                amount=None if amount is None else float(amount),
                probability=None if probability is None else float(probability),
                rank=rank,
                category="commit" if category == "closed" else category,
                expected_close=expected,
                in_period=in_period,
                overdue_days=overdue,
            )
        )
    deals.sort(key=lambda d: (not d.in_period, d.expected_close or dt.date.max, -(d.amount or 0.0), d.id))
    return deals, dated


def forecast_categories(
    dataset: Dataset,
    period_start: dt.date,
    period_end: dt.date,
    *,
    as_of: dt.date | None = None,
    target: float | None = None,
    rank_probability: Mapping[str, float] | None = None,
    snapshots: Sequence[tuple[dt.date, Dataset]] = (),
    history_targets: Mapping[dt.date, float] | float | None = None,
) -> ForecastCategories:
    """The ヨミ of the period [period_start, period_end] on `as_of` (default: the data's last day).

    `target` is the period's target (coverage needs it). `snapshots` are earlier exports of the same data with the
    day each was taken; `history_targets` the target of each past month (by its first day), or one target for every
    month (default: `target`)."""
    if period_start > period_end:
        raise ForecastError("forecast.bad_period", start=period_start.isoformat(), end=period_end.isoformat())
    if target is not None and not target >= 0:
        raise ForecastError("forecast.bad_target", target=target)
    if dataset.shape != "records":
        raise ForecastError("forecast.not_records")
    as_of = as_of or latest_date(dataset) or period_end
    period = (period_start, period_end)
    deals, dated = open_deals(dataset, period, as_of, rank_probability)
    won_count, won_amount = _won_in(dataset, period_start, period_end)
    in_period = [d for d in deals if d.in_period]
    has_category = "forecast_category" in dataset.mapping
    lines: dict[str, dict[str, Any]] = {"closed": {"count": won_count, "amount": won_amount}}
    for category in ("commit", "best_case", "pipeline", "omitted"):
        lines[category] = _figure([d for d in in_period if d.category == category])
    lines["uncategorised"] = _figure([d for d in in_period if d.category is None])
    counted = [d for d in in_period if d.category != "omitted"]
    weighed = [d for d in counted if d.probability is not None]
    has_probability = "probability" in dataset.mapping
    commit = won_amount + lines["commit"]["amount"]
    forecast: dict[str, float | None] = {
        "commit": commit if has_category else None,
        "best_case": commit + lines["best_case"]["amount"] if has_category else None,
        "weighted": won_amount + sum((d.amount or 0.0) * (d.probability or 0.0) for d in weighed)
        if has_probability
        else None,
    }
    pipeline = float(sum(d.amount or 0.0 for d in counted))
    gap = None if target is None else target - won_amount
    coverage = pipeline / gap if gap is not None and gap > 0 else None
    notes = _notes(dataset, dated, has_category, has_probability, weighed, counted, gap)
    overdue = [d for d in deals if d.overdue_days is not None]
    undated = [d for d in deals if d.expected_close is None] if dated else []
    history = coverage_history(
        dataset, snapshots, target if history_targets is None else history_targets, as_of, rank_probability
    )
    return ForecastCategories(
        period=period,
        as_of=as_of,
        lines=lines,
        forecast=forecast,
        pipeline=pipeline,
        target=target,
        gap=gap,
        coverage=coverage,
        deals=[d for d in deals if d.in_period or d.overdue_days is not None],
        overdue={**_figure(overdue), "ids": [d.id for d in overdue]},
        undated=_figure(undated),
        unweighted=_figure([d for d in counted if d.probability is None]),
        history=history,
        rank_probability=dict(DEFAULT_RANK_PROBABILITY if rank_probability is None else rank_probability),
        notes=notes,
        currency=dataset.currency,
    )


def _notes(
    dataset: Dataset,
    dated: bool,
    has_category: bool,
    has_probability: bool,
    weighed: Sequence[OpenDeal],
    counted: Sequence[OpenDeal],
    gap: float | None,
) -> list[str]:
    notes = []
    if not dated:
        notes.append("no_expected_close")
    if not has_category:
        notes.append("no_category")
    if not has_probability:
        notes.append("no_probability")
    elif len(weighed) < len(counted):
        notes.append("some_unweighted")
    if any(d.rank is not None for d in counted):
        notes.append("rank_assumed")
    if "amount" not in dataset.mapping:
        notes.append("no_amount")
    if gap is not None and gap <= 0:
        notes.append("target_met")
    return notes


def _month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _start_month(taken_on: dt.date) -> dt.date | None:
    """The month a snapshot tells the start of: the month it was taken in (in its first days) or the next one
    (taken in the last days of the month before); None for a snapshot from the middle of a month."""
    first = taken_on.replace(day=1)
    if (taken_on - first).days < HISTORY_WINDOW_DAYS:
        return first
    following = _month_end(taken_on) + dt.timedelta(days=1)
    return following if (following - taken_on).days <= HISTORY_WINDOW_DAYS else None


def coverage_history(
    latest: Dataset,
    snapshots: Sequence[tuple[dt.date, Dataset]],
    targets: Mapping[dt.date, float] | float | None,
    as_of: dt.date,
    rank_probability: Mapping[str, float] | None = None,
) -> History:
    """Start-of-month coverage of each past month with a snapshot near its first day, against whether the month
    made its target by `latest`'s data. A month ending on or after `as_of` is not past yet."""
    if not snapshots:
        return History(measured=False, reason="no_snapshots")
    if targets is None:
        return History(measured=False, reason="no_target")
    chosen: dict[dt.date, tuple[dt.date, Dataset]] = {}
    for taken_on, snapshot in sorted(snapshots, key=lambda item: item[0]):
        month = _start_month(taken_on)
        if month is None or _month_end(month) >= as_of or month in chosen:
            continue  # the earliest snapshot of a month's start is the one closest to it
        chosen[month] = (taken_on, snapshot)
    months = []
    for month, (taken_on, snapshot) in sorted(chosen.items()):
        target = targets if isinstance(targets, int | float) else targets.get(month)
        if target is None:
            continue
        end = _month_end(month)
        deals, _ = open_deals(snapshot, (month, end), taken_on, rank_probability)
        pipeline = float(sum(d.amount or 0.0 for d in deals if d.in_period and d.category != "omitted"))
        won_then = _won_in(snapshot, month, min(end, taken_on))[1]
        gap = float(target) - won_then
        won = _won_in(latest, month, end)[1]
        coverage = pipeline / gap if gap > 0 else None
        months.append(HistoryMonth(month, taken_on, pipeline, gap, coverage, won, float(target), won >= float(target)))
    if not months:
        return History(measured=False, reason="no_month_starts")
    return History(measured=True, months=months, enough=enough_coverage(months))


def enough_coverage(months: Sequence[HistoryMonth]) -> float | None:
    """The lowest start-of-month coverage from which every past month made its target: going down from the best
    covered month while months made it. None when the best covered month missed (or no coverage is known)."""
    ranked = sorted((m for m in months if m.coverage is not None), key=lambda m: -(m.coverage or 0.0))
    enough = None
    for month in ranked:
        if not month.made_it:
            break
        enough = month.coverage
    return enough
