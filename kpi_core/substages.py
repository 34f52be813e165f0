"""Reach of the open sub-stages of the opportunity level (Prospecting … Negotiation; 初回訪問 … 交渉).

A CRM export keeps where each open deal stands, so the sub-stages between 商談 (opportunity) and 受注 (won) can be
counted as funnel steps. A deal reached sub-stage k when it is open at k or at a later sub-stage, or when it is won
(a won deal passed every stage). A snapshot export does not keep how far a lost deal got: lost deals count at the
opportunity level only, and `lost_unplaced` says how many there are so the reader can be told.

Stage reach is counted on the rows the engine counts records and levels on: the `created` basis of
`kpi_core.metrics`, with the same filters (the period view and the cohort view give the same rows for it).
"""

from __future__ import annotations

from dataclasses import dataclass

from kpi_core.intake.load import Dataset
from kpi_core.intake.stages import LEVEL_RANK, substage_rank
from kpi_core.metrics import Filters, _base_sql
from kpi_core.sql import Select, execute

MIN_SUBSTAGES = 2  # one sub-stage alone says nothing the opportunity level does not


@dataclass(frozen=True)
class SubstageStep:
    """One open opportunity-level sub-stage: its raw value, its index in `dataset.stage_order`, and how many
    records reached it."""

    stage: str
    position: int
    count: int


class SubstageReach(list[SubstageStep]):
    """The sub-stage steps in funnel order (a plain list of SubstageStep), plus `lost_unplaced`: the lost deals
    among the counted rows, which are counted at the opportunity level only."""

    def __init__(self, steps: list[SubstageStep] | None = None, lost_unplaced: int = 0) -> None:
        super().__init__(steps or [])
        self.lost_unplaced = lost_unplaced

    def __repr__(self) -> str:
        return f"SubstageReach({list(self)!r}, lost_unplaced={self.lost_unplaced})"


def open_substages(dataset: Dataset) -> list[tuple[str, int]]:
    """(raw value, position) of the open opportunity-level sub-stages, in `dataset.stage_order`.

    A sub-stage is a raw value whose canonical stage is "opportunity" (after the user's overrides) and that has a
    place in the sales process (`substage_rank`): generic names ("商談", "Opportunity", "Open") and holds ("保留",
    "On Hold") are not sub-stages.
    """
    if dataset.shape != "records":
        return []
    return [
        (value, position)
        for position, value in enumerate(dataset.stage_order)
        if dataset.stage_map.get(value) == "opportunity" and substage_rank(value) is not None
    ]


def substage_reach(
    dataset: Dataset,
    *,
    filters: Filters | None = None,
    cohort: bool = False,
    period: str = "month",
    fiscal_start: int = 4,
) -> SubstageReach:
    """How many records reached each open opportunity-level sub-stage, in funnel order.

    Counted on the rows `compute_kpis` counts records and stage reach on (created basis, same filters); `cohort`,
    `period` and `fiscal_start` are taken as `compute_kpis` takes them. Empty (and `lost_unplaced` 0) when the data
    has no stage column or fewer than two sub-stages.
    """
    substages = open_substages(dataset)
    if len(substages) < MIN_SUBSTAGES:
        return SubstageReach()
    base = _base_sql(dataset, "created", cohort, filters or Filters(), period, fiscal_start)
    opportunity = LEVEL_RANK["opportunity"]
    counts = []
    for index in range(len(substages)):
        # Positions are ints from enumerate: safe to write into the SQL.
        later = ", ".join(str(position) for _, position in substages[index:])
        counts.append(
            f"count_if(outcome = 'won' OR (outcome = 'open' AND level = {int(opportunity)} "
            f"AND stage_position IN ({later})))"
        )
    reach = Select([*counts, "count_if(outcome = 'lost')"], "base", ctes=[("base", base)])
    row = execute(dataset.cursor(), reach).fetchall()[0]
    steps = [
        SubstageStep(stage=value, position=position, count=int(row[index] or 0))
        for index, (value, position) in enumerate(substages)
    ]
    return SubstageReach(steps, lost_unplaced=int(row[-1] or 0))
