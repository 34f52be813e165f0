"""Backtest of the period-end forecast ranges (kpi_core.backtest) on one or more datasets.

    D=../shared/datasets; O=$D/olist_marketing_funnel
    python benchmarks/backtest_pacing.py sample_data/sales_deals_ja.csv $D/maven_crm_sales/sales_pipeline.csv \
        $O/olist_marketing_qualified_leads_dataset.csv+$O/olist_closed_deals_dataset.csv

Each DATASET is a file, or several files joined with "+" (loaded together and linked on their shared id column,
as the app does). For each, prints Markdown tables per method, per metric and per as-of share, each split by range
kind (analogues, normal, none): the number of checks, how many month-end finals fell inside the nominal 80 % range,
the coverage, the mean range width ÷ final, and the Brier score of the chance of reaching a target (the median of
the six previous months) next to that of always saying the hit rate.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kpi_core.backtest import AS_OF_FRACTIONS, DEFAULT_METRICS, backtest_pacing  # noqa: E402
from kpi_core.intake.load import FileInput, load_dataset  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("datasets", nargs="+", metavar="DATASET", help='a file, or files joined with "+"')
    parser.add_argument("--metric", action="append", help=f"metric to replay (default: {', '.join(DEFAULT_METRICS)})")
    parser.add_argument(
        "--fractions", type=float, nargs="+", default=list(AS_OF_FRACTIONS), help="as-of shares of business days"
    )
    parser.add_argument("--calendar", default="jp")
    args = parser.parse_args(argv)
    for spec in args.datasets:
        paths = [Path(p) for p in spec.split("+")]
        began = time.perf_counter()
        dataset = load_dataset([FileInput(p.name, p) for p in paths])
        result = backtest_pacing(
            dataset, metrics=args.metric or DEFAULT_METRICS, fractions=args.fractions, calendar=args.calendar
        )
        seconds = time.perf_counter() - began
        print(f"## {' + '.join(p.name for p in paths)}\n")
        print(f"{len(result.checks)} checks, {result.skipped} skipped, {seconds:.0f} s\n")
        for by in ("method", "metric", "fraction"):
            print(result.markdown(by) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
