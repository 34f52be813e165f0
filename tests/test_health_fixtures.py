"""Goal files and monthly sheets for the health-check tests, written out in full (every figure set by hand)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kpi_core.goals import Goals, load_goals
from kpi_core.intake.load import Dataset, FileInput, load_dataset

MONTHS = [f"{2023 + i // 12}-{i % 12 + 1:02d}" for i in range(24)]  # 2023-01 … 2024-12
AS_OF = dt.date(2025, 1, 15)
FRESH = dt.date(2025, 1, 10)  # the goal file's last edit: after every shift, within a month of AS_OF
HEADER = "month,owner,channel,leads,opportunities,won,lost,revenue\n"


def wins(t: int) -> int:
    """Won deals of one rep in month t: 10, 11, … 15, then again (team: 20 … 30)."""
    return 10 + t % 6


def row(month: str, owner: str, channel: str, leads: int, opportunities: int, won: int, lost: int) -> str:
    return f"{month},{owner},{channel},{leads},{opportunities},{won},{lost},{won * 1000}\n"


def healthy_sheet() -> str:
    """Two equal reps, one channel; opportunities = 3 × won + 10, 20 lost a month, 1,000 per won deal."""
    text = HEADER
    for t, month in enumerate(MONTHS):
        for owner in ("A", "B"):
            text += row(month, owner, "Web", 200, 3 * wins(t) + 10, wins(t), 20)
    return text


HEALTHY_GOALS = """\
# A healthy goal file: 3 KPIs, targets inside their history, owners, monthly reviews, CSFs with actions.
fiscal_year_start: 4
kgi:
  name: Revenue 310,000 a year
  metric: won_revenue
  target: 310000
  period: year
kpis:
  - id: deals
    name: Deals per month
    department: sales
    metric: opportunities
    target: 98
    per: month
    owner: Sales lead
    review: monthly
    class: leading
    definition: Deals with budget, decision maker, need and timing confirmed
    csfs: [pipeline]
  - id: wins
    name: Won deals per month
    department: sales
    metric: won
    target: 26
    per: month
    owner: Sales lead
    review: monthly
    class: lagging
    definition: Deals closed as won in the month, by close date
    csfs: [quality]
  - id: rate
    name: Win rate
    department: sales
    metric: win_rate
    target: 0.39
    per: month
    owner: Sales ops
    review: monthly
    class: lagging
    definition: Won / (won + lost) over deals closed in the month
    csfs: [quality]
csfs:
  - id: pipeline
    name: More deals
    lever: opportunities
    actions: [More calls, Trade shows]
  - id: quality
    name: Deal quality
    lever: win_rate
    actions: [Better hearing, Tailored proposals]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def dataset_of(tmp_path: Path, text: str, name: str = "sheet.csv") -> Dataset:
    path = write(tmp_path, name, text)
    return load_dataset([FileInput(name, path)])


def goals_of(text: str) -> Goals:
    return load_goals(text)
