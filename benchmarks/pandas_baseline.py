"""Plain-pandas implementation of the figures the benchmark times: totals, by month, by channel, by owner.

Run as a separate process by bench_kpis.py so both sides pay their own start-up and file reading.
"""

from __future__ import annotations

import json
import sys

import pandas as pd


def figures(frame: pd.DataFrame) -> dict[str, float | int | None]:
    """Records, won, lost, open, win rate, won revenue, unit price, median cycle of one group."""
    won = frame[frame["stage"] == "Won"]
    lost_count = int((frame["stage"] == "Lost").sum())
    revenue = float(won["amount"].sum())
    cycle = (won["close_date"] - won["created_date"]).dt.days
    return {
        "records": len(frame),
        "won": len(won),
        "lost": lost_count,
        "open": int((~frame["stage"].isin(["Won", "Lost"])).sum()),
        "win_rate": len(won) / (len(won) + lost_count) if len(won) + lost_count else None,
        "won_revenue": revenue,
        "avg_unit_price": revenue / len(won) if len(won) else None,
        "median_cycle_days": float(cycle.median()) if len(won) else None,
    }


def main(path: str) -> None:
    frame = pd.read_csv(path, parse_dates=["created_date", "close_date"])
    result = {"totals": figures(frame), "by_period": {}, "by": {"channel": {}, "owner": {}}}
    # Same period basis as the engine: records by created month, outcomes by close month.
    created_month = frame["created_date"].dt.strftime("%Y-%m")
    closed_month = frame["close_date"].dt.strftime("%Y-%m")
    records_by_month = created_month.value_counts()
    closed = frame[frame["stage"].isin(["Won", "Lost"])]
    for month, group in closed.groupby(closed_month[closed.index]):
        entry = figures(group)
        entry["records"] = int(records_by_month.get(month, 0))
        result["by_period"][month] = entry
    for role in ("channel", "owner"):
        for key, group in frame.groupby(role):
            result["by"][role][key] = figures(group)
    json.dump(result, sys.stdout, default=str)


if __name__ == "__main__":
    main(sys.argv[1])
