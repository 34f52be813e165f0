"""Open pipeline: stage win probabilities learned from closed history, aging, and expected wins within a window."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpi_core.dataset_memo import remembered
from kpi_core.intake.load import Dataset
from kpi_core.intake.stages import LEVEL_RANK, LEVELS
from kpi_core.metrics import Filters
from kpi_core.sql import (
    CLOSED,
    HISTORY_DATE,
    OPEN,
    WON,
    Part,
    Select,
    Sql,
    age_days,
    closed_after,
    execute,
    value_counts,
)

# The levels an open record can be at (every level but won), by rank.
OPEN_LEVELS: tuple[int, ...] = tuple(LEVEL_RANK[level] for level in LEVELS if level != "won")
OUTCOMES = frozenset({"won", "lost", "disqualified"})
_NO_DATE = "DATE '0001-01-01'"  # below every real date: greatest() of dates some of which are blank


def _open_level(level: int) -> int:
    """A rank clamped to the open levels (a won or unknown rank counts at the nearest open level)."""
    return min(max(int(level), OPEN_LEVELS[0]), OPEN_LEVELS[-1])


def _reached(*conditions: str) -> str:
    """count_if(conditions AND level >= L) for each open level L (ranks from LEVEL_RANK, not written by hand)."""
    return ", ".join(f"count_if({' AND '.join([*conditions, f'level >= {int(level)}'])})" for level in OPEN_LEVELS)


def _sorted_values(dataset: Dataset, expression: str, where: Part) -> np.ndarray:
    """The values of `expression` over the rows matching `where`, sorted, as float64: counted per distinct value
    in DuckDB and expanded here (a few hundred distinct day counts instead of hundreds of thousands of rows)."""
    rows = execute(dataset.cursor(), value_counts(dataset.table, expression, where)).fetchall()
    values = np.array([r[0] for r in rows], dtype="float64")
    return np.sort(np.repeat(values, np.array([r[1] for r in rows], dtype="int64")))


def _require_records(dataset: Dataset) -> None:
    if dataset.shape != "records":
        raise ValueError("the pipeline needs one row per lead or deal (a monthly sheet has no open deals)")


def _base_level(dataset: Dataset) -> int:
    """The first funnel level the data has: the least a record is known to have reached."""
    return LEVEL_RANK[dataset.present_levels[0]] if dataset.present_levels else LEVEL_RANK[LEVELS[0]]


def data_as_of(dataset: Dataset) -> dt.date | None:
    """The latest date the data shows happened: creation, update, or close of a closed record."""
    _require_records(dataset)
    return remembered(dataset, ("data_as_of",), lambda: _data_as_of(dataset))


def _data_as_of(dataset: Dataset) -> dt.date | None:
    latest = (
        f"max(greatest(coalesce(created, {_NO_DATE}), coalesce(updated, {_NO_DATE}), "
        f"CASE WHEN outcome <> 'open' THEN coalesce(closed, {_NO_DATE}) ELSE {_NO_DATE} END))"
    )
    value = execute(dataset.cursor(), Select([latest], dataset.table)).fetchall()[0][0]
    return None if value is None or value.year == 1 else value


def level_win_probability(dataset: Dataset, filters: Filters | None = None) -> dict[int, float | None]:
    """P(won | reached level L) for the open levels 1-4, from the history (placed by HISTORY_DATE).

    won / (records that reached L and ended: won, lost and disqualified at or above L, plus open records at or
    above L that are older than the longest won cycle, the "stale" ones). Counting stale records matters for
    MA exports, where most leads never get a closed stage: from closed rows alone a lead would look 3× as likely
    to win as it is. The date part of `filters` limits the history; "older" is measured at its end date (else
    at the latest date in the data). None where no record reached the level.
    """
    _require_records(dataset)
    filters = filters or Filters()
    return _level_win_probability(dataset, filters, won_cycle_days(dataset, filters))[0]


def _level_win_probability(
    dataset: Dataset, filters: Filters, cycles: np.ndarray, won: tuple[int, ...] | None = None
) -> tuple[dict[int, float | None], int]:
    """level_win_probability from the won cycles of the same history (and its won and closed-at-level counts when
    already counted, see _history_counts), and how many stale open records there are (of any level: win_timing
    counts them as records that never close)."""
    as_of = filters.end or data_as_of(dataset)
    longest = float(cycles[-1]) if len(cycles) else None
    if won is None:
        history = Select(
            [f"count_if({WON})", _reached(CLOSED)], dataset.table, [filters.condition(HISTORY_DATE, dataset)]
        )
        won = execute(dataset.cursor(), history).fetchall()[0]
    stale = [0] * len(OPEN_LEVELS)
    stale_total = 0
    if longest is not None and as_of is not None:
        stale_query = Select(
            ["count(*)", _reached()],
            dataset.table,
            [
                Sql("created <= ?::DATE", (as_of,)),
                Filters(roles=filters.roles).condition("created", dataset),
                Sql(f"({OPEN} OR closed > ?::DATE)", (as_of,)),
                Sql(f"{age_days()} > ?", (as_of, longest)),
            ],
        )
        found = execute(dataset.cursor(), stale_query).fetchall()[0]
        stale_total, stale = int(found[0] or 0), list(found[1:])
    result: dict[int, float | None] = {}
    for i, level in enumerate(OPEN_LEVELS):
        reached = (won[1 + i] or 0) + (stale[i] or 0)
        result[level] = (won[0] or 0) / reached if reached else None
    return result, stale_total


def stage_win_probability(dataset: Dataset, filters: Filters | None = None) -> dict[str, float | None]:
    """Open raw stage → P(eventually won), learned from closed history.

    Snapshot exports keep no stage history: a closed record only tells the furthest level it reached (won = 5,
    lost = opportunity, disqualified = lead). So P(won | stage s) = P(won | reached the level of s), see
    level_win_probability: won / (closed records at or above that level + stale open ones). Limitation: sub-stages
    of one level (Prospecting and Negotiation are both "opportunity") share one probability, because a lost
    deal's row does not say which sub-stage it got to; no refinement is made up. Closed records are placed in
    time by their close date (else last update, else creation) for the date part of `filters`.
    """
    _require_records(dataset)
    by_level = level_win_probability(dataset, filters)
    open_stages = Select(["stage", "level"], dataset.table, [OPEN, "stage IS NOT NULL"], distinct=True)
    rows = execute(dataset.cursor(), open_stages).fetchall()
    stages = dict(rows)
    for raw, canonical in dataset.stage_map.items():
        if canonical not in OUTCOMES:  # an open stage of the export, even if no record sits in it now
            stages.setdefault(raw, _stage_level(dataset, raw))
    order = {s: i for i, s in enumerate(dataset.stage_order)}
    ordered = sorted(stages, key=lambda s: (order.get(s, len(order)), s))
    return {s: by_level.get(_open_level(stages[s])) for s in ordered}


def open_pipeline_by_stage(dataset: Dataset, filters: Filters | None = None) -> pd.DataFrame:
    """Open records per raw stage, in funnel order (every open stage of the stage map, even with no record).

    Columns: stage, position, level, count, value (sum of amounts), win_probability, expected_value
    (value × win_probability), median_age_days (age = latest date in the data − created). Open records are
    filtered on their created date; the probabilities on the closed history (see stage_win_probability).
    """
    _require_records(dataset)
    filters = filters or Filters()
    probabilities = stage_win_probability(dataset, filters)
    by_level = level_win_probability(dataset, filters)
    query = Select(
        ["stage", "min(level)", "count(*)", "sum(amount)", Sql(f"median({age_days()})", (data_as_of(dataset),))],
        dataset.table,
        [OPEN, filters.condition("created", dataset)],
        group_by="stage",
    )
    found = {row[0]: row[1:] for row in execute(dataset.cursor(), query).fetchall()}
    position = {s: i for i, s in enumerate(dataset.stage_order)}
    rows = []
    for stage in [*probabilities, *(s for s in found if s not in probabilities)]:
        level, count, value, age = found.get(stage, (_stage_level(dataset, stage), 0, 0.0, None))
        probability = by_level.get(_open_level(level))
        rows.append(
            {
                "stage": stage,
                "position": position.get(stage) if stage is not None else None,
                "level": int(level),
                "count": int(count),
                "value": None if value is None else float(value),
                "win_probability": probability,
                "expected_value": None if value is None or probability is None else float(value) * probability,
                "median_age_days": None if age is None else float(age),
            }
        )
    frame = pd.DataFrame(rows, columns=list(_PIPELINE_COLUMNS))
    return frame.astype(_PIPELINE_COLUMNS)


_PIPELINE_COLUMNS = {
    "stage": "object",
    "position": "Int64",
    "level": "int64",
    "count": "int64",
    "value": "float64",
    "win_probability": "float64",
    "expected_value": "float64",
    "median_age_days": "float64",
}


def _stage_level(dataset: Dataset, stage: str | None) -> int:
    """The funnel level of a raw stage (unknown stages count at the data's first level, as in the loader)."""
    canonical = dataset.stage_map.get(stage) if stage is not None else None
    return LEVEL_RANK[canonical] if canonical in LEVEL_RANK else _base_level(dataset)


def open_deal_aging(
    dataset: Dataset, *, stalled_days: int, as_of: dt.date | None = None, filters: Filters | None = None
) -> pd.DataFrame:
    """One row per open record: id, stage, owner, channel, product, amount, created, updated, age_days,
    idle_days, stalled. age = as_of − created; idle = as_of − coalesce(updated, created); stalled when idle is
    more than `stalled_days`. `as_of` defaults to the latest date in the data. Oldest first."""
    _require_records(dataset)
    as_of = as_of or data_as_of(dataset)
    query = Select(
        [
            "id, stage, owner, channel, product, amount, created, updated",
            Sql(f"{age_days()} AS age_days", (as_of,)),
            Sql(f"{age_days('coalesce(updated, created)')} AS idle_days", (as_of,)),
        ],
        dataset.table,
        [OPEN, (filters or Filters()).condition("created", dataset)],
        order_by="age_days DESC NULLS LAST, row_no",
    )
    frame = execute(dataset.cursor(), query).df()
    frame["stalled"] = (frame["idle_days"] > int(stalled_days)).fillna(False).astype("bool")
    return frame


def won_cycle_days(dataset: Dataset, filters: Filters | None = None) -> np.ndarray:
    """Cycle days (created → won) of won records, sorted; filters apply to the close date."""
    _require_records(dataset)
    where = (filters or Filters()).condition(HISTORY_DATE, dataset)
    return _sorted_values(
        dataset, "cycle_days", Sql(f"{WON} AND cycle_days IS NOT NULL AND {where.text}", where.params)
    )


def close_probability_from_cycles(cycles: np.ndarray, days: float, age_days: float | None = None) -> float | None:
    """P(cycle ≤ age + days | cycle > age) from sorted won cycles; None without cycles, 0 past every past win."""
    if len(cycles) == 0:
        return None
    if age_days is None:
        return float(np.searchsorted(cycles, days, side="right") / len(cycles))
    older = len(cycles) - np.searchsorted(cycles, age_days, side="right")
    if older == 0:
        return 0.0  # the record is already older than every won deal took: not expected to close as won
    within = np.searchsorted(cycles, age_days + days, side="right") - np.searchsorted(cycles, age_days, side="right")
    return float(within / older)


def close_within_probability(
    dataset: Dataset, days: int, filters: Filters | None = None, *, age_days: int | None = None
) -> float | None:
    """Share of won deals whose cycle (created → won) was at most `days`: the empirical CDF, for pacing.

    With `age_days`, the chance for a deal already that old: P(cycle ≤ age + days | cycle > age); 0 when it is
    older than every past win. None when no won deal has a cycle.
    """
    return close_probability_from_cycles(won_cycle_days(dataset, filters), days, age_days)


@dataclass
class WinTiming:
    """What the history up to a date says about when and whether an open record is won.

    For a record open at age a (days since created) at level L, the chance it is won within the next d days is
    Bayes' rule over two kinds of record, those that will win and those that will not:

        p_L · P(a < cycle ≤ a + d | won) / (p_L · P(cycle > a | won) + (1 − p_L) · P(still open at a | not won))

    p_L is level_win_probability; the won cycles give the timing of wins; the closing ages of lost and
    disqualified records (stale open records never close) give how long non-winners stay open. At age 0 this is
    p_L × close_within_probability(d); as a record ages past the usual win cycle it falls towards 0.
    """

    by_level: dict[int, float | None]
    won_cycles: np.ndarray  # sorted
    other_ages: np.ndarray  # sorted closing ages of records not won; inf for stale open records

    def probability(self, level: int, age_days: float | None, days: float) -> float | None:
        """P(won within `days`) for a record open at `level` and `age_days` (None: age unknown)."""
        p = self.by_level.get(_open_level(level))
        if p is None or len(self.won_cycles) == 0:
            return None
        n_won = len(self.won_cycles)
        if age_days is None:
            return p * float(np.searchsorted(self.won_cycles, days, side="right") / n_won)
        past = np.searchsorted(self.won_cycles, age_days, side="right")
        won_later = (n_won - past) / n_won
        within = (np.searchsorted(self.won_cycles, age_days + days, side="right") - past) / n_won
        still_open: float
        if len(self.other_ages):
            still_open = (len(self.other_ages) - np.searchsorted(self.other_ages, age_days, side="right")) / len(
                self.other_ages
            )
        else:
            still_open = 1.0
        denominator = p * won_later + (1 - p) * still_open
        return float(p * within / denominator) if denominator > 0 else 0.0


def win_timing(dataset: Dataset, as_of: dt.date, filters: Filters | None = None) -> WinTiming:
    """The WinTiming learned only from what was known at the end of `as_of` (no hindsight)."""
    _require_records(dataset)
    filters = filters or Filters()
    history = Filters(end=as_of, roles=filters.roles)
    cycles, ages, won = _history_counts(dataset, history)
    # The stale count is that of level_win_probability: open (or closed later) records created by as_of and
    # older than the longest won cycle, whatever their level.
    by_level, stale = _level_win_probability(dataset, history, cycles, won)
    if len(cycles) and stale:
        ages = np.concatenate([ages, np.full(stale, np.inf)])
    return WinTiming(by_level=by_level, won_cycles=cycles, other_ages=ages)


def _history_counts(dataset: Dataset, history: Filters) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    """In one pass over the history (placed by HISTORY_DATE): the won cycles (as won_cycle_days), the closing
    ages of lost and disqualified records, both sorted, and the won count with the closed count at or above each
    open level (as level_win_probability counts them)."""
    kind = (
        f"CASE WHEN {WON} AND cycle_days IS NOT NULL THEN 1 WHEN outcome IN ('lost', 'disqualified') "
        "AND created IS NOT NULL AND coalesce(closed, updated) IS NOT NULL THEN 2 ELSE 0 END AS kind"
    )
    value = "CASE kind WHEN 1 THEN cycle_days WHEN 2 THEN date_diff('day', created, coalesce(closed, updated)) END AS v"
    query = Select(
        ["kind", value, "count(*)", f"count_if({WON})", _reached(CLOSED)],
        Select(["*", kind], dataset.table, [history.condition(HISTORY_DATE, dataset)]),
        group_by="ALL",
        order_by="1, 2",
    )
    rows = execute(dataset.cursor(), query).fetchall()

    def values(kind: int) -> np.ndarray:
        found = [r for r in rows if r[0] == kind]
        repeated = np.repeat(np.array([r[1] for r in found], dtype="float64"), np.array([r[2] for r in found], "int64"))
        return np.sort(repeated)

    won = tuple(int(sum(r[3 + i] for r in rows)) for i in range(1 + len(OPEN_LEVELS)))
    return values(1), values(2), won


@dataclass
class PipelineExpectation:
    """Wins expected from the records open at a date, within a number of days after it."""

    as_of: dt.date
    days: int
    open_count: int
    open_value: float
    expected_count: float
    expected_value: float
    valued_at_unit_price: int  # open records without an amount, valued at the unit price given
    reconstructed: bool  # as_of before the data's latest date: the open set is rebuilt from dates

    def as_dict(self) -> dict[str, object]:
        return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.__dict__.items()}


def open_amounts_known(dataset: Dataset) -> bool:
    """Whether the export's open records carry amounts (at least half of them do), as a CRM that keeps an expected
    amount on an open deal. Where only closing sets the amount (Maven: won = the deal's value, lost = 0, open =
    blank) or nothing is open, the amount of a record closed after a past day would tell its outcome on that day."""
    return remembered(dataset, ("open_amounts_known",), lambda: _open_amounts_known(dataset))


def _open_amounts_known(dataset: Dataset) -> bool:
    total, priced = execute(dataset.cursor(), Select(["count(*)", "count(amount)"], dataset.table, [OPEN])).fetchall()[
        0
    ]
    return total > 0 and priced >= total / 2


def open_records_at(dataset: Dataset, as_of: dt.date, filters: Filters | None = None) -> pd.DataFrame:
    """Records open at the end of `as_of`: amount, level, age_days.

    At or after the data's latest date this is the snapshot's open set with its stages and amounts (records
    without a created date included, age unknown). Before it, the set is rebuilt as an export taken that day
    would have shown it, without hindsight (kpi_core.backtest.snapshot_at cuts the data the same way):
    records created by as_of that are still open or closed (won, lost or disqualified) after as_of; a record
    without a created date is left out (nothing says it existed then). A record closed since then is given the
    data's first level, as its stage on that day is not known, and keeps its amount only when the export's open
    records carry amounts (open_amounts_known); otherwise it has none, like the open ones, since a closing
    amount (0 when lost, the won value when won) tells the outcome. Still-open records keep today's stage and
    amount: a snapshot export keeps no history.
    """
    _require_records(dataset)
    return execute(dataset.cursor(), _open_records(dataset, as_of, filters)).df()


def _open_records(dataset: Dataset, as_of: dt.date, filters: Filters | None) -> Select:
    """The query of open_records_at."""
    filters = filters or Filters()
    snapshot = data_as_of(dataset)
    later = closed_after(as_of)
    if snapshot is None or as_of >= snapshot:
        amount, dated = "amount", Sql("(created IS NULL OR created <= ?::DATE)", (as_of,))
    else:
        amount = "amount" if open_amounts_known(dataset) else f"CASE WHEN {later} THEN NULL ELSE amount END"
        dated = Sql("created <= ?::DATE", (as_of,))
    return Select(
        [
            f"{amount} AS amount",
            Sql(f"CASE WHEN {later} THEN ? ELSE level END AS level", (_base_level(dataset),)),
            Sql(f"{age_days()} AS age_days", (as_of,)),
        ],
        dataset.table,
        [dated, f"({OPEN} OR {later})", Filters(roles=filters.roles).condition("created", dataset)],
    )


def expected_wins_within(
    dataset: Dataset,
    *,
    as_of: dt.date,
    days: int,
    filters: Filters | None = None,
    unit_price: float | None = None,
) -> PipelineExpectation:
    """Σ over records open at `as_of` of P(won within `days`) (see WinTiming), and the same weighted by amount.

    Learned only from what was known at `as_of`. Open records without an amount count at `unit_price` when
    given, else add nothing to the value; on a past day that includes the records closed since whose amount is
    not used (see open_records_at), so they are valued as today's open records without an amount are.
    """
    timing = win_timing(dataset, as_of, filters)
    snapshot = data_as_of(dataset)
    # Open records share few (level, age) pairs (300k open deals, a few hundred pairs): they are counted per pair
    # in DuckDB (in the order pandas' groupby gave, missing ages last) and each pair gets one probability.
    filled = (
        Sql("sum(CAST(amount AS DOUBLE))")
        if unit_price is None
        else Sql("sum(CAST(coalesce(amount, ?) AS DOUBLE))", (float(unit_price),))
    )
    query = Select(
        ["level, age_days, count(*), count(amount)", filled],
        _open_records(dataset, as_of, filters),
        group_by="ALL",
        order_by="level NULLS LAST, age_days NULLS LAST",
    )
    pairs = execute(dataset.cursor(), query).fetchall()
    count = value = open_value = 0.0
    open_count = priced = 0
    for level, age, n, with_amount, amount in pairs:
        amount = float(amount) if amount is not None else 0.0
        open_count += int(n)
        open_value += amount
        if unit_price is not None:
            priced += int(n) - int(with_amount)
        p = timing.probability(int(level), None if age is None else float(age), days)
        if p is not None:
            count += p * int(n)
            value += p * amount
    return PipelineExpectation(
        as_of=as_of,
        days=int(days),
        open_count=open_count,
        open_value=open_value,
        expected_count=count,
        expected_value=value,
        valued_at_unit_price=priced,
        reconstructed=snapshot is not None and as_of < snapshot,
    )
