"""Lead ageing: how old the open leads are, by age band and by the level they have reached.

Open records below the opportunity level are leads, not deals: a lead a year old is not a "stalled deal" but a lead
that never progressed (or was never closed in the marketing tool). This module counts them per age band and level
and lists the oldest ones still at the first level, for a pipeline page on lead data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from kpi_core.intake.load import Dataset
from kpi_core.intake.stages import LEVEL_RANK, LEVELS
from kpi_core.metrics import Filters
from kpi_core.sql import OPEN, Part, Select, Sql, age_days, execute

LEAD_LEVELS = ("lead", "mql", "sql")  # below the opportunity: a record still here is a lead
# Age bands in days since created, inclusive: (first day, last day or None for "and older").
BANDS: tuple[tuple[int, int | None], ...] = ((0, 30), (31, 90), (91, 180), (181, 365), (366, None))
OLDEST = 50  # how many of the oldest un-progressed leads are listed


def has_lead_levels(dataset: Dataset) -> bool:
    """Whether the data is a lead funnel: one row per record with a level below the opportunity (lead, MQL, SQL)."""
    return dataset.shape == "records" and any(level in dataset.present_levels for level in LEAD_LEVELS)


def has_deals(dataset: Dataset) -> bool:
    """Whether the data has a deal level at all (an opportunity stage, or won and lost outcomes beside leads)."""
    return dataset.shape == "records" and "opportunity" in dataset.present_levels


def band_of(age_days: int) -> int:
    """The index in BANDS of an age in days (a negative age, a record created after the as-of date, is band 0)."""
    for index, (_, last) in enumerate(BANDS):
        if last is None or age_days <= last:
            return index
    return len(BANDS) - 1


@dataclass(frozen=True)
class LeadAging:
    """Open leads on `as_of`. `counts`: one row per (level, band) with a count (levels in funnel order, every band,
    zeros included); `oldest`: the oldest open leads still at the first level (id, stage, owner, channel, created,
    age_days), oldest first; `total`, `by_level` and `median_age` over every open lead."""

    as_of: dt.date | None
    total: int = 0
    by_level: dict[str, int] = field(default_factory=dict)
    median_age: float | None = None
    first_level: str | None = None
    unprogressed: int = 0
    counts: pd.DataFrame = field(default_factory=pd.DataFrame)
    oldest: pd.DataFrame = field(default_factory=pd.DataFrame)

    def older_than(self, days: int) -> int:
        """How many open leads are older than `days` (counted from the bands, so `days` must end a band)."""
        ends = [last for _, last in BANDS if last is not None]
        if days not in ends:
            raise ValueError(f"{days} does not end an age band: use one of {ends}")
        later = [i for i, (first, _) in enumerate(BANDS) if first > days]
        return int(self.counts.loc[self.counts["band"].isin(later), "count"].sum()) if len(self.counts) else 0


def lead_aging(
    dataset: Dataset, *, as_of: dt.date | None = None, filters: Filters | None = None, oldest: int = OLDEST
) -> LeadAging:
    """Open records below the opportunity level (created on or before `as_of`, default the data's last date),
    counted by age band and level. Filters apply to the created date and the roles, as on the pipeline."""
    if not has_lead_levels(dataset):
        return LeadAging(as_of)
    if as_of is None:
        last = execute(dataset.cursor(), Select(["greatest(max(created), max(closed))"], dataset.table)).fetchall()
        as_of = _as_date(last[0][0])
    if as_of is None:
        return LeadAging(None)
    levels = [lv for lv in LEAD_LEVELS if lv in dataset.present_levels]
    ranks = {LEVEL_RANK[lv]: lv for lv in levels}
    opportunity = LEVEL_RANK["opportunity"]
    # Open leads created by as_of (the rows both queries count).
    leads: list[Part] = [
        OPEN,
        f"level < {int(opportunity)}",
        "created IS NOT NULL",
        Sql("created <= ?", (as_of,)),
        (filters or Filters()).condition("created", dataset),
    ]
    by_age = Select(["level", Sql(f"{age_days()} AS age", (as_of,)), "count(*)"], dataset.table, leads, "ALL")
    rows = execute(dataset.cursor(), by_age).fetchall()
    cells = {(lv, b): 0 for lv in levels for b in range(len(BANDS))}
    ages: list[tuple[int, int]] = []
    for rank, age, n in rows:
        level = ranks.get(int(rank), levels[0])
        cells[(level, band_of(int(age)))] += int(n)
        ages.append((int(age), int(n)))
    counts = pd.DataFrame(
        [
            {
                "level": lv,
                "level_order": LEVELS.index(lv),
                "band": b,
                "first": BANDS[b][0],
                "last": BANDS[b][1],
                "count": n,
            }
            for (lv, b), n in cells.items()
        ],
        columns=["level", "level_order", "band", "first", "last", "count"],
    )
    by_level = {lv: int(counts.loc[counts["level"] == lv, "count"].sum()) for lv in levels}
    total = sum(by_level.values())
    first_rank = LEVEL_RANK[levels[0]]
    oldest_leads = Select(
        ["id, stage, owner, channel, created", Sql(f"{age_days()} AS age_days", (as_of,))],
        dataset.table,
        [*leads, f"level = {int(first_rank)}"],
        order_by="age_days DESC, row_no",
        limit=int(oldest),
    )
    listed = execute(dataset.cursor(), oldest_leads).df()
    return LeadAging(
        as_of=as_of,
        total=total,
        by_level=by_level,
        median_age=_median(ages),
        first_level=levels[0],
        unprogressed=by_level.get(levels[0], 0),
        counts=counts,
        oldest=listed,
    )


def _median(pairs: list[tuple[int, int]]) -> float | None:
    pairs = sorted(pairs)
    total = sum(n for _, n in pairs)
    if not total:
        return None

    def nth(index: int) -> int:
        seen = 0
        for value, n in pairs:
            seen += n
            if index < seen:
                return value
        return pairs[-1][0]

    return (nth((total - 1) // 2) + nth(total // 2)) / 2


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None
